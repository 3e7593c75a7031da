import type { AgentConfig, PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import { templateTokens } from './agentTokens';
import { scale, sum, toUsd, unitCost } from './money';
import type { Pico } from './money';
import type { PriceBook } from './prices';
import { checkedPricing, listPricing } from '../contract/pricing';
import type { Pricing } from '../contract/pricing';
import { resourceCosts } from './usageCost';
import { catalogueInfo } from './catalogue';
import type { AgentEstimate, AgentLearning, Calibration, Component, Estimate, Learning, LlmParts, TokenCount } from '../contract/cost';

/** Completion tokens assumed for an agent that does not declare `expectedOutputTokens`. */
export const defaultOutputTokens = 256;
export const defaultVolume = { partiesPerMonth: 1000, rerunFactor: 1 };

/** An agent's learning when its runs are enough to replace the configured figures. */
export function learnedEnough(name: string, learning: Learning | undefined): AgentLearning | undefined {
  const learned = learning?.agents.get(name);
  return learned && learned.output && learned.input && learned.window >= learned.minRuns ? learned : undefined;
}

/** An agent's output tokens for an estimate: the p50 of its runs once there are enough, else `expectedOutputTokens`. */
export function outputTokensOf(name: string, config: PartyConfig, learning?: Learning): number {
  return learnedEnough(name, learning)?.output!.p50 ?? config.agents[name]?.expectedOutputTokens ?? defaultOutputTokens;
}

/**
 * An agent's prompt tokens for an estimate: the p50 of its runs' billed prompts once there are enough (inputs fill
 * the prompt at run time); else `expectedInputTokens`; else its template counted as a chat (corrected by the model's
 * calibration when counted approximately) plus each upstream result at its producer's output tokens.
 */
export function estimatedInputTokens(
  name: string,
  agent: AgentConfig,
  model: string,
  config: PartyConfig,
  learning?: Learning,
): { tokens: number; count: TokenCount; calibration?: Calibration } {
  const learned = learnedEnough(name, learning);
  if (learned) return { tokens: learned.input!.p50, count: 'learned' };
  if (agent.expectedInputTokens !== undefined) return { tokens: agent.expectedInputTokens, count: 'declared' };
  const template = templateTokens(agent, model);
  const upstream = (agent.dependsOn ?? []).reduce((total, dep) => total + outputTokensOf(dep, config, learning), 0);
  const calibration = template.exact ? undefined : learning?.calibration.get(model);
  if (calibration) return { tokens: Math.round(template.tokens * calibration.factor) + upstream, count: 'calibrated', calibration };
  return { tokens: template.tokens + upstream, count: template.exact ? 'counted' : 'approximate' };
}

const noParts: LlmParts = { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0 };

function agentCost(name: string, agent: AgentConfig, config: PartyConfig, prices: PriceBook, pricing: Pricing, at: Date, learning?: Learning): { estimate: AgentEstimate; cost: Pico } {
  const model = agentModel(agent, config);
  const priced = model ? prices.model(model) : undefined;
  const input = model ? estimatedInputTokens(name, agent, model, config, learning) : { tokens: 0, count: 'none' as const };
  const learned = model ? learnedEnough(name, learning) : undefined;
  const configuredOutputTokens = model ? (agent.expectedOutputTokens ?? defaultOutputTokens) : 0;
  const outputTokens = learned ? learned.output!.p50 : configuredOutputTokens;
  const runsOn = agentProvider(agent, config);
  // An agent marked `batch` runs through its vendor's batch API (driven for OpenAI and Anthropic, and as the offline
  // provider counts it): priced so, as the what-if prices every agent.
  const ownBatch = agent.batch === true && runsOn !== 'gemini';
  const batch = pricing.batch || ownBatch;
  const llmAt = (inputTokens: number, output: number) =>
    priced ? prices.price(priced, { inputTokens, cacheReadTokens: Math.round(inputTokens * pricing.cachedInputShare), outputTokens: output }, { batch, at }) : null;
  const llm = llmAt(input.tokens, outputTokens);
  const resources = resourceCosts(agent.resources, prices);
  const parts: Record<Component, Pico> = { llm: llm?.total ?? 0n, ...resources };
  const cost = sum(Object.values(parts));
  const breakdown = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, toUsd(v)])) as Record<Component, number>;
  const llmParts = llm ? { inputUsd: toUsd(llm.parts.input), cacheReadUsd: toUsd(llm.parts.cacheRead), cacheWriteUsd: toUsd(llm.parts.cacheWrite), outputUsd: toUsd(llm.parts.output + llm.parts.reasoning) } : noParts;
  const p90 = learned ? llmAt(learned.input!.p90, learned.output!.p90) : null;
  const agentLearning = model ? learning?.agents.get(name) : undefined;
  return {
    cost,
    estimate: {
      agent: name,
      kind: agent.kind ?? 'llm',
      model,
      provider: priced?.provider ?? null,
      runsOn,
      inputTokens: input.tokens,
      outputTokens,
      tokenCount: input.count,
      outputTokensSource: learned ? 'learned' : 'configured',
      learnedFrom: learned ? learned.window : 0,
      configuredOutputTokens,
      ...(agentLearning ? { learning: agentLearning } : {}),
      ...('calibration' in input && input.calibration ? { calibration: input.calibration } : {}),
      // Against list prices only: a what-if pricing is not what the runs were billed at.
      ...(!pricing.batch && pricing.cachedInputShare === 0 ? drift(agentLearning, toUsd(cost)) : {}),
      ...(p90 ? { costPerRunP90Usd: toUsd(p90.total + sum(Object.values(resources))) } : {}),
      costPerRunUsd: toUsd(cost),
      breakdown,
      llmParts,
      contextWindow: priced?.contextWindow ?? null,
      maxOutputTokens: priced?.maxOutputTokens ?? null,
      ...(llm?.tierAbove ? { tierAbove: llm.tierAbove } : {}),
      ...(batch && priced && !priced.batch && !priced.batchModel ? { batchUnavailable: true } : {}),
      ...(ownBatch && model ? { batch: true as const } : {}),
    },
  };
}

