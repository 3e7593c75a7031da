import type { ProductionRuns } from './ledger';
/** The shapes of a cost estimate and of model right-sizing, as `config/estimate` returns them. */
import type { Pricing } from './pricing';

/** The parts of an agent run's cost. */
export type Component = 'llm' | 'vector' | 'compute' | 'cache' | 'sql';

/**
 * How an agent's input tokens were found: `counted` with its model's own tokenizer, `approximate` with o200k for a
 * model outside the OpenAI families, `calibrated`: approximate, corrected by what the vendor billed for the model's
 * runs; `declared` by `expectedInputTokens`; `learned` from the agent's own runs; `none` for a compute agent.
 */
export type TokenCount = 'counted' | 'approximate' | 'calibrated' | 'declared' | 'learned' | 'none';

/** Token figures over an agent's latest runs (nearest-rank percentiles). */
export interface LearnedTokens {
  p50: number;
  p90: number;
  mean: number;
}

/** What an agent's runs, as it is now configured, teach its estimate; and why its figures are learned or not yet. */
export interface AgentLearning {
  /** Executions of the agent as now configured (provider, endpoint, model, system, prompt) that reported usage. */
  runs: number;
  /** The newest of them the figures are taken over (at most the window). */
  window: number;
  /** Runs needed before learned figures replace the configured ones. */
  minRuns: number;
  /** Prompt tokens billed (the filled prompt, cache reads and writes included); null without runs. */
  input: LearnedTokens | null;
  /** Output tokens billed (reasoning included); null without runs. */
  output: LearnedTokens | null;
  /** What the window's runs cost on average (billed usage at the prices of their day); null without runs. */
  actualMeanCostUsd: number | null;
  /** Runs of the window under a quarter or over four times the median output: a cut-off or runaway answer. */
  outliers: number;
  /**
   * Model calls per run, from the window's runs whose calls were counted (a loop seen in traces); null when none were.
   * With it, `input` and `output` are a whole run's.
   */
  calls: LearnedTokens | null;
  /** Executions under an earlier prompt, model or provider of this agent: they no longer describe it. */
  earlierRuns: number;
  /** One sentence: what the figures are learned from, or why the configured ones still apply. */
  why: string;
}

/** What an agent's latest runs show, as the ledger keeps it per agent, prompt and window. */
export type RunFigures = Pick<AgentLearning, 'window' | 'input' | 'output' | 'actualMeanCostUsd' | 'outliers' | 'calls'>;

/** What the ledger teaches a configuration's estimate: per LLM agent, and per model counted approximately. */
export interface Learning {
  agents: Map<string, AgentLearning>;
  /** Approximately counted models with enough runs to correct their counts. */
  calibration: Map<string, Calibration>;
}

/** A model's prompt counts corrected by what its vendor billed: actual input tokens ÷ our count, over its runs. */
export interface Calibration {
  model: string;
  factor: number;
  runs: number;
}

/** A model run's charges by part, in USD: uncached input, cache reads, cache writes, output (reasoning included). */
export interface LlmParts {
  inputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
}

/** Model calls per run of an agent (1 without tools; a loop with them), and where the figure comes from. */
export interface CallsPerRun {
  p50: number;
  p90: number;
  /** The bound of the loop (`maxCalls`: e.g. CrewAI's max_iter + 1), if any. */
  max: number | null;
  /** `one call`: no tools; `assumed`: tools, the stated default; `configured`: `expectedCalls`; `learned`: the agent's runs. */
  source: 'one call' | 'assumed' | 'configured' | 'learned';
}

