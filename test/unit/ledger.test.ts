import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../sidecar/ledger/ledger';
import type { LedgerEntry } from '../../sidecar/ledger/ledger';
import { openDatabase } from '../../sidecar/store/database';
import { seeded } from '../../bench/measure';
import { tempDatabase } from '../engine';

// The ledger's running totals (what budgets read on every execution) equal a full sum over the table, whoever wrote
// the rows: this connection or another process's, in any order of times.

function entry(at: Date, costUsd: number, prunedTokens: number): LedgerEntry {
  return {
    partyId: 'P1', agent: 'theme', provider: 'offline', model: 'gpt-4o-mini', at: at.toISOString(),
    usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0, source: 'estimated' },
    estimatedCostUsd: costUsd, actualCostUsd: costUsd, parts: null, cached: false, savedUsd: 0, prunedTokens,
  };
}

test('spend and pruned tokens since an instant equal a full sum, with rows added by another connection in between', () => {
  const { file, db } = tempDatabase();
  const other = openDatabase(file);
  const ours = new Ledger(db);
  const theirs = new Ledger(other);
  const random = seeded(7);
  const day = Date.parse('2026-12-01T00:00:00Z');
  const windows = [day - 86_400_000, day, day + 43_200_000];
  for (let round = 0; round < 40; round++) {
    const writer = random(2) ? ours : theirs;
    // Rows come in at any time around the windows' starts, late ones included.
    writer.append(Array.from({ length: 1 + random(3) }, () => entry(new Date(day - 86_400_000 + random(3 * 86_400_000)), random(1_000) / 1e6, random(50))));
    for (const since of windows) {
      const full = db.prepare('SELECT coalesce(sum(cost_usd), 0) AS spent, coalesce(sum(pruned_tokens), 0) AS pruned FROM ledger WHERE at >= ?').get(new Date(since).toISOString()) as { spent: number; pruned: number };
      assert.ok(Math.abs(ours.spentSince(since) - full.spent) < 1e-9, `round ${round}, since ${new Date(since).toISOString()}`);
      assert.equal(ours.prunedSince(since), full.pruned);
    }
  }
  other.close();
  db.close();
});
