import type Database from 'better-sqlite3';
import type { AgentActuals, CostParts, LedgerExecution, LedgerReport, LedgerTotals } from '../contract/ledger';
import { usageOf } from '../party/usage';
import { roundUsd } from '../cost/money';

/** One execution (or cache hit) to record, in the transaction of the event that stores its result. */
export interface LedgerEntry extends Omit<LedgerExecution, 'party'> {
  partyId: string;
  /** Upstream tokens left out of the prompt by context assembly. */
  prunedTokens?: number;
  /** What the agent sent (`promptHash` of its definition), so estimates learn from runs of the agent as it is now. */
  promptHash?: string;
}

/** How many of an agent's latest runs its learned figures are taken over, unless the caller says otherwise. */
export const learningWindow = 20;

/** An agent's answers as its latest runs show them (output tokens, reasoning included). */
export interface LearnedOutput {
  /** Every run of the agent as it is now configured. */
  runs: number;
  /** The runs the figures are taken over: the newest, at most the window. */
  window: number;
  p50: number;
  p90: number;
  mean: number;
}

interface LedgerRow {
  party_id: string;
  agent: string;
  provider: string | null;
  model: string | null;
  at: string;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  source: 'estimated' | 'actual';
  cost_usd: number;
  estimated_cost_usd: number | null;
  cost_parts: string | null;
  cached: number;
  saved_usd: number;
}

interface RunningTotal {
  lastId: number;
  spent: number;
  pruned: number;
}

/**
 * The spend ledger: every execution with its provider, model, usage by part and its estimated and actual cost, and
 * every result-cache hit (costing nothing). Budgets count its actual costs.
 */
export class Ledger {
  private readonly statements = new Map<string, Database.Statement>();
  /** Spend and pruned tokens since a window's start, and the last ledger id they include. */
  private readonly windows = new Map<string, RunningTotal>();

  constructor(private readonly db: Database.Database) {}

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /** Records entries; the caller's transaction makes them atomic with the events they belong to. */
  append(entries: LedgerEntry[]): void {
    const insert = this.sql(
      `INSERT INTO ledger (party_id, agent, provider, model, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
         cost_usd, estimated_cost_usd, cost_parts, source, cached, saved_usd, at, pruned_tokens, prompt_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of entries) {
      const u = e.usage;
      insert.run(
        e.partyId, e.agent, e.provider, e.model, u.inputTokens, u.cacheReadTokens, u.cacheWriteTokens, u.outputTokens, u.reasoningTokens,
        e.actualCostUsd, e.estimatedCostUsd, e.parts ? JSON.stringify(e.parts) : null, u.source, e.cached ? 1 : 0, e.savedUsd, e.at, e.prunedTokens ?? 0,
        e.promptHash ?? null,
      );
    }
  }

  /**
   * What the latest runs of each agent, as it is now configured (`promptHash`), answered: executions that called
   * the provider and reported actual usage (cache hits and locally counted usage teach nothing), the newest `window`
   * of them. Percentiles by nearest rank: one cut-off answer among ten moves neither p50 nor p90 far. Agents without
   * such runs are absent.
   */
  learnedOutputs(agents: { agent: string; promptHash: string }[], window = learningWindow): Map<string, LearnedOutput> {
    const recent = this.sql(
      `SELECT output_tokens AS tokens FROM ledger WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual' ORDER BY id DESC LIMIT ?`,
    );
    const all = this.sql(`SELECT count(*) AS n FROM ledger WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual'`);
    const learned = new Map<string, LearnedOutput>();
    for (const { agent, promptHash } of agents) {
      const tokens = (recent.all(agent, promptHash, window) as { tokens: number }[]).map((row) => row.tokens).sort((a, b) => a - b);
      if (!tokens.length) continue;
      const at = (p: number): number => tokens[Math.min(tokens.length - 1, Math.ceil(p * tokens.length) - 1)];
      const runs = (all.get(agent, promptHash) as { n: number }).n;
      learned.set(agent, { runs, window: tokens.length, p50: at(0.5), p90: at(0.9), mean: tokens.reduce((a, b) => a + b, 0) / tokens.length });
    }
    return learned;
  }

  /** Actual spend since an instant (USD): what budgets count. */
  spentSince(since: number): number {
    return roundUsd(this.window(since).spent);
  }

  /** Upstream tokens context assembly left out of prompts since an instant. */
  prunedSince(since: number): number {
    return this.window(since).pruned;
  }

