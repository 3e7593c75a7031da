/**
 * The contract between the extension and its webviews: every message declared once, imported by both ends. Three
 * kinds (as GitLens's IPC): a command (view → host, no reply), a request (view → host, answered by a reply with
 * the same id, within a timeout), a notification (host → view). Each type has an `is()` guard, so neither end ever
 * switches on bare strings. A view starts from the state embedded in its HTML, then sends the ready command.
 */
import type { AgentEstimate, Component, Estimate, RightSizing } from '../sidecar/contract/cost';
import type { AgentSavings, CacheReport, TierReport } from '../sidecar/contract/cache';
import type { Pricing } from '../sidecar/contract/pricing';
import type { Action, Plan, PlannedAgent } from '../sidecar/contract/plan';
import type { AgentNode, ImpactResult, TokenBudget } from '../sidecar/protocol';
import { array, boolean, enum as oneOf, gte, lte, minLength, number, optional, strictObject, string } from 'zod/mini';
import type { ZodMiniType } from 'zod/mini';
import { paramsProblem } from '../sidecar/contract/paramsProblem';
import type { AgentActuals, CostParts } from '../sidecar/contract/ledger';
import type { AccuracyReport, AgentAccuracy } from '../sidecar/contract/accuracy';
import type { Advice, AdviceReport, PromptCaching } from '../sidecar/contract/advice';

const name = string().check(minLength(1));

// The sidecar's shapes the views draw, handed on by the extension: the views import them from here only.
export type {
  Advice,
  AdviceReport,
  PromptCaching,
  AccuracyReport,
  AgentAccuracy,
  AgentActuals,
  AgentEstimate,
  AgentNode,
  ImpactResult,
  CostParts,
  AgentSavings,
  CacheReport,
  Component,
  Estimate,
  Plan,
  PlannedAgent,
  Pricing,
  RightSizing,
  TierReport,
  TokenBudget,
};
/** Runs of each agent a month at an estimate's volume (the projection every view multiplies by). */
export { runsPerMonth } from '../sidecar/contract/cost';

/** A command message: fire and forget. */
export interface CommandMessage<P> {
  kind: 'command';
  method: string;
  params: P;
}

/** A request message: the host answers with a reply carrying the same id. */
export interface RequestMessage<P> {
  kind: 'request';
  method: string;
  id: number;
  params: P;
}

/** The host's answer to a request: a result or an error sentence. */
export interface ReplyMessage<R> {
  kind: 'reply';
  method: string;
  id: number;
  result?: R;
  error?: string;
}

/** A notification message: host → view. */
export interface NotificationMessage<P> {
  kind: 'notification';
  method: string;
  params: P;
}

function isMessage(value: unknown, kind: string, method: string): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind && (value as { method?: unknown }).method === method;
}

/** What is wrong with a message's params, against its type's schema; undefined when they fit. */
function problemOf(schema: ZodMiniType, value: unknown): string | undefined {
  return paramsProblem(schema, (value as { params?: unknown }).params);
}

/** A command the view sends; `is` recognises it on the host, `problem` says what is wrong with its params. */
export class CommandType<P> {
  readonly kind = 'command';
  constructor(
    readonly method: string,
    readonly params: ZodMiniType<P>,
  ) {}
  is(value: unknown): value is CommandMessage<P> {
    return isMessage(value, 'command', this.method);
  }
  problem(value: CommandMessage<unknown>): string | undefined {
    return problemOf(this.params, value);
  }
}

/** A request the view sends and the host answers; its params are checked as a command's. */
export class RequestType<P, R> {
  readonly kind = 'request';
  constructor(
    readonly method: string,
    readonly params: ZodMiniType<P>,
  ) {}
  is(value: unknown): value is RequestMessage<P> {
    return isMessage(value, 'request', this.method) && typeof (value as { id?: unknown }).id === 'number';
  }
  problem(value: RequestMessage<unknown>): string | undefined {
    return problemOf(this.params, value);
  }
  isReply(value: unknown): value is ReplyMessage<R> {
    return isMessage(value, 'reply', this.method) && typeof (value as { id?: unknown }).id === 'number';
  }
}

/** A notification the host sends; `is` recognises it in the view. */
export class NotificationType<P> {
  readonly kind = 'notification';
  constructor(readonly method: string) {}
  is(value: unknown): value is NotificationMessage<P> {
    return isMessage(value, 'notification', this.method);
  }
}

/** The views, one folder each on both sides (extension/webviews/<name>/, webview/<name>/). */
export type ViewName = 'plan' | 'estimates' | 'budgets' | 'cache' | 'impact';

/** The VS Code commands a view may ask the host to run (an empty state's button); the host refuses any other. */
export const viewActions = [
  'partycost.createSampleConfiguration',
  'partycost.runPartyPlan',
  'partycost.showDeltaPlan',
  'partycost.showCostEstimate',
  'partycost.showTokenBudgets',
  'partycost.clearCache',
  'partycost.updatePrices',
  'partycost.refreshAffectedParties',
] as const;
export type ViewAction = (typeof viewActions)[number];

