import type { PartyConfig } from '../config/schema';
import type { AccuracyReport, AgentAccuracy } from '../contract/accuracy';
import { driftLimitPercent } from '../contract/cost';
import { estimate } from '../estimate/estimate';
import type { PriceBook } from '../cost/prices';
import { listPricing } from '../contract/pricing';
import { agentDefinition, promptHash } from '../planner/keys';
import type { Ledger, TeachingRun } from '../store/ledger';
import { isOutlier, learningSettings } from './learning';
import type { Learner } from './learning';
import { spendTrend } from './trend';

/**
 * How close estimates came: per LLM agent, the configured and the learned estimate against each of its latest runs
 * as it is now configured, the error of the estimate in force at each run, and next month from the spend trend.
 */
export function accuracyReport(config: PartyConfig, prices: PriceBook, ledger: Ledger, learner: Learner, now = Date.now()): AccuracyReport {
  const settings = learningSettings(config);
  const learning = learner.learningFor(config);
  const configured = estimate(config, prices);
  const learned = estimate(config, prices, listPricing, learning);
  const agents = learned.agents.flatMap((shown, i): AgentAccuracy[] => {
    const l = shown.learning;
    if (shown.kind === 'compute' || !l) return [];
    const agent = config.agents[shown.agent]!;
    const runs = l.window ? ledger.teachingRuns(shown.agent, promptHash(agentDefinition(agent, config)), settings.window).reverse() : [];
    // A cut-off or runaway answer would swamp a mean of percentages (an answer of 12 tokens is missed by thousands of
    // percent): the errors are over the other runs, and the sentence says how many were left out.
    const typical = l.output ? runs.filter((run) => !isOutlier(run, l.output!.p50)) : runs;
    const configuredCostUsd = configured.agents[i]!.costPerRunUsd;
    const learnedCostUsd = shown.outputTokensSource === 'learned' ? shown.costPerRunUsd : null;
    const driftPercent = shown.driftPercent ?? null;
    return [
      {
        agent: shown.agent,
        model: shown.model,
        runs: l.runs,
        window: l.window,
        configuredCostUsd,
        learnedCostUsd,
        actualMeanCostUsd: l.actualMeanCostUsd,
        configuredErrorPercent: meanError(typical, () => configuredCostUsd),
        learnedErrorPercent: learnedCostUsd === null ? null : meanError(typical, () => learnedCostUsd),
        errorTrend: runs.map((run) => (run.estimatedCostUsd === null ? null : percentError(run.estimatedCostUsd, run.costUsd))),
        driftPercent,
        drift: driftPercent !== null && Math.abs(driftPercent) > driftLimitPercent,
        outputTokensSource: shown.outputTokensSource,
        earlierRuns: l.earlierRuns,
        outliers: l.outliers,
        why: l.outliers ? `${l.why}; errors are over the other ${typical.length}` : l.why,
      },
    ];
  });
  return {
    agents,
    projection: { configuredPerMonthUsd: configured.perMonthUsd, learnedPerMonthUsd: learned.perMonthUsd, actual: spendTrend(ledger, now) },
    learning: settings,
  };
}

/** |estimate − actual| ÷ actual in percent (one decimal); null when the run cost nothing (no percentage of zero). */
function percentError(estimated: number, actual: number): number | null {
  return actual > 0 ? Math.round((Math.abs(estimated - actual) / actual) * 1000) / 10 : null;
}

/** The mean absolute percentage error over the runs that cost something; null when none did. */
function meanError(runs: TeachingRun[], estimated: (run: TeachingRun) => number): number | null {
  const errors = runs.map((run) => percentError(estimated(run), run.costUsd)).filter((e): e is number => e !== null);
  return errors.length ? Math.round((errors.reduce((a, b) => a + b, 0) / errors.length) * 10) / 10 : null;
}
