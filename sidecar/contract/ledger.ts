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

/** One execution of an agent (or one result served from the result cache instead). */
export interface LedgerExecution {
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