/** Why a view has nothing to show, and the one thing to do next. */
export interface EmptyState {
  reason: 'no-config' | 'invalid-config' | 'no-party' | 'no-runs' | 'error';
  message: string;
  action?: { label: string; command: ViewAction };
}

/** A run the plan view follows: each agent's state as progress arrives, then the outcome. */
export interface RunState {
  running: boolean;
  agents: Record<string, { state: 'started' | 'done' | 'failed'; action: Action; tier?: string; costUsd?: number }>;
  outcome?: { executed: number; costUsd: number; savedCostUsd: number };
  error?: string;
}

/** The delta plan view: the party's plan, the agent graph it is drawn on, the agents forced, a run in progress. */
export interface PlanViewState {
  view: 'plan';
  party: string | null;
  plan: Plan | null;
  graph: AgentNode[];
  force: string[];
  run: RunState | null;
  empty?: EmptyState;
}

/** The cost estimates view: the estimate at the chosen what-if pricing, with right-sizing. */
export interface EstimatesViewState {
  view: 'estimates';
  estimate: Estimate | null;
  rightSizing: RightSizing[];
  /** What executions actually cost, per agent, provider and model, by part (from the ledger). */
  actuals?: AgentActuals[];
  /** How close estimates came to the runs, per agent, and next month from the spend trend (from the ledger). */
  accuracy?: AccuracyReport;
  /** The savings advisor's ranked changes (absent when it could not be asked). */
  advice?: AdviceReport;
  empty?: EmptyState;
}

/** The token budgets view: each llm agent's prompt against its context budget. */
export interface BudgetsViewState {
  view: 'budgets';
  party: string | null;
  agents: TokenBudget[];
  empty?: EmptyState;
}

/** The sidebar's cache statistics. */
export interface CacheViewState {
  view: 'cache';
  report: CacheReport | null;
  empty?: EmptyState;
}

/** The impact view: what the configuration re-runs across every stored party, by agent and by party. */
export interface ImpactViewState {
  view: 'impact';
  impact: ImpactResult | null;
  /** A refresh in progress: parties done of the total. */
  refreshing?: { done: number; total: number };
  empty?: EmptyState;
}

export type ViewState = PlanViewState | EstimatesViewState | BudgetsViewState | CacheViewState | ImpactViewState;

/** view → host: the view has painted its initial state and listens; the host may now send notifications. */
export const readyCommand = new CommandType<Record<string, never>>('webview/ready', strictObject({}));

/** view → host: run one of the allowed VS Code commands (an empty state's button). */
export const runActionCommand = new CommandType<{ command: ViewAction }>('webview/action', strictObject({ command: oneOf(viewActions) }));

/** view → host: run the party's delta plan, forcing the agents given; progress comes as state notifications. */
export const runPlanCommand = new CommandType<{ party: string; force?: string[] }>('plan/run', strictObject({ party: name, force: optional(array(name)) }));

/** view → host: the party's delta plan with these agents forced to execute. */
export const getPlanRequest = new RequestType<{ party: string; force?: string[] }, Plan>(
  'plan/get',
  strictObject({ party: name, force: optional(array(name)) }),
);

/** view → host: the estimate at a what-if pricing. */
export const getEstimateRequest = new RequestType<{ pricing: Pricing }, EstimatesViewState>(
  'estimates/get',
  strictObject({ pricing: strictObject({ cachedInputShare: number().check(gte(0), lte(1)), batch: boolean() }) }),
);

/** view → host: apply an advice (an edit of partycost.json); the view's new state follows the save. */
export const applyAdviceCommand = new CommandType<{ agent: string; kind: string; change: string }>(
  'advice/apply',
  strictObject({ agent: name, kind: name, change: name }),
);

/** host → view: the plan view's new state (an edit, a run's progress, a configuration change). */
export const planStateNotification = new NotificationType<PlanViewState>('plan/state');

/** host → view: the estimates view's new state (the configuration changed). */
export const estimatesStateNotification = new NotificationType<EstimatesViewState>('estimates/state');

/** host → view: the token budgets view's new state. */
export const budgetsStateNotification = new NotificationType<BudgetsViewState>('budgets/state');

/** host → view: the cache view's new state (a run, a cleared cache). */
export const cacheStateNotification = new NotificationType<CacheViewState>('cache/state');

/** host → view: the impact view's new state (a save, a run, a refresh's progress). */
export const impactStateNotification = new NotificationType<ImpactViewState>('impact/state');

/** The id of the script element that carries a view's initial state as JSON. */
export const initialStateElementId = 'initial-state';

/** view → host: read the cache statistics again now; the answer comes as a cache state notification. */
export const refreshCacheCommand = new CommandType<Record<string, never>>('cache/refresh', strictObject({}));
