import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { OfflineProvider } from '../../sidecar/providers/offline';
import { ResultCache } from '../../sidecar/cache/resultCache';
import type { Db } from '../../sidecar/store/database';
import { engine, tempDatabase } from '../engine';
import { startRedis } from '../redisServer';

/** Executions the ledger records for a party (cache hits are recorded too, as costing nothing). */
function ledgerRows(db: Db, party: string): number {
  return (db.prepare('SELECT count(*) AS n FROM ledger WHERE party_id = ? AND cached = 0').get(party) as { n: number }).n;
}

function ledgerHits(db: Db, party: string): { n: number; cost: number; saved: number } {
  return db.prepare('SELECT count(*) AS n, sum(cost_usd) AS cost, sum(saved_usd) AS saved FROM ledger WHERE party_id = ? AND cached = 1').get(party) as { n: number; cost: number; saved: number };
}

test('a second party whose inputs normalise the same gets cache hits and spends nothing new', async (t) => {
  const { db } = tempDatabase();
  const cache = new ResultCache({ db, namespace: 'sharing' });
  t.after(() => cache.close());
  const parties = engine(undefined, db, new OfflineProvider(), cache);
  const first = parties.create('first', ['jungle theme', '75 guests']);
  const spent = await parties.run(first.party.id);
  const second = parties.create('second', ['JUNGLE party', '80 guests']);
  const plan = await parties.plan(second.party.id);
  assert.deepEqual(plan.agents.filter((a) => a.action === 'cache_hit').map((a) => [a.agent, a.tier]), [
    ['theme', 'memory'],
    ['venue', 'memory'],
    ['catering', 'memory'],
    ['budget', 'memory'],
    ['planner_final', 'memory'],
  ]);
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

const themes = ['jungle', 'pirate', 'space', 'unicorn', 'circus', 'safari'];
const inputsOf = (i: number): string[] => [`${themes[i % themes.length]} theme`, `${25 + 25 * (i % 5)} guests`, ...(i % 3 === 0 ? ['chocolate cake'] : [])];

test('Redis killed in the middle of many parties: runs complete, the breaker opens, errors are counted; restarted, L2 hits return', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const { db } = tempDatabase();
  const cache = new ResultCache({ db, redisUrl: redis.url, namespace: 'team', breaker: { threshold: 3, cooldownMs: 100 } });
  t.after(() => cache.close());
  await cache.ready();
  const parties = engine(undefined, db, new OfflineProvider(), cache);
  const redisTier = cache.cache.tiers.find((tier) => tier.driver.tier === 'redis')!;
  const breaker = (): string => redisTier.breaker!.state;

  for (let i = 0; i < 30; i++) {
    if (i === 10) await redis.kill();
    const { party } = parties.create(`party ${i}`, inputsOf(i));
    const report = await parties.run(party.id);
    assert.ok(report.agents.length > 0, `party ${i} ran`);
  }
  assert.equal(breaker(), 'open');
  const down = (await cache.report()).tiers.find((tier) => tier.tier === 'redis')!;
  assert.ok(down.errors >= 3, `errors ${down.errors}`);
  assert.ok(down.skipped > 0, `skipped ${down.skipped}`);
  assert.equal(down.breaker, 'open');

  await redis.restart();
  // The client reconnects by itself; once the cool-down has passed, a trial call closes the breaker.
  const probe = parties.create('probe', ['dinosaur theme']);
  for (const deadline = Date.now() + 5_000; breaker() !== 'closed'; ) {
    assert.ok(Date.now() < deadline, 'the breaker closes once Redis is back');
    await delay(50);
    await cache.cache.get('probe-key');
  }
  await parties.run(probe.party.id);
  const { party } = parties.create('after restart', ['ocean theme', '150 guests']);
  await parties.run(party.id);

  // A teammate with a database of their own shares the Redis tier: the same inputs are hits from Redis.
  const other = tempDatabase().db;
  const teammateCache = new ResultCache({ db: other, redisUrl: redis.url, namespace: 'team' });
  t.after(() => teammateCache.close());
  await teammateCache.ready();
  const teammate = engine(undefined, other, new OfflineProvider(), teammateCache);
  const shared = teammate.create('teammate', ['OCEAN party', '140 guests']);
  const plan = await teammate.plan(shared.party.id);
  assert.deepEqual(plan.agents.filter((a) => a.action === 'cache_hit').map((a) => a.tier), ['redis', 'redis', 'redis', 'redis', 'redis']);
  const report = await teammate.run(shared.party.id);
  assert.equal(report.executed, 0);
  assert.equal(ledgerRows(other, shared.party.id), 0);
  const up = (await teammateCache.report()).tiers.find((tier) => tier.tier === 'redis')!;
  assert.equal(up.hits, 5);
  assert.equal(up.breaker, 'closed');
});
