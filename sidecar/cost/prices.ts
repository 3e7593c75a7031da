import { catalogueInfo, catalogueModel, catalogueModelIds, configuredModel, priceUsage } from './catalogue';
import type { CatalogueModel, PricedCost, PricedUsage } from './catalogue';
import { defaultResourcePrices } from './resourcePrices';
import type { ResourceUnitPrices } from './resourcePrices';

/** A model's prices as a configuration's `prices` entry gives them (USD per 1M tokens), with its limits. */
export interface ConfiguredPrice {
  input: number;
  cachedInput?: number;
  cacheWrite?: number;
  output: number;
  batchInput?: number;
  batchOutput?: number;
  contextWindow?: number;
  maxOutputTokens?: number;
}

/** What a configuration says about prices: model prices that win over the catalogue, resource unit prices. */
export interface ConfiguredPrices {
  prices?: Record<string, ConfiguredPrice>;
  resourcePrices?: Partial<ResourceUnitPrices>;
}

/** The prices in force for a workspace: the catalogue, with the configuration's `prices` winning over it. */
export interface PriceBook {
  source: string;
  date: string;
  /** Models whose prices come from the workspace configuration rather than the catalogue. */
  overridden: string[];
  /** The model as priced (the configuration's entry first, then the catalogue), or undefined when neither knows it. */
  model(name: string): CatalogueModel | undefined;
  /** Every name a model could be meant by, for "did you mean". */
  knownNames(): string[];
  /** What a usage costs on a model, by part: the catalogue's one price function. */
  price(model: CatalogueModel, usage: PricedUsage, options?: { at?: Date; batch?: boolean }): PricedCost;
  resources: ResourceUnitPrices;
}

export function priceBook(config: ConfiguredPrices = {}): PriceBook {
  const overrides = Object.entries(config.prices ?? {});
  const configured = new Map(overrides.map(([name, price]) => [name, fromConfiguration(name, price)]));
  const info = catalogueInfo();
  return {
    source: info.source,
    date: info.date,
    overridden: overrides.map(([name]) => name),
    model: (name) => configured.get(name) ?? catalogueModel(name),
    knownNames: () => [...configured.keys(), ...catalogueModelIds()],
    price: priceUsage,
    resources: { ...defaultResourcePrices, ...definedOnly(config.resourcePrices ?? {}) },
  };
}

/** A `prices` entry as a model: its prices per 1M tokens, the catalogue's limits for a name it also knows. */
function fromConfiguration(name: string, price: ConfiguredPrice): CatalogueModel {
  const known = catalogueModel(name);
  const limits = {
    contextWindow: price.contextWindow ?? known?.contextWindow ?? undefined,
    maxOutputTokens: price.maxOutputTokens ?? known?.maxOutputTokens ?? undefined,
  };
  const keys = (input: number, output: number): Record<string, number | undefined> => ({
    input_mtok: input,
    output_mtok: output,
    cache_read_mtok: price.cachedInput !== undefined ? (price.cachedInput * input) / (price.input || 1) : undefined,
    cache_write_mtok: price.cacheWrite !== undefined ? (price.cacheWrite * input) / (price.input || 1) : undefined,
  });
  const model = { ...configuredModel(name, keys(price.input, price.output), limits), ...(known ? { provider: known.provider } : {}) };
  if (price.batchInput === undefined && price.batchOutput === undefined) return model;
  // Batch prices of its own: priced as a model of those prices (cache parts at the same discount).
  const batchModel = configuredModel(name, keys(price.batchInput ?? price.input / 2, price.batchOutput ?? price.output / 2), limits);
  return { ...model, batchModel };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
