import type { AgentEstimate, Estimate } from '../contract/cost';
import type { AgentCostDiff, AgentCostSide, AgentDiffStatus, CostDiff, CostLimits, LimitViolation } from '../contract/costDiff';
import { fromUsd, toUsd } from '../cost/money';
import type { Pico } from '../cost/money';

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
      perMonthDeltaUsd: toUsd(fromUsd(after.perMonthUsd) - fromUsd(before.perMonthUsd)),
      perMonthDeltaPercent: percent(fromUsd(before.perMonthUsd), fromUsd(after.perMonthUsd)),
      orchestrationBefore: before.orchestrationUsd,
      orchestrationAfter: after.orchestrationUsd,
      orchestrationDeltaUsd: toUsd(fromUsd(after.orchestrationUsd) - fromUsd(before.orchestrationUsd)),
    },
  };
}

/** The "before" of a configuration file that did not exist yet: no agents, no party, nothing to pay. */
export function emptyEstimate(like: Estimate): Estimate {
  return { agents: [], orchestrationUsd: 0, perPartyUsd: 0, perMonthUsd: 0, volume: like.volume, prices: like.prices, pricing: like.pricing };
}

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
