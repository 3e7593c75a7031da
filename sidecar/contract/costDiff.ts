/** The shapes of a cost diff between two versions of a configuration, as `partycost estimate --against --json` gives it. */

/** How an agent's cost changed between two estimates of a configuration. */
export type AgentDiffStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** One side of an agent's diff: what the estimate said about it. */
export interface AgentCostSide {
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costPerRunUsd: number;
}

export interface AgentCostDiff {
  agent: string;
  status: AgentDiffStatus;
  /** Null when the agent did not exist before (`added`). */
  before: AgentCostSide | null;
  /** Null when the agent no longer exists (`removed`). */
  after: AgentCostSide | null;
  /** After minus before per run, exact to the picodollar; a missing side counts as $0. */
  deltaUsd: number;
  /** The change relative to before, in percent; null when before was $0 (an added agent, a free one). */
  deltaPercent: number | null;
}

export interface CostDiffTotals {
  perPartyBefore: number;
  perPartyAfter: number;
  /** perPartyAfter − perPartyBefore, exact to the picodollar. */
  deltaUsd: number;
  /** The per-party change in percent; null when the party cost nothing before. */
  deltaPercent: number | null;
  perMonthBefore: number;
  perMonthAfter: number;
  /** perMonthAfter − perMonthBefore, exact to the picodollar. */
  perMonthDeltaUsd: number;
  /** The per-month change in percent; null when a month cost nothing before. */
  perMonthDeltaPercent: number | null;
  orchestrationBefore: number;
  orchestrationAfter: number;
  /** orchestrationAfter − orchestrationBefore, exact to the picodollar. */
  orchestrationDeltaUsd: number;
}

export interface CostDiff {
  /** The agents in the order of the after configuration, then the removed ones in their old order. */
  agents: AgentCostDiff[];
  totals: CostDiffTotals;
}

/** The limits a CI job guards with: `--max-per-party USD`, `--max-increase PERCENT`; null when not given. */
export interface CostLimits {
  maxPerPartyUsd: number | null;
  maxIncreasePercent: number | null;
}

/** A limit that was crossed, with the amounts that crossed it. */
export type LimitViolation =
  | { limit: 'maxPerPartyUsd'; allowed: number; actual: number }
  | {
      limit: 'maxIncreasePercent';
      allowed: number;
      /** The per-party increase in percent; null when the party cost $0 before (an unbounded increase). */
      actual: number | null;
      perPartyBefore: number;
      perPartyAfter: number;
    };
