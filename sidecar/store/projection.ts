import { createHash } from 'node:crypto';
import type { Db } from './database';
import { Statements } from './statements';
import type { AgentResult, ContextRecord, PartyInput, PartyState } from '../contract/party';
import { inputNumber } from '../party/state';
import type { PendingParty } from './pendingParty';

/**
 * The tables that hold a party's current state (parties, inputs, input_routes, results): the events' projection,
 * written in the same transaction as the events (the net effect of a transaction's events, just before it commits).
 * `applyEvent` is the same transition in memory; a test holds the two equal.
 */
export class Projection {
  private readonly sql: Statements;

  constructor(db: Db) {
    this.sql = new Statements(db);
  }

  /** Writes a party's pending changes: the net effect on its inputs and results, then its row. */
  write(partyId: string, pending: PendingParty): void {
    if (pending.replaced) this.replaceAll(partyId, pending.replaced);
    for (const [id, input] of pending.inputs) {
      if (input) this.insertInput(partyId, input);
      else this.sql.get('DELETE FROM inputs WHERE party_id = ? AND id = ?').run(partyId, id);
    }
    for (const [agent, result] of pending.results) {
      if (result) this.writeResult(partyId, result);
      else this.sql.get('DELETE FROM results WHERE party_id = ? AND agent = ?').run(partyId, agent);
    }
    this.writeParty(pending.state, pending.lastSeq, pending.snapshotSeq);
    pending.written();
  }

  /** The party row as stored: its fields, the sequence numbers of its last event and of its latest snapshot. */
  partyRow(partyId: string): { state: PartyState; lastSeq: number; snapshotSeq: number } | undefined {
    const row = this.sql.get('SELECT * FROM parties WHERE id = ?').get(partyId) as (PartyRow & { last_seq: number; snapshot_seq: number }) | undefined;
    return row && { state: partyFromRow(row), lastSeq: row.last_seq, snapshotSeq: row.snapshot_seq };
  }

  /** Writes the party row's fields and the sequence numbers of its last event and latest snapshot, in one statement. */
  private writeParty(state: PartyState, lastSeq: number, snapshotSeq: number): void {
    this.sql
      .get('UPDATE parties SET name = ?, status = ?, next_input = ?, has_run = ?, config_hash = ?, updated_at = ?, last_seq = ?, snapshot_seq = ? WHERE id = ?')
      .run(state.name, state.status, state.nextInput, state.hasRun ? 1 : 0, state.configHash, new Date().toISOString(), lastSeq, snapshotSeq, state.id);
  }

  /** The whole state, read from the projection tables. */
  load(partyId: string): PartyState | undefined {
    const row = this.sql.get('SELECT * FROM parties WHERE id = ?').get(partyId) as PartyRow | undefined;
    if (!row) return undefined;
    return { ...partyFromRow(row), inputs: this.inputs(partyId), results: this.results(partyId) };
  }

  /** Rewrites every table of the party from a state (resume from a snapshot, repair). */
  replaceAll(partyId: string, state: PartyState): void {
    this.sql.get('DELETE FROM inputs WHERE party_id = ?').run(partyId);
    this.sql.get('DELETE FROM results WHERE party_id = ?').run(partyId);
    for (const input of state.inputs) this.insertInput(partyId, input);
    for (const result of Object.values(state.results)) this.writeResult(partyId, result);
  }

  private insertInput(partyId: string, input: PartyInput): void {
    this.sql.get('INSERT INTO inputs (party_id, id, text, position) VALUES (?, ?, ?, ?)').run(partyId, input.id, input.text, inputNumber(input.id));
    const route = this.sql.get('INSERT INTO input_routes (party_id, input_id, agent) VALUES (?, ?, ?)');
    for (const agent of input.agents) route.run(partyId, input.id, agent);
  }

  private inputs(partyId: string): PartyInput[] {
    const rows = this.sql.get('SELECT id, text FROM inputs WHERE party_id = ? ORDER BY position').all(partyId) as { id: string; text: string }[];
    const routes = this.sql.get('SELECT input_id, agent FROM input_routes WHERE party_id = ? ORDER BY rowid').all(partyId) as {
      input_id: string;
      agent: string;
    }[];
    return rows.map((row) => ({ id: row.id, text: row.text, agents: routes.filter((r) => r.input_id === row.id).map((r) => r.agent) }));
  }

  private writeResult(partyId: string, r: AgentResult): void {
    const definition = JSON.stringify(r.definition);
    this.sql
      .get(
        `INSERT OR REPLACE INTO results (party_id, agent, key, result_hash, output, definition, definition_hash, inputs, upstream, model,
           input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, usage_source, cost_usd, duration_ms, completed_at, context)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        partyId,
        r.agent,
        r.key,
        r.resultHash,
        r.output,
        definition,
        definitionHash(definition),
        JSON.stringify(r.inputs),
        JSON.stringify(r.upstream),
        r.model,
        r.usage.inputTokens,
        r.usage.cacheReadTokens,
        r.usage.cacheWriteTokens,
        r.usage.outputTokens,
        r.usage.reasoningTokens,
        r.usage.source,
        r.costUsd,
        r.durationMs,
        r.completedAt,
        r.context ? JSON.stringify(r.context) : null,
      );
  }

  private results(partyId: string): Record<string, AgentResult> {
    const rows = this.sql.get('SELECT * FROM results WHERE party_id = ? ORDER BY rowid').all(partyId) as ResultRow[];
    return Object.fromEntries(rows.map((row) => [row.agent, resultFromRow(row)]));
  }
}

interface PartyRow {
  id: string;
  name: string;
  status: PartyState['status'];
  next_input: number;
  has_run: number;
  config_hash: string | null;
}

function partyFromRow(row: PartyRow): PartyState {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    inputs: [],
    results: {},
    nextInput: row.next_input,
    hasRun: row.has_run === 1,
    configHash: row.config_hash,
  };
}

interface ResultRow {
  agent: string;
  key: string;
  result_hash: string;
  output: string;
  definition: string;
  inputs: string;
  upstream: string;
  model: string | null;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  usage_source: 'actual' | 'estimated';
  cost_usd: number;
  duration_ms: number;
  completed_at: string;
  context: string | null;
}

function resultFromRow(row: ResultRow): AgentResult {
  return {
    agent: row.agent,
    key: row.key,
    resultHash: row.result_hash,
    output: row.output,
    definition: JSON.parse(row.definition) as Record<string, unknown>,
    inputs: JSON.parse(row.inputs) as string[],
    upstream: JSON.parse(row.upstream) as Record<string, string | null>,
    usage: {
      inputTokens: row.input_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      outputTokens: row.output_tokens,
      reasoningTokens: row.reasoning_tokens,
      source: row.usage_source,
    },
    model: row.model,
    costUsd: row.cost_usd,
    durationMs: row.duration_ms,
    completedAt: row.completed_at,
    ...(row.context ? { context: JSON.parse(row.context) as ContextRecord } : {}),
  };
}

/** How results name their definition for impact (migration 10): the SHA-256 of its stored text. */
export function definitionHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
