import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../sidecar/ledger/ledger';
import type { LedgerEntry } from '../../sidecar/ledger/ledger';
import { openDatabase } from '../../sidecar/store/database';
import { seeded } from '../../bench/measure';
import { engine, tempDatabase } from '../engine';
import { sampleConfig } from '../../sidecar/config/sample';
import { agentDefinition, promptHash } from '../../sidecar/planner/keys';

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

function run(agent: string, promptHash: string | undefined, outputTokens: number, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    partyId: 'P1', agent, provider: 'openai', model: 'gpt-4o-mini', at: new Date().toISOString(),
    usage: { inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens, reasoningTokens: 0, source: 'actual' },
    estimatedCostUsd: 0.001, actualCostUsd: 0.001, parts: null, cached: false, savedUsd: 0, ...(promptHash ? { promptHash } : {}), ...fields,
  };
}

test('learned outputs: the latest actual runs of the agent as configured now; cache hits, local counts and older prompts teach nothing', () => {
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  // Ten runs of prompt A (one of them an answer cut off at 12 tokens), then three of prompt B.
  ledger.append([880, 900, 870, 12, 910, 890, 940, 905, 885, 895].map((tokens) => run('theme', 'A', tokens)));
  ledger.append([400, 420, 410].map((tokens) => run('theme', 'B', tokens)));
  ledger.append([run('theme', 'B', 9_999, { cached: true, actualCostUsd: 0, savedUsd: 0.001 })]);
  ledger.append([run('theme', 'B', 9_999, { usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 9_999, reasoningTokens: 0, source: 'estimated' } })]);
  ledger.append([run('theme', undefined, 9_999), run('venue', 'A', 300)]);

  const learned = ledger.learnedOutputs([{ agent: 'theme', promptHash: 'A' }, { agent: 'venue', promptHash: 'V' }]);
  const a = learned.get('theme')!;
  assert.deepEqual({ runs: a.runs, window: a.window, p50: a.p50, p90: a.p90 }, { runs: 10, window: 10, p50: 890, p90: 910 });
  assert.ok(a.mean < a.p50, 'the cut-off answer pulls the mean down, not the percentiles');
  assert.equal(learned.has('venue'), false, 'no run of venue as it is configured now');

  const b = ledger.learnedOutputs([{ agent: 'theme', promptHash: 'B' }]).get('theme')!;
  assert.deepEqual({ runs: b.runs, p50: b.p50, p90: b.p90 }, { runs: 3, p50: 410, p90: 420 });

  const newest = ledger.learnedOutputs([{ agent: 'theme', promptHash: 'A' }], 4).get('theme')!;
  assert.deepEqual({ runs: newest.runs, window: newest.window, p50: newest.p50 }, { runs: 10, window: 4, p50: 895 });
  db.close();
});

test('every execution records what its agent sent; a changed prompt gives that agent a new prompt hash, the others keep theirs', async () => {
  const { db } = tempDatabase();
  const hashes = (): Map<string, string> =>
    new Map((db.prepare('SELECT agent, prompt_hash AS hash FROM ledger ORDER BY id').all() as { agent: string; hash: string }[]).map((row) => [row.agent, row.hash]));
  const first = engine(sampleConfig, db);
  const { party } = first.create('p', ['jungle theme', '75 guests']);
  await first.run(party.id);
  const before = hashes();
  for (const [agent, hash] of before) assert.equal(hash, promptHash(agentDefinition(first.config.agents[agent], first.config)), agent);

  const edited = sampleConfig.replace('Suggest a party theme', 'Propose a party theme');
  assert.notEqual(edited, sampleConfig);
  const second = engine(edited, db);
  await second.run(party.id);
  const after = hashes();
  assert.notEqual(after.get('theme'), before.get('theme'), 'theme re-ran with its new prompt');
  assert.equal(after.get('venue'), before.get('venue'));
  db.close();
});
