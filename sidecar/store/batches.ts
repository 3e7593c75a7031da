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
}

/** The vendors' batches a refresh submitted, kept until the pass that records their answers (so none is paid twice). */
export class BatchTable {
  private readonly sql: Statements;

  constructor(db: Db) {
    this.sql = new Statements(db);
  }

  /** Batches not ended, in the order they were submitted. */
  open(): OpenBatch[] {
    const rows = this.sql.get('SELECT id, provider, items FROM batches WHERE ended_at IS NULL ORDER BY rowid').all() as {
      id: string;
      provider: string;
      items: string;
    }[];
    return rows.map((row) => ({ id: row.id, provider: row.provider, items: JSON.parse(row.items) as BatchItemRow[] }));
  }

  add(batch: OpenBatch): void {
    this.sql
      .get('INSERT INTO batches (id, provider, items, submitted_at) VALUES (?, ?, ?, ?)')
      .run(batch.id, batch.provider, JSON.stringify(batch.items), new Date().toISOString());
  }

  end(id: string): void {
    this.sql.get('UPDATE batches SET ended_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }
}
