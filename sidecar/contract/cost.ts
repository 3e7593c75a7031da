/** The shapes of a cost estimate and of model right-sizing, as `config/estimate` returns them. */
import type { Pricing } from './pricing';

/** The parts of an agent run's cost. */
export type Component = 'llm' | 'vector' | 'compute' | 'cache' | 'sql';

/**
 * How an agent's input tokens were found: `counted` with its model's own tokenizer, `approximate` with o200k for a
 * model outside the OpenAI families, `declared` by `expectedInputTokens`, `none` for a compute agent.
 */
export type TokenCount = 'counted' | 'approximate' | 'declared' | 'none';

/** A model run's charges by part, in USD: uncached input, cache reads, cache writes, output (reasoning included). */
export interface LlmParts {
  inputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
}

/** One agent's estimate: its tokens and its cost per run, by component. */
export interface AgentEstimate {
  agent: string;
  kind: 'llm' | 'compute';
  model: string | null;
  /** The provider whose prices apply (the model's own vendor for a bare name); null for a compute agent. */
  provider: string | null;
  /** The provider the agent runs on (offline by default: usage counted locally); builtin for a compute agent. */
  runsOn: 'offline' | 'openai' | 'anthropic' | 'gemini' | 'builtin';
  inputTokens: number;
  outputTokens: number;
  tokenCount: TokenCount;
  costPerRunUsd: number;
  breakdown: Record<Component, number>;
  /** The llm component by part. */
  llmParts: LlmParts;
  /** The model's context window in tokens, when a catalogue knows it. */
  contextWindow: number | null;
  /** The model's maximum output tokens of one answer, when a catalogue knows it. */
  maxOutputTokens: number | null;
  /** A long-context tier applies: every token bills at the rate for prompts above this many input tokens. */
  tierAbove?: number;
  /** The Batch API what-if was asked but the model's provider has no batch API: priced at list prices. */
  batchUnavailable?: true;
}

/** Parties per month and runs per party. */
export interface Volume {
  partiesPerMonth: number;
  rerunFactor: number;
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
