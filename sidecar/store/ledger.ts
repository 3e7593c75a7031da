import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  AgentActuals,
  CostParts,
  LedgerExecution,
  LedgerOrigin,
  LedgerReport,
  LedgerTotals,
  Percentiles,
  ProductionRuns,
  UnattributedAgent,
} from '../contract/ledger';
import { usageOf } from '../party/usage';
import { roundUsd } from '../cost/money';
import type { RunFigures } from '../contract/cost';

/** One execution (or cache hit) to record, in the transaction of the event that stores its result. */
export interface LedgerEntry extends Omit<LedgerExecution, 'party' | 'source' | 'run' | 'reportedCostUsd' | 'attributed'> {
  partyId: string;
  /** Upstream tokens left out of the prompt by context assembly. */
  prunedTokens?: number;
  /** What the agent sent (`promptHash` of its definition), so estimates learn from runs of the agent as it is now. */
  promptHash?: string;
  /** Our tokenizer's count of the prompt sent: the vendor's input tokens ÷ it calibrates approximate counts. */
  countedInputTokens?: number;
  /** Why it ran: the plan's cause ("cache expired", "input added"…); absent for a cache hit. */
  cause?: string;
  /** Where it came from: our runner (default), the OTLP receiver, or an imported file. */
  origin?: LedgerOrigin;
  /** The agent run a traced call belongs to (trace id and run span); its calls are one run. */
  run?: string;
  /** A traced call's trace id and span id: kept once however often it arrives. */
  span?: string;
  /** When that span started as its source says (ms since 1970, 0 when it does not): where its key goes in the index. */
  spanStartMs?: number;
  /** What the source said the call cost, beside ours. */
  reportedCostUsd?: number;
  /** False when `agent` is the source's name, matching no configured agent. */
  attributed?: boolean;
  /** Its key in the team ledger: given for an execution pulled from there (kept once), made for ours while shared. */
  teamKey?: string;
}

/** What the ledger says about volume: executions per agent over the last 30 days, scaled to a month. */
export interface LedgerVolume {
  partiesPerMonth: number;
  /** Executions (result-cache hits excluded) per agent per month. */
  runsPerMonth: Map<string, number>;
  spanDays: number;
}

/** An agent's mean actual cost over some executions. */
export interface MeanCost {
  runs: number;
  meanUsd: number;
}

const dayMs = 86_400_000;

/** One execution that teaches: it called the provider and the provider reported its usage. */
export interface TeachingRun {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** What the estimate in force when it ran said it would cost (null for rows recorded before estimates were kept). */
  estimatedCostUsd: number | null;
  /** The model calls it made, when they were counted (a traced run's calls); null for one call of ours. */
  calls: number | null;
}

/** An agent's runs under one prompt, and the figures kept for a window. */
export interface PromptRuns {
  agent: string;
  hash: string;
  runs: number;
  lastId: number;
  /** The newest of our executions among them (traced runs are the rest). */
  ownLastId: number;
  kept: { lastId: number; figures: RunFigures } | null;
}

/** Over a model's latest teaching runs that kept our count of their prompt: what the vendor billed and what we counted. */
export interface CalibrationRuns {
  runs: number;
  billed: number;
  counted: number;
}

export interface LedgerRow {
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
  origin: LedgerOrigin;
  run_id: string | null;
  reported_cost_usd: number | null;
  attributed: number;
  ran_by: string | null;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p90: at(0.9) };
}

/** A teaching row as read: a call of a traced run, or an execution of ours. */
interface TeachingRow {
  id: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  estimatedCostUsd: number | null;
  run: string | null;
}

/** Rows (newest first) as runs: a traced run's calls summed and counted, each execution of ours alone; newest first. */
/**
 * The newest `window` whole runs, reading rows newest first (`read(limit)`): a first read sized for a few calls a run,
 * widened by the calls per run it found when it holds fewer whole runs (the oldest run read may be missing calls).
 */
