import type { CatalogueInfo, ModelPriceSheet } from '../contract/pricing';
import type { ModelInfo, ModelPrice, Provider as CatalogueProvider } from '@pydantic/genai-prices';
import { modelLimits } from './modelLimits';
import type { Pico } from './money';

/**
 * The one price function: every model price comes from `@pydantic/genai-prices` (this is its only importer), for
 * estimates and actual usage alike. The catalogue's data carries no date, so the pinned version's release date
 * stands beside the pin (a test holds `version` equal to the installed package); an update records when it was
 * fetched.
 */
export const bundledCatalogue = { name: '@pydantic/genai-prices', version: '0.1.8', released: '2026-09-23' };

/** Providers whose batch API bills input and output at half price (the catalogue has no batch prices). */
export const batchProviders: ReadonlySet<string> = new Set(['openai', 'anthropic', 'google', 'mistral', 'azure']);

/** A model resolved to its provider and price data in the catalogue (or in the configuration's `prices`). */
export interface CatalogueModel {
  /** As written in the configuration. */
  name: string;
  /** The provider whose prices apply ("openai", "anthropic"…; "configuration" for a `prices` entry). */
  provider: string;
  providerName: string;
  /** The catalogue's id of the model. */
  id: string;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  /** Whether the provider offers a batch API (at half price). */
  batch: boolean;
  /** The provider object calcPrice prices with: the model alone, so no lookup is repeated. */
  readonly pricing: CatalogueProvider;
  /** Batch prices of its own (a configuration's `batchInput` / `batchOutput`), instead of half price. */
  readonly batchModel?: CatalogueModel;
}

/** Token usage as it is priced: the whole prompt (cache parts included) and the output (reasoning included). */
export interface PricedUsage {
  inputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  outputTokens: number;
  reasoningTokens?: number;
}

export type PricePart = 'input' | 'cacheRead' | 'cacheWrite' | 'output' | 'reasoning';

/** A priced usage: the total and its parts, exact in picodollars. */
export interface PricedCost {
  total: Pico;
  parts: Record<PricePart, Pico>;
  /** The long-context tier that applied: its lower bound in input tokens (null: the base prices). */
  tierAbove: number | null;
}

let bundledProviders: CatalogueProvider[] | undefined;
let activeProviders: CatalogueProvider[] | undefined;
let info: CatalogueInfo | undefined;

type PricesLibrary = typeof import('@pydantic/genai-prices');
let library: PricesLibrary | undefined;
let loaded: Promise<void> | undefined;

/**
 * The library, required on first use (a file of its own beside the sidecar bundle): its data is a third of the
 * bundle, and the sidecar answers its start before anything is priced.
 */
function prices(): PricesLibrary {
  if (!library) {
    library = require('@pydantic/genai-prices') as PricesLibrary;
    loaded = library.waitForUpdate().then((providers) => {
      bundledProviders = activeProviders = providers ?? [];
    });
  }
  return library;
}

/** Resolves once the bundled catalogue is listed (listing, nearest names and rare resellers need it). */
export function catalogueReady(): Promise<void> {
  prices();
  return loaded!;
}

/** The providers in force; empty only in the first tick after start, before `catalogueReady()` resolved. */
export function catalogueProviders(): readonly CatalogueProvider[] {
  return activeProviders ?? [];
}

export function catalogueInfo(): CatalogueInfo {
  if (info) return info;
  const providers = catalogueProviders();
  const { name, version, released } = bundledCatalogue;
  return {
    source: `${name} ${version} (bundled), USD per 1M tokens; Batch API 50 % off where offered`,
    date: released,
    version,
    providers: providers.length,
    models: providers.reduce((n, p) => n + p.models.length, 0),
  };
}

/** Replaces the catalogue's data (an update, or a stored one); throws with the library's reason when it is not valid. */
export function useCatalogueData(providers: unknown, fetchedAt: string): CatalogueInfo {
  if (!Array.isArray(providers) || !providers.every(isProvider)) throw new Error('not a list of providers with models');
  prices().updatePrices(({ setProviderData }) => setProviderData(providers as CatalogueProvider[]));
  activeProviders = providers as CatalogueProvider[];
  resetMemos();
  const models = activeProviders.reduce((n, p) => n + p.models.length, 0);
  info = {
    source: `${bundledCatalogue.name} data fetched ${fetchedAt}, USD per 1M tokens; Batch API 50 % off where offered`,
    date: fetchedAt.slice(0, 10),
    version: bundledCatalogue.version,
    fetchedAt,
    providers: activeProviders.length,
    models,
  };
  return info;
}

