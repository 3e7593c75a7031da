/** The shapes of a delta plan and of a run that carries it out. */
import type { TierName } from './cache';

/** What the plan does with an agent. */
export type Action = 'reuse' | 'cache_hit' | 'execute' | 'delete' | 'skip' | 'blocked';

/** Why: the cause of an agent's action, as the planner names it. */
export type Cause =
  | 'unchanged'
  | 'never ran'
  | 'input added'
  | 'input removed'
  | 'input changed'
  | 'configuration changed'
  | 'upstream changed'
  | 'cache expired'
  /** Stored by an older release whose keys meant something else (its key version): never reused, never mistaken. */
  | 'engine changed'
  | 'forced'
  | 'no inputs'
  | 'cached elsewhere'
  | 'over budget'
  | 'deferred by budget'
  | 'upstream blocked';

/** One agent of a plan, priced. */
export interface PlannedAgent {
  agent: string;
  action: Action;
  cause: Cause;
  detail?: string;
  /** "Runs only if upstream changes": an upstream agent re-runs and may return the same result (early cutoff). */
  conditional?: boolean;
  estimatedCostUsd: number;
  /** An execute priced with tokens learned from this many of the agent's runs (absent: the configured figures). */
  learnedFrom?: number;
  savedCostUsd: number;
  tier?: string;
}

/** The delta execution plan of a party, priced; computed before anything runs. */
export interface Plan {
  party: string;
  agents: PlannedAgent[];
  totals: {
    /** Worst case: every execute runs, the conditional ones included. */
    executeCostUsd: number;
    /** Best case: conditional agents are cut off because their upstream results come back unchanged. */
    bestCaseCostUsd: number;
    savedCostUsd: number;
    /** Saved against re-running every agent that takes part (worst case). */
    savedPercent: number;
    execute: number;
    reuse: number;
    cacheHit: number;
    delete: number;
    skip: number;
    blocked: number;
  };
  /** The budget's state when planned, if limits are configured. */
  budget?: { level: string; message: string };
}

/** One agent of a run started, finished or failed. */
export interface AgentProgress {
  agent: string;
  action: Action;
  cause: Cause;
  state: 'started' | 'done' | 'failed';
  costUsd?: number;
  tier?: TierName;
  error?: string;
}

/** What a run did with one agent. */
export interface AgentOutcome {
  agent: string;
  action: Action;
  cause: Cause;
  detail?: string;
  costUsd: number;
  /** For a reuse or a cache hit: what producing the result took, at today's prices. */
  savedCostUsd: number;
  durationMs: number;
  tier?: TierName;
}

/** What a run did, agent by agent, and what it cost and saved. */
export interface RunReport {
  party: string;
  agents: AgentOutcome[];
  executed: number;
  costUsd: number;
  /** What the reused results and cache hits would have cost to produce again, at today's prices. */
  savedCostUsd: number;
  /** When the budget refused executions: its message, naming the limit and the spend. */
  refused?: string;
}
