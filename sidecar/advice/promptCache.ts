import type { CatalogueModel } from '../cost/catalogue';
import { priceSheet } from '../cost/catalogue';
import { anthropicHourWriteMultiple, cacheLifetimeMinutes, expectedHitRate } from '../providers/promptCaching';
import type { CacheSetting, CachingRules } from '../providers/promptCaching';
import type { PromptShape } from './promptParts';

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

/** What sending the prompt this way saves per run, by the vendor's rules, at `runsPerMonth`. */
export function cacheOption(
  rules: CachingRules,
  model: string,
  shape: PromptShape,
  setting: CacheSetting,
  order: PromptOrder,
  rates: CacheRates,
  runsPerMonth: number,
): CacheOption {
  const prefix = order === 'as written' ? shape.prefixTokens : shape.stableFirstTokens;
  const lifetimeMinutes = setting === 'off' ? 0 : cacheLifetimeMinutes[setting];
  const minimumTokens = rules.minimum(model);
  const none = { setting, order, minimumTokens, cachedTokens: 0, writtenTokens: 0, lifetimeMinutes, hitRate: 0, savingPerRunUsd: 0 };
  if (rules.kind === 'automatic' || rules.kind === 'implicit') {
    const cachedTokens = rules.cachedTokens(prefix, model);
    const hitRate = cachedTokens ? expectedHitRate(runsPerMonth, lifetimeMinutes) : 0;
    return { ...none, cachedTokens, hitRate, savingPerRunUsd: hitRate * cachedTokens * (rates.input - rates.read) };
  }
  if (rules.kind === 'breakpoint') {
    // Our driver puts the breakpoint before the agent's first input: stable parts first makes that the stable prefix.
    const breakpoint = order === 'as written' ? shape.breakpoint : { tokens: shape.stableFirstTokens, repeats: true };
    if (setting === 'off' || rules.cachedTokens(breakpoint.tokens, model) === 0) return none;
    const written = breakpoint.tokens;
    // A breakpoint over parts that change between parties is written on every run and never read.
    const hitRate = breakpoint.repeats ? expectedHitRate(runsPerMonth, lifetimeMinutes) : 0;
    const write = setting === '1h' ? rates.writeHour : rates.write;
    const saving = hitRate * written * (rates.input - rates.read) - (1 - hitRate) * written * (write - rates.input);
    return { ...none, cachedTokens: breakpoint.repeats ? written : 0, writtenTokens: written, hitRate, savingPerRunUsd: saving };
  }
  return none;
}