function newestRuns(read: (limit: number) => TeachingRow[], window: number): TeachingRun[] {
  for (let limit = window * 4 + 4; ; ) {
    const rows = read(limit);
    const runs = runsOf(rows);
    const whole = rows.length < limit ? runs : runs.slice(0, -1);
    if (whole.length >= window || rows.length < limit) return whole.slice(0, window);
    const callsPerRun = rows.length / Math.max(1, whole.length);
    limit = Math.max(limit * 2, Math.ceil(callsPerRun * (window + 1) * 1.25));
  }
}

function runsOf(rows: TeachingRow[]): TeachingRun[] {
  const runs: TeachingRun[] = [];
  const byRun = new Map<string, TeachingRun>();
  for (const row of rows) {
    const known = row.run === null ? undefined : byRun.get(row.run);
    if (known) {
      known.inputTokens += row.inputTokens;
      known.outputTokens += row.outputTokens;
      known.costUsd += row.costUsd;
      if (row.estimatedCostUsd !== null) known.estimatedCostUsd = (known.estimatedCostUsd ?? 0) + row.estimatedCostUsd;
      known.calls! += 1;
      continue;
    }
    const run: TeachingRun = {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      costUsd: row.costUsd,
      estimatedCostUsd: row.estimatedCostUsd,
      calls: row.run === null ? null : 1,
    };
    runs.push(run);
    if (row.run !== null) byRun.set(row.run, run);
  }
  return runs;
}

interface RunningTotal {
  lastId: number;
  spent: number;
  pruned: number;
  /** Traced calls (collected or imported) since the instant: their cost, count and runs. */
  production: { costUsd: number; calls: number; runs: number };
}

/** The largest 64-bit key (SQLite's INTEGER); the next after it is the smallest. */
const maxKey = 2n ** 63n - 1n;

/**
 * A run's key in ledger_traced_runs: the first 8 bytes of its id's SHA-256, as SQLite's signed INTEGER (two runs
 * sharing one, a chance in 2^64 per pair, would count as one run; their calls and costs stay whole).
 */
function runKey(run: string): bigint {
  return createHash('sha256').update(run).digest().readBigInt64BE(0);
}

/** FNV-1a, 32 bits: cheap, and enough below a millisecond's keys (collisions are probed). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The spend ledger: every execution with its provider, model, usage by part and its estimated and actual cost, and
 * every result-cache hit (costing nothing). Budgets count its actual costs.
 */
export class Ledger {
  private readonly statements = new Map<string, Database.Statement>();
  /** Spend and pruned tokens since a window's start, and the last ledger id they include. */
  private readonly windows = new Map<string, RunningTotal>();
  /** Executions and cost per agent up to a ledger id, as of a state of agent_aliases. */
  private perAgent = { aliases: '', lastId: 0, totals: new Map<string, { agent: string; executions: number; cost: number }>() };

  /** `spanHash` places a span among those that started in the same millisecond (tests give one that collides). */
  constructor(
    private readonly db: Database.Database,
    private readonly spanHash: (span: string) => number = fnv1a,
  ) {}

