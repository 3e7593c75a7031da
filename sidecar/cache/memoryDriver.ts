import { LRUCache } from 'lru-cache';
import type { CacheDriver, Clock, EvictionListener } from './driver';
import type { CacheEntry } from '../store/cacheEntries';
import { coarseNow } from './coarseClock';

export interface MemoryOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** The clock for expiry; by default Date.now read at most once a millisecond (coarseClock.ts). */
  now?: Clock;
  onEvict?: EvictionListener;
}

/** What an entry holds in memory, about: its strings at two bytes a character, and a fixed overhead. */
function memoryBytes(entry: CacheEntry): number {
  return 2 * (entry.output.length + entry.key.length + entry.resultHash.length + entry.agent.length) + 256;
}

/** L1: an in-process LRU bounded by entries and bytes, with per-entry TTL on the injected clock. */
export class MemoryDriver implements CacheDriver {
  readonly tier = 'memory';
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly now: Clock;

  constructor(options: MemoryOptions = {}) {
    this.now = options.now ?? coarseNow;
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries ?? 5_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: memoryBytes,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') options.onEvict?.('memory');
      },
    });
  }

  /**
   * Synchronous. Expiry is the entry's own `expiresAt` on the injected clock, checked as it is read (an expired entry
   * is dropped then, or evicted as the least recently used before that); the LRU keeps no timers of its own.
   */
  get(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry !== undefined && entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  set(entry: CacheEntry): void {
    if (entry.expiresAt <= this.now()) return;
    this.lru.set(entry.key, entry);
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  async clear(agent?: string): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.lru.entries()) {
      if (agent === undefined || entry.agent === agent) removed += this.lru.delete(key) ? 1 : 0;
    }
    return removed;
  }

  async size(): Promise<{ entries: number; bytes: number }> {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize };
  }

  async close(): Promise<void> {}
}
