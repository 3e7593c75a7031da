/** The shapes of the result cache's statistics, as `cache/stats` reports them. */

/** The tiers, fastest first. */
export type TierName = 'memory' | 'redis' | 'sqlite';

/** A circuit breaker's state: closed lets calls through, open skips the tier, half-open lets one trial call through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** What one agent's cache hits saved. */
export interface AgentSavings {
  agent: string;
  hits: number;
  savedUsd: number;
  savedMs: number;
  savedTokens: number;
}

/** The persisted counters of one tier, with its hit rate and latency percentiles. */
export interface TierCounters {
  tier: TierName;
  hits: number;
  misses: number;
  writes: number;
  evictions: number;
  errors: number;
  /** Calls not made because the tier's circuit breaker was open. */
  skipped: number;
  hitRate: number;
  latencyUs: { p50: number | null; p95: number | null };
}

/** One tier's counters with its size. */
export interface TierReport extends TierCounters {
  entries: number | null;
  bytes: number | null;
  /** Redis only: the breaker state in this process, or the last one a process recorded. */
  breaker?: BreakerState;
  /** For L1: entries and bytes are this process's own memory. */
  note?: string;
}

/** Every tier's statistics and what the cache saved. */
export interface CacheReport {
  namespace: string;
  redis: 'not configured' | 'connected' | 'unavailable';
  tiers: TierReport[];
  savings: { hits: number; savedUsd: number; savedMs: number; savedTokens: number; byAgent: AgentSavings[] };
}

/** What `cache clear` did: the entries removed, and the tiers that did not answer (a hung or unreachable Redis). */
export interface CacheCleared {
  cleared: number;
  /** Their entries are never served afterwards, and stay in them until a clear they answer. */
  unreachable: TierName[];
}