/** Back to the bundled data (tests; a workspace without an update). */
export function useBundledCatalogue(): void {
  if (!bundledProviders) return;
  prices().updatePrices(({ setProviderData }) => setProviderData(bundledProviders!));
  activeProviders = bundledProviders;
  info = undefined;
  resetMemos();
}

/** Where `partycost prices --update` fetches from: the library's own address. */
export function remoteCatalogueUrl(): string {
  let url = '';
  prices().updatePrices(({ remoteDataUrl, setProviderData }) => {
    url = remoteDataUrl;
    setProviderData(null); // null keeps the data in force
  });
  return url;
}

function isProvider(value: unknown): boolean {
  const p = value as Partial<CatalogueProvider> | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && Array.isArray(p.models);
}

// ---- Resolution ---------------------------------------------------------------------------------------------------

/** LiteLLM / CrewAI provider prefixes that differ from the catalogue's ids. */
const providerAliases: Record<string, string> = {
  gemini: 'google',
  vertex_ai: 'google',
  vertex: 'google',
  'google-vertex': 'google',
  bedrock: 'aws',
  xai: 'x-ai',
  mistralai: 'mistral',
  azure_ai: 'azure',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  moonshot: 'moonshotai',
};

const resolved = new Map<string, CatalogueModel | null>();

/** `provider/model` or `provider:model` when the prefix names a catalogue provider; otherwise the bare name. */
export function splitModelName(name: string): { provider?: string; model: string } {
  const match = /^([A-Za-z0-9_.-]+)[/:](.+)$/.exec(name.trim());
  const [, prefixText, rest] = match ?? [];
  if (prefixText !== undefined && rest !== undefined) {
    const prefix = prefixText.toLowerCase();
    const provider = providerAliases[prefix] ?? prefix;
    if (prices().findProvider({ providerId: provider })?.id === provider) return { provider, model: rest };
  }
  return { model: name.trim() };
}

/**
 * The catalogue's model for a name as users write it: `gpt-5`, `claude-sonnet-4-5`, a dated id, or
 * `anthropic/claude-sonnet-4-5` / `anthropic:…`. A bare name matched by several providers goes to the model's own
 * vendor (the provider whose naming rule matches it), else the first provider that lists it.
 */
export function catalogueModel(name: string): CatalogueModel | undefined {
  let found = resolved.get(name);
  if (found === undefined) resolved.set(name, (found = lookUp(name) ?? null));
  return found ?? undefined;
}

function lookUp(name: string): CatalogueModel | undefined {
  const { provider, model } = splitModelName(name);
  if (provider) return fromResult(name, prices().calcPrice({}, model, { providerId: provider }));
  const own = prices().calcPrice({}, model);
  if (own) return fromResult(name, own);
  for (const candidate of catalogueProviders()) {
    const result = prices().calcPrice({}, model, { provider: candidate });
    if (result) return fromResult(name, result);
  }
  return undefined;
}

function fromResult(name: string, result: ReturnType<PricesLibrary['calcPrice']>): CatalogueModel | undefined {
  if (!result) return undefined;
  return describe(name, result.provider, result.model);
}

function describe(name: string, provider: CatalogueProvider, model: ModelInfo, configured = false): CatalogueModel {
  const limits = modelLimits(provider.id, model.id);
  return {
    name,
    provider: configured ? 'configuration' : provider.id,
    providerName: provider.name,
    id: model.id,
    contextWindow: model.context_window ?? limits.context ?? null,
    maxOutputTokens: limits.output ?? null,
    batch: batchProviders.has(provider.id),
    // Matched by its id: some entries' own match rules do not match their id.
    pricing: { ...provider, models: [{ ...model, match: { equals: model.id } }] },
  };
}

