import type { AgentConfig } from '../config/schema';
import type { Usage } from '../contract/party';
import type { PricedCost, PricedUsage } from './catalogue';
import { sum, unitCost } from './money';
import type { Pico } from './money';
import type { PriceBook } from './prices';

export type ResourceComponent = 'vector' | 'compute' | 'cache' | 'sql';

/** What one run's non-model resources cost, per component. */
export function resourceCosts(resources: AgentConfig['resources'], prices: PriceBook): Record<ResourceComponent, Pico> {
  const r = resources ?? {};
  return {
    vector: unitCost(r.vectorQueries ?? 0, prices.resources.vectorQuery),
    compute: unitCost(r.computeSeconds ?? 0, prices.resources.computeSecond),
    cache: unitCost(r.cacheOps ?? 0, prices.resources.cacheOp),
    sql: unitCost(r.sqlQueries ?? 0, prices.resources.sqlQuery),
  };
}

/** A stored usage as the price function takes it. */
export function pricedUsage(usage: Usage): PricedUsage {
  return { inputTokens: usage.inputTokens, cacheReadTokens: usage.cachedTokens, outputTokens: usage.outputTokens };
}

/** Model charges for a usage, by part; null for no model or one the prices do not know. */
export function llmParts(model: string | null, usage: PricedUsage, prices: PriceBook, options: { batch?: boolean; at?: Date } = {}): PricedCost | null {
  const priced = model ? prices.model(model) : undefined;
  return priced ? prices.price(priced, usage, options) : null;
}

/** Model charges for measured usage: uncached input, cached input (at its discount) and output. */
export function llmCost(model: string | null, usage: PricedUsage, prices: PriceBook, options: { batch?: boolean; at?: Date } = {}): Pico {
  return llmParts(model, usage, prices, options)?.total ?? 0n;
}

/** The whole cost of one execution of an agent with this usage. */
export function executionCost(agent: AgentConfig, model: string | null, usage: Usage, prices: PriceBook): Pico {
  return llmCost(model, pricedUsage(usage), prices) + sum(Object.values(resourceCosts(agent.resources, prices)));
}
