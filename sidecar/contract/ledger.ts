/** The shapes of the spend ledger, as `partycost ledger --json` and `ledger/list` return them. */
import type { Usage } from './party';

/** What an execution cost, by part, in USD: the model's charges and the agent's non-model resources. */
export interface CostParts {
  inputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  /** The answer's tokens other than reasoning. */
  outputUsd: number;
  /** Reasoning tokens (part of the output tokens, priced here rather than in outputUsd). */
  reasoningUsd: number;
  resourcesUsd: number;
}

/**
 * Where a ledger row came from: a run of ours (`run`), a call the OTLP receiver collected from a trace
 * (`collected`), or one imported from an exported file (`imported`).
 */
export type LedgerOrigin = 'run' | 'collected' | 'imported';

/** One execution of an agent (or one result served from the result cache instead), or one model call of a traced run. */
export interface LedgerExecution {
  /** The party it ran for; empty for a traced call (production runs belong to no party of ours). */
  party: string;
  agent: string;
  /** The provider that ran it: offline, openai, anthropic, gemini; builtin for a compute agent. */
  provider: string;
  model: string | null;
  at: string;
  usage: Usage;
  /** What the plan estimated the execution would cost (null for executions recorded before estimates were kept). */
  estimatedCostUsd: number | null;
  /** What it cost: its usage priced part by part (0 for a result-cache hit, which calls nothing). */
  actualCostUsd: number;
  /** The cost by part (null for executions recorded before parts were kept). */
  parts: CostParts | null;
  /** Served from the result cache: no call was made; `usage` is what producing the result took. */
  cached: boolean;
  /** For a cache hit: what producing the result again would have cost (0 otherwise). */
  savedUsd: number;
  /** Where the row came from. */
  source: LedgerOrigin;
  /** A traced call's agent run (trace id / run span id): the run's calls share it. */
  run?: string;
  /** What the trace or export said the call cost, beside `actualCostUsd` (ours, from the catalogue). */
  reportedCostUsd?: number;
  /** False for a traced call whose agent matches none configured: `agent` is the source's own name. */
  attributed?: false;
  /** With a team ledger: who recorded it (user and machine names, `user@machine`). */
  ranBy?: string;
}

/** The sums over the executions listed. */
export interface LedgerTotals {
  executions: number;
  cacheHits: number;
  usage: Omit<Usage, 'source' | 'batch'>;
  /** Over the executions whose estimate was kept (older releases kept none). */
  estimatedCostUsd: number;
  /** How many executions kept their estimate. */
  estimated: number;
  actualCostUsd: number;
  /** What the cache hits would have cost to produce (their recorded usage at its cost). */
  savedUsd: number;
}

export interface LedgerReport {
  executions: LedgerExecution[];
  totals: LedgerTotals;
}

/** What one agent's executions on one provider and model cost on average, by part (the Cost Estimates panel). */
export interface AgentActuals {
  agent: string;
  provider: string;
  model: string | null;
  executions: number;
  cacheHits: number;
  /** Mean actual cost per execution (cache hits excluded). */
  meanActualUsd: number;
  /** Mean cost per execution by part, over the executions that recorded parts. */
  meanParts: CostParts;
}

/** An agent traces named that matches no configured one: what it ran and cost, and when last. */
export interface UnattributedAgent {
  name: string;
  runs: number;
  calls: number;
  costUsd: number;
  lastAt: string;
}

/** Nearest-rank p50 and p90. */
export interface Percentiles {
  p50: number;
  p90: number;
}

/** An agent's traced runs (collected or imported), as production shows them. */
export interface ProductionRuns {
  /** Every traced run of the agent. */
  runs: number;
  /** The newest of them the percentiles are taken over. */
  window: number;
  costUsd: Percentiles;
  calls: Percentiles;
  inputTokens: Percentiles;
  outputTokens: Percentiles;
}
