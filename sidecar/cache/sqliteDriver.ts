import type { Db } from '../store/database';
import { Statements } from '../store/statements';
import type { CacheDriver, CacheEntry, Clock, EvictionListener } from './driver';

export interface SqliteOptions {
  maxBytes?: number;
  now?: Clock;
  onEvict?: EvictionListener;
}

/** A hit refreshes an entry's last access at most this often, so reads seldom need the write lock. */
const accessGranularityMs = 60_000;

/** L3: a table in the workspace database; persistent, with expiry and last access for size-bounded LRU eviction. */
export class SqliteDriver implements CacheDriver {
  readonly tier = 'sqlite';
  private readonly sql: Statements;
  private readonly now: Clock;
  private readonly maxBytes: number;

  constructor(
    private readonly db: Db,
    private readonly options: SqliteOptions = {},
  ) {
    this.sql = new Statements(db);
    this.now = options.now ?? Date.now;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const row = this.sql.get('SELECT entry, expires_at, last_access FROM cache_entries WHERE key = ?').get(key) as
      | { entry: string; expires_at: number; last_access: number }
      | undefined;
    if (!row) return undefined;
    const now = this.now();
    if (row.expires_at <= now) {
      this.sql.get('DELETE FROM cache_entries WHERE key = ?').run(key);
      return undefined;
    }
    if (now - row.last_access >= accessGranularityMs) this.sql.get('UPDATE cache_entries SET last_access = ? WHERE key = ?').run(now, key);
    return JSON.parse(row.entry) as CacheEntry;
  }

  async set(entry: CacheEntry): Promise<void> {
    if (entry.expiresAt <= this.now()) return;
    const text = JSON.stringify(entry);
    this.db
      .transaction(() => {
        this.sql
          .get(
            `INSERT INTO cache_entries (key, agent, entry, bytes, created_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET agent = excluded.agent, entry = excluded.entry, bytes = excluded.bytes,
               created_at = excluded.created_at, expires_at = excluded.expires_at, last_access = excluded.last_access`,
          )
          .run(entry.key, entry.agent, text, Buffer.byteLength(text), entry.createdAt, entry.expiresAt, this.now());
        if (this.totalBytes() > this.maxBytes) this.evict();
      })
      .immediate();
  }

  private totalBytes(): number {
    return (this.sql.get('SELECT bytes FROM cache_size WHERE id = 1').get() as { bytes: number }).bytes;
  }

  /** Over the bound: drops expired entries, then the least recently used, until the table fits. */
  private evict(): void {
    this.sql.get('DELETE FROM cache_entries WHERE expires_at <= ?').run(this.now());
    while (this.totalBytes() > this.maxBytes) {
      const oldest = this.sql.get('SELECT key FROM cache_entries ORDER BY last_access LIMIT 1').get() as { key: string };
      this.sql.get('DELETE FROM cache_entries WHERE key = ?').run(oldest.key);
      this.options.onEvict?.('sqlite');
    }
  }

  async delete(key: string): Promise<boolean> {
    return this.sql.get('DELETE FROM cache_entries WHERE key = ?').run(key).changes > 0;
  }

  async clear(agent?: string): Promise<number> {
    const result = agent === undefined ? this.sql.get('DELETE FROM cache_entries').run() : this.sql.get('DELETE FROM cache_entries WHERE agent = ?').run(agent);
    return result.changes;
  }

  async size(): Promise<{ entries: number; bytes: number }> {
    const row = this.sql.get('SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes FROM cache_entries WHERE expires_at > ?').get(this.now()) as { entries: number; bytes: number };
    return row;
  }

  async close(): Promise<void> {}
}
