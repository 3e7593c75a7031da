/**
 * The vendors' prompt-caching rules that decide whether a stable prefix is worth a cache breakpoint (Anthropic's
 * prompt-caching documentation, 2026): a breakpoint on a shorter prefix is accepted but caches nothing.
 */

/** Anthropic: the shortest prefix a breakpoint caches, by model. */
export function anthropicCacheMinimum(model: string): number {
  if (/haiku-4[-.]5|opus-4[-.]5/.test(model)) return 4_096;
  if (/(^|-)3(-5)?-haiku|haiku-3/.test(model)) return 2_048;
  return 1_024;
}
