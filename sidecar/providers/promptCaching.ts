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
