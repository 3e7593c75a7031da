/**
 * The contract between the extension and the sidecar: every JSON-RPC request and notification, declared once and
 * imported by both ends. Methods are named `area/verb`; each says its direction. Each request declares its params'
 * schema here: the sidecar checks every request against it before any handler runs, and answers -32602 naming the
 * field and what it takes (as vscode-languageserver-node declares each message once).
 */
import { NotificationType } from 'vscode-jsonrpc';
import { array, boolean, enum as oneOf, int, lte, gte, minLength, number, optional, positive, record, regex, strictObject, string } from 'zod/mini';
import type { output } from 'zod/mini';
import { CheckedRequest } from './contract/checked';
import type { BudgetState } from './contract/budget';
import type { CacheCleared, CacheReport } from './contract/cache';
import type { Estimate, RightSizing } from './contract/cost';
import type { PartyDetails, PartyInput, PartySummary, ResumeResult, SnapshotInfo, StoredEvent } from './contract/party';
import type { AgentProgress, Plan, RunReport } from './contract/plan';
import type { Pricing } from './contract/pricing';
import type { AgentActuals, LedgerReport, UnattributedAgent } from './contract/ledger';
import type { AccuracyReport } from './contract/accuracy';
import type { ImpactReport } from './contract/impact';
import type { AdviceApplied, AdviceReport } from './contract/advice';
import type { Calibration } from './contract/cost';

const name = string().check(minLength(1));
const party = strictObject({ party: name });
const nothing = strictObject({});

/**
 * Where the sidecar works: sent once, right after it starts. `workspace`: the folder (absolute); `configPath`: the
 * configuration (default `partycost.json` in it); `dbPath`: the database (default `.partycost/partycost.db`);
 * `redisUrl`: a shared Redis cache tier, if any.
 */
const absolute = string().check(regex(/^(\/|[A-Za-z]:[\\/])/, 'an absolute path'));
const initializeParams = strictObject({
  workspace: absolute,
  configPath: optional(absolute),
  dbPath: optional(absolute),
  redisUrl: optional(name),
  /** VS Code trusts the workspace: the endpoints its configuration names may receive API keys. */
  trusted: optional(boolean()),
});
export type InitializeParams = output<typeof initializeParams>;

export interface InitializeResult {
  version: string;
  pid: number;
  /** Node's version in the sidecar (better-sqlite3 is built for it). */
  node: string;
}

/** extension → sidecar: set the sidecar up for a workspace. */
export const initializeRequest = new CheckedRequest<InitializeParams, InitializeResult>('session/initialize', initializeParams);

/** What the sidecar process holds now: memory, and the handles and listeners a leak would grow. */
export interface HealthResult {
  rssBytes: number;
  heapUsedBytes: number;
  /** The heap V8 holds, used or not. */
  heapTotalBytes: number;
  /** Memory outside the heap that JavaScript objects hold (buffers, native modules' objects). */
  externalBytes: number;
  /** Active resources (timers, sockets, files, immediates) by type, as Node counts them. */
  resources: Record<string, number>;
  /** Listeners on the process and on its stdio. */
  listeners: number;
  /** Open file descriptors (Linux), or null where they cannot be counted. */
  fds: number | null;
}

/** extension → sidecar (or a soak bench): the process's health figures. */
export const healthRequest = new CheckedRequest<Record<string, never>, HealthResult>('session/health', nothing);

/** A configuration problem with its position (0-based, as editors count). */
export interface ConfigProblem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  start: { line: number; character: number };
  end: { line: number; character: number };
  /** The file it is in (absolute), when the configuration spans several (a crew); else the main one. */
  file?: string;
}

/** The text to check: the editor's unsaved buffer, so diagnostics follow typing. */
/**
 * `text`: the text of `file` (absolute; the main configuration file when omitted), as an editor holds it; `texts`:
 * other files' unsaved texts by absolute path (a crew's other YAML file). Files not given are read from disk.
 */
const validateParams = strictObject({ text: string(), file: optional(string()), texts: optional(record(string(), string())) });
export type ValidateParams = output<typeof validateParams>;

/** extension → sidecar: every problem of a configuration text. */
export const validateRequest = new CheckedRequest<ValidateParams, { problems: ConfigProblem[] }>('config/validate', validateParams);

/** The estimate with each agent's right-sizing, or the problems that prevent one. */
export type EstimateResult =
  | { estimate: Estimate; rightSizing: RightSizing[]; problems: ConfigProblem[] }
  | { estimate: null; rightSizing: []; problems: ConfigProblem[] };

