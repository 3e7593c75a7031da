import type { AgentSavings, BreakerState, TierName } from '../contract/cache';
import type { Db } from './database';
import { Statements } from './statements';

/** The deltas one process gathered since it last added them: counters, latency buckets and savings. */
export interface CacheDeltas {
  counters: Iterable<[tier: string, name: string, n: number]>;
  latency: Iterable<[tier: string, bucket: number, n: number]>;
  savings: Iterable<AgentSavings>;
}

/**
 * The result cache's statistics as every process on the database adds to them: counters per tier and name, latency
 * histograms per tier, savings per agent, and the Redis breaker's last state; and when it was last cleared.
 */
export class CacheCounters {
  private readonly sql: Statements;

  constructor(private readonly db: Db) {
    this.sql = new Statements(db);
  }

  /** Adds one process's deltas in one transaction. */
  add(deltas: CacheDeltas): void {
    this.db
      .transaction(() => {
        const counter = this.sql.get(
          'INSERT INTO cache_counters (tier, name, value) VALUES (?, ?, ?) ON CONFLICT (tier, name) DO UPDATE SET value = value + excluded.value',
        );
        for (const [tier, name, n] of deltas.counters) counter.run(tier, name, n);
        const bucket = this.sql.get(
          'INSERT INTO cache_latency (tier, bucket, count) VALUES (?, ?, ?) ON CONFLICT (tier, bucket) DO UPDATE SET count = count + excluded.count',
        );
        for (const [tier, b, n] of deltas.latency) bucket.run(tier, b, n);
        const saving = this.sql.get(
          `INSERT INTO cache_savings (agent, hits, saved_usd, saved_ms, saved_tokens) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (agent) DO UPDATE SET hits = hits + excluded.hits, saved_usd = saved_usd + excluded.saved_usd,
             saved_ms = saved_ms + excluded.saved_ms, saved_tokens = saved_tokens + excluded.saved_tokens`,
        );
        for (const s of deltas.savings) saving.run(s.agent, s.hits, s.savedUsd, s.savedMs, s.savedTokens);
      })
      .immediate();
  }

  counters(): { tier: string; name: string; value: number }[] {
    return this.sql.get('SELECT tier, name, value FROM cache_counters').all() as { tier: string; name: string; value: number }[];
  }

  /** Every tier's latency buckets, lowest first. */
  buckets(): { tier: string; bucket: number; count: number }[] {
    return this.sql.get('SELECT tier, bucket, count FROM cache_latency ORDER BY bucket').all() as { tier: string; bucket: number; count: number }[];
  }

  /** Savings per agent, the largest first (USD as stored, unrounded). */
  savings(): AgentSavings[] {
    const rows = this.sql.get('SELECT agent, hits, saved_usd, saved_ms, saved_tokens FROM cache_savings ORDER BY saved_usd DESC').all() as {
      agent: string;
      hits: number;
      saved_usd: number;
      saved_ms: number;
      saved_tokens: number;
    }[];
    return rows.map((r) => ({ agent: r.agent, hits: r.hits, savedUsd: r.saved_usd, savedMs: r.saved_ms, savedTokens: r.saved_tokens }));
  }

  /** Per agent, the hits the cache served it. */
  hitsByAgent(): { agent: string; hits: number }[] {
    return this.sql.get('SELECT agent, hits FROM cache_savings').all() as { agent: string; hits: number }[];
  }

  breakerState(tier: TierName): BreakerState | undefined {
    const row = this.sql.get('SELECT state FROM cache_breaker WHERE tier = ?').get(tier) as { state: BreakerState } | undefined;
    return row?.state;
  }

  recordBreaker(tier: TierName, state: BreakerState): void {
    this.sql
      .get('INSERT INTO cache_breaker (tier, state, at) VALUES (?, ?, ?) ON CONFLICT (tier) DO UPDATE SET state = excluded.state, at = excluded.at')
      .run(tier, state, new Date().toISOString());
  }

  /** A clear asked for at `at` (ms): of everything (`*`), of an agent (`agent:x`) or of keys (`key:k`). */
  markCleared(scopes: string[], at: number): void {
    const mark = this.sql.get('INSERT INTO cache_clears (scope, at) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET at = max(at, excluded.at)');
    this.db.transaction(() => {
      for (const scope of scopes) mark.run(scope, at);
    })();
  }

  /** When an entry of this agent and key was last cleared (0: never): an entry made before then is not to be served. */
  clearedAt(agent: string, key: string): number {
    const row = this.sql.get("SELECT max(at) AS at FROM cache_clears WHERE scope IN ('*', ?, ?)").get(`agent:${agent}`, `key:${key}`) as { at: number | null };
    return row.at ?? 0;
  }
}
