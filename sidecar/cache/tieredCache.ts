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

/** When the cache was last cleared, as every process on the workspace's database sees it. */
export interface ClearMarks {
  markCleared(scopes: string[], at: number): void;
  clearedAt(agent: string, key: string): number;
}

/** What a clear did: entries removed (the most any tier removed), and the tiers that did not answer it. */
export interface Cleared {
  removed: number;
  unreachable: TierName[];
}

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
    /** Clears on record: an entry Redis kept because it missed a clear is not served. */
    private readonly clears?: ClearMarks,
  ) {}

  /**
   * Whether an entry of the shared tier was made before a clear it missed (Redis hung or down while the clear was
   * asked): then it is a miss, and removed when Redis answers. The other tiers are cleared by the process itself.
   */
  private missedClear(tier: Tier, key: string, entry: CacheEntry): boolean {
    if (tier.driver.tier !== 'redis' || !this.clears) return false;
    if (entry.createdAt > this.clears.clearedAt(entry.agent, key)) return false;
    void this.attempt(tier, () => tier.driver.delete(key), false);
    return true;
  }

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
      if (!found.value || this.missedClear(tier, key, found.value)) {
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
      if (found.ok && found.value && !this.missedClear(tier, key, found.value)) return { entry: found.value, tier: tier.driver.tier };
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

  /** Removes a key from every tier; returns the tiers that did not answer (the clear is on record for them). */
  async delete(keys: string[]): Promise<TierName[]> {
    this.clears?.markCleared(
      keys.map((key) => `key:${key}`),
      Date.now(),
    );
    const unreachable = new Set<TierName>();
    for (const key of keys)
      for (const tier of this.tiers) if (!(await this.attempt(tier, () => tier.driver.delete(key), false)).ok) unreachable.add(tier.driver.tier);
    return [...unreachable];
  }

  /** Clears every tier, or one agent's entries: how many were removed, and the tiers that did not answer. */
  async clear(agent?: string): Promise<Cleared> {
    // On record first: whatever a tier fails to remove now is never served afterwards.
    this.clears?.markCleared([agent === undefined ? '*' : `agent:${agent}`], Date.now());
    let removed = 0;
    const unreachable: TierName[] = [];
    for (const tier of this.tiers) {
      const result = await this.attempt(tier, () => tier.driver.clear(agent), false);
      if (result.ok) removed = Math.max(removed, result.value);
      else unreachable.push(tier.driver.tier);
    }
    return { removed, unreachable };
  }

  async close(): Promise<void> {
    for (const tier of this.tiers) await tier.driver.close();
  }
}
