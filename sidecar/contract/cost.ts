/** The shapes of a cost estimate and of model right-sizing, as `config/estimate` returns them. */
import type { Pricing } from './pricing';

/** The parts of an agent run's cost. */
export type Component = 'llm' | 'vector' | 'compute' | 'cache' | 'sql';

/**
 * How an agent's input tokens were found: `counted` with its model's own tokenizer, `approximate` with o200k for a
 * model outside the OpenAI families, `declared` by `expectedInputTokens`, `none` for a compute agent.
 */
export type TokenCount = 'counted' | 'approximate' | 'declared' | 'none';

/** One agent's estimate: its tokens and its cost per run, by component. */
export interface AgentEstimate {
  agent: string;
  kind: 'llm' | 'compute';
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  tokenCount: TokenCount;
  costPerRunUsd: number;
  breakdown: Record<Component, number>;
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
  prices: { source: string; date: string; overridden: string[] };
  pricing: Pricing;
}

/** A model an agent could run on, with its cost per run and its profile. */
export interface ModelChoice {
  model: string;
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
  suggested: ModelChoice | null;
  savingPerRunUsd: number;
  savingPerMonthUsd: number;
}