/** A model priced by the configuration's `prices` (USD per 1M tokens), through the same price function. */
export function configuredModel(
  name: string,
  prices: Record<string, number | undefined>,
  limits: { contextWindow?: number; maxOutputTokens?: number },
  batch = true,
): CatalogueModel {
  const provider: CatalogueProvider = { id: 'configuration', name: 'partycost.json prices', api_pattern: '$^', models: [] };
  const modelPrice = Object.fromEntries(Object.entries(prices).filter(([, v]) => v !== undefined)) as ModelPrice;
  const model: ModelInfo = { id: name, match: { equals: name }, prices: modelPrice, ...(limits.contextWindow ? { context_window: limits.contextWindow } : {}) };
  const described = describe(name, provider, model, true);
  return {
    ...described,
    contextWindow: limits.contextWindow ?? described.contextWindow,
    maxOutputTokens: limits.maxOutputTokens ?? described.maxOutputTokens,
    batch,
  };
}

// ---- Prices -------------------------------------------------------------------------------------------------------

/** Picodollars per token of each part, at one price tier. */
type Rates = Record<PricePart, Pico>;

/** A model's prices on one day, with their tier starts and the rates asked of calcPrice so far. */
interface DayPrice {
  price: ModelPrice;
  starts: number[];
  rates: Map<number, Rates>;
}

/** By the model's own pricing object (a configured `gpt-4o` and the catalogue's are two), then by day. */
let pricesByDay = new WeakMap<CatalogueProvider, Map<string, DayPrice>>();
let lastDate: Date | undefined;
let lastDay = '';

function resetMemos(): void {
  resolved.clear();
  pricesByDay = new WeakMap();
}

/** The UTC day of an instant; estimates price many agents at one instant, so the last answer is kept. */
function dayOf(at: Date): string {
  if (at !== lastDate) [lastDate, lastDay] = [at, at.toISOString().slice(0, 10)];
  return lastDay;
}

/**
 * The model's prices in force on a day (the catalogue dates price changes), as they stand at noon UTC: a discount by
 * the hour (DeepSeek's off-peak, 16:30–00:30 UTC) is not applied, so a figure never depends on the minute it was
 * asked, and a day's calls are priced alike.
 */
function dayPrice(model: CatalogueModel, at: Date): DayPrice {
  let byDay = pricesByDay.get(model.pricing);
  if (!byDay) pricesByDay.set(model.pricing, (byDay = new Map()));
  const day = dayOf(at);
  let found = byDay.get(day);
  if (!found) {
    const noon = new Date(`${day}T12:00:00.000Z`);
    const price = prices().calcPrice({}, model.id, { provider: model.pricing, timestamp: noon })!.model_price;
    byDay.set(day, (found = { price, starts: tierStarts(price), rates: new Map() }));
  }
  return found;
}

/** The input-token counts above which a long-context tier starts, ascending. */
function tierStarts(price: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(price)) if (value && typeof value === 'object') for (const tier of value.tiers) starts.add(tier.start);
  return [...starts].sort((a, b) => a - b);
}

/**
 * Each part's rate at a tier, asked of calcPrice with one token of that part over a prompt inside the tier (a tier
 * applies to the whole prompt once it is longer than its start).
 */
function rates(model: CatalogueModel, day: DayPrice, tier: number): Rates {
  let found = day.rates.get(tier);
  if (found) return found;
  const prompt = tier === 0 ? 1 : day.starts[tier - 1]! + 1;
  // The prices of the day, fixed: calcPrice then has no dated alternatives to choose from.
  const provider = { ...model.pricing, models: [{ ...model.pricing.models[0]!, prices: day.price }] };
  const ask = (usage: Record<string, number>, side: 'input_price' | 'output_price', per: number): Pico => {
    const result = prices().calcPrice({ input_tokens: prompt, ...usage }, model.id, { provider });
    return BigInt(Math.round(((result?.[side] ?? 0) * 1e12) / per));
  };
  found = {
    input: ask({}, 'input_price', prompt),
    cacheRead: ask({ cache_read_tokens: prompt }, 'input_price', prompt),
    cacheWrite: ask({ cache_write_tokens: prompt }, 'input_price', prompt),
    output: ask({ output_tokens: 1 }, 'output_price', 1),
    reasoning: ask({ output_tokens: 1, output_reasoning_tokens: 1 }, 'output_price', 1),
  };
  day.rates.set(tier, found);
  return found;
}

