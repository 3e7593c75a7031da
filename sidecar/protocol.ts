/**
 * The contract between the extension and the sidecar: every JSON-RPC request and notification, declared once and
 * imported by both ends. Methods are named `area/verb`; each says its direction.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { BudgetState } from './contract/budget';
import type { CacheReport } from './contract/cache';
import type { Estimate, RightSizing } from './contract/cost';
import type { PartyDetails, PartyInput, PartySummary, ResumeResult, SnapshotInfo, StoredEvent } from './contract/party';
import type { AgentProgress, Plan, RunReport } from './contract/plan';
import type { Pricing } from './contract/pricing';
import type { AgentActuals, LedgerReport } from './contract/ledger';

/** Where the sidecar works: sent once, right after it starts. */
export interface InitializeParams {
  /** The workspace folder (absolute). */
  workspace: string;
  /** The configuration file (absolute); default `partycost.json` in the workspace. */
  configPath?: string;
  /** The database (absolute); default `.partycost/partycost.db` in the workspace. */
  dbPath?: string;
  /** A shared Redis cache tier, if any. */
  redisUrl?: string;
}

export interface InitializeResult {
  version: string;
  pid: number;
  /** Node's version in the sidecar (better-sqlite3 is built for it). */
  node: string;
}

/** extension → sidecar: set the sidecar up for a workspace. */
export const initializeRequest = new RequestType<InitializeParams, InitializeResult, void>('session/initialize');

