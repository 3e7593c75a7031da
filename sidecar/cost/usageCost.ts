import type { Usage } from '../contract/party';
import type { CostParts } from '../contract/ledger';
import type { PricedCost, PricedUsage } from './catalogue';
import { sum, toUsd, unitCost } from './money';
import type { Pico } from './money';
import type { PriceBook } from './prices';

export type ResourceComponent = 'vector' | 'compute' | 'cache' | 'sql';

/** What one run of an agent uses besides its model (an agent's `resources`). */
export interface AgentResources {
  vectorQueries?: number;
  computeSeconds?: number;
  cacheOps?: number;
  sqlQueries?: number;
}

/** An agent as its execution's cost sees it. */
interface CostedAgent {
  resources?: AgentResources;
}

/** What one run's non-model resources cost, per component. */
export function resourceCosts(resources: AgentResources | undefined, prices: PriceBook): Record<ResourceComponent, Pico> {
  const r = resources ?? {};
  return {
    vector: unitCost(r.vectorQueries ?? 0, prices.resources.vectorQuery),
    compute: unitCost(r.computeSeconds ?? 0, prices.resources.computeSecond),
    cache: unitCost(r.cacheOps ?? 0, prices.resources.cacheOp),
    sql: unitCost(r.sqlQueries ?? 0, prices.resources.sqlQuery),
  };
}

/** Model charges for a usage, by part; null for no model or one the prices do not know. */
export function llmParts(model: string | null, usage: PricedUsage, prices: PriceBook, options: { batch?: boolean; at?: Date } = {}): PricedCost | null {
  const priced = model ? prices.model(model) : undefined;
  return priced ? prices.price(priced, usage, options) : null;
}

/** Model charges for a usage. */
export function llmCost(model: string | null, usage: PricedUsage, prices: PriceBook, options: { batch?: boolean; at?: Date } = {}): Pico {
  return llmParts(model, usage, prices, options)?.total ?? 0n;
}

/** The whole cost of one execution of an agent with this usage, at the prices of `at` (default now). */
export function executionCost(agent: CostedAgent, model: string | null, usage: Usage, prices: PriceBook, at?: Date): Pico {
  return llmCost(model, usage, prices, { at, batch: usage.batch === true }) + sum(Object.values(resourceCosts(agent.resources, prices)));
}

/** The cost of one execution by part, in USD: model charges by token kind, and the resources. */
export function executionParts(agent: CostedAgent, model: string | null, usage: Usage, prices: PriceBook, at?: Date): CostParts {
  return partsInUsd(llmParts(model, usage, prices, { at, batch: usage.batch === true }), sum(Object.values(resourceCosts(agent.resources, prices))));
}

/** Model charges by part (none: all 0) and a resources cost, in USD. */
export function partsInUsd(llm: PricedCost | null, resources: Pico = 0n): CostParts {
  const usd = (part: keyof PricedCost['parts']): number => toUsd(llm?.parts[part] ?? 0n);
  return {
    inputUsd: usd('input'),
    cacheReadUsd: usd('cacheRead'),
    cacheWriteUsd: usd('cacheWrite'),
    outputUsd: usd('output'),
    reasoningUsd: usd('reasoning'),
    resourcesUsd: toUsd(resources),
  };
}