/** `text`: the configuration text (the file's when omitted); `pricing`: a what-if pricing (list prices when omitted). */
const estimateParams = strictObject({
  text: optional(string()),
  file: optional(string()),
  texts: optional(record(string(), string())),
  pricing: optional(strictObject({ cachedInputShare: number().check(gte(0), lte(1)), batch: boolean() })),
});
export type EstimateParams = output<typeof estimateParams> & { pricing?: Pricing };

/** extension → sidecar: cost per agent, party and month of a configuration text (the file's when omitted). */
export const estimateRequest = new CheckedRequest<EstimateParams, EstimateResult>('config/estimate', estimateParams);

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
export const agentGraphRequest = new CheckedRequest<Record<string, never>, { agents: AgentNode[] }>('config/graph', nothing);

/** extension → sidecar: the parties. */
export const listPartiesRequest = new CheckedRequest<Record<string, never>, { parties: PartySummary[] }>('party/list', nothing);

/** extension → sidecar: a new party, its inputs routed. */
export const createPartyRequest = new CheckedRequest<{ name?: string; inputs?: string[] }, { party: string; name: string; inputs: PartyInput[] }>(
  'party/create',
  strictObject({ name: optional(string()), inputs: optional(array(string())) }),
);

/** extension → sidecar: one party's inputs and results. */
export const getPartyRequest = new CheckedRequest<{ party: string }, PartyDetails>('party/get', party);

/** extension → sidecar: add an input to a party; the result says where it was routed. */
export const addInputRequest = new CheckedRequest<{ party: string; text: string }, PartyInput>('input/add', strictObject({ party: name, text: string() }));

/** extension → sidecar: remove an input. */
export const removeInputRequest = new CheckedRequest<{ party: string; input: string }, PartyInput>('input/remove', strictObject({ party: name, input: name }));

/** extension → sidecar: the delta plan; runs nothing. */
export const planRequest = new CheckedRequest<{ party: string; force?: string[] }, Plan>(
  'plan/compute',
  strictObject({ party: name, force: optional(array(name)) }),
);

/** `runId` is echoed in the progress notifications, so a client can tell runs apart. */
const runParams = strictObject({ party: name, force: optional(array(name)), runId: name });
export type RunParams = output<typeof runParams>;

/** extension → sidecar: execute the delta plan; cancellable with `$/cancelRequest`; progress as `run/progress`. */
export const runRequest = new CheckedRequest<RunParams, RunReport>('run/start', runParams);

/** sidecar → extension: one agent started, finished or failed. */
export const runProgressNotification = new NotificationType<AgentProgress & { runId: string }>('run/progress');

/** sidecar → extension: another process (a terminal's `partycost run`) runs the party; this run waits for it. */
export const runWaitingNotification = new NotificationType<{ runId: string; party: string; holder: string }>('run/waiting');

/** extension → sidecar: write a snapshot. */
export const saveRequest = new CheckedRequest<{ party: string; type?: 'draft' | 'final' }, SnapshotInfo>(
  'snapshot/save',
  strictObject({ party: name, type: optional(oneOf(['draft', 'final'])) }),
);

/** extension → sidecar: restore the latest (or a chosen) snapshot and return the delta plan. */
export const resumeRequest = new CheckedRequest<{ party: string; version?: number }, ResumeResult>(
  'party/resume',
  strictObject({ party: name, version: optional(int().check(positive())) }),
);

/** extension → sidecar: snapshots and events of a party. */
export const historyRequest = new CheckedRequest<{ party: string }, { snapshots: SnapshotInfo[]; events: StoredEvent[] }>('party/history', party);

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
  /** The answer expected: learned from the agent's runs once there are enough, else configured. */
  outputTokens: number;
  outputTokensSource: 'configured' | 'learned';
  learnedFrom: number;
  /** For a model counted approximately: what its billed runs say the count is off by. */
  calibration?: Calibration;
}

/** extension → sidecar: each llm agent's prompt as it would be assembled now from the party's inputs and results. */
export const tokenBudgetsRequest = new CheckedRequest<{ party: string }, { party: string; agents: TokenBudget[] }>('context/budgets', party);

/** extension → sidecar: per-tier cache statistics and savings. */
export const cacheStatsRequest = new CheckedRequest<Record<string, never>, CacheReport>('cache/stats', nothing);

