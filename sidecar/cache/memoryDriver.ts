import { LRUCache } from 'lru-cache';
import type { CacheDriver, CacheEntry, Clock, EvictionListener } from './driver';

export interface MemoryOptions {
  maxEntries?: number;
  maxBytes?: number;
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
    this.now = options.now ?? Date.now;
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries ?? 5_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: memoryBytes,
      ttlAutopurge: false,
      perf: { now: this.now },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') options.onEvict?.('memory');
      },
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const entry = this.lru.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  async set(entry: CacheEntry): Promise<void> {
    const ttl = entry.expiresAt - this.now();
    if (ttl <= 0) return;
    this.lru.set(entry.key, entry, { ttl });
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