/** The runs' mean actual cost against the estimate, in percent of it (one decimal). */
function drift(learning: AgentLearning | undefined, costPerRunUsd: number): { driftPercent?: number } {
  const actual = learning?.actualMeanCostUsd;
  if (actual === null || actual === undefined || costPerRunUsd <= 0) return {};
  return { driftPercent: Math.round(((actual - costPerRunUsd) / costPerRunUsd) * 1000) / 10 };
}

/**
 * Cost per agent run, per party (all agents once plus orchestration) and per month at the configured volume; with
 * `learning`, each agent's tokens are learned from its runs once there are enough (labelled in each agent's estimate).
 */
export function estimate(config: PartyConfig, prices: PriceBook, pricing: Pricing = listPricing, learning?: Learning): Estimate {
  checkedPricing(pricing);
  const at = new Date();
  const agents = Object.entries(config.agents).map(([name, agent]) => agentCost(name, agent, config, prices, pricing, at, learning));
  const orchestration = unitCost(1, prices.resources.orchestration);
  const perParty = sum(agents.map((a) => a.cost)) + orchestration;
  const volume = { ...defaultVolume, ...config.volume };
  return {
    agents: agents.map((a) => a.estimate),
    orchestrationUsd: toUsd(orchestration),
    perPartyUsd: toUsd(perParty),
    perMonthUsd: toUsd(scale(perParty, volume.partiesPerMonth * volume.rerunFactor)),
    volume,
    prices: { source: prices.source, date: prices.date, overridden: prices.overridden, ...fetched() },
    pricing,
  };
}

/** When the prices in force were fetched by an update (absent: the bundled data). */
function fetched(): { fetchedAt?: string } {
  const { fetchedAt } = catalogueInfo();
  return fetchedAt ? { fetchedAt } : {};
}
