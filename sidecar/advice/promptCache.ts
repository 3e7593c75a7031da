import type { AgentConfig } from '../config/schema';
import type { PromptCaching } from '../contract/advice';
import type { CatalogueModel } from '../cost/catalogue';
import { priceSheet } from '../cost/catalogue';
import {
  anthropicCacheMinimum,
  anthropicHourWriteMultiple,
  cacheLifetimeMinutes,
  expectedHitRate,
  geminiCacheMinimum,
  openaiCache,
  openaiCachedTokens,
  openaiExtendedRetention,
} from '../providers/promptCaching';
import type { PromptShape } from './promptParts';

export type CacheVendor = PromptCaching['vendor'];
export type CacheSetting = '5m' | '1h' | '24h' | 'off';
export type PromptOrder = 'as written' | 'stable first';

/** One way of sending an agent's prompt: the cache setting and the order of its parts, with what it saves per run. */
export interface CacheOption {
  setting: CacheSetting;
  order: PromptOrder;
  minimumTokens: number | null;
  cachedTokens: number;
  writtenTokens: number;
  lifetimeMinutes: number;
  hitRate: number;
  /** Against no caching, in USD per run (writes counted). */
  savingPerRunUsd: number;
}

/** USD per token of input, cache reads and cache writes (5 minutes, 1 hour), from the catalogue. */
export interface CacheRates {
  input: number;
  read: number;
  write: number;
  writeHour: number;
}

/** The vendor whose caching rules apply to a model, by the provider whose prices apply. */
export function cacheVendor(priced: CatalogueModel): CacheVendor {
  if (priced.provider === 'openai' || priced.provider === 'azure') return 'openai';
  if (priced.provider === 'anthropic') return 'anthropic';
  if (priced.provider === 'google') return 'google';
  return 'other';
}

export function cacheRates(priced: CatalogueModel): CacheRates {
  const sheet = priceSheet(priced);
  const perToken = (usd: number | undefined, fallback: number): number => (usd ?? fallback) / 1e6;
  return {
    input: sheet.inputUsd / 1e6,
    read: perToken(sheet.cacheReadUsd, sheet.inputUsd),
    write: perToken(sheet.cacheWriteUsd, sheet.inputUsd),
    writeHour: perToken(sheet.cacheWrite1hUsd, sheet.inputUsd * anthropicHourWriteMultiple),
  };
}

/** The agent's own setting, with each vendor's default: Anthropic's 5-minute breakpoint, OpenAI's in-memory cache. */
export function currentSetting(agent: AgentConfig, vendor: CacheVendor, model: string): CacheSetting {
  const own = agent.promptCache;
  if (vendor === 'anthropic') return own === 'off' || own === '1h' ? own : '5m';
  if (vendor === 'openai') return own === '24h' && openaiExtendedRetention(model) ? '24h' : '5m';
  return '5m';
}

/** The settings a vendor offers for a model. */
export function settingsOf(vendor: CacheVendor, model: string): CacheSetting[] {
  if (vendor === 'anthropic') return ['5m', '1h', 'off'];
  if (vendor === 'openai') return openaiExtendedRetention(model) ? ['5m', '24h'] : ['5m'];
  return ['5m'];
}

/** What sending the prompt this way saves per run, by the vendor's rules, at `runsPerMonth`. */
export function cacheOption(vendor: CacheVendor, model: string, shape: PromptShape, setting: CacheSetting, order: PromptOrder, rates: CacheRates, runsPerMonth: number): CacheOption {
  const prefix = order === 'as written' ? shape.prefixTokens : shape.stableFirstTokens;
  const lifetimeMinutes = setting === 'off' ? 0 : cacheLifetimeMinutes[setting];
  const none = { setting, order, cachedTokens: 0, writtenTokens: 0, lifetimeMinutes, hitRate: 0, savingPerRunUsd: 0 };
  if (vendor === 'openai') {
    const cachedTokens = openaiCachedTokens(prefix);
    const hitRate = cachedTokens ? expectedHitRate(runsPerMonth, lifetimeMinutes) : 0;
    return { ...none, minimumTokens: openaiCache.minimum, cachedTokens, hitRate, savingPerRunUsd: hitRate * cachedTokens * (rates.input - rates.read) };
  }
  if (vendor === 'google') {
    const minimumTokens = geminiCacheMinimum(model);
    const cachedTokens = minimumTokens !== null && prefix >= minimumTokens ? prefix : 0;
    const hitRate = cachedTokens ? expectedHitRate(runsPerMonth, lifetimeMinutes) : 0;
    return { ...none, minimumTokens, cachedTokens, hitRate, savingPerRunUsd: hitRate * cachedTokens * (rates.input - rates.read) };
  }
  if (vendor === 'anthropic') {
    const minimumTokens = anthropicCacheMinimum(model);
    // Our driver puts the breakpoint before the agent's first input: stable parts first makes that the stable prefix.
    const breakpoint = order === 'as written' ? shape.breakpoint : { tokens: shape.stableFirstTokens, repeats: true };
    if (setting === 'off' || breakpoint.tokens < minimumTokens) return { ...none, minimumTokens };
    const written = breakpoint.tokens;
    // A breakpoint over parts that change between parties is written on every run and never read.
    const hitRate = breakpoint.repeats ? expectedHitRate(runsPerMonth, lifetimeMinutes) : 0;
    const write = setting === '1h' ? rates.writeHour : rates.write;
    const saving = hitRate * written * (rates.input - rates.read) - (1 - hitRate) * written * (write - rates.input);
    return { ...none, minimumTokens, cachedTokens: breakpoint.repeats ? written : 0, writtenTokens: written, hitRate, savingPerRunUsd: saving };
  }
  return { ...none, minimumTokens: null };
}

/** The rule applied, in a sentence, for the report. */
export function ruleText(vendor: CacheVendor, option: CacheOption): string {
  const min = option.minimumTokens?.toLocaleString('en-US');
  if (vendor === 'openai') return `OpenAI caches prompts automatically from ${min} tokens, in 128-token steps; reads at the cached-input price, no write charge`;
  if (vendor === 'anthropic') return `Anthropic caches up to a breakpoint of at least ${min} tokens; writes cost ${option.setting === '1h' ? '2×' : '1.25×'} input (${option.setting === '1h' ? '1 hour' : '5 minutes'}), reads 0.1×`;
  if (vendor === 'google') return min ? `Gemini caches implicitly from ${min} tokens; reads at the cached-input price, no write charge` : 'this Gemini model caches only explicitly (cachedContents), which runs do not use';
  return 'no prompt-caching rule is known for this vendor';
}
