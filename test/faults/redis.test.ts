import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { OfflineProvider } from '../../sidecar/providers/offline';
import { ResultCache } from '../../sidecar/cache/resultCache';
import type { Db } from '../../sidecar/store/database';
import { engine, tempDatabase } from '../engine';
import { startRedis } from '../redisServer';
import { partycost, workspace } from '../cliProcess';
import { SqliteStore } from '../../sidecar/store/sqliteStore';

// Redis failing: killed and restarted under load (no run fails, L2 returns by itself), and dead or hung from the start
// (a CLI run waits for neither: its lookups skip the tier at once).

function ledgerRows(db: Db, party: string): number {
  return (db.prepare('SELECT count(*) AS n FROM ledger WHERE party_id = ? AND cached = 0').get(party) as { n: number }).n;
}

const themes = ['jungle', 'pirate', 'space', 'unicorn', 'circus', 'safari'];
const inputsOf = (i: number): string[] => [`${themes[i % themes.length]} theme`, `${25 + 25 * (i % 5)} guests`, ...(i % 3 === 0 ? ['chocolate cake'] : [])];

test('Redis killed in the middle of many parties: runs complete, calls skip it at no cost, the breaker shows open; restarted, L2 hits return', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const { db } = tempDatabase();
  const cache = new ResultCache({ tables: new SqliteStore(db).cache, redisUrl: redis.url, namespace: 'team', breaker: { threshold: 3, cooldownMs: 100 } });
  t.after(() => cache.close());
  assert.ok(await cache.redisConnected());
  const parties = engine(undefined, db, new OfflineProvider(), cache);
  const redisTier = cache.cache.tiers.find((tier) => tier.driver.tier === 'redis')!;
  const breaker = (): string => redisTier.breaker!.state;

  for (let i = 0; i < 30; i++) {
    if (i === 10) await redis.kill();
    const { party } = parties.create(`party ${i}`, inputsOf(i));
    const report = await parties.run(party.id);
    assert.ok(report.agents.length > 0, `party ${i} ran`);
  }
  // The client learns of the drop from its socket's close event, which may come after the last run on a busy machine.
  for (const deadline = Date.now() + 5_000; redisTier.driver.available!(); await delay(20)) {
    assert.ok(Date.now() < deadline, 'a dropped connection is not used');
  }
  const down = (await cache.report()).tiers.find((tier) => tier.tier === 'redis')!;
  assert.ok(down.skipped >= 10, `every call while Redis is down is skipped at no cost: ${down.skipped}`);
  assert.equal(down.breaker, 'open', 'and the breaker is shown as it is');
  assert.equal(breaker(), 'open');

  await redis.restart();
  // The client reconnects by itself and proves the connection; once the cool-down has passed, a trial call closes
  // the breaker.
  const probe = parties.create('probe', ['dinosaur theme']);
  for (const deadline = Date.now() + 5_000; breaker() !== 'closed' || !redisTier.driver.available!(); ) {
    assert.ok(Date.now() < deadline, 'Redis is used again once it is back');
    await delay(50);
    await cache.cache.get('probe-key');
  }
  await parties.run(probe.party.id);
  const { party } = parties.create('after restart', ['ocean theme', '150 guests']);
  await parties.run(party.id);

  // A teammate with a database of their own shares the Redis tier: the same inputs are hits from Redis.
  const other = tempDatabase().db;
  const teammateCache = new ResultCache({ tables: new SqliteStore(other).cache, redisUrl: redis.url, namespace: 'team' });
  t.after(() => teammateCache.close());
  assert.ok(await teammateCache.redisConnected());
  const teammate = engine(undefined, other, new OfflineProvider(), teammateCache);
  const shared = teammate.create('teammate', ['OCEAN party', '140 guests']);
  const plan = await teammate.plan(shared.party.id);
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'cache_hit').map((a) => a.tier),
    ['redis', 'redis', 'redis', 'redis', 'redis'],
  );
  const report = await teammate.run(shared.party.id);
  assert.equal(report.executed, 0);
  assert.equal(ledgerRows(other, shared.party.id), 0);
  const up = (await teammateCache.report()).tiers.find((tier) => tier.tier === 'redis')!;
  assert.equal(up.hits, 5);
  assert.equal(up.breaker, 'closed');
});

/** A socket that accepts connections and never answers, as a hung Redis (or a firewall that swallows) does. */
async function hungServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a dead Redis. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

for (const kind of ['dead', 'hung'] as const) {
  test(`a ${kind} Redis: the CLI run completes, its lookups skip the tier at once (no errors, no waits), and stats say so`, async (t) => {
    const hung = kind === 'hung' ? await hungServer() : undefined;
    t.after(() => hung?.close());
    const url = hung?.url ?? (await deadUrl());
    const dir = await workspace(`redis-${kind}`, ['jungle theme', '75 guests']);
    const run = await partycost(dir, ['run', 'P1'], { PARTYCOST_REDIS_URL: url });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Done: 5 executed/);
    const stats = await partycost(dir, ['cache', 'stats', '--json'], { PARTYCOST_REDIS_URL: url });
    const report = JSON.parse(stats.stdout) as { redis: string; tiers: { tier: string; misses: number; errors: number; skipped: number }[] };
    const redis = report.tiers.find((tier) => tier.tier === 'redis')!;
    assert.equal(report.redis, 'unavailable');
    assert.deepEqual({ misses: redis.misses, errors: redis.errors }, { misses: 0, errors: 0 }, 'no lookup waited on it or failed against it');
    assert.ok(redis.skipped >= 5, `each lookup and write skipped it: ${redis.skipped}`);
    const sqlite = report.tiers.find((tier) => tier.tier === 'sqlite')!;
    assert.equal(sqlite.misses, 5, 'the run looked each result up in the tiers that answer');
  });
}

test('cache clear while Redis is hung (SIGSTOP): exit 1 naming it; once it resumes, an entry it kept is never served to a new party', async (t) => {
  const redis = await startRedis();
  t.after(async () => {
    process.kill(redis.pid, 'SIGCONT');
    await redis.stop();
  });
  const env = { PARTYCOST_REDIS_URL: redis.url };
  const dir = await workspace('redis-clear', ['jungle theme', '75 guests']);
  const first = await partycost(dir, ['run', 'P1'], env);
  assert.match(first.stdout, /Done: 5 executed/, first.stderr);

  process.kill(redis.pid, 'SIGSTOP');
  const clear = await partycost(dir, ['cache', 'clear'], env);
  assert.equal(clear.code, 1, 'a tier that did not answer is a failure, not "every tier"');
  assert.match(clear.stdout, /^Cleared \d+ cache entries \(every agent\) from the other tiers$/m);
  assert.match(clear.stderr, /redis did not answer the clear: none of its entries made before now will be used/);
  process.kill(redis.pid, 'SIGCONT');

  // A new party with the same inputs: Redis answers again and still holds the results, but they predate the clear.
  await partycost(dir, ['party', 'create', '--input', 'jungle theme', '--input', '75 guests'], env);
  const second = await partycost(dir, ['run', 'P2'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Done: 5 executed/, 'nothing served from before the clear');
  const stats = JSON.parse((await partycost(dir, ['cache', 'stats', '--json'], env)).stdout) as { tiers: { tier: string; hits: number }[] };
  assert.equal(stats.tiers.find((tier) => tier.tier === 'redis')!.hits, 0);
});
