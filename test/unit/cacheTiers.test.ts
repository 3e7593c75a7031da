import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../sidecar/cache/breaker';
import { MemoryDriver } from '../../sidecar/cache/memoryDriver';
import { RedisDriver } from '../../sidecar/cache/redisDriver';
import { SqliteDriver, entryBytes } from '../../sidecar/store/cacheEntries';
import { CacheStats, readTierCounters } from '../../sidecar/cache/stats';
import { TieredCache } from '../../sidecar/cache/tieredCache';
import type { CacheEntry } from '../../sidecar/store/cacheEntries';
import { cacheConformance, entry, ManualClock, tieredAsDriver } from '../cacheConformance';
import { FaultyDriver } from '../faultyDriver';
import { tempDatabase } from '../engine';
import { startRedis } from '../redisServer';
import type { RedisServer } from '../redisServer';
import { CacheCounters } from '../../sidecar/store/cacheCounters';

let redis: RedisServer;
let namespaces = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

/** A Redis driver in a namespace of its own, so tests sharing the server never see each other's keys. */
async function redisDriver(clock: ManualClock): Promise<RedisDriver> {
  const driver = new RedisDriver({ url: redis.url, namespace: `test${++namespaces}`, now: clock.now });
  assert.ok(await driver.connected(), 'redis connects');
  return driver;
}

cacheConformance('memory', async (clock) => new MemoryDriver({ now: clock.now }));
cacheConformance('sqlite', async (clock) => new SqliteDriver(tempDatabase().db, { now: clock.now }));
cacheConformance('redis', redisDriver);
cacheConformance('tiered (memory → redis → sqlite)', async (clock) =>
  tieredAsDriver(
    new TieredCache(
      [
        { driver: new MemoryDriver({ now: clock.now }) },
        { driver: await redisDriver(clock), breaker: new CircuitBreaker(3, 1000, clock.now) },
        { driver: new SqliteDriver(tempDatabase().db, { now: clock.now }) },
      ],
      new CacheStats(),
    ),
  ),
);

test('memory: bounded by entries and by bytes, least recently used out first, evictions counted', async () => {
  const clock = new ManualClock();
  let evicted = 0;
  const byEntries = new MemoryDriver({ now: clock.now, maxEntries: 3, onEvict: () => evicted++ });
  for (const key of ['a', 'b', 'c']) await byEntries.set(entry(key, clock));
  await byEntries.get('a');
  await byEntries.set(entry('d', clock));
  assert.equal(await byEntries.get('b'), undefined, 'b was least recently used');
  assert.ok(await byEntries.get('a'));
  assert.equal(evicted, 1);
  // An entry of 1,000 characters holds about 2.3 KB in memory: two fit in 5,000 bytes, not three.
  const bySize = new MemoryDriver({ now: clock.now, maxBytes: 5_000 });
  for (const key of ['x', 'y', 'z']) await bySize.set(entry(key, clock, { output: 'o'.repeat(1_000) }));
  const size = await bySize.size();
  assert.ok(size.bytes <= 5_000 && size.entries === 2, JSON.stringify(size));
  assert.equal(await bySize.get('x'), undefined);
});

test('sqlite: bounded by bytes, least recently accessed out first, evictions counted', async () => {
  const clock = new ManualClock();
  let evicted = 0;
  const { db } = tempDatabase();
  const big = (key: string): CacheEntry => entry(key, clock, { output: 'o'.repeat(1_000), expiresAt: clock.now() + 3_600_000 });
  const maxBytes = Math.floor(3.5 * entryBytes(big('a')));
  const driver = new SqliteDriver(db, { now: clock.now, maxBytes, onEvict: () => evicted++ });
  assert.ok(entryBytes(big('a')) > 1_000, 'an entry counts its output and more');
  // Access times are kept to the minute, so the clock moves a minute between steps.
  for (const key of ['a', 'b', 'c']) {
    await driver.set(big(key));
    clock.advance(61_000);
  }
  await driver.get('a');
  clock.advance(61_000);
  await driver.set(big('d'));
  assert.equal(await driver.get('b'), undefined, 'b was least recently used');
  assert.ok(await driver.get('a'));
  assert.equal(evicted, 1);
  await driver.set(big('a')); // replacing an entry keeps the running total right
  await driver.delete('c');
  const total = (db.prepare('SELECT bytes FROM cache_size').get() as { bytes: number }).bytes;
  const summed = (db.prepare('SELECT sum(bytes) AS bytes FROM cache_entries').get() as { bytes: number }).bytes;
  assert.equal(total, summed, 'the trigger-kept total matches the table');
  assert.equal((await driver.size()).entries, 2);
});