/** extension → sidecar: clear the cache, one agent's entries, or one party's results. */
export const cacheClearRequest = new CheckedRequest<{ agent?: string; party?: string }, CacheCleared>(
  'cache/clear',
  strictObject({ agent: optional(name), party: optional(name) }),
);

/** extension → sidecar: spend per day, week and month against the limits, and the level it sets. */
export const budgetStatusRequest = new CheckedRequest<Record<string, never>, BudgetState>('budget/status', nothing);

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
export const pricesUpdateRequest = new CheckedRequest<Record<string, never>, PricesInfo>('prices/update', nothing);

/** extension → sidecar: the spend ledger's executions (of one party, since an instant), with totals (`partycost ledger`). */
export const ledgerRequest = new CheckedRequest<{ party?: string; since?: string }, LedgerReport>(
  'ledger/list',
  strictObject({ party: optional(name), since: optional(name) }),
);

/** extension → sidecar: per agent, provider and model, what executions actually cost on average, by part. */
export const actualsRequest = new CheckedRequest<Record<string, never>, { agents: AgentActuals[] }>('ledger/actuals', nothing);

/** extension → sidecar: per agent, the configured and learned estimates against its runs; next month from the spend trend. */
export const accuracyRequest = new CheckedRequest<Record<string, never>, AccuracyReport>('ledger/accuracy', nothing);

/** The impact of the configuration on disk on every stored party, with the one-line summary (`partycost impact --by-party`). */
export type ImpactResult = ImpactReport & { summary: string };

/** extension → sidecar: what the configuration re-runs across every stored party, and its cost. */
export const impactRequest = new CheckedRequest<Record<string, never>, ImpactResult>('impact/compute', nothing);

/** The savings advice for the configuration (unsaved `text` of `file` and other files' `texts`, as an estimate takes). */
export interface AdviceResult {
  report: AdviceReport | null;
  problems: ConfigProblem[];
}
const adviceParams = strictObject({ text: optional(string()), file: optional(string()), texts: optional(record(string(), string())) });
export const adviceRequest = new CheckedRequest<{ text?: string; file?: string; texts?: Record<string, string> }, AdviceResult>('advice/compute', adviceParams);

/** extension → sidecar: an advice was applied (the quick fix): kept, so its saving is measured on the runs after it. */
const appliedParams = strictObject({ agent: name, kind: name, change: string(), predictedPerRunUsd: number() });
export const adviceAppliedRequest = new CheckedRequest<AdviceApplied, Record<string, never>>('advice/applied', appliedParams);

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
export const observationsRequest = new CheckedRequest<Record<string, never>, { agents: AgentObservation[] }>('agents/observations', nothing);

/** What production spent today (UTC), and whether the trace receiver runs (and where). */
export interface ProductionStatus {
  today: { costUsd: number; runs: number; calls: number };
  collector: { url: string } | null;
}

/** extension → sidecar: start (or move) the OTLP trace receiver beside the sidecar; null port: stop it. */
const collectorParams = strictObject({ port: optional(int().check(gte(0), lte(65535))), host: optional(name) });
export const collectorRequest = new CheckedRequest<{ port?: number; host?: string }, ProductionStatus>('production/collector', collectorParams);

/** extension → sidecar: today's production spend and the receiver's state (the status bar). */
export const productionRequest = new CheckedRequest<Record<string, never>, ProductionStatus>('production/status', nothing);

/** extension → sidecar: the agents traces named that match no configured one. */
export const unattributedRequest = new CheckedRequest<Record<string, never>, { agents: UnattributedAgent[] }>('production/unattributed', nothing);

/** extension → sidecar: map a traced agent's name to a configured agent (the quick fix). */
export const mapAgentRequest = new CheckedRequest<{ name: string; agent: string }, { moved: number }>(
  'production/map',
  strictObject({ name: string().check(minLength(1)), agent: name }),
);

/** sidecar → extension: the trace receiver recorded calls (production spend and learned figures may have changed). */
export const productionChangedNotification = new NotificationType<{ recorded: number }>('production/changed');

export interface StatusParams {
  state: 'ready' | 'error';
  message: string;
}

/** sidecar → extension: health; sent when the sidecar is ready and when it reports an unexpected error. */
export const statusNotification = new NotificationType<StatusParams>('sidecar/status');

/** sidecar → extension: parties changed (created, edited, run), so views refresh. */
export const partiesChangedNotification = new NotificationType<{ party: string }>('party/changed');
