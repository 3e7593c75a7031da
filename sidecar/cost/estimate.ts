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
import type { AgentEstimate, Component, Estimate, LlmParts, TokenCount } from '../contract/cost';

/** Completion tokens assumed for an agent that does not declare `expectedOutputTokens`. */
export const defaultOutputTokens = 256;
export const defaultVolume = { partiesPerMonth: 1000, rerunFactor: 1 };

/** An agent's prompt tokens for an estimate: its template counted as a chat, plus its upstream results' expected sizes. */
export function estimatedInputTokens(agent: AgentConfig, model: string, config: PartyConfig): { tokens: number; count: TokenCount } {
  if (agent.expectedInputTokens !== undefined) return { tokens: agent.expectedInputTokens, count: 'declared' };
  const template = templateTokens(agent, model);
  // Upstream results are placed in the prompt; each is sized by its producer's expected output.
  const upstream = (agent.dependsOn ?? []).map((dep) => config.agents[dep]?.expectedOutputTokens ?? defaultOutputTokens);
  return { tokens: template.tokens + upstream.reduce((a, b) => a + b, 0), count: template.exact ? 'counted' : 'approximate' };
}

const noParts: LlmParts = { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0 };

function agentCost(name: string, agent: AgentConfig, config: PartyConfig, prices: PriceBook, pricing: Pricing, at: Date): { estimate: AgentEstimate; cost: Pico } {
  const model = agentModel(agent, config);
  const priced = model ? prices.model(model) : undefined;
  const input = model ? estimatedInputTokens(agent, model, config) : { tokens: 0, count: 'none' as const };
  const outputTokens = model ? (agent.expectedOutputTokens ?? defaultOutputTokens) : 0;
  const usage = { inputTokens: input.tokens, cacheReadTokens: Math.round(input.tokens * pricing.cachedInputShare), outputTokens };
  const llm = priced ? prices.price(priced, usage, { batch: pricing.batch, at }) : null;
  const parts: Record<Component, Pico> = { llm: llm?.total ?? 0n, ...resourceCosts(agent.resources, prices) };
  const cost = sum(Object.values(parts));
  const breakdown = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, toUsd(v)])) as Record<Component, number>;
  const llmParts = llm ? { inputUsd: toUsd(llm.parts.input), cacheReadUsd: toUsd(llm.parts.cacheRead), cacheWriteUsd: toUsd(llm.parts.cacheWrite), outputUsd: toUsd(llm.parts.output + llm.parts.reasoning) } : noParts;
  return {
    cost,
    estimate: {
      agent: name,
      kind: agent.kind ?? 'llm',
      model,
      provider: priced?.provider ?? null,
      runsOn: agentProvider(agent, config),
      inputTokens: input.tokens,
      outputTokens,
      tokenCount: input.count,
      costPerRunUsd: toUsd(cost),
      breakdown,
      llmParts,
      contextWindow: priced?.contextWindow ?? null,
      maxOutputTokens: priced?.maxOutputTokens ?? null,
      ...(llm?.tierAbove ? { tierAbove: llm.tierAbove } : {}),
      ...(pricing.batch && priced && !priced.batch && !priced.batchModel ? { batchUnavailable: true } : {}),
    },
  };
}

/** Cost per agent run, per party (all agents once plus orchestration) and per month at the configured volume. */
export function estimate(config: PartyConfig, prices: PriceBook, pricing: Pricing = listPricing): Estimate {
  checkedPricing(pricing);
  const at = new Date();
  const agents = Object.entries(config.agents).map(([name, agent]) => agentCost(name, agent, config, prices, pricing, at));
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
