import type { AgentConfig } from '../config/schema';
import type { Usage } from '../contract/party';
import { sum, tokenCost, unitCost } from './money';
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

/** Model charges for measured usage: uncached input, cached input (at its discount) and output. */
export function llmCost(model: string | null, usage: Pick<Usage, 'inputTokens' | 'cachedTokens' | 'outputTokens'>, prices: PriceBook): Pico {
  const p = model ? prices.models[model] : undefined;
  if (!p) return 0n;
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  return tokenCost(usage.inputTokens - cached, p.input) + tokenCost(cached, p.cachedInput) + tokenCost(usage.outputTokens, p.output);
}

/** The whole cost of one execution of an agent with this usage. */
export function executionCost(agent: AgentConfig, model: string | null, usage: Usage, prices: PriceBook): Pico {
  return llmCost(model, usage, prices) + sum(Object.values(resourceCosts(agent.resources, prices)));
}
