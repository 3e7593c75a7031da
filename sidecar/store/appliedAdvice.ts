import type { AdviceApplied } from '../contract/advice';
import type { Db } from './database';
import { Statements } from './statements';

/** A row of advice_applied: the advice as applied, and when. */
export type AppliedRow = AdviceApplied & { appliedAt: string };

/** The advice applied in this workspace (CLI `--apply`, a quick fix, the panel's Apply), oldest first. */
export class AppliedAdviceTable {
  private readonly sql: Statements;

  constructor(db: Db) {
    this.sql = new Statements(db);
  }

  list(): AppliedRow[] {
    return this.sql
      .get('SELECT agent, kind, change, predicted_per_run_usd AS predictedPerRunUsd, applied_at AS appliedAt FROM advice_applied ORDER BY id')
      .all() as AppliedRow[];
  }

  record(row: AppliedRow): void {
    this.sql
      .get('INSERT INTO advice_applied (agent, kind, change, predicted_per_run_usd, applied_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.agent, row.kind, row.change, row.predictedPerRunUsd, row.appliedAt);
  }
}
