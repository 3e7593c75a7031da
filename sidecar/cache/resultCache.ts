import path from 'node:path';
import type { CacheTables } from '../store/sqliteStore';
import { CircuitBreaker } from './breaker';
import type { BreakerState } from '../contract/cache';
import type { Clock } from './driver';
import type { TierName } from '../contract/cache';
import { MemoryDriver } from './memoryDriver';
import type { MemoryOptions } from './memoryDriver';
import { RedisDriver } from './redisDriver';
import { CacheStats, readSavings, readTierCounters } from './stats';
import { TieredCache } from './tieredCache';
import { KeyLeases } from './keyLeases';
import type { Cleared, Tier } from './tieredCache';
import { roundUsd } from '../cost/money';
import type { CacheReport, TierReport } from '../contract/cache';

export interface ResultCacheOptions {
  /** The workspace database's part: the L3 tier, the statistics, the producers' leases. */
  tables: CacheTables;
  /** L2 is used only when a Redis URL is given (`--redis`, `PARTYCOST_REDIS_URL`, the extension setting). */
  redisUrl?: string;
  namespace: string;
  now?: Clock;
  memory?: Omit<MemoryOptions, 'now' | 'onEvict'>;
  sqliteMaxBytes?: number;
  breaker?: { threshold?: number; cooldownMs?: number };
}

/**
 * Redis keys are namespaced by project: `PARTYCOST_CACHE_NAMESPACE`, else the workspace folder's name. The CLI and
 * the sidecar both call this, so they share entries in a team's Redis.
 */
export function cacheNamespace(workspace: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.PARTYCOST_CACHE_NAMESPACE || path.basename(workspace);
}

/** The result cache of a workspace: the three tiers, their statistics, and what a user asks of them. */
export class ResultCache {
  readonly stats = new CacheStats();
  readonly cache: TieredCache;
  private readonly redisBreaker?: CircuitBreaker;

  constructor(private readonly options: ResultCacheOptions) {
    const onEvict = (tier: TierName): void => this.stats.count(tier, 'evictions');
    const now = options.now ?? Date.now;
    const tiers: Tier[] = [{ driver: new MemoryDriver({ ...options.memory, now: options.now, onEvict }) }];
    let redis: RedisDriver | undefined;
    if (options.redisUrl) {
      this.redisBreaker = new CircuitBreaker(options.breaker?.threshold, options.breaker?.cooldownMs, now);
      redis = new RedisDriver({ url: options.redisUrl, namespace: options.namespace, now });
      tiers.push({ driver: redis, breaker: this.redisBreaker });
    }
    tiers.push({ driver: options.tables.entries({ now, onEvict, maxBytes: options.sqliteMaxBytes }) });
    this.cache = new TieredCache(tiers, this.stats, new KeyLeases(options.tables.leases, redis), options.tables.counters);
  }

  /**
   * Resolves once Redis is connected (false after `timeoutMs`). Lookups never wait for it (until then they miss L2);
   * this is for a caller that wants L2 from its first call, such as a test.
   */
  async redisConnected(timeoutMs = 2_000): Promise<boolean> {
    const redis = this.cache.tiers.find((tier) => tier.driver instanceof RedisDriver)?.driver as RedisDriver | undefined;
    return redis ? redis.connected(timeoutMs) : false;
  }

  /** Writes the counters gathered since the last flush, and the Redis breaker state, to the database. */
  flush(): void {
    this.stats.flush(this.options.tables.counters);
    if (this.redisBreaker) this.options.tables.counters.recordBreaker('redis', this.redisBreaker.state);
  }

  async report(): Promise<CacheReport> {
    this.flush();
    const counters = readTierCounters(this.options.tables.counters, ['memory', 'redis', 'sqlite']);
    const tiers: TierReport[] = [];
    let redis: CacheReport['redis'] = 'not configured';
    for (const counter of counters) {
      const tier = this.cache.tiers.find((t) => t.driver.tier === counter.tier);
      const size = tier ? await tier.driver.size().catch(() => null) : null;
      if (counter.tier === 'redis' && tier) {
        redis = size ? 'connected' : 'unavailable';
        // The breaker as it is: a Redis that does not answer now is one whose calls are skipped.
        if (!size) this.redisBreaker?.trip();
      }
      if (!tier && counter.hits + counter.misses + counter.writes === 0) continue;
      tiers.push({
        ...counter,
        entries: size?.entries ?? null,
        bytes: size?.bytes ?? null,
        ...(counter.tier === 'redis' ? { breaker: this.redisBreaker?.state ?? this.lastBreakerState() } : {}),
        ...(counter.tier === 'memory' ? { note: 'entries and bytes: this process' } : {}),
      });
    }
    const byAgent = readSavings(this.options.tables.counters);
    const total = (field: 'hits' | 'savedUsd' | 'savedMs' | 'savedTokens'): number => byAgent.reduce((sum, a) => sum + a[field], 0);
    return {
      namespace: this.options.namespace,
      redis,
      tiers,
      savings: { hits: total('hits'), savedUsd: roundUsd(total('savedUsd')), savedMs: total('savedMs'), savedTokens: total('savedTokens'), byAgent },
    };
  }

  private lastBreakerState(): BreakerState | undefined {
    return this.options.tables.counters.breakerState('redis');
  }

  /**
   * Clears every tier, or one agent's entries, or the entries of some keys (a party's results): how many, and the
   * tiers that did not answer (their entries are not served again, and stay in them until cleared once more).
   */
  async clear(filter: { agent?: string; keys?: string[] } = {}): Promise<Cleared> {
    if (filter.keys) return { removed: filter.keys.length, unreachable: await this.cache.delete(filter.keys) };
    return this.cache.clear(filter.agent);
  }

  async close(): Promise<void> {
    this.flush();
    await this.cache.close();
  }
}
