import type { AgentEstimate, Estimate } from '../contract/cost';
import { fromUsd, toUsd } from './money';
import type { Pico } from './money';

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
  orchestrationBefore: number;
  orchestrationAfter: number;
}

export interface CostDiff {
  /** The agents in the order of the after configuration, then the removed ones in their old order. */
  agents: AgentCostDiff[];
  totals: CostDiffTotals;
}

/** `after − before` relative to `before`, in percent; null when before is zero. */
function percent(before: Pico, after: Pico): number | null {
  return before === 0n ? null : Number((after - before) * 100n) / Number(before);
}

function side(a: AgentEstimate | undefined): AgentCostSide | null {
  return a ? { model: a.model, inputTokens: a.inputTokens, outputTokens: a.outputTokens, costPerRunUsd: a.costPerRunUsd } : null;
}

function sameSide(a: AgentCostSide, b: AgentCostSide): boolean {
  return a.model === b.model && a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens && a.costPerRunUsd === b.costPerRunUsd;
}

function agentDiff(name: string, before: AgentEstimate | undefined, after: AgentEstimate | undefined): AgentCostDiff {
  const b = side(before);
  const a = side(after);
  const costBefore = fromUsd(b?.costPerRunUsd ?? 0);
  const costAfter = fromUsd(a?.costPerRunUsd ?? 0);
  const status: AgentDiffStatus = !b ? 'added' : !a ? 'removed' : sameSide(b, a) ? 'unchanged' : 'changed';
  return { agent: name, status, before: b, after: a, deltaUsd: toUsd(costAfter - costBefore), deltaPercent: percent(costBefore, costAfter) };
}

/** Per-agent and per-party cost before and after a configuration change. */
export function diffEstimates(before: Estimate, after: Estimate): CostDiff {
  const old = new Map(before.agents.map((a) => [a.agent, a]));
  const current = new Map(after.agents.map((a) => [a.agent, a]));
  const agents = [
    ...after.agents.map((a) => agentDiff(a.agent, old.get(a.agent), a)),
    ...before.agents.filter((a) => !current.has(a.agent)).map((a) => agentDiff(a.agent, a, undefined)),
  ];
  const partyBefore = fromUsd(before.perPartyUsd);
  const partyAfter = fromUsd(after.perPartyUsd);
  return {
    agents,
    totals: {
      perPartyBefore: before.perPartyUsd,
      perPartyAfter: after.perPartyUsd,
      deltaUsd: toUsd(partyAfter - partyBefore),
      deltaPercent: percent(partyBefore, partyAfter),
      perMonthBefore: before.perMonthUsd,
      perMonthAfter: after.perMonthUsd,
      orchestrationBefore: before.orchestrationUsd,
      orchestrationAfter: after.orchestrationUsd,
    },
  };
}

/** The "before" of a configuration file that did not exist yet: no agents, no party, nothing to pay. */
export function emptyEstimate(like: Estimate): Estimate {
  return { agents: [], orchestrationUsd: 0, perPartyUsd: 0, perMonthUsd: 0, volume: like.volume, prices: like.prices, pricing: like.pricing };
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

/**
 * The limits crossed by a per-party cost (`after`) and, when there is a before, by its increase. Compared exactly in
 * picodollars: a per-party cost equal to the limit, or an increase of exactly the allowed percentage, passes.
 * An increase from $0 to more than $0 crosses any `--max-increase`.
 */
export function checkLimits(limits: CostLimits, perPartyAfter: number, perPartyBefore: number | null): LimitViolation[] {
  const violations: LimitViolation[] = [];
  const after = fromUsd(perPartyAfter);
  if (limits.maxPerPartyUsd !== null && after > fromUsd(limits.maxPerPartyUsd)) {
    violations.push({ limit: 'maxPerPartyUsd', allowed: limits.maxPerPartyUsd, actual: perPartyAfter });
  }
  if (limits.maxIncreasePercent !== null && perPartyBefore !== null) {
    const before = fromUsd(perPartyBefore);
    // (after − before) / before × 100 > allowed, with the percentage at micro-percent precision, without division.
    const allowedMicro = BigInt(Math.round(limits.maxIncreasePercent * 1e6));
    if ((after - before) * 100_000_000n > allowedMicro * before) {
      violations.push({
        limit: 'maxIncreasePercent',
        allowed: limits.maxIncreasePercent,
        actual: percent(before, after),
        perPartyBefore,
        perPartyAfter,
      });
    }
  }
  return violations;
}
