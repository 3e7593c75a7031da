import type { PartyConfig } from '../config/schema';
import type { LoadedConfig } from '../sources/load';
import type { AgentEstimate, Estimate, Volume } from '../contract/cost';
import { runsPerMonth } from '../contract/cost';
import type { AgentCostDiff, AgentCostSide, AgentDiffStatus, CostDiffTotals, CostLimits, LimitViolation } from '../contract/costDiff';
import { UserError } from '../contract/errors';
import type { ImpactReport } from '../contract/impact';
import { impactSummary } from '../contract/impact';
import { listPricing } from '../contract/pricing';
import { fromUsd, scale, toUsd } from '../cost/money';
import { checkLimits, diffEstimates, emptyEstimate } from '../estimate/costDiff';
import { configAtRevision, loadAtRevision } from '../sources/gitRevision';
import type { OldConfig } from '../sources/gitRevision';
import { agentChanges, ownChanges } from './agentChanges';
import type { AgentChange } from './agentChanges';
import { estimateOf, learningOf } from './estimateService';
import { impactOf } from './impactService';
import { configProblems } from './workspace';
import type { ValidConfig, Workspace } from './workspace';

export type { AgentChange };

/** One side of an agent's review: its estimate per run, and per month at its configuration's volume. */
export interface ReviewSide extends AgentCostSide {
  perMonthUsd: number;
}

/** An agent before → after a change, with what changed in it. */
export interface AgentReview {
  agent: string;
  /** In a crew: the CrewAI agent that performs the task. */
  crewAgent?: string;
  /** `changed` also when only the configuration changed and the cost did not (a prompt of the same length). */
  status: AgentDiffStatus;
  changes: AgentChange[];
  before: ReviewSide | null;
  after: ReviewSide | null;
  deltaUsd: number;
  deltaPercent: number | null;
  /** After per month minus before per month, exact to the picodollar. */
  perMonthDeltaUsd: number;
}

/** `partycost diff`: what a change of the agents' configuration costs, agent by agent, and what it re-runs. */
export interface CostReview {
  /** The revisions as the user gave them; head null for the working tree. */
  base: string;
  head: string | null;
  /** The main configuration file, as the repository names it (a crew's tasks.yaml). */
  file: string;
  kind: LoadedConfig['kind'];
  /** False when the configuration did not exist at the base: every agent is added. */
  existedBefore: boolean;
  /** After's agents in order, then the removed ones. */
  agents: AgentReview[];
  totals: CostDiffTotals;
  volume: { before: Volume; after: Volume };
  /** Whether any cost changed: per run of an agent, per party or per month. */
  affectsCost: boolean;
  /** What the change re-runs across the parties stored in the workspace's database; null when it has none. */
  impact: (ImpactReport & { summary: string }) | null;
  limits: CostLimits;
  violations: LimitViolation[];
  prices: Estimate['prices'];
}

/** The configuration at a revision, to be the "after" of a review (`--head REV`): valid, or why not. */
export function configAtHead(ws: Workspace, rev: string): ValidConfig {
  const { old, loaded } = configAtRevisionOf(ws, rev);
  if (!loaded) throw new UserError(`${old.name} does not exist: no configuration at the head revision`);
  return loaded;
}

/** The main file at a revision and, when it existed there, the whole configuration read from that revision, valid. */
function configAtRevisionOf(ws: Workspace, rev: string): { old: OldConfig; loaded?: ValidConfig } {
  const display = (file: string): string => ws.display(file);
  const old = configAtRevision(ws.configFile(), rev, display);
  if (old.text === null) return { old };
  const { loaded } = loadAtRevision(ws.location(), ws.configFile(), rev, display);
  if (!loaded.config) throw configProblems(loaded);
  return { old, loaded: loaded as ValidConfig };
}

/**
 * The configuration at `base` (every file of it, a crew's crew.py too) against `head` (the working tree's, or one
 * read by configAtHead). Both sides learn from the same runs, as `estimate --against` does.
 */
