/**
 * The vendors' prompt-caching rules (their prompt-caching documentation, 2026), shared by the drivers that send
 * prompts and the advisor that prices them. Prices come from the catalogue, never from here.
 */

/** Anthropic: the shortest prefix a breakpoint caches, by model (a breakpoint on a shorter one caches nothing). */
export function anthropicCacheMinimum(model: string): number {
  if (/haiku-4[-.]5|opus-4[-.]5/.test(model)) return 4_096;
  if (/(^|-)3(-5)?-haiku|haiku-3/.test(model)) return 2_048;
  return 1_024;
}

/** OpenAI: prompts from 1,024 tokens are cached automatically, in steps of 128 tokens beyond that. */
export const openaiCache = { minimum: 1_024, step: 128 } as const;

/** The tokens OpenAI reads from its cache for a repeating prefix of this length (0 below the minimum). */
export function openaiCachedTokens(prefixTokens: number): number {
  if (prefixTokens < openaiCache.minimum) return 0;
  return openaiCache.minimum + Math.floor((prefixTokens - openaiCache.minimum) / openaiCache.step) * openaiCache.step;
}

/**
 * OpenAI's extended retention (`prompt_cache_retention: "24h"`, no extra charge), offered on the gpt-5 family and
 * gpt-4.1 itself (not its mini and nano); other models keep cached prefixes in memory only.
 */
export function openaiExtendedRetention(model: string): boolean {
  return /^((openai|azure)[/:])?(gpt-5|gpt-4\.1(-\d{4}-\d{2}-\d{2})?$)/.test(model);
}

/**
 * Gemini: implicit caching (on by default, no write charge) from Gemini 2.5 on; the minimum prompt is 1,024 tokens on
 * Flash models and 4,096 on Pro models. Earlier models cache only explicitly (null).
 */
export function geminiCacheMinimum(model: string): number | null {
  const bare = model.replace(/^(google|gemini|google-gla|google-vertex)[/:]/, '');
  const version = /^gemini-(\d+(?:\.\d+)?)/.exec(bare);
  if (!version || Number(version[1]) < 2.5) return null;
  return /-pro/.test(bare) ? 4_096 : 1_024;
}

/**
 * How long a cached prefix lives after its last use, in minutes: Anthropic's breakpoint 5 minutes (or 1 hour at twice
 * the input price to write), OpenAI's in-memory cache 5 to 10 minutes of inactivity (5 taken) or 24 hours with
 * extended retention, Gemini's implicit cache undocumented (5 taken).
 */
export const cacheLifetimeMinutes = { '5m': 5, '1h': 60, '24h': 1_440 } as const;

/** Anthropic's price to write a prefix for 1 hour, as a multiple of input (5 minutes: the catalogue's write price). */
export const anthropicHourWriteMultiple = 2;

/**
 * The share of an agent's runs that find its prefix cached, when its runs arrive at random (a Poisson process) at
 * `runsPerMonth` and an entry lives `lifetimeMinutes` after its last use: the chance the previous run came within the
 * lifetime, 1 − e^(−rate × lifetime).
 */
export function expectedHitRate(runsPerMonth: number, lifetimeMinutes: number): number {
  const perMinute = runsPerMonth / (30 * 24 * 60);
  return 1 - Math.exp(-perMinute * lifetimeMinutes);
}

/** The vendor whose prompt-caching rules apply to a model (by who bills it), or none known. */
export type CacheVendor = 'openai' | 'anthropic' | 'google' | 'other';

/** A prompt-cache setting: a lifetime (`5m` also OpenAI's in-memory cache), or no breakpoint. */
export type CacheSetting = '5m' | '1h' | '24h' | 'off';

/**
 * How a vendor caches prompts, as far as pricing what caching saves goes. `automatic`: any prompt from a minimum, in
 * steps, no write charge (OpenAI); `implicit`: a whole repeating prefix from a minimum, no write charge (Gemini 2.5+);
 * `breakpoint`: up to a marked point, writes charged (Anthropic); `none`: no rule known.
 */