test('tiered: a lower hit is promoted; writes reach every tier', async () => {
  const clock = new ManualClock();
  const memory = new MemoryDriver({ now: clock.now });
  const sqlite = new SqliteDriver(tempDatabase().db, { now: clock.now });
  const tiered = new TieredCache([{ driver: memory }, { driver: sqlite }], new CacheStats());
  await sqlite.set(entry('deep', clock));
  assert.equal((await tiered.get('deep'))?.tier, 'sqlite');
  assert.ok(await memory.get('deep'), 'promoted to memory');
  assert.equal((await tiered.get('deep'))?.tier, 'memory');
  await tiered.set(entry('both', clock));
  assert.ok((await memory.get('both')) && (await sqlite.get('both')));
});

test('tiered: a failing tier costs a miss, its breaker opens, skips it, half-opens after the cool-down and closes', async () => {
  const clock = new ManualClock();
  const { db } = tempDatabase();
  const faulty = new FaultyDriver(new MemoryDriver({ now: clock.now }));
  Object.defineProperty(faulty, 'tier', { get: () => 'redis' });
  const breaker = new CircuitBreaker(3, 1_000, clock.now);
  const stats = new CacheStats();
  const sqlite = new SqliteDriver(db, { now: clock.now });
  const tiered = new TieredCache([{ driver: faulty, breaker }, { driver: sqlite }], stats);
  await sqlite.set(entry('k', clock));
  faulty.failing = true;
  for (let i = 0; i < 5; i++) assert.equal((await tiered.get('k'))?.tier, 'sqlite', 'the lower tier still answers');
  assert.equal(breaker.state, 'open');
  // Read fails, promotion fails, read fails: three in a row open the breaker; no call reaches the tier after that.
  assert.equal(faulty.calls, 3);
  clock.advance(1_000);
  faulty.failing = false;
  assert.equal((await tiered.get('k'))?.tier, 'sqlite');
  assert.equal(breaker.state, 'closed', 'the half-open trial succeeded');
  assert.equal((await tiered.get('k'))?.tier, 'redis', 'and the tier is used again');
  const counters = new CacheCounters(db);
  stats.flush(counters);
  const redisCounters = readTierCounters(counters, ['redis'])[0];
  assert.equal(redisCounters.errors, 3);
  // While open: the second read's promotion, then the read and promotion of reads three to five.
  assert.equal(redisCounters.skipped, 1 + 3 * 2);
});

test('concurrent requests for one key produce it once', async () => {
  const clock = new ManualClock();
  const tiered = new TieredCache(
    [{ driver: new MemoryDriver({ now: clock.now }) }, { driver: new SqliteDriver(tempDatabase().db, { now: clock.now }) }],
    new CacheStats(),
  );
  let produced = 0;
  const produce = async (): Promise<CacheEntry> => {
    produced++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return entry('hot', clock);
  };
  const results = await Promise.all(Array.from({ length: 20 }, () => tiered.getOrProduce('hot', produce)));
  assert.equal(produced, 1);
  assert.equal(results.filter((r) => r.tier === null).length, 1, 'one producer');
  assert.ok(results.every((r) => r.entry.resultHash === 'hash-hot'));
});
