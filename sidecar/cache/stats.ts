import type { Db } from '../store/database';
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
    this.savings.set(agent, { agent, hits: current.hits + 1, savedUsd: current.savedUsd + usd, savedMs: current.savedMs + ms, savedTokens: current.savedTokens + tokens });
  }

  /** Adds the deltas to the database in one transaction and starts counting afresh. */
  flush(db: Db): void {
    if (!this.counters.size && !this.latency.size && !this.savings.size) return;
    db.transaction(() => {
      const counter = db.prepare('INSERT INTO cache_counters (tier, name, value) VALUES (?, ?, ?) ON CONFLICT (tier, name) DO UPDATE SET value = value + excluded.value');
      for (const [id, n] of this.counters) counter.run(...id.split('\u0000'), n);
      const bucket = db.prepare('INSERT INTO cache_latency (tier, bucket, count) VALUES (?, ?, ?) ON CONFLICT (tier, bucket) DO UPDATE SET count = count + excluded.count');
      for (const [id, n] of this.latency) {
        const [tier, b] = id.split('\u0000');
        bucket.run(tier, Number(b), n);
      }
      const saving = db.prepare(
        `INSERT INTO cache_savings (agent, hits, saved_usd, saved_ms, saved_tokens) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (agent) DO UPDATE SET hits = hits + excluded.hits, saved_usd = saved_usd + excluded.saved_usd,
           saved_ms = saved_ms + excluded.saved_ms, saved_tokens = saved_tokens + excluded.saved_tokens`,
      );
      for (const s of this.savings.values()) saving.run(s.agent, s.hits, s.savedUsd, s.savedMs, s.savedTokens);
    }).immediate();
    this.counters = new Map();
    this.latency = new Map();
    this.savings = new Map();
  }
}

/** The persisted counters of every tier, with hit rates and latency percentiles from the merged histograms. */
export function readTierCounters(db: Db, tiers: TierName[]): TierCounters[] {
  const counters = db.prepare('SELECT tier, name, value FROM cache_counters').all() as { tier: string; name: CounterName; value: number }[];
  const buckets = db.prepare('SELECT tier, bucket, count FROM cache_latency ORDER BY bucket').all() as { tier: string; bucket: number; count: number }[];
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

export function readSavings(db: Db): AgentSavings[] {
  const rows = db.prepare('SELECT agent, hits, saved_usd, saved_ms, saved_tokens FROM cache_savings ORDER BY saved_usd DESC').all() as {
    agent: string;
    hits: number;
    saved_usd: number;
    saved_ms: number;
    saved_tokens: number;
  }[];
  return rows.map((r) => ({ agent: r.agent, hits: r.hits, savedUsd: roundUsd(r.saved_usd), savedMs: r.saved_ms, savedTokens: r.saved_tokens }));
}