  /**
   * A span's key: its start (ms) in the high bits, so a batch's keys land together at the end of the index (random
   * keys cost a page written per call), and 21 bits of a hash of its id below. Keys of different spans can collide:
   * insertTraced probes.
   */
  private spanKey(span: string, startMs: number | undefined): bigint {
    const start = startMs !== undefined && Number.isSafeInteger(startMs) && startMs > 0 && startMs < 2 ** 42 ? BigInt(startMs) : 0n;
    return (start << 21n) | BigInt(this.spanHash(span) & 0x1fffff);
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /**
   * While the workspace shares a team ledger: who records here (`user@machine`). Each row of ours then gets a team
   * key and a place in team_spool, in the transaction that records it, until the team ledger has it.
   */
  sharedBy: string | undefined;

  /** Records executions of ours (cache hits too); the caller's transaction makes them atomic with their events. */
  append(entries: LedgerEntry[]): void {
    for (const e of entries) this.insert(e, 0, null);
  }

  /**
   * Executions another workspace recorded, from the team ledger (each with its team key: one already here is left
   * out), as they were recorded there: ours through the trigger that counts runs, traced ones as traced calls are.
   * Returns how many were new.
   */
  recordPulled(entries: LedgerEntry[]): number {
    let recorded = 0;
    this.db.transaction(() => {
      for (const e of entries) if (e.run === undefined && this.insert(e, 0, null) !== undefined) recorded += 1;
    })();
    const traced = entries.filter((e) => e.run !== undefined);
    return recorded + (traced.length ? this.recordTraced(traced) : 0);
  }

  /** One row; with a span key, none when that key is taken (the caller probes). Returns the new row's id, or none. */
  private insert(e: LedgerEntry, firstOfRun: 0 | 1, spanKey: bigint | null): number | undefined {
    const u = e.usage;
    // From the team ledger: kept once. Ours while shared: a key of its own, and spooled.
    if (e.teamKey !== undefined && this.sql('SELECT 1 FROM ledger WHERE team_key = ?').get(e.teamKey)) return undefined;
    const spool = e.teamKey === undefined && this.sharedBy !== undefined;
    const done = this.sql(
      `INSERT INTO ledger (party_id, agent, provider, model, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
         cost_usd, estimated_cost_usd, cost_parts, source, cached, saved_usd, at, pruned_tokens, prompt_hash, counted_input_tokens, cause,
         origin, run_id, first_of_run, span_id, span_key, reported_cost_usd, attributed, team_key, ran_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (span_key) WHERE span_key IS NOT NULL DO NOTHING`,
    ).run(
      e.partyId,
      e.agent,
      e.provider,
      e.model,
      u.inputTokens,
      u.cacheReadTokens,
      u.cacheWriteTokens,
      u.outputTokens,
      u.reasoningTokens,
      e.actualCostUsd,
      e.estimatedCostUsd,
      e.parts ? JSON.stringify(e.parts) : null,
      u.source,
      e.cached ? 1 : 0,
      e.savedUsd,
      e.at,
      e.prunedTokens ?? 0,
      e.promptHash ?? null,
      e.countedInputTokens ?? null,
      e.cause ?? null,
      e.origin ?? 'run',
      e.run ?? null,
      firstOfRun,
      e.span ?? null,
      spanKey,
      e.reportedCostUsd ?? null,
      e.attributed === false ? 0 : 1,
      e.teamKey ?? (spool ? randomUUID() : null),
      e.ranBy ?? (spool ? this.sharedBy : null) ?? null,
    );
    if (done.changes === 0) return undefined;
    const id = Number(done.lastInsertRowid);
    if (spool) this.sql('INSERT INTO team_spool (ledger_id) VALUES (?)').run(id);
    return id;
  }

  /**
   * A traced call, unless its span is recorded: its span's key, and on a collision with another span's the next key
   * (open addressing: a span is found again the way it was placed). Returns the new row's id, or none for a repeat.
   */
  private insertTraced(e: LedgerEntry, firstOfRun: 0 | 1): number | undefined {
    if (e.span === undefined) return this.insert(e, firstOfRun, null);
    const held = this.sql('SELECT span_id AS span FROM ledger WHERE span_key = ?');
    for (let key = this.spanKey(e.span, e.spanStartMs); ; key = key === maxKey ? -maxKey - 1n : key + 1n) {
      const id = this.insert(e, firstOfRun, key);
      if (id !== undefined) return id;
      if ((held.get(key) as { span: string | null } | undefined)?.span === e.span) return undefined;
    }
  }

  /**
   * The newest `window` runs of an agent as it is now configured (`promptHash`) that called the provider and reported
   * actual usage (cache hits and locally counted usage teach nothing), newest first: an execution of ours is a run; a
   * traced run is its calls summed, with their count. A walk of a partial index from the newest row, widened only
   * when the rows read hold fewer than `window` whole runs, never the agent's whole history at once.
   */
  teachingRuns(agent: string, promptHash: string, window: number): TeachingRun[] {
    const rows = this.sql(
      `SELECT id, input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, estimated_cost_usd AS estimatedCostUsd, run_id AS run
       FROM ledger WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual' ORDER BY id DESC LIMIT ?`,
    );
    return newestRuns((limit) => rows.all(agent, promptHash, limit) as TeachingRow[], window);
  }

  /**
   * Per agent and prompt: its teaching executions, the newest one's id, and the figures kept for a window with the
   * newest execution they include (null when none are kept): one row each, read in one statement.
   */
  promptRuns(window: number): PromptRuns[] {
    const rows = this.sql(
      `SELECT r.agent, r.prompt_hash, r.runs, r.last_id, r.own_last_id, l.last_id, l.runs_used, l.input_p50, l.input_p90, l.input_mean,
         l.output_p50, l.output_p90, l.output_mean, l.mean_cost_usd, l.outliers, l.calls_p50, l.calls_p90, l.calls_mean
       FROM ledger_runs r LEFT JOIN ledger_learned l ON l.agent = r.agent AND l.prompt_hash = r.prompt_hash AND l.window_size = ?`,
    )
      .raw()
      .all(window) as (string | number | null)[][];
    return rows.map(
      ([agent, hash, runs, lastId, ownLastId, keptAt, used, inP50, inP90, inMean, outP50, outP90, outMean, cost, outliers, callsP50, callsP90, callsMean]) => ({
        agent: agent as string,
        hash: hash as string,
        runs: runs as number,
        lastId: lastId as number,
        ownLastId: ownLastId as number,
        kept:
          keptAt === null
            ? null
            : {
                lastId: keptAt as number,
                figures: {
                  window: used as number,
                  input: inP50 === null ? null : { p50: inP50 as number, p90: inP90 as number, mean: inMean as number },
                  output: outP50 === null ? null : { p50: outP50 as number, p90: outP90 as number, mean: outMean as number },
                  actualMeanCostUsd: cost as number | null,
                  outliers: outliers as number,
                  calls: callsP50 === null ? null : { p50: callsP50 as number, p90: callsP90 as number, mean: callsMean as number },
                },
              },
      }),
    );
  }

  /**
   * Keeps agents' figures over their newest `window` runs up to `lastId` (in one transaction), so the next reader
   * need not compute them. An estimate asks for it, so it never waits for the database: while another process writes, it throws at once
   * (SQLITE_BUSY) instead of after the busy timeout, and the caller goes on without keeping them.
   */
  storeFigures(kept: { agent: string; hash: string; window: number; lastId: number; figures: RunFigures }[]): void {
    if (kept.length === 0) return;
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.transaction(() => {
        for (const k of kept) this.insertFigures(k.agent, k.hash, k.window, k.lastId, k.figures);
      })();
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  private insertFigures(agent: string, hash: string, window: number, lastId: number, f: RunFigures): void {
    this.sql(
      `INSERT INTO ledger_learned (agent, prompt_hash, window_size, last_id, runs_used, input_p50, input_p90, input_mean, output_p50, output_p90, output_mean, mean_cost_usd, outliers,
         calls_p50, calls_p90, calls_mean)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent, prompt_hash, window_size) DO UPDATE SET last_id = excluded.last_id, runs_used = excluded.runs_used,
         input_p50 = excluded.input_p50, input_p90 = excluded.input_p90, input_mean = excluded.input_mean, output_p50 = excluded.output_p50,
         output_p90 = excluded.output_p90, output_mean = excluded.output_mean, mean_cost_usd = excluded.mean_cost_usd, outliers = excluded.outliers,
         calls_p50 = excluded.calls_p50, calls_p90 = excluded.calls_p90, calls_mean = excluded.calls_mean
       WHERE excluded.last_id > last_id`,
    ).run(
      agent,
      hash,
      window,
      lastId,
      f.window,
      f.input?.p50 ?? null,
      f.input?.p90 ?? null,
      f.input?.mean ?? null,
      f.output?.p50 ?? null,
      f.output?.p90 ?? null,
      f.output?.mean ?? null,
      f.actualMeanCostUsd,
      f.outliers,
      f.calls?.p50 ?? null,
      f.calls?.p90 ?? null,
      f.calls?.mean ?? null,
    );
  }

  /** A model's newest `window` teaching executions that kept our count of their prompt, summed. */
  calibrationRuns(model: string, window: number): CalibrationRuns {
    return this.sql(
      `SELECT count(*) AS runs, coalesce(sum(input_tokens), 0) AS billed, coalesce(sum(counted_input_tokens), 0) AS counted FROM (
         SELECT input_tokens, counted_input_tokens FROM ledger
         WHERE model = ? AND cached = 0 AND source = 'actual' AND counted_input_tokens IS NOT NULL ORDER BY id DESC LIMIT ?)`,
    ).get(model, window) as CalibrationRuns;
  }

  /** The newest row's id (0 for none): anything derived from the ledger is current while it stays the same. */
  lastId(): number {
    return (this.sql('SELECT coalesce(max(id), 0) AS id FROM ledger').get() as { id: number }).id;
  }

  /** Actual spend per UTC day since an instant (executions; cache hits cost nothing), oldest first. */
  dailySpend(since: string): { day: string; spentUsd: number }[] {
    return this.sql(`SELECT substr(at, 1, 10) AS day, sum(cost_usd) AS spentUsd FROM ledger WHERE at >= ? AND cached = 0 GROUP BY day ORDER BY day`).all(
      since,
    ) as { day: string; spentUsd: number }[];
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
      total = { lastId: 0, spent: 0, pruned: 0, production: { costUsd: 0, calls: 0, runs: 0 } };
      this.windows.set(key, total);
      // Windows move on (a new day, week, month): keep the few in use.
      if (this.windows.size > 8) this.windows.delete(this.windows.keys().next().value!);
    }
    const added = this.sql(
      `SELECT coalesce(sum(cost_usd), 0) AS spent, coalesce(sum(pruned_tokens), 0) AS pruned,
         coalesce(sum(CASE WHEN origin <> 'run' THEN cost_usd END), 0) AS tracedCost, coalesce(sum(origin <> 'run'), 0) AS tracedCalls,
         coalesce(sum(CASE WHEN origin <> 'run' THEN first_of_run END), 0) AS tracedRuns, (SELECT max(id) FROM ledger WHERE id > @last) AS last
       FROM ledger WHERE id > @last AND at >= @since`,
    ).get({ last: total.lastId, since: key }) as {
      spent: number;
      pruned: number;
      tracedCost: number;
      tracedCalls: number;
      tracedRuns: number;
      last: number | null;
    };
    if (added.last !== null) {
      total.spent += added.spent;
      total.pruned += added.pruned;
      total.production.costUsd += added.tracedCost;
      total.production.calls += added.tracedCalls;
      total.production.runs += added.tracedRuns;
      total.lastId = added.last;
    }
    return total;
  }

  /** The executions of one party (or all), since an instant (or ever), oldest first, with their totals. */
  report(filter: { party?: string; since?: string } = {}): LedgerReport {
    const rows = this.sql('SELECT * FROM ledger WHERE (@party IS NULL OR party_id = @party) AND (@since IS NULL OR at >= @since) ORDER BY at, id').all({
      party: filter.party ?? null,
      since: filter.since ?? null,
    }) as LedgerRow[];
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
      agent,
      provider,
      model,
      executions,
      cacheHits,
      meanActualUsd: roundUsd(meanActualUsd),
      meanParts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, roundUsd(v)])) as unknown as CostParts,
    }));
  }

  /**
   * The ledger's volume, once it covers at least a week (fewer days would make a month of a busy afternoon): its last
   * 30 days, scaled to 30 days when it covers fewer.
   */
  volume(now: number): LedgerVolume | null {
    const first = this.sql('SELECT min(at) AS at FROM ledger').get() as { at: string | null };
    if (!first.at) return null;
    const spanDays = Math.min(30, (now - Date.parse(first.at)) / dayMs);
    if (spanDays < 7) return null;
    const since = new Date(now - 30 * dayMs).toISOString();
    const scale = 30 / spanDays;
    // Parties are ours (a traced call has none); runs are executions of ours and traced runs (their calls count once).
    const parties = this.sql("SELECT count(DISTINCT party_id) AS n FROM ledger WHERE at >= ? AND party_id <> ''").get(since) as { n: number };
    const rows = this.sql('SELECT agent, count(DISTINCT coalesce(run_id, id)) AS n FROM ledger WHERE at >= ? AND cached = 0 GROUP BY agent').all(since) as {
      agent: string;
      n: number;
    }[];
    return { partiesPerMonth: parties.n * scale, runsPerMonth: new Map(rows.map((r) => [r.agent, r.n * scale])), spanDays };
  }

  /** Per agent: executions in the last 30 days that ran because the party's stored result had expired, and their mean cost. */
  expiredRuns(now: number): Map<string, { runs: number; meanCostUsd: number }> {
    const since = new Date(now - 30 * dayMs).toISOString();
    const rows = this.sql(
      `SELECT agent, count(*) AS n, avg(cost_usd) AS mean FROM ledger WHERE cause = 'cache expired' AND at >= ? AND cached = 0 GROUP BY agent`,
    ).all(since) as {
      agent: string;
      n: number;
      mean: number;
    }[];
    return new Map(rows.map((r) => [r.agent, { runs: r.n, meanCostUsd: r.mean }]));
  }

  /** An agent's latest real executions under its current prompt: what they read from and wrote to the vendor's cache. */
  cachingRuns(agent: string, promptHash: string, limit = 100): { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }[] {
    return this.sql(
      `SELECT input_tokens AS inputTokens, cache_read_tokens AS cacheReadTokens, cache_write_tokens AS cacheWriteTokens FROM ledger
       WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual' ORDER BY id DESC LIMIT ?`,
    ).all(agent, promptHash, limit) as { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }[];
  }

  /** Mean actual cost of an agent's runs (a traced run's calls summed) before and after a moment (at most the latest `limit` of each). */
  costAround(agent: string, at: string, limit = 20): { before: MeanCost; after: MeanCost } {
    const side = (op: '<' | '>='): MeanCost =>
      this.sql(
        `SELECT count(*) AS runs, coalesce(avg(cost), 0) AS meanUsd FROM (
           SELECT sum(cost_usd) AS cost FROM ledger WHERE agent = ? AND cached = 0 AND at ${op} ? GROUP BY coalesce(run_id, id) ORDER BY max(id) DESC LIMIT ?)`,
      ).get(agent, at, limit) as MeanCost;
    return { before: side('<'), after: side('>=') };
  }

  /**
   * Per agent: every execution it has in the ledger (ours and cache hits a row each, a traced run once) and their
   * actual cost. Kept running like spend windows (only rows committed since are read); counted again when calls were
   * mapped to an agent since (agent_aliases changed, here or in another process).
   */
  executionsByAgent(): { agent: string; executions: number; cost: number }[] {
    const aliases = (this.sql("SELECT count(*) || '@' || coalesce(max(at), '') AS state FROM agent_aliases").get() as { state: string }).state;
    if (aliases !== this.perAgent.aliases) this.perAgent = { aliases, lastId: 0, totals: new Map() };
    const rows = this.sql(
      `SELECT agent, sum(CASE WHEN run_id IS NULL THEN 1 ELSE first_of_run END) AS executions, sum(cost_usd) AS cost, max(id) AS last
       FROM ledger NOT INDEXED WHERE id > ? GROUP BY agent`, // the rows since, by id: not a walk of ledger_by_agent
    ).all(this.perAgent.lastId) as { agent: string; executions: number; cost: number; last: number }[];
    for (const row of rows) {
      const total = this.perAgent.totals.get(row.agent) ?? { agent: row.agent, executions: 0, cost: 0 };
      total.executions += row.executions;
      total.cost += row.cost;
      this.perAgent.totals.set(row.agent, total);
      this.perAgent.lastId = Math.max(this.perAgent.lastId, row.last);
    }
    return [...this.perAgent.totals.values()].map((t) => ({ ...t }));
  }

  /**
   * Traced calls recorded in one transaction of their own: on return they are durable. A call whose span is recorded
   * is left out; a run seen for the first time (ledger_traced_runs) counts once for its agent, in ledger_runs (as the
   * agent is configured now) and ledger_production_runs, however its calls are split between batches. Returns how
   * many calls were new.
   */
  recordTraced(entries: LedgerEntry[]): number {
    return this.db.transaction(() => {
      const seeRun = this.sql('INSERT INTO ledger_traced_runs (run_key) VALUES (?) ON CONFLICT DO NOTHING');
      /** Per run in this batch: whether it is new (its first call recorded now). */
      const runs = new Map<string, { fresh: boolean; taught: boolean; counted: boolean }>();
      const taught = new Map<string, { agent: string; promptHash: string; runs: number; lastId: number }>();
      const production = new Map<string, number>();
      let recorded = 0;
      for (const e of entries) {
        let run = e.run === undefined ? undefined : runs.get(e.run);
        const first = e.run !== undefined && run === undefined;
        if (e.run !== undefined && run === undefined) {
          run = { fresh: seeRun.run(runKey(e.run)).changes > 0, taught: false, counted: false };
          runs.set(e.run, run);
        }
        const id = this.insertTraced(e, first && run!.fresh ? 1 : 0);
        if (id === undefined) continue;
        recorded += 1;
        // What ledger_runs_insert does for ours: a teaching call's run counts once.
        if (!e.cached && e.usage.source === 'actual' && e.promptHash !== undefined) {
          const key = `${e.agent}\u0000${e.promptHash}`;
          const counts = taught.get(key) ?? { agent: e.agent, promptHash: e.promptHash, runs: 0, lastId: id };
          if (run === undefined || (run.fresh && !run.taught)) counts.runs += 1;
          if (run) run.taught = true;
          counts.lastId = id;
          taught.set(key, counts);
        }
        if (e.attributed !== false && run?.fresh && !run.counted) {
          run.counted = true;
          production.set(e.agent, (production.get(e.agent) ?? 0) + 1);
        }
      }
      const countRuns = this.sql(
        'INSERT INTO ledger_runs (agent, prompt_hash, runs, last_id) VALUES (?, ?, ?, ?) ON CONFLICT (agent, prompt_hash) DO UPDATE SET runs = runs + excluded.runs, last_id = excluded.last_id',
      );
      for (const c of taught.values()) countRuns.run(c.agent, c.promptHash, c.runs, c.lastId);
      const countProduction = this.sql(
        'INSERT INTO ledger_production_runs (agent, runs) VALUES (?, ?) ON CONFLICT (agent) DO UPDATE SET runs = runs + excluded.runs',
      );
      for (const [agent, count] of production) countProduction.run(agent, count);
      return recorded;
    })();
  }

  /** The user's mapping of source agent names to configured agents. */
  aliases(): Map<string, string> {
    const rows = this.sql('SELECT name, agent FROM agent_aliases').all() as { name: string; agent: string }[];
    return new Map(rows.map((row) => [row.name, row.agent]));
  }

  /**
   * Maps a source's agent name to a configured agent: kept for the calls to come, and the calls already recorded
   * under that name become the agent's (taught under `promptHash`, its prompt now). Returns how many calls moved.
   */
  alias(name: string, agent: string, promptHash: string, at: string): number {
    return this.db.transaction(() => {
      this.sql('INSERT INTO agent_aliases (name, agent, at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET agent = excluded.agent, at = excluded.at').run(
        name,
        agent,
        at,
      );
      const moved = this.sql('UPDATE ledger SET agent = ?, attributed = 1, prompt_hash = ? WHERE agent = ? AND attributed = 0').run(
        agent,
        promptHash,
        name,
      ).changes;
      if (moved > 0) {
        this.recountRuns(agent, promptHash);
        const runs = this.sql("SELECT count(*) AS n FROM ledger WHERE agent = ? AND origin <> 'run' AND attributed = 1 AND first_of_run = 1").get(agent) as {
          n: number;
        };
        this.sql('INSERT INTO ledger_production_runs (agent, runs) VALUES (?, ?) ON CONFLICT (agent) DO UPDATE SET runs = excluded.runs').run(agent, runs.n);
        // Its kept figures no longer cover its runs.
        this.sql('DELETE FROM ledger_learned WHERE agent = ? AND prompt_hash = ?').run(agent, promptHash);
      }
      return moved;
    })();
  }

  /** ledger_runs of one agent and prompt, counted again from the rows (after rows moved to it). */
  private recountRuns(agent: string, promptHash: string): void {
    const counted = this.sql(
      `SELECT count(DISTINCT coalesce(run_id, id)) AS runs, max(id) AS lastId FROM ledger WHERE agent = ? AND prompt_hash = ? AND cached = 0 AND source = 'actual'`,
    ).get(agent, promptHash) as { runs: number; lastId: number | null };
    if (counted.lastId === null) return;
    this.sql(
      'INSERT INTO ledger_runs (agent, prompt_hash, runs, last_id) VALUES (?, ?, ?, ?) ON CONFLICT (agent, prompt_hash) DO UPDATE SET runs = excluded.runs, last_id = excluded.last_id',
    ).run(agent, promptHash, counted.runs, counted.lastId);
  }

  /** The agents traces named that match no configured one: their runs, calls and cost, the most expensive first. */
  unattributed(): UnattributedAgent[] {
    return this.sql(
      `SELECT agent AS name, count(DISTINCT coalesce(run_id, id)) AS runs, count(*) AS calls, sum(cost_usd) AS costUsd, max(at) AS lastAt
       FROM ledger WHERE attributed = 0 GROUP BY agent ORDER BY costUsd DESC, name`,
    ).all() as UnattributedAgent[];
  }

  /**
   * Per agent, its traced runs (collected or imported): how many (ledger_production_runs), and the p50 and p90 of a
   * run's cost, calls and tokens over the newest `window` of them, read from the newest call back as teachingRuns
   * reads (never an agent's whole history).
   */
  production(window: number): Map<string, ProductionRuns> {
    const agents = this.sql('SELECT agent, runs FROM ledger_production_runs WHERE runs > 0').all() as { agent: string; runs: number }[];
    const rows = this.sql(
      `SELECT id, input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, NULL AS estimatedCostUsd, run_id AS run
       FROM ledger WHERE agent = ? AND origin <> 'run' AND attributed = 1 AND cached = 0 ORDER BY id DESC LIMIT ?`,
    );
    const result = new Map<string, ProductionRuns>();
    for (const { agent, runs } of agents) {
      const list = newestRuns((limit) => rows.all(agent, limit) as TeachingRow[], window);
      if (list.length === 0) continue;
      result.set(agent, {
        runs: Math.max(runs, list.length),
        window: list.length,
        costUsd: percentiles(list.map((r) => r.costUsd)),
        calls: percentiles(list.map((r) => r.calls ?? 1)),
        inputTokens: percentiles(list.map((r) => r.inputTokens)),
        outputTokens: percentiles(list.map((r) => r.outputTokens)),
      });
    }
    return result;
  }

  /** What traced calls cost since an instant (today's production spend): their sum, calls and runs, kept running. */
  productionSince(since: string): { costUsd: number; runs: number; calls: number } {
    const { production } = this.window(Date.parse(since));
    return { costUsd: roundUsd(production.costUsd), runs: production.runs, calls: production.calls };
  }
}

