// A span's token counts in TokenUsage's meaning: the prompt with its cached parts, the answer with its reasoning.
//
// What the sources send (see spanConventions.ts for where each is documented):
// - gen_ai.* (current): the conventions say input includes cache reads and writes; OpenLLMetry's Anthropic
//   instrumentation sums them in. Trusted, except where impossible (below).
// - OpenInference: Python's Anthropic instrumentation sums the cache counts into llm.token_count.prompt (since
//   openinference#1429, 2025-03); JavaScript's sends Anthropic's raw input_tokens, cache excluded, and no cache counts,
//   so nothing can be added back there: the prompt stays short by the cached tokens.
// - Vercel AI SDK before v6 passes the provider's own input count: OpenAI's includes the cached tokens, Anthropic's
//   excludes cache reads and writes. v6 (spans with ai.usage.inputTokenDetails.*) sends the total for every provider.
//   So a Vercel span from an Anthropic provider without inputTokenDetails gets its cache counts added.
// - Any family: a prompt smaller than its own cache reads plus writes cannot include them; they are added.
// - Likewise an answer smaller than its reasoning cannot include it (Gemini counts thoughts apart); it is added.
import { countOf, textOf } from './attributeRead';
import { cacheReadNames, cacheWriteNames, reasoningNames, openInference, tokenFamilies, vercelAi } from './spanConventions';
import type { Attributes, Convention, TokenUsage, UsageAdjustment } from './traceTypes';

/** A span's usage and where it came from. */
export interface SpanUsage {
  usage: TokenUsage;
  adjustments: UsageAdjustment[];
  /** The family the prompt and answer counts came from; undefined when the span reports neither. */
  convention?: Convention;
}

/**
 * The token usage a span reports.
 * @param provider the span's provider as mapped (lowercase), for the vendors whose counts need correcting.
 * @param vercel whether the span is a Vercel AI SDK span (its ai.* counts are read first).
 */
export function spanUsage(attributes: Attributes, provider: string | undefined, vercel: boolean): SpanUsage {
  const adjustments: UsageAdjustment[] = [];
  const families = vercel ? tokenFamilies : tokenFamilies.slice(1);
  const family = families.find((f) => countOf(attributes, f.input) !== undefined || countOf(attributes, f.output) !== undefined);
  const outputTokens = family ? (countOf(attributes, family.output) ?? 0) : 0;
  let inputTokens = family ? countOf(attributes, family.input) : undefined;
  const total = countOf(attributes, [openInference.totalTokens]);
  if (inputTokens === undefined && family?.convention === 'openinference' && total !== undefined && total >= outputTokens) {
    inputTokens = total - outputTokens;
    adjustments.push('inputFromTotal');
  }
  const usage: TokenUsage = {
    inputTokens: inputTokens ?? 0,
    cacheReadTokens: countOf(attributes, cacheReadNames) ?? 0,
    cacheWriteTokens: countOf(attributes, cacheWriteNames) ?? 0,
    outputTokens,
    reasoningTokens: countOf(attributes, reasoningNames) ?? 0,
  };
  if (vercel && isAnthropic(provider)) addVercelAnthropicCache(attributes, usage);
  const excludesCache = vercel && isAnthropic(provider) && !vercelAi.inputDetails.some((name) => attributes[name] !== undefined);
  adjustments.push(...reconcileUsage(usage, excludesCache));
  return { usage, adjustments, convention: family?.convention };
}

/**
 * Brings a usage to TokenUsage's meaning where its counts show they were reported apart: a prompt smaller than its
 * cache reads plus writes gets them added (always, when `excludesCache`), an answer smaller than its reasoning gets
 * it added. Returns the corrections made.
 */
export function reconcileUsage(usage: TokenUsage, excludesCache = false): UsageAdjustment[] {
  const adjustments: UsageAdjustment[] = [];
  const cached = usage.cacheReadTokens + usage.cacheWriteTokens;
  if (cached > 0 && (excludesCache || usage.inputTokens < cached)) {
    usage.inputTokens += cached;
    adjustments.push('cacheAddedToInput');
  }
  if (usage.reasoningTokens > usage.outputTokens) {
    usage.outputTokens += usage.reasoningTokens;
    adjustments.push('reasoningAddedToOutput');
  }
  return adjustments;
}

/** Whether a usage counts any token. */
export function hasTokens(usage: TokenUsage): boolean {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens > 0;
}

function isAnthropic(provider: string | undefined): boolean {
  return provider?.includes('anthropic') ?? false;
}

/**
 * Before v6 the AI SDK's Anthropic provider reports cache writes (and, in v4, cache reads) only in its provider
 * metadata: `{"anthropic":{"cacheCreationInputTokens":…,"cacheReadInputTokens":…}}`.
 */
function addVercelAnthropicCache(attributes: Attributes, usage: TokenUsage): void {
  if (usage.cacheReadTokens > 0 && usage.cacheWriteTokens > 0) return;
  const text = textOf(attributes, vercelAi.providerMetadata);
  if (text === undefined) return;
  let anthropic: unknown;
  try {
    anthropic = (JSON.parse(text) as { anthropic?: unknown } | null)?.anthropic;
  } catch {
    return;
  }
  if (anthropic === null || typeof anthropic !== 'object') return;
  const metadata = anthropic as Attributes;
  usage.cacheWriteTokens ||= countOf(metadata, ['cacheCreationInputTokens']) ?? 0;
  usage.cacheReadTokens ||= countOf(metadata, ['cacheReadInputTokens']) ?? 0;
}
