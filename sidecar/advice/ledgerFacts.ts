import type { Statement } from 'better-sqlite3';
import type { AdviceApplied } from '../contract/advice';
import type { Db } from '../store/database';

const day = 86_400_000;

/** Statements prepared once per database: the advisor asks per agent, and a 200-agent report would prepare 400. */
const prepared = new WeakMap<Db, Map<string, Statement>>();

function sql(db: Db, text: string): Statement {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = new Map()));
  let statement = statements.get(text);
  if (!statement) statements.set(text, (statement = db.prepare(text)));
  return statement;
}

/** What the ledger says about volume: executions per agent over the last 30 days, scaled to a month. */
export interface LedgerVolume {
  partiesPerMonth: number;
  /** Executions (result-cache hits excluded) per agent per month. */
  runsPerMonth: Map<string, number>;
  spanDays: number;
}

/**
 * The ledger's volume, once it covers at least a week (fewer days would make a month of a busy afternoon): its last
 * 30 days, scaled to 30 days when it covers fewer.
 */
export function ledgerVolume(db: Db, now: number): LedgerVolume | null {
  const first = sql(db, 'SELECT min(at) AS at FROM ledger').get() as { at: string | null };
  if (!first.at) return null;
  const spanDays = Math.min(30, (now - Date.parse(first.at)) / day);
  if (spanDays < 7) return null;
  const since = new Date(now - 30 * day).toISOString();
  const scale = 30 / spanDays;
  const parties = sql(db, 'SELECT count(DISTINCT party_id) AS n FROM ledger WHERE at >= ?').get(since) as { n: number };
  const rows = sql(db, 'SELECT agent, count(*) AS n FROM ledger WHERE at >= ? AND cached = 0 GROUP BY agent').all(since) as { agent: string; n: number }[];
  return { partiesPerMonth: parties.n * scale, runsPerMonth: new Map(rows.map((r) => [r.agent, r.n * scale])), spanDays };
}

/** Per agent: executions in the last 30 days that ran because the party's stored result had expired, and their mean cost. */
export function expiredRuns(db: Db, now: number): Map<string, { runs: number; meanCostUsd: number }> {
  const since = new Date(now - 30 * day).toISOString();
  const rows = sql(db, `SELECT agent, count(*) AS n, avg(cost_usd) AS mean FROM ledger WHERE cause = 'cache expired' AND at >= ? AND cached = 0 GROUP BY agent`).all(since) as { agent: string; n: number; mean: number }[];
  return new Map(rows.map((r) => [r.agent, { runs: r.n, meanCostUsd: r.mean }]));
}

/** The inputs each party's current result of an agent was produced from (normalised), at most `limit` parties. */
export function storedInputs(db: Db, agent: string, limit = 5_000): string[][] {
  const rows = sql(db, 'SELECT inputs FROM results WHERE agent = ? LIMIT ?').all(agent, limit) as { inputs: string }[];
  return rows.map((r) => JSON.parse(r.inputs) as string[]);
}

/** An agent's latest real executions under its current prompt: what they read from and wrote to the vendor's cache. */
export function cachingRuns(db: Db, agent: string, promptHash: string, limit = 100): { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }[] {
  return sql(
    db,
    `SELECT input_tokens AS inputTokens, cache_read_tokens AS cacheReadTokens, cache_write_tokens AS cacheWriteTokens FROM ledger
     WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual' ORDER BY id DESC LIMIT ?`,
  ).all(agent, promptHash, limit) as { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }[];
}

/** Mean actual cost of an agent's executions before and after a moment (at most the latest `limit` of each). */
export function costAround(db: Db, agent: string, at: string, limit = 20): { before: { runs: number; meanUsd: number }; after: { runs: number; meanUsd: number } } {
  const side = (op: '<' | '>='): { runs: number; meanUsd: number } => {
    const text = `SELECT count(*) AS runs, coalesce(avg(cost_usd), 0) AS meanUsd FROM (SELECT cost_usd FROM ledger WHERE agent = ? AND cached = 0 AND at ${op} ? ORDER BY id DESC LIMIT ?)`;
    return sql(db, text).get(agent, at, limit) as { runs: number; meanUsd: number };
  };
  return { before: side('<'), after: side('>=') };
}

/** A row of advice_applied: the advice as applied, and when. */
export type AppliedRow = AdviceApplied & { appliedAt: string };

export function appliedAdvice(db: Db): AppliedRow[] {
  return sql(db, 'SELECT agent, kind, change, predicted_per_run_usd AS predictedPerRunUsd, applied_at AS appliedAt FROM advice_applied ORDER BY id').all() as AppliedRow[];
}

export function recordApplied(db: Db, row: AppliedRow): void {
  sql(db, 'INSERT INTO advice_applied (agent, kind, change, predicted_per_run_usd, applied_at) VALUES (?, ?, ?, ?, ?)').run(row.agent, row.kind, row.change, row.predictedPerRunUsd, row.appliedAt);
}