  /**
   * Running totals since an instant. The ledger is append-only and its ids grow in commit order (SQLite has one
   * writer), so each call adds only the rows committed since the last one, by this process or another: a budget check
   * costs the same after a million executions as after ten.
   */
  private window(since: number): RunningTotal {
    const key = new Date(since).toISOString();
    let total = this.windows.get(key);
    if (!total) {
      total = { lastId: 0, spent: 0, pruned: 0 };
      this.windows.set(key, total);
      // Windows move on (a new day, week, month): keep the few in use.
      if (this.windows.size > 8) this.windows.delete(this.windows.keys().next().value!);
    }
    const added = this.sql(
      'SELECT coalesce(sum(CASE WHEN at >= ? THEN cost_usd END), 0) AS spent, coalesce(sum(CASE WHEN at >= ? THEN pruned_tokens END), 0) AS pruned, max(id) AS last FROM ledger WHERE id > ?',
    ).get(key, key, total.lastId) as { spent: number; pruned: number; last: number | null };
    if (added.last !== null) {
      total.spent += added.spent;
      total.pruned += added.pruned;
      total.lastId = added.last;
    }
    return total;
  }

  /** The executions of one party (or all), since an instant (or ever), oldest first, with their totals. */
  report(filter: { party?: string; since?: string } = {}): LedgerReport {
    const rows = this.sql(
      'SELECT * FROM ledger WHERE (@party IS NULL OR party_id = @party) AND (@since IS NULL OR at >= @since) ORDER BY at, id',
    ).all({ party: filter.party ?? null, since: filter.since ?? null }) as LedgerRow[];
    const executions = rows.map(executionOf);
    return { executions, totals: totalsOf(executions) };
  }

  /** Per agent, provider and model: executions, cache hits and the mean actual cost by part. */
  actuals(): AgentActuals[] {
    const part = (name: keyof CostParts): string => `coalesce(avg(CASE WHEN cached = 0 THEN json_extract(cost_parts, '$.${name}') END), 0) AS ${name}`;
    const rows = this.sql(
      `SELECT agent, coalesce(provider, 'unknown') AS provider, model, sum(cached = 0) AS executions, sum(cached = 1) AS cacheHits,
         coalesce(avg(CASE WHEN cached = 0 THEN cost_usd END), 0) AS meanActualUsd,
         ${(['inputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'outputUsd', 'reasoningUsd', 'resourcesUsd'] as const).map(part).join(', ')}
       FROM ledger GROUP BY agent, provider, model ORDER BY agent, max(at)`,
    ).all() as (Omit<AgentActuals, 'meanParts'> & CostParts)[];
    return rows.map(({ agent, provider, model, executions, cacheHits, meanActualUsd, ...parts }) => ({
      agent, provider, model, executions, cacheHits, meanActualUsd: roundUsd(meanActualUsd),
      meanParts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, roundUsd(v)])) as unknown as CostParts,
    }));
  }
}

function executionOf(row: LedgerRow): LedgerExecution {
  return {
    party: row.party_id,
    agent: row.agent,
    provider: row.provider ?? 'unknown',
    model: row.model,
    at: row.at,
    usage: usageOf({
      inputTokens: row.input_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      outputTokens: row.output_tokens,
      reasoningTokens: row.reasoning_tokens,
      source: row.source,
    }),
    estimatedCostUsd: row.estimated_cost_usd,
    actualCostUsd: row.cost_usd,
    parts: row.cost_parts ? (JSON.parse(row.cost_parts) as CostParts) : null,
    cached: row.cached === 1,
    savedUsd: row.saved_usd,
  };
}

function totalsOf(executions: LedgerExecution[]): LedgerTotals {
  const ran = executions.filter((e) => !e.cached);
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const tokens = (part: keyof LedgerTotals['usage']): number => sum(ran.map((e) => e.usage[part]));
  return {
    executions: ran.length,
    cacheHits: executions.length - ran.length,
    usage: { inputTokens: tokens('inputTokens'), cacheReadTokens: tokens('cacheReadTokens'), cacheWriteTokens: tokens('cacheWriteTokens'), outputTokens: tokens('outputTokens'), reasoningTokens: tokens('reasoningTokens') },
    estimatedCostUsd: roundUsd(sum(ran.map((e) => e.estimatedCostUsd ?? 0))),
    estimated: ran.filter((e) => e.estimatedCostUsd !== null).length,
    actualCostUsd: roundUsd(sum(ran.map((e) => e.actualCostUsd))),
    savedUsd: roundUsd(sum(executions.map((e) => e.savedUsd))),
  };
}