/** One agent's estimate: its tokens and its cost per run, by component. */
export interface AgentEstimate {
  /** The agent's name; in a crew, the task's. */
  agent: string;
  /** In a crew: the CrewAI agent that performs the task (or the crew's own: manager, planner, memory). */
  crewAgent?: string;
  /** The agents whose results its prompt carries. */
  dependsOn?: string[];
  /** Where the model comes from, when the configuration's framework decides it (`crew.py:14`, `.env (MODEL)`, `CrewAI default (gpt-4.1-mini)`). */
  modelSource?: string;
  /** The model is served on this machine (ollama/…, lm_studio/…, a localhost base_url): it costs nothing. */
  local?: true;
  /** Where the agent is defined, when it is not in partycost.json: a crew task's `@task` method, YAML key or crew.jsonc entry. */
  definedAt?: SourcePlace;
  kind: 'llm' | 'compute';
  model: string | null;
  /** The provider whose prices apply (the model's own vendor for a bare name); null for a compute agent. */
  provider: string | null;
  /** The provider the agent runs on (offline by default: usage counted locally); builtin for a compute agent. */
  runsOn: 'offline' | 'openai' | 'anthropic' | 'gemini' | 'builtin';
  /** Prompt tokens of a run: every call's, at the median calls per run. */
  inputTokens: number;
  /** Output tokens of a run: the answer, and each call that asks for a tool. */
  outputTokens: number;
  tokenCount: TokenCount;
  /** Model calls per run: one, or the loop of an agent with tools. */
  callsPerRun: CallsPerRun;
  /** A loop's first call: its prompt tokens (the tools' definitions included). */
  firstCallInputTokens?: number;
  /** The function tools sent with each call. */
  tools?: string[];
  /** Where `outputTokens` comes from: the configuration (`expectedOutputTokens`, else 256) or the agent's runs. */
  outputTokensSource: 'configured' | 'learned';
  /** Runs the learned figures are taken over; 0 when the configured ones apply. */
  learnedFrom: number;
  /** The configuration's output tokens (the prior); 0 for a compute agent. */
  configuredOutputTokens: number;
  /** What the ledger teaches (absent when the estimate was made without one, and for compute agents). */
  learning?: AgentLearning;
  /** The approximate count corrected by the model's billed runs (absent when not applied). */
  calibration?: Calibration;
  /**
   * How far the runs' mean actual cost is from `costPerRunUsd`, in percent of it (positive: runs cost more); absent
   * without runs or when the estimate is zero. Beyond ±25 % the estimate has drifted (`driftLimitPercent`).
   */
  driftPercent?: number;
  /** With learned figures: the cost of a run at their p90 (input and output): the spread. */
  costPerRunP90Usd?: number;
  costPerRunUsd: number;
  breakdown: Record<Component, number>;
  /** The llm component by part. */
  llmParts: LlmParts;
  /** The model's context window in tokens, when a catalogue knows it. */
  contextWindow: number | null;
  /** The model's maximum output tokens of one answer, when a catalogue knows it. */
  maxOutputTokens: number | null;
  /** What the agent's traced runs (production, collected or imported) cost, over how many: beside the estimate. */
  production?: ProductionRuns;
  /** A long-context tier applies: every token bills at the rate for prompts above this many input tokens. */
  tierAbove?: number;
  /** The Batch API what-if was asked but the model's provider has no batch API: priced at list prices. */
  batchUnavailable?: true;
  /** The agent is marked `batch`: it runs through its vendor's batch API, priced at the batch discount. */
  batch?: true;
}

/** Actual costs this far from the estimate (in percent of it) are a drift worth a warning. */
export const driftLimitPercent = 25;

/** Parties per month and runs per party. */
export interface Volume {
  partiesPerMonth: number;
  rerunFactor: number;
}

/** The volume a configuration that sets none is projected at. */
export const defaultVolume: Volume = { partiesPerMonth: 1000, rerunFactor: 1 };

/** A configuration's volume, its unset parts at their defaults. */
export function volumeOf(configured: Partial<Volume> | undefined): Volume {
  return { ...defaultVolume, ...configured };
}

/** Runs of each agent a month at a volume: parties a month × runs a party. Every monthly projection multiplies by it. */
export function runsPerMonth(volume: Volume): number {
  return volume.partiesPerMonth * volume.rerunFactor;
}

/** A configuration's estimate: per agent, per party and per month, with the prices' source and date. */
export interface Estimate {
  agents: AgentEstimate[];
  orchestrationUsd: number;
  perPartyUsd: number;
  perMonthUsd: number;
  volume: Volume;
  /** Where the prices come from and how fresh: the catalogue's version's date, or when an update fetched it. */
  prices: { source: string; date: string; overridden: string[]; fetchedAt?: string };
  pricing: Pricing;
  /** What the configuration's reading could not know, or assumed (a crew's Python): each where it stands. */
  warnings?: SourceNote[];
  /** A crew's: the CrewAI version whose prompts are priced, and where it comes from (uv.lock, pyproject.toml). */
  crewai?: { version: string; from: string };
  /**
   * The agent frameworks whose requests are priced (`OpenAI Agents SDK`, `Google ADK`), each with the version whose
   * behaviour is priced and where that comes from (uv.lock, pyproject.toml, package.json, or the newest read).
   */
  frameworks?: { name: string; version: string; from: string }[];
}

/** A place in a configuration's files, 1-based, as editors and compilers print it. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
}

/** A warning (something unknown, priced at a stated assumption) or a note (something assumed) where it stands. */
export interface SourceNote extends SourcePlace {
  severity: 'warning' | 'info';
  message: string;
}

/** A model an agent could run on, with its cost per run and its profile. */
export interface ModelChoice {
  model: string;
  /** The provider whose prices apply. */
  provider: string | null;
  costPerRunUsd: number;
  quality: number | null;
  latencyMs: number | null;
}

/** For one agent: the cheapest model that meets its needs and fits its prompt, if cheaper than the one it uses. */
export interface RightSizing {
  agent: string;
  current: ModelChoice;
  /** The needs weighed: `minQuality` (else the current model's quality: never a silent downgrade) and `maxLatencyMs`. */
  needs: { minQuality: number | null; maxLatencyMs: number | null };
  /** The cheapest model that meets the needs, the agent's own vendor first. */
  suggested: ModelChoice | null;
  /** Other cheaper models that meet the needs, cheapest first (other vendors among them). */
  alternatives: ModelChoice[];
  savingPerRunUsd: number;
  savingPerMonthUsd: number;
}
