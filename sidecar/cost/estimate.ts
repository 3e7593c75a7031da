import type { AgentConfig, PartyConfig } from '../config/schema';
import { templateTokens } from './agentTokens';
import { scale, sum, toUsd, unitCost } from './money';
import type { Pico } from './money';
import type { PriceBook } from './prices';
import { checkedPricing, listPricing } from '../contract/pricing';
import type { Pricing } from '../contract/pricing';
import { llmCost, resourceCosts } from './usageCost';
import type { AgentEstimate, Component, Estimate, TokenCount } from '../contract/cost';

/** Completion tokens assumed for an agent that does not declare `expectedOutputTokens`. */
export const defaultOutputTokens = 256;
export const defaultVolume = { partiesPerMonth: 1000, rerunFactor: 1 };

/** The model an agent calls, or null for a compute agent. */
export function agentModel(agent: AgentConfig, config: PartyConfig): string | null {
  return agent.kind === 'compute' ? null : (agent.model ?? config.defaults?.model ?? null);
}

function inputTokens(agent: AgentConfig, model: string, config: PartyConfig): { tokens: number; count: TokenCount } {
  if (agent.expectedInputTokens !== undefined) return { tokens: agent.expectedInputTokens, count: 'declared' };
  const template = templateTokens(agent, model);
  // Upstream results are placed in the prompt; each is sized by its producer's expected output.
  const upstream = (agent.dependsOn ?? []).map((dep) => config.agents[dep]?.expectedOutputTokens ?? defaultOutputTokens);
  return { tokens: template.tokens + upstream.reduce((a, b) => a + b, 0), count: template.exact ? 'counted' : 'approximate' };
}

/** The price book as the what-if sees it: with batch, each model's batch prices and its cached price at the same discount. */
function pricedFor(prices: PriceBook, pricing: Pricing): PriceBook {
  if (!pricing.batch) return prices;
  const models = Object.fromEntries(
    Object.entries(prices.models).map(([name, p]) => [name, { ...p, input: p.batchInput, output: p.batchOutput, cachedInput: p.cachedInput * (p.batchInput / p.input || 1) }]),
  );
  return { ...prices, models };
}

function agentCost(name: string, agent: AgentConfig, config: PartyConfig, prices: PriceBook, pricing: Pricing): { estimate: AgentEstimate; cost: Pico } {
  const model = agentModel(agent, config);
  const input = model ? inputTokens(agent, model, config) : { tokens: 0, count: 'none' as const };
  const outputTokens = model ? (agent.expectedOutputTokens ?? defaultOutputTokens) : 0;
  const parts: Record<Component, Pico> = {
    llm: llmCost(model, { inputTokens: input.tokens, cachedTokens: Math.round(input.tokens * pricing.cachedInputShare), outputTokens }, prices),
    ...resourceCosts(agent.resources, prices),
  };
  const cost = sum(Object.values(parts));
  const breakdown = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, toUsd(v)])) as Record<Component, number>;
  return {
    cost,
    estimate: {
      agent: name,
      kind: agent.kind ?? 'llm',
      model,
      inputTokens: input.tokens,
      outputTokens,
      tokenCount: input.count,
      costPerRunUsd: toUsd(cost),
      breakdown,
    },
  };
}

/** Cost per agent run, per party (all agents once plus orchestration) and per month at the configured volume. */
export function estimate(config: PartyConfig, prices: PriceBook, pricing: Pricing = listPricing): Estimate {
  const priced = pricedFor(prices, checkedPricing(pricing));
  const agents = Object.entries(config.agents).map(([name, agent]) => agentCost(name, agent, config, priced, pricing));
  const orchestration = unitCost(1, prices.resources.orchestration);
  const perParty = sum(agents.map((a) => a.cost)) + orchestration;
  const volume = { ...defaultVolume, ...config.volume };
  return {
    agents: agents.map((a) => a.estimate),
    orchestrationUsd: toUsd(orchestration),
    perPartyUsd: toUsd(perParty),
    perMonthUsd: toUsd(scale(perParty, volume.partiesPerMonth * volume.rerunFactor)),
    volume,
    prices: { source: prices.source, date: prices.date, overridden: prices.overridden },
    pricing,
  };
}
