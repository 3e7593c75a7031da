import type { Db } from './database';
import type { LedgerEntry, LedgerRow } from './ledger';
import { Statements } from './statements';
import { executionOf } from './ledger';

/** An execution of ours waiting for the team ledger: its row here, its key there, and the entry as recorded. */
export interface SpooledExecution {
  ledgerId: number;
  key: string;
  ranBy: string;
  entry: LedgerEntry;
}

/** A ledger row as the spool reads it: its spool place, and what an entry has beyond what the contract shows. */
interface SpoolRow extends LedgerRow {
  ledger_id: number;
  team_key: string;
  pruned_tokens: number;
  prompt_hash: string | null;
  counted_input_tokens: number | null;
  cause: string | null;
  span_id: string | null;
  span_start_ms: number | null;
}

/**
 * The workspace's side of a team ledger: the executions of ours it does not have yet (team_spool, in the order they
 * were recorded), and per team ledger what this workspace knows of it (team_state: where the pull stands, the team's
 * spend when last seen).
 */
export class TeamSpool {
  private readonly sql: Statements;

  constructor(private readonly db: Db) {
    this.sql = new Statements(db);
  }

  /** The oldest `limit` executions waiting, each as the entry it was recorded as. */
  pending(limit: number): SpooledExecution[] {
    const rows = this.sql
      .get(
        `SELECT s.ledger_id, l.team_key, l.ran_by, l.party_id, l.agent, l.provider, l.model, l.at, l.input_tokens, l.cache_read_tokens,
           l.cache_write_tokens, l.output_tokens, l.reasoning_tokens, l.source, l.cost_usd, l.estimated_cost_usd, l.cost_parts, l.cached,
           l.saved_usd, l.pruned_tokens, l.prompt_hash, l.counted_input_tokens, l.cause, l.origin, l.run_id, l.span_id,
           CASE WHEN l.span_key > 0 THEN l.span_key >> 21 END AS span_start_ms, l.reported_cost_usd, l.attributed
         FROM team_spool s JOIN ledger l ON l.id = s.ledger_id ORDER BY s.ledger_id LIMIT ?`,
      )
      .all(limit) as SpoolRow[];
    return rows.map((row) => ({ ledgerId: row.ledger_id, key: row.team_key, ranBy: row.ran_by ?? '', entry: entryOf(row) }));
  }

  /** How many executions wait, and what they cost. */
  waiting(): { executions: number; costUsd: number } {
    const row = this.sql
      .get('SELECT count(*) AS executions, coalesce(sum(l.cost_usd), 0) AS costUsd FROM team_spool s JOIN ledger l ON l.id = s.ledger_id')
      .get() as { executions: number; costUsd: number };
    return row;
  }

  /** The team ledger has these: they leave the spool. */
  delivered(ledgerIds: number[]): void {
    const remove = this.sql.get('DELETE FROM team_spool WHERE ledger_id = ?');
    this.db.transaction(() => {
      for (const id of ledgerIds) remove.run(id);
    })();
  }

  state(name: string): string | undefined {
    return (this.sql.get('SELECT value FROM team_state WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  setState(name: string, value: string): void {
    this.sql.get('INSERT INTO team_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
  }
}

/** A ledger row as the entry that recorded it (what another workspace records again from the team ledger). */
function entryOf(row: SpoolRow): LedgerEntry {
  const { party, source, ranBy: _recorder, ...execution } = executionOf(row);
  return {
    ...execution,
    partyId: party,
    origin: source,
    ...(row.pruned_tokens ? { prunedTokens: row.pruned_tokens } : {}),
    ...(row.prompt_hash !== null ? { promptHash: row.prompt_hash } : {}),
    ...(row.counted_input_tokens !== null ? { countedInputTokens: row.counted_input_tokens } : {}),
    ...(row.cause !== null ? { cause: row.cause } : {}),
    ...(row.span_id !== null ? { span: row.span_id, spanStartMs: row.span_start_ms ?? 0 } : {}),
  };
}
