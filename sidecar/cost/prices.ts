import { bundledPrices, defaultResourcePrices, withBatch } from './priceTable';
import type { ModelPrices, ResourceUnitPrices } from './priceTable';
import type { PartyConfig } from '../config/schema';

/** The price table in force for a workspace: the bundled table with the configuration's overrides applied. */
export interface PriceBook {
  source: string;
  date: string;
  /** Models whose prices come from the workspace configuration rather than the bundled table. */
  overridden: string[];
  models: Record<string, ModelPrices>;
  resources: ResourceUnitPrices;
}

export function priceBook(config: Pick<PartyConfig, 'prices' | 'resourcePrices'> = {}): PriceBook {
  const models: Record<string, ModelPrices> = { ...bundledPrices.models };
  for (const [model, override] of Object.entries(config.prices ?? {})) {
    const base = models[model];
    const { quality: _quality, latencyMs: _latency, ...price } = override;
    models[model] = withBatch({
      contextWindow: base?.contextWindow ?? 128_000,
      cachedInput: price.cachedInput ?? price.input,
      ...price,
    });
  }
  return {
    source: bundledPrices.source,
    date: bundledPrices.date,
    overridden: Object.keys(config.prices ?? {}),
    models,
    resources: { ...defaultResourcePrices, ...definedOnly(config.resourcePrices ?? {}) },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