export function costReview(ws: Workspace, head: ValidConfig, options: { base: string; head?: string; limits: CostLimits }): CostReview {
  const after = estimateOf(ws, head, listPricing, learningOf(ws, head.config));
  const { old, loaded: base } = configAtRevisionOf(ws, options.base);
  const before = base ? estimateOf(ws, base, listPricing, learningOf(ws, base.config)) : emptyEstimate(after);
  const diff = diffEstimates(before, after);
  const volume = { before: before.volume, after: after.volume };
  const sides: Sides = { before: byAgent(before), after: byAgent(after), volume, beforeConfig: base?.config, afterConfig: head.config };
  const agents = diff.agents.map((a) => agentReview(a, sides));
  const { totals } = diff;
  return {
    base: options.base,
    head: options.head ?? null,
    file: old.repoPath,
    kind: head.kind,
    existedBefore: base !== undefined,
    agents,
    totals,
    volume,
    affectsCost: totals.deltaUsd !== 0 || totals.perMonthDeltaUsd !== 0 || agents.some((a) => a.deltaUsd !== 0),
    impact: base ? storedImpact(ws, head, options.base) : null,
    limits: options.limits,
    violations: checkLimits(options.limits, totals.perPartyAfter, base ? totals.perPartyBefore : null),
    prices: after.prices,
  };
}

interface Sides {
  before: Map<string, AgentEstimate>;
  after: Map<string, AgentEstimate>;
  volume: { before: Volume; after: Volume };
  beforeConfig: PartyConfig | undefined;
  afterConfig: PartyConfig;
}

function agentReview(a: AgentCostDiff, sides: Sides): AgentReview {
  const old = sides.before.get(a.agent);
  const now = sides.after.get(a.agent);
  const before = a.before && { ...a.before, perMonthUsd: monthly(a.before.costPerRunUsd, sides.volume.before) };
  const after = a.after && { ...a.after, perMonthUsd: monthly(a.after.costPerRunUsd, sides.volume.after) };
  const changes = old && now && sides.beforeConfig ? changesOf(a, old, now, sides) : [];
  const crewAgent = now?.crewAgent ?? old?.crewAgent;
  return {
    agent: a.agent,
    ...(crewAgent ? { crewAgent } : {}),
    status: a.status === 'unchanged' && changes.length ? 'changed' : a.status,
    changes,
    before,
    after,
    deltaUsd: a.deltaUsd,
    deltaPercent: a.deltaPercent,
    perMonthDeltaUsd: toUsd(fromUsd(after?.perMonthUsd ?? 0) - fromUsd(before?.perMonthUsd ?? 0)),
  };
}

function changesOf(a: AgentCostDiff, old: AgentEstimate, now: AgentEstimate, sides: Sides): AgentChange[] {
  const beforeConfig = sides.beforeConfig!;
  if (a.status === 'unchanged') return ownChanges(a.agent, beforeConfig, sides.afterConfig);
  // The upstream agents whose answers (at their expected output) grew or shrank: they fill this agent's prompt.
  const upstream = (sides.afterConfig.agents[a.agent]?.dependsOn ?? []).filter((name) => {
    const [was, is] = [sides.before.get(name), sides.after.get(name)];
    return was !== undefined && is !== undefined && was.outputTokens !== is.outputTokens;
  });
  return agentChanges(a.agent, beforeConfig, sides.afterConfig, old, now, upstream);
}

const byAgent = (estimate: Estimate): Map<string, AgentEstimate> => new Map(estimate.agents.map((a) => [a.agent, a]));

/** An agent's cost a month: per run × parties a month × runs a party, exact to the picodollar. */
function monthly(perRunUsd: number, volume: Volume): number {
  return toUsd(scale(fromUsd(perRunUsd), runsPerMonth(volume)));
}

/** What the change re-runs across the stored parties, when the workspace's database has any. */
function storedImpact(ws: Workspace, head: ValidConfig, base: string): CostReview['impact'] {
  if (!ws.storeIfExists()) return null;
  const report = impactOf(ws, head, { against: base });
  return report.parties.total > 0 ? { ...report, summary: impactSummary(report) } : null;
}