/** A configuration problem with its position (0-based, as editors count). */
export interface ConfigProblem {
  severity: 'error' | 'warning';
  message: string;
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ValidateParams {
  /** The text to check: the editor's unsaved buffer, so diagnostics follow typing. */
  text: string;
}

/** extension → sidecar: every problem of a configuration text. */
export const validateRequest = new RequestType<ValidateParams, { problems: ConfigProblem[] }, void>('config/validate');

/** The estimate with each agent's right-sizing, or the problems that prevent one. */
export type EstimateResult = { estimate: Estimate; rightSizing: RightSizing[]; problems: ConfigProblem[] } | { estimate: null; rightSizing: []; problems: ConfigProblem[] };

export interface EstimateParams {
  /** The configuration text; the file's when omitted. */
  text?: string;
  /** What-if pricing (cached-input share, Batch API); list prices when omitted. */
  pricing?: Pricing;
}

/** extension → sidecar: cost per agent, party and month of a configuration text (the file's when omitted). */
export const estimateRequest = new RequestType<EstimateParams, EstimateResult, void>('config/estimate');

/** One agent as the delta plan's graph draws it. */
export interface AgentNode {
  agent: string;
  dependsOn: string[];
  kind: 'llm' | 'compute';
  model: string | null;
  /** The provider it runs on (builtin for a compute agent). */
  provider: string;
  essential: boolean;
}

/** extension → sidecar: the agents of the configuration in force and their dependencies. */
export const agentGraphRequest = new RequestType<Record<string, never>, { agents: AgentNode[] }, void>('config/graph');

/** extension → sidecar: the parties. */
export const listPartiesRequest = new RequestType<Record<string, never>, { parties: PartySummary[] }, void>('party/list');

/** extension → sidecar: a new party, its inputs routed. */
export const createPartyRequest = new RequestType<{ name?: string; inputs?: string[] }, { party: string; name: string; inputs: PartyInput[] }, void>('party/create');

/** extension → sidecar: one party's inputs and results. */
export const getPartyRequest = new RequestType<{ party: string }, PartyDetails, void>('party/get');

/** extension → sidecar: add an input to a party; the result says where it was routed. */
export const addInputRequest = new RequestType<{ party: string; text: string }, PartyInput, void>('input/add');

/** extension → sidecar: remove an input. */
export const removeInputRequest = new RequestType<{ party: string; input: string }, PartyInput, void>('input/remove');

/** extension → sidecar: the delta plan; runs nothing. */
export const planRequest = new RequestType<{ party: string; force?: string[] }, Plan, void>('plan/compute');

export interface RunParams {
  party: string;
  force?: string[];
  /** Echoed in the progress notifications, so a client can tell runs apart. */
  runId: string;
}

/** extension → sidecar: execute the delta plan; cancellable with `$/cancelRequest`; progress as `run/progress`. */
export const runRequest = new RequestType<RunParams, RunReport, void>('run/start');

/** sidecar → extension: one agent started, finished or failed. */
export const runProgressNotification = new NotificationType<AgentProgress & { runId: string }>('run/progress');

/** extension → sidecar: write a snapshot. */
export const saveRequest = new RequestType<{ party: string; type?: 'draft' | 'final' }, SnapshotInfo, void>('snapshot/save');

/** extension → sidecar: restore the latest (or a chosen) snapshot and return the delta plan. */
export const resumeRequest = new RequestType<{ party: string; version?: number }, ResumeResult, void>('party/resume');

/** extension → sidecar: snapshots and events of a party. */
export const historyRequest = new RequestType<{ party: string }, { snapshots: SnapshotInfo[]; events: StoredEvent[] }, void>('party/history');

/** One agent's prompt against its context budget, by part, with the upstream results' forms. */
export interface TokenBudget {
  agent: string;
  model: string;
  budget: number | null;
  tokens: number;
  parts: { instructions: number; inputs: number; upstream: number };
  upstream: { agent: string; form: 'whole' | 'summary' | 'reference' | 'none'; tokensWhole: number; tokensUsed: number }[];
  prunedTokens: number;
  overBudget: boolean;
}

/** extension → sidecar: each llm agent's prompt as it would be assembled now from the party's inputs and results. */
export const tokenBudgetsRequest = new RequestType<{ party: string }, { party: string; agents: TokenBudget[] }, void>('context/budgets');

/** extension → sidecar: per-tier cache statistics and savings. */
export const cacheStatsRequest = new RequestType<Record<string, never>, CacheReport, void>('cache/stats');

/** extension → sidecar: clear the cache, one agent's entries, or one party's results. */
export const cacheClearRequest = new RequestType<{ agent?: string; party?: string }, { cleared: number }, void>('cache/clear');

/** extension → sidecar: spend per day, week and month against the limits, and the level it sets. */
export const budgetStatusRequest = new RequestType<Record<string, never>, BudgetState, void>('budget/status');

/** Where the prices in force come from: the catalogue's version and date, or when an update fetched them. */
export interface PricesInfo {
  source: string;
  date: string;
  version: string;
  fetchedAt?: string;
  providers: number;
  models: number;
}

/** extension → sidecar: fetch the price catalogue's newest data and keep it in the workspace (`partycost prices --update`). */
export const pricesUpdateRequest = new RequestType<Record<string, never>, PricesInfo, void>('prices/update');

/** extension → sidecar: the spend ledger's executions (of one party, since an instant), with totals (`partycost ledger`). */
export const ledgerRequest = new RequestType<{ party?: string; since?: string }, LedgerReport, void>('ledger/list');

/** extension → sidecar: per agent, provider and model, what executions actually cost on average, by part. */
export const actualsRequest = new RequestType<Record<string, never>, { agents: AgentActuals[] }, void>('ledger/actuals');

/** Per-agent observations for hovers: how often its results were reused or hit, and their effective cost. */
export interface AgentObservation {
  agent: string;
  executions: number;
  hits: number;
  hitRate: number;
  /** Spend per run including free hits: executions' cost over all runs. */
  effectiveCostUsd: number | null;
}

/** extension → sidecar: what the ledger and cache have seen of each agent. */
export const observationsRequest = new RequestType<Record<string, never>, { agents: AgentObservation[] }, void>('agents/observations');

export interface StatusParams {
  state: 'ready' | 'error';
  message: string;
}

/** sidecar → extension: health; sent when the sidecar is ready and when it reports an unexpected error. */
export const statusNotification = new NotificationType<StatusParams>('sidecar/status');

/** sidecar → extension: parties changed (created, edited, run), so views refresh. */
export const partiesChangedNotification = new NotificationType<{ party: string }>('party/changed');
