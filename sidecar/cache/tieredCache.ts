import { performance } from 'node:perf_hooks';
import type { CircuitBreaker } from './breaker';
import type { CacheDriver } from './driver';
import type { CacheEntry } from '../store/cacheEntries';
import type { TierName } from '../contract/cache';
import type { CacheStats, CounterName } from './stats';
import type { KeyLeases } from './keyLeases';

/** A tier of the cache, with the circuit breaker that guards it (Redis has one). */
export interface Tier {
  driver: CacheDriver;
  breaker?: CircuitBreaker;
}

export interface Found {
  entry: CacheEntry;
  tier: TierName;
}

type Attempt<T> = { ok: true; value: T } | { ok: false };

/**
 * Memory → Redis → SQLite. Reads go down the tiers and promote a lower hit upward; writes go to every healthy tier.
 * A failing tier costs a miss, never the run; concurrent requests for one key produce it once.
 */
export class TieredCache {
  private readonly inflight = new Map<string, Promise<{ entry: CacheEntry; tier: TierName | null }>>();

  constructor(
    readonly tiers: Tier[],
    readonly stats: CacheStats,
    /** One producer per key across processes; without it, within this process only. */
    private readonly leases?: KeyLeases,
  ) {}

  private async attempt<T>(tier: Tier, work: () => T | Promise<T>, counted = true): Promise<Attempt<T>> {
    const name = tier.driver.tier;
    // Not connected (yet, or any more): a miss that waits for nothing and counts against nothing.
    if (tier.driver.available && !tier.driver.available()) {
      if (counted) this.stats.count(name, 'skipped');
      return { ok: false };
    }
    if (tier.breaker && !tier.breaker.allows()) {
      if (counted) this.stats.count(name, 'skipped');
      return { ok: false };
    }
    const started = performance.now();
    try {
      const value = await work();
      tier.breaker?.success();
      if (counted) this.stats.observe(name, (performance.now() - started) * 1000);
      return { ok: true, value };
    } catch {
      tier.breaker?.failure();
      if (counted) this.stats.count(name, 'errors');
      return { ok: false };
    }
  }

  private count(tier: Tier, name: CounterName): void {
    this.stats.count(tier.driver.tier, name);
  }

  /** The entry from the fastest tier that has it, promoted into the faster ones. */
  async get(key: string): Promise<Found | undefined> {
    for (const [index, tier] of this.tiers.entries()) {
      const found = await this.attempt(tier, () => tier.driver.get(key));
      if (!found.ok) continue;
      if (!found.value) {
        this.count(tier, 'misses');
        continue;
      }
      this.count(tier, 'hits');
      for (const upper of this.tiers.slice(0, index)) await this.write(upper, found.value);
      return { entry: found.value, tier: tier.driver.tier };
    }
    return undefined;
  }

  /** Looks without counting or promoting: what a plan uses to say "cache hit" before anything runs. */
  async peek(key: string): Promise<Found | undefined> {
    for (const tier of this.tiers) {
      const found = await this.attempt(tier, () => tier.driver.get(key), false);
      if (found.ok && found.value) return { entry: found.value, tier: tier.driver.tier };
    }
    return undefined;
  }

  async set(entry: CacheEntry): Promise<void> {
    for (const tier of this.tiers) await this.write(tier, entry);
  }

  private async write(tier: Tier, entry: CacheEntry): Promise<void> {
    const written = await this.attempt(tier, () => tier.driver.set(entry));
    if (written.ok) this.count(tier, 'writes');
  }

  /**
   * The cached entry for `key`, or the one `produce` makes (then written to every tier). While one producer runs,
   * other requests for the same key wait for it instead of producing again: `tier` is null only for the producer.
   */
  async getOrProduce(key: string, produce: () => Promise<CacheEntry>): Promise<{ entry: CacheEntry; tier: TierName | null }> {
    const running = this.inflight.get(key);
    if (running) return { entry: (await running).entry, tier: 'memory' };
    const found = await this.get(key);
    if (found) return found;
    const again = this.inflight.get(key);
    if (again) return { entry: (await again).entry, tier: 'memory' };
    const flight = this.produceOnce(key, produce).finally(() => this.inflight.delete(key));
    this.inflight.set(key, flight);
    return flight;
  }

  /**
   * Produces under the key's lease, so another process needing the same key waits for this one and takes its entry
   * as a hit; while another holds it, waits for its entry (or for the lease to free up, should it fail).
   */
  private async produceOnce(key: string, produce: () => Promise<CacheEntry>): Promise<{ entry: CacheEntry; tier: TierName | null }> {
    for (let waited = 0; ; waited++) {
      const lease = this.leases ? await this.leases.take(key) : null;
      if (lease || !this.leases) {
        try {
          // Produced by another process just before the lease was free: its entry, not a second production.
          const found = waited ? await this.get(key) : undefined;
          if (found) return found;
          const entry = await produce();
          await this.set(entry);
          return { entry, tier: null };
        } finally {
          await lease?.release();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** Math.min(waited, 3), 400)));
      const found = await this.get(key);
      if (found) return found;
    }
  }

  async delete(key: string): Promise<void> {
    for (const tier of this.tiers) await this.attempt(tier, () => tier.driver.delete(key), false);
  }

  /** Clears every tier, or one agent's entries; returns how many each tier removed. */
  async clear(agent?: string): Promise<Partial<Record<TierName, number>>> {
    const removed: Partial<Record<TierName, number>> = {};
    for (const tier of this.tiers) {
      const result = await this.attempt(tier, () => tier.driver.clear(agent), false);
      if (result.ok) removed[tier.driver.tier] = result.value;
    }
    return removed;
  }

  async close(): Promise<void> {
    for (const tier of this.tiers) await tier.driver.close();
  }
}