export interface CachingRules {
  vendor: CacheVendor;
  kind: 'automatic' | 'implicit' | 'breakpoint' | 'none';
  /** The shortest prefix cached on a model; null when the model caches only explicitly (or no rule is known). */
  minimum(model: string): number | null;
  /** The tokens read from the cache for a repeating prefix of this length. */
  cachedTokens(prefixTokens: number, model: string): number;
  /** The setting in force for an agent's `promptCache` (the vendor's default when it sets none). */
  settingOf(own: CacheSetting | undefined, model: string): CacheSetting;
  /** The settings the vendor offers for a model. */
  settings(model: string): CacheSetting[];
  /** The setting a call merging several small agents would be sent with. */
  mergeSetting: CacheSetting;
  /** How a setting is named in advice (OpenAI's 5-minute cache is its in-memory one). */
  settingName(setting: CacheSetting): string;
  /** What pricing under these rules has to assume beyond the vendor's documentation. */
  assumption?: string;
  /** The rule in a sentence, for a model's minimum and the setting in force. */
  text(minimum: number | null, setting: CacheSetting): string;
}

const count = (n: number | null): string => (n ?? 0).toLocaleString('en-US');

const openaiRules: CachingRules = {
  vendor: 'openai',
  kind: 'automatic',
  minimum: () => openaiCache.minimum,
  cachedTokens: (prefix) => openaiCachedTokens(prefix),
  settingOf: (own, model) => (own === '24h' && openaiExtendedRetention(model) ? '24h' : '5m'),
  settings: (model) => (openaiExtendedRetention(model) ? ['5m', '24h'] : ['5m']),
  mergeSetting: '5m',
  settingName: (setting) => (setting === '5m' ? 'in-memory' : setting),
  text: (minimum) => `OpenAI caches prompts automatically from ${count(minimum)} tokens, in 128-token steps; reads at the cached-input price, no write charge`,
};

const anthropicRules: CachingRules = {
  vendor: 'anthropic',
  kind: 'breakpoint',
  minimum: (model) => anthropicCacheMinimum(model),
  cachedTokens: (prefix, model) => (prefix >= anthropicCacheMinimum(model) ? prefix : 0),
  settingOf: (own) => (own === 'off' || own === '1h' ? own : '5m'),
  settings: () => ['5m', '1h', 'off'],
  mergeSetting: '1h',
  settingName: (setting) => setting,
  text: (minimum, setting) =>
    `Anthropic caches up to a breakpoint of at least ${count(minimum)} tokens; writes cost ${setting === '1h' ? '2×' : '1.25×'} input (${setting === '1h' ? '1 hour' : '5 minutes'}), reads 0.1×`,
};

const googleRules: CachingRules = {
  vendor: 'google',
  kind: 'implicit',
  minimum: (model) => geminiCacheMinimum(model),
  cachedTokens: (prefix, model) => {
    const minimum = geminiCacheMinimum(model);
    return minimum !== null && prefix >= minimum ? prefix : 0;
  },
  settingOf: () => '5m',
  settings: () => ['5m'],
  mergeSetting: '5m',
  settingName: (setting) => setting,
  assumption: "Gemini's implicit cache lifetime is not documented: 5 minutes taken",
  text: (minimum) =>
    minimum
      ? `Gemini caches implicitly from ${count(minimum)} tokens; reads at the cached-input price, no write charge`
      : 'this Gemini model caches only explicitly (cachedContents), which runs do not use',
};

const noRules: CachingRules = {
  vendor: 'other',
  kind: 'none',
  minimum: () => null,
  cachedTokens: () => 0,
  settingOf: () => '5m',
  settings: () => ['5m'],
  mergeSetting: '5m',
  settingName: (setting) => setting,
  text: () => 'no prompt-caching rule is known for this vendor',
};

/** The caching rules that apply to a model, by the catalogue provider that bills it (Azure bills OpenAI's models). */
export function cachingRules(billedBy: string): CachingRules {
  if (billedBy === 'openai' || billedBy === 'azure') return openaiRules;
  if (billedBy === 'anthropic') return anthropicRules;
  if (billedBy === 'google') return googleRules;
  return noRules;
}