/** A ledger row as the contract shows it. */
export function executionOf(row: LedgerRow): LedgerExecution {
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
    source: row.origin,
    ...(row.run_id !== null ? { run: row.run_id } : {}),
    ...(row.reported_cost_usd !== null ? { reportedCostUsd: row.reported_cost_usd } : {}),
    ...(row.attributed === 0 ? { attributed: false as const } : {}),
    ...(row.ran_by !== null ? { ranBy: row.ran_by } : {}),
  };
}

function totalsOf(executions: LedgerExecution[]): LedgerTotals {
  const ran = executions.filter((e) => !e.cached);
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const tokens = (part: keyof LedgerTotals['usage']): number => sum(ran.map((e) => e.usage[part]));
  return {
    executions: ran.length,
    cacheHits: executions.length - ran.length,
    usage: {
      inputTokens: tokens('inputTokens'),
      cacheReadTokens: tokens('cacheReadTokens'),
      cacheWriteTokens: tokens('cacheWriteTokens'),
      outputTokens: tokens('outputTokens'),
      reasoningTokens: tokens('reasoningTokens'),
    },
    estimatedCostUsd: roundUsd(sum(ran.map((e) => e.estimatedCostUsd ?? 0))),
    estimated: ran.filter((e) => e.estimatedCostUsd !== null).length,
    actualCostUsd: roundUsd(sum(ran.map((e) => e.actualCostUsd))),
    savedUsd: roundUsd(sum(executions.map((e) => e.savedUsd))),
  };
}
