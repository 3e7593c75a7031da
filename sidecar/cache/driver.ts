import type { CacheEntry } from '../store/cacheEntries';
import type { TierName } from '../contract/cache';

/** What every tier implements; the conformance suite runs against each. */
export interface CacheDriver {
  readonly tier: TierName;
  /**
   * The entry, or undefined when absent or expired. A local tier answers synchronously (no promise, no microtask on
   * the hit path); a remote one with a promise. Callers await either.
   */
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  /** Stores the entry; synchronous on a local tier, as `get`. */
  set(entry: CacheEntry): void | Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Deletes every entry, or those of one agent; returns how many. */
  clear(agent?: string): Promise<number>;
  size(): Promise<{ entries: number; bytes: number }>;
  close(): Promise<void>;
  /**
   * Whether a call can go out now without waiting (a remote tier whose connection is still coming up, or gone, is
   * not): when it cannot, the call is a miss, skipped at no cost. Local tiers are always available.
   */
  available?(): boolean;
}

/** Called by a driver when it evicts an entry to stay within its bounds. */
export type EvictionListener = (tier: TierName) => void;

/** The clock the drivers read for expiry: injectable, so tests never sleep. */
export type Clock = () => number;
