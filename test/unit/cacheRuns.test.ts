import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfflineProvider } from '../../sidecar/providers/offline';
import { ResultCache } from '../../sidecar/cache/resultCache';
import type { Db } from '../../sidecar/store/database';
import { engine, tempDatabase } from '../engine';
import { SqliteStore } from '../../sidecar/store/sqliteStore';

/** Executions the ledger records for a party (cache hits are recorded too, as costing nothing). */
function ledgerRows(db: Db, party: string): number {
  return (db.prepare('SELECT count(*) AS n FROM ledger WHERE party_id = ? AND cached = 0').get(party) as { n: number }).n;
}

function ledgerHits(db: Db, party: string): { n: number; cost: number; saved: number } {
  return db.prepare('SELECT count(*) AS n, sum(cost_usd) AS cost, sum(saved_usd) AS saved FROM ledger WHERE party_id = ? AND cached = 1').get(party) as {
    n: number;
    cost: number;
    saved: number;
  };
}

test('a second party whose inputs normalise the same gets cache hits and spends nothing new', async (t) => {
  const { db } = tempDatabase();
  const cache = new ResultCache({ tables: new SqliteStore(db).cache, namespace: 'sharing' });
  t.after(() => cache.close());
  const parties = engine(undefined, db, new OfflineProvider(), cache);
  const first = parties.create('first', ['jungle theme', '75 guests']);
  const spent = await parties.run(first.party.id);
  const second = parties.create('second', ['JUNGLE party', '80 guests']);
  const plan = await parties.plan(second.party.id);
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'cache_hit').map((a) => [a.agent, a.tier]),
    [
      ['theme', 'memory'],
      ['venue', 'memory'],
      ['catering', 'memory'],
      ['budget', 'memory'],
      ['planner_final', 'memory'],
    ],
  );
  assert.equal(plan.totals.executeCostUsd, 0);
  const report = await parties.run(second.party.id);
  assert.equal(report.executed, 0);
  assert.equal(ledgerRows(db, second.party.id), 0, 'no new spend');
  const hits = ledgerHits(db, second.party.id);
  assert.equal(hits.n, 5, 'each hit is in the ledger, costing nothing');
  assert.equal(hits.cost, 0);
  assert.ok(Math.abs(hits.saved - spent.costUsd) < 1e-12, 'and what it saved');
  assert.ok(ledgerRows(db, first.party.id) > 0);
  assert.ok(Math.abs(report.savedCostUsd - spent.costUsd) < 1e-12, `${report.savedCostUsd} saved of ${spent.costUsd} spent`);
  const hashes = (id: string) => Object.fromEntries(Object.values(parties.store.load(id).results).map((r) => [r.agent, r.resultHash]));
  assert.deepEqual(hashes(second.party.id), hashes(first.party.id));
  const stats = await cache.report();
  assert.equal(stats.savings.hits, 5);
  assert.ok(Math.abs(stats.savings.savedUsd - spent.costUsd) < 1e-12);
  assert.equal(stats.tiers.find((tier) => tier.tier === 'memory')!.hits, 5);
});
