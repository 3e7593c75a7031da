import type { Db } from './database';
import { Statements } from './statements';

/** One item of a stored batch: its custom id (party/agent) and the hash of the request it carries. */
export interface BatchItemRow {
  customId: string;
  hash: string;
}

/** A batch submitted to a vendor and not yet ended, as the batches table keeps it. */
export interface OpenBatch {
  id: string;
  provider: string;
  items: BatchItemRow[];
  /** The base URL it was submitted to; absent for batches kept before it was recorded. */
  baseURL?: string;
}

/** The vendors' batches a refresh submitted, kept until the pass that records their answers (so none is paid twice). */
export class BatchTable {
  private readonly sql: Statements;

  constructor(db: Db) {
    this.sql = new Statements(db);
  }

  /** Batches not ended, in the order they were submitted. */
  open(): OpenBatch[] {
    const rows = this.sql.get('SELECT id, provider, items, base_url FROM batches WHERE ended_at IS NULL ORDER BY rowid').all() as {
      id: string;
      provider: string;
      items: string;
      base_url: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      items: JSON.parse(row.items) as BatchItemRow[],
      ...(row.base_url ? { baseURL: row.base_url } : {}),
    }));
  }

  add(batch: OpenBatch): void {
    this.sql
      .get('INSERT INTO batches (id, provider, items, submitted_at, base_url) VALUES (?, ?, ?, ?, ?)')
      .run(batch.id, batch.provider, JSON.stringify(batch.items), new Date().toISOString(), batch.baseURL ?? null);
  }

  end(id: string): void {
    this.sql.get('UPDATE batches SET ended_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }
}
