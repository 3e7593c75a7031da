import type { PartyConfig } from '../config/schema';
import { roundUsd, toUsd } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import type { Estimate } from '../contract/cost';
import { executionCost } from '../cost/usageCost';
import type { PartyState } from '../contract/party';
import { blockDecision, decide } from './decide';
import { blockedBy } from '../budget/budget';
import type { BudgetState } from '../contract/budget';
import type { Action } from '../contract/plan';
import type { CachedResult, Decision, UpstreamState } from './decide';
import { partyGraph } from './partyGraph';
import type { AgentFacts } from './partyGraph';
import type { Plan, PlannedAgent } from '../contract/plan';

export interface PlanInput {
  config: PartyConfig;
  prices: PriceBook;
  state: PartyState;
  force?: string[];
  now?: number;
  cached?: (key: string) => CachedResult | undefined;
  /** Spend limits: at the refuse level executes are blocked, at the defer level those of non-essential agents. */
  budget?: BudgetState;
  /** The configuration's estimate (at list prices, with what the ledger teaches): each execute is priced at it. */
  estimate: Estimate;
}

/** Decides every agent in topological order, each from what is known of its upstream agents at plan time. */
export function planParty(input: PlanInput): Plan {
  const estimates = new Map(input.estimate.agents.map((a) => [a.agent, a]));
  const decisions = new Map<string, Decision>();
  const agents = partyGraph(input.config, input.state).map((facts): PlannedAgent => {
    const decided = decide(situation(facts, input, (dep) => upstreamAtPlanTime(decisions.get(dep), input.state.results[dep]?.resultHash ?? null)));
    const budgetBlock = input.budget && blockedBy(input.budget, facts.agent.essential !== false);
    const decision = blockDecision(
      decided,
      budgetBlock,
      facts.dependsOn.filter((dep) => decisions.get(dep)?.action === 'blocked'),
    );
    decisions.set(facts.name, decision);
    const estimated = estimates.get(facts.name);
    return priced(facts, decision, input, estimated?.costPerRunUsd ?? 0, estimated?.learnedFrom ?? 0);
  });
  const budget = input.budget?.binding ? { budget: { level: input.budget.level, message: input.budget.message } } : {};
  return { party: input.state.id, agents, totals: totals(agents), ...budget };
}

/** The situation of one agent; `upstream` says what is known of each of its upstream agents. */
export function situation(facts: AgentFacts, input: Pick<PlanInput, 'state' | 'force' | 'now' | 'cached'>, upstream: (dep: string) => UpstreamState) {
  const stored = input.state.results[facts.name];
  const now = input.now ?? Date.now();
  return {
    definition: facts.definition,
    inputs: facts.inputs,
    active: facts.active,
    stored,
    upstream: Object.fromEntries(facts.dependsOn.map((dep) => [dep, upstream(dep)])),
    forced: (input.force ?? []).includes(facts.name),
    expired: stored !== undefined && now - Date.parse(stored.completedAt) > facts.ttlMs,
    partyHasRun: input.state.hasRun,
    cached: input.cached,
  };
}

function upstreamAtPlanTime(decision: Decision | undefined, previousHash: string | null): UpstreamState {
  if (!decision || decision.action === 'delete' || decision.action === 'skip') return { hash: null };
  // A blocked agent keeps the result it has.
  if (decision.action === 'blocked') return { hash: previousHash };
  if (decision.action === 'execute') return { pending: true, previousHash };
  return { hash: decision.hit ? decision.hit.resultHash : previousHash };
}

function priced(facts: AgentFacts, decision: Decision, input: PlanInput, estimatedUsd: number, learnedFrom: number): PlannedAgent {
  const stored = input.state.results[facts.name];
  // A reuse saves what the stored result took to produce, priced at today's table; a hit, what its entry recorded.
  const saved =
    decision.action === 'reuse' && stored ? toUsd(executionCost(facts.agent, stored.model, stored.usage, input.prices)) : (decision.hit?.costUsd ?? 0);
  return {
    agent: facts.name,
    action: decision.action,
    cause: decision.cause,
    ...(decision.detail ? { detail: decision.detail } : {}),
    ...(decision.conditional ? { conditional: true } : {}),
    estimatedCostUsd: decision.action === 'execute' ? estimatedUsd : 0,
    ...(decision.action === 'execute' && learnedFrom > 0 ? { learnedFrom } : {}),
    savedCostUsd: saved,
    ...(decision.hit ? { tier: decision.hit.tier } : {}),
  };
}

function totals(agents: PlannedAgent[]): Plan['totals'] {
  const sumOf = (items: PlannedAgent[], field: 'estimatedCostUsd' | 'savedCostUsd'): number => roundUsd(items.reduce((total, a) => total + a[field], 0));
  const executes = agents.filter((a) => a.action === 'execute');
  const executeCostUsd = sumOf(executes, 'estimatedCostUsd');
  const savedCostUsd = sumOf(agents, 'savedCostUsd');
  const count = (action: Action): number => agents.filter((a) => a.action === action).length;
  return {
    executeCostUsd,
    bestCaseCostUsd: sumOf(
      executes.filter((a) => !a.conditional),
      'estimatedCostUsd',
    ),
    savedCostUsd,
    savedPercent: executeCostUsd + savedCostUsd > 0 ? Math.round((1000 * savedCostUsd) / (executeCostUsd + savedCostUsd)) / 10 : 0,
    execute: count('execute'),
    reuse: count('reuse'),
    cacheHit: count('cache_hit'),
    delete: count('delete'),
    skip: count('skip'),
    blocked: count('blocked'),
  };
}
