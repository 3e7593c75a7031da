import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import type { ContextRecord, Usage } from '../contract/party';
import { Statements } from './statements';
import type { TierName } from '../contract/cache';

/**
 * One cached agent result, shared across parties (and, through Redis, across a team) by its Merkle key. It records
 * what producing it took, so a hit saves exactly that.
 */
export interface CacheEntry {
  key: string;
  agent: string;
  output: string;
  resultHash: string;
  model: string | null;
  usage: Usage;
  /** How long producing the result took. */
  durationMs: number;
  createdAt: number;
  expiresAt: number;
  /** How the prompt that produced it was assembled within the agent's contextBudget. */
  context?: ContextRecord;
}

export interface SqliteOptions {
  maxBytes?: number;
  /** The clock read for expiry: injectable, so tests never sleep. */
  now?: () => number;
  /** Called when an entry is evicted to stay within the bound. */
  onEvict?: (tier: TierName) => void;
}

/** A row of the hit path's SELECT, in its column order. */
type Row = [string, string, string, string | null, number, number, number, number, number, Usage['source'], number, number, number, number, string | null];

/**
 * What an entry takes in the table, about: its output and context as UTF-8, its key, hash, agent and model, and a
 * fixed allowance for the numbers. The size bound and eviction count in these.
 */
export function entryBytes(entry: CacheEntry, context: string | null = entry.context ? JSON.stringify(entry.context) : null): number {
  return (
    Buffer.byteLength(entry.output) +
    (context === null ? 0 : Buffer.byteLength(context)) +
    entry.key.length +
    entry.resultHash.length +
    entry.agent.length +
    (entry.model?.length ?? 0) +
    96
  );
}

/** A hit refreshes an entry's last access at most this often, so reads seldom need the write lock. */
const accessGranularityMs = 60_000;

/** L3: a table in the workspace database; persistent, with expiry and last access for size-bounded LRU eviction. */
export class SqliteDriver {
  readonly tier = 'sqlite' as const;
  private readonly sql: Statements;
  private readonly now: () => number;
  private readonly maxBytes: number;

  /** The hit path's statement, prepared once and read as arrays (no object per row). */
  private readonly select: Statement;

  constructor(
    private readonly db: Db,
    private readonly options: SqliteOptions = {},
  ) {
    this.sql = new Statements(db);
    this.select = db
      .prepare(
        `SELECT agent, output, result_hash, model, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
           usage_source, duration_ms, created_at, expires_at, last_access, context
         FROM cache_entries WHERE key = ?`,
      )
      .raw(true);
    this.now = options.now ?? Date.now;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Synchronous, as better-sqlite3 is: the row's columns, read as an array, make the entry. */
  get(key: string): CacheEntry | undefined {
    const row = this.select.get(key) as Row | undefined;
    if (!row) return undefined;
    const now = this.now();
    if (row[12] <= now) {
      this.sql.get('DELETE FROM cache_entries WHERE key = ?').run(key);
      return undefined;
    }
    if (now - row[13] >= accessGranularityMs) this.sql.get('UPDATE cache_entries SET last_access = ? WHERE key = ?').run(now, key);
    const entry: CacheEntry = {
      key,
      agent: row[0],
      output: row[1],
      resultHash: row[2],
      model: row[3],
      usage: { inputTokens: row[4], cacheReadTokens: row[5], cacheWriteTokens: row[6], outputTokens: row[7], reasoningTokens: row[8], source: row[9] },
      durationMs: row[10],
      createdAt: row[11],
      expiresAt: row[12],
    };
    if (row[14] !== null) entry.context = JSON.parse(row[14]) as ContextRecord;
    return entry;
  }

  set(entry: CacheEntry): void {
    if (entry.expiresAt <= this.now()) return;
    const context = entry.context ? JSON.stringify(entry.context) : null;
    const u = entry.usage;
    this.db
      .transaction(() => {
        this.sql
          .get(
            `INSERT INTO cache_entries (key, agent, output, result_hash, model, input_tokens, cache_read_tokens, cache_write_tokens,
               output_tokens, reasoning_tokens, usage_source, duration_ms, context, bytes, created_at, expires_at, last_access)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET agent = excluded.agent, output = excluded.output, result_hash = excluded.result_hash,
               model = excluded.model, input_tokens = excluded.input_tokens, cache_read_tokens = excluded.cache_read_tokens,
               cache_write_tokens = excluded.cache_write_tokens, output_tokens = excluded.output_tokens,
               reasoning_tokens = excluded.reasoning_tokens, usage_source = excluded.usage_source, duration_ms = excluded.duration_ms,
               context = excluded.context, bytes = excluded.bytes, created_at = excluded.created_at, expires_at = excluded.expires_at,
               last_access = excluded.last_access`,
          )
          .run(
            entry.key,
            entry.agent,
            entry.output,
            entry.resultHash,
            entry.model,
            u.inputTokens,
            u.cacheReadTokens,
            u.cacheWriteTokens,
            u.outputTokens,
            u.reasoningTokens,
            u.source,
            entry.durationMs,
            context,
            entryBytes(entry, context),
            entry.createdAt,
            entry.expiresAt,
            this.now(),
          );
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
    const row = this.sql.get('SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes FROM cache_entries WHERE expires_at > ?').get(this.now()) as {
      entries: number;
      bytes: number;
    };
    return row;
  }

  async close(): Promise<void> {}
}
