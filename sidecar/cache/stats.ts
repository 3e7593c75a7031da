import type { CacheCounters } from '../store/cacheCounters';
import type { TierName } from '../contract/cache';
import { roundUsd } from '../cost/money';
import type { AgentSavings, TierCounters } from '../contract/cache';

export type CounterName = 'hits' | 'misses' | 'writes' | 'evictions' | 'errors' | 'skipped';
export const counterNames: CounterName[] = ['hits', 'misses', 'writes', 'evictions', 'errors', 'skipped'];

/** Latency buckets grow by 25 %: bucket b holds calls of [1.25^b, 1.25^(b+1)) microseconds. Mergeable across processes. */
const growth = 1.25;

function bucketOf(micros: number): number {
  return Math.max(0, Math.floor(Math.log(Math.max(1, micros)) / Math.log(growth)));
}

/**
 * Cache counters, latency histograms and savings, kept in memory as deltas and added to the workspace database on
 * `flush`, so totals survive restarts and every process (CLI, sidecar) sees the same figures.
 */
export class CacheStats {
  private counters = new Map<string, number>();
  private latency = new Map<string, number>();
  private savings = new Map<string, AgentSavings>();

  count(tier: TierName, name: CounterName, n = 1): void {
    const id = `${tier}\u0000${name}`;
    this.counters.set(id, (this.counters.get(id) ?? 0) + n);
  }

  observe(tier: TierName, micros: number): void {
    const id = `${tier}\u0000${bucketOf(micros)}`;
    this.latency.set(id, (this.latency.get(id) ?? 0) + 1);
  }

  /** A hit saved what producing the entry took: its cost at today's prices, its time and its tokens. */
  saved(agent: string, usd: number, ms: number, tokens: number): void {
    const current = this.savings.get(agent) ?? { agent, hits: 0, savedUsd: 0, savedMs: 0, savedTokens: 0 };
    this.savings.set(agent, {
      agent,
      hits: current.hits + 1,
      savedUsd: current.savedUsd + usd,
      savedMs: current.savedMs + ms,
      savedTokens: current.savedTokens + tokens,
    });
  }

  /** Adds the deltas to the workspace's counters in one transaction and starts counting afresh. */
  flush(tables: CacheCounters): void {
    if (!this.counters.size && !this.latency.size && !this.savings.size) return;
    const split = <T>(id: string, second: (part: string) => T): [string, T] => {
      const [tier, part] = id.split('\u0000') as [string, string];
      return [tier, second(part)];
    };
    tables.add({
      counters: [...this.counters].map(([id, n]): [string, string, number] => [...split(id, String), n]),
      latency: [...this.latency].map(([id, n]): [string, number, number] => [...split(id, Number), n]),
      savings: this.savings.values(),
    });
    this.counters = new Map();
    this.latency = new Map();
    this.savings = new Map();
  }
}

/** The persisted counters of every tier, with hit rates and latency percentiles from the merged histograms. */
export function readTierCounters(tables: CacheCounters, tiers: TierName[]): TierCounters[] {
  const counters = tables.counters();
  const buckets = tables.buckets();
  return tiers.map((tier) => {
    const value = (name: CounterName): number => counters.find((c) => c.tier === tier && c.name === name)?.value ?? 0;
    const hits = value('hits');
    const misses = value('misses');
    const histogram = buckets.filter((b) => b.tier === tier);
    return {
      tier,
      hits,
      misses,
      writes: value('writes'),
      evictions: value('evictions'),
      errors: value('errors'),
      skipped: value('skipped'),
      hitRate: hits + misses ? Math.round((1000 * hits) / (hits + misses)) / 1000 : 0,
      latencyUs: { p50: percentile(histogram, 0.5), p95: percentile(histogram, 0.95) },
    };
  });
}

/** The upper edge of the bucket where the cumulative count crosses the fraction, in whole microseconds. */
function percentile(histogram: { bucket: number; count: number }[], fraction: number): number | null {
  const total = histogram.reduce((sum, b) => sum + b.count, 0);
  if (!total) return null;
  let seen = 0;
  for (const { bucket, count } of histogram) {
    seen += count;
    if (seen >= fraction * total) return Math.ceil(growth ** (bucket + 1));
  }
  return null;
}

/** Savings per agent, the largest first, in whole micro-dollars as shown. */
export function readSavings(tables: CacheCounters): AgentSavings[] {
  return tables.savings().map((s) => ({ ...s, savedUsd: roundUsd(s.savedUsd) }));
}