/** What a usage costs on a model, by part, exact in picodollars; `batch` halves it where the provider offers batch. */
export function priceUsage(model: CatalogueModel, usage: PricedUsage, options: { at?: Date; batch?: boolean } = {}): PricedCost {
  if (options.batch && model.batchModel) return priceUsage(model.batchModel, usage, { at: options.at });
  const day = dayPrice(model, options.at ?? new Date());
  let tier = 0;
  while (tier < day.starts.length && usage.inputTokens > day.starts[tier]!) tier++;
  const rate = rates(model, day, tier);
  const read = Math.min(usage.cacheReadTokens ?? 0, usage.inputTokens);
  const write = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - read);
  const reasoning = Math.min(usage.reasoningTokens ?? 0, usage.outputTokens);
  const half = options.batch === true && model.batch;
  const parts: Record<PricePart, Pico> = {
    input: partCost(usage.inputTokens - read - write, rate.input, half),
    cacheRead: partCost(read, rate.cacheRead, half),
    cacheWrite: partCost(write, rate.cacheWrite, half),
    output: partCost(usage.outputTokens - reasoning, rate.output, half),
    reasoning: partCost(reasoning, rate.reasoning, half),
  };
  return { total: parts.input + parts.cacheRead + parts.cacheWrite + parts.output + parts.reasoning, parts, tierAbove: tier ? day.starts[tier - 1]! : null };
}

/** Tokens × rate in picodollars; at batch prices half of it, rounded half up. */
function partCost(tokens: number, rate: Pico, half: boolean): Pico {
  if (tokens <= 0 || rate === 0n) return 0n;
  const whole = BigInt(Math.round(tokens)) * rate;
  return half ? (whole + 1n) / 2n : whole;
}

/** The library's own total for a usage (USD), for cross-checks: at noon UTC of the day, as ours is. */
export function catalogueTotalUsd(model: CatalogueModel, usage: PricedUsage, at = new Date()): number {
  const result = prices().calcPrice(
    {
      input_tokens: usage.inputTokens,
      cache_read_tokens: usage.cacheReadTokens,
      cache_write_tokens: usage.cacheWriteTokens,
      output_tokens: usage.outputTokens,
      output_reasoning_tokens: usage.reasoningTokens,
    },
    model.id,
    { provider: model.pricing, timestamp: new Date(`${at.toISOString().slice(0, 10)}T12:00:00.000Z`) },
  );
  return result?.total_price ?? 0;
}

export function priceSheet(model: CatalogueModel, at = new Date()): ModelPriceSheet {
  const { price, starts } = dayPrice(model, at);
  const perMillion = (key: string, tier = 0): number | undefined => {
    const value = price[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number') return value;
    return tier === 0 ? value.base : ([...value.tiers].sort((a, b) => a.start - b.start)[tier - 1]?.price ?? value.base);
  };
  const tiers = starts.map((start, i) => ({
    aboveInputTokens: start,
    inputUsd: perMillion('input_mtok', i + 1) ?? 0,
    outputUsd: perMillion('output_mtok', i + 1) ?? 0,
  }));
  const cacheReadUsd = perMillion('cache_read_mtok');
  const cacheWriteUsd = perMillion('cache_write_mtok');
  const cacheWrite1hUsd = perMillion('cache_write_1h_mtok');
  return {
    inputUsd: perMillion('input_mtok') ?? 0,
    outputUsd: perMillion('output_mtok') ?? 0,
    ...(cacheReadUsd !== undefined ? { cacheReadUsd } : {}),
    ...(cacheWriteUsd !== undefined ? { cacheWriteUsd } : {}),
    ...(cacheWrite1hUsd !== undefined ? { cacheWrite1hUsd } : {}),
    ...(tiers.length ? { tiers } : {}),
  };
}

/** Every model of the catalogue, each under its provider: the provider's model itself, its match rule aside. */
export function catalogueEntries(): { provider: CatalogueProvider; model: ModelInfo; ownVendor: boolean }[] {
  return catalogueProviders().flatMap((provider) =>
    provider.models.map((model) => ({
      provider,
      model,
      ownVendor: provider.model_match !== undefined && prices().calcPrice({}, model.id)?.provider.id === provider.id,
    })),
  );
}

/** A catalogue entry as a resolved model, named `provider/id`. */
export function entryModel(provider: CatalogueProvider, model: ModelInfo): CatalogueModel {
  return describe(`${provider.id}/${model.id}`, provider, model);
}

/** The names a user may mean: every model id of the catalogue. */
export function catalogueModelIds(): string[] {
  return [...new Set(catalogueProviders().flatMap((p) => p.models.map((m) => m.id)))];
}
