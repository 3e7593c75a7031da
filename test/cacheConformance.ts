import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CacheDriver } from '../sidecar/cache/driver';
import type { CacheEntry } from '../sidecar/store/cacheEntries';
import type { TieredCache } from '../sidecar/cache/tieredCache';

/** A clock the test moves by hand: expiry is tested without sleeping. */
export class ManualClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export function entry(key: string, clock: ManualClock, fields: Partial<CacheEntry> = {}): CacheEntry {
  return {
    key,
    agent: 'theme',
    output: `result for ${key}`,
    resultHash: `hash-${key}`,
    model: 'gpt-4o-mini',
    usage: { inputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 200, reasoningTokens: 0, source: 'estimated' },
    durationMs: 12.5,
    createdAt: clock.now(),
    expiresAt: clock.now() + 60_000,
    ...fields,
  };
}

/** The tiered cache seen through the driver interface, so the same suite checks it. */
export function tieredAsDriver(tiered: TieredCache): CacheDriver {
  return {
    tier: 'memory',
    get: async (key) => (await tiered.get(key))?.entry,
    set: (e) => tiered.set(e),
    delete: async (key) => {
      const had = (await tiered.peek(key)) !== undefined;
      await tiered.delete([key]);
      return had;
    },
    clear: async (agent) => (await tiered.clear(agent)).removed,
    size: async () => await tiered.tiers[tiered.tiers.length - 1].driver.size(),
    close: () => tiered.close(),
  };
}

/**
 * The behaviour every tier must have (bentocache's driver test suite is the model): each test gets a fresh driver
 * on a manual clock from `open`.
 */
export function cacheConformance(name: string, open: (clock: ManualClock) => Promise<CacheDriver>): void {
  const fresh = async (): Promise<{ driver: CacheDriver; clock: ManualClock }> => {
    const clock = new ManualClock();
    return { driver: await open(clock), clock };
  };

  test(`${name}: a missing key is a miss; a set entry comes back whole`, async (t) => {
    const { driver, clock } = await fresh();
    t.after(() => driver.close());
    assert.equal(await driver.get('absent'), undefined);
    const e = entry('k1', clock);
    await driver.set(e);
    assert.deepEqual(await driver.get('k1'), e);
    const replaced = entry('k1', clock, { output: 'second' });
    await driver.set(replaced);
    assert.equal((await driver.get('k1'))?.output, 'second');
  });

  test(`${name}: delete removes one entry and says whether it was there`, async (t) => {
    const { driver, clock } = await fresh();
    t.after(() => driver.close());
    await driver.set(entry('a', clock));
    await driver.set(entry('b', clock));
    assert.equal(await driver.delete('a'), true);
    assert.equal(await driver.delete('a'), false);
    assert.equal(await driver.get('a'), undefined);
    assert.ok(await driver.get('b'));
  });

  test(`${name}: entries expire on the clock, not before`, async (t) => {
    const { driver, clock } = await fresh();
    t.after(() => driver.close());
    await driver.set(entry('ttl', clock, { expiresAt: clock.now() + 1_000 }));
    clock.advance(999);
    assert.ok(await driver.get('ttl'), 'still fresh at 999 ms');
    clock.advance(2);
    assert.equal(await driver.get('ttl'), undefined, 'expired at 1001 ms');
    await driver.set(entry('stale', clock, { expiresAt: clock.now() - 1 }));
    assert.equal(await driver.get('stale'), undefined, 'an already expired entry is not stored');
  });

  test(`${name}: clear removes everything, or one agent's entries`, async (t) => {
    const { driver, clock } = await fresh();
    t.after(() => driver.close());
    await driver.set(entry('t1', clock));
    await driver.set(entry('t2', clock));
    await driver.set(entry('c1', clock, { agent: 'cake' }));
    assert.equal(await driver.clear('cake'), 1);
    assert.equal(await driver.get('c1'), undefined);
    assert.ok(await driver.get('t1'));
    assert.equal(await driver.clear(), 2);
    assert.equal(await driver.get('t2'), undefined);
    assert.deepEqual((await driver.size()).entries, 0);
  });

  test(`${name}: large values and unicode keys survive unchanged`, async (t) => {
    const { driver, clock } = await fresh();
    t.after(() => driver.close());
    const big = entry('big', clock, { output: 'jungle 🎉 '.repeat(100_000) });
    await driver.set(big);
    assert.equal((await driver.get('big'))?.output, big.output);
    const key = 'ключ:パーティー:🎂:" \' \\ \n';
    await driver.set(entry(key, clock, { output: 'gâteau au chocolat 🎂' }));
    assert.equal((await driver.get(key))?.output, 'gâteau au chocolat 🎂');
    const size = await driver.size();
    assert.equal(size.entries, 2);
    assert.ok(size.bytes > 1_000_000, `${size.bytes} bytes`);
  });
}
