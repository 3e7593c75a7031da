import { agentMessages, stablePrefixOf } from './prompt';
import type { StablePrefix } from '../providers/provider';
import type { AgentConfig } from '../config/schema';
import { isInputPlaceholder, placeholders } from '../config/template';
import { templateMessages } from './agentTokens';
import { countChat, countText, tokenizationFor } from '../cost/tokens';
import type { ChatMessage, EncodingName } from '../cost/tokens';
import { resultHash } from '../hashing/hash';
import { referenceText, resultSummarizer } from './summarize';
import type { Summary } from './summarize';

/** One upstream agent's settled result, as the runner holds it. */
export interface UpstreamResult {
  output: string | null;
  resultHash: string | null;
}

export interface AssemblyRequest {
  agent: AgentConfig;
  model: string;
  /** The agent's own normalised inputs: always included whole. */
  inputs: string[];
  /** The upstream results keyed by agent name, in dependsOn order. */
  upstream: Record<string, UpstreamResult>;
}

/**
 * How an upstream result is in the prompt: whole; as a summary (extracted fields and the beginning of the text); as
 * a reference to the stored result; or 'none': not in the prompt (no placeholder uses it) or no result (null output,
 * shown as "(none)" as always).
 */
export type UpstreamForm = 'whole' | 'summary' | 'reference' | 'none';

export interface UpstreamPlacement {
  agent: string;
  form: UpstreamForm;
  /** Tokens of the whole result text, times the number of placeholders that place it. */
  tokensWhole: number;
  /** Tokens of the text placed instead, counted the same way. */
  tokensUsed: number;
}

export interface Assembly {
  messages: ChatMessage[];
  /** The exact chat count of `messages` (countChat with the model's encoding). */
  tokens: number;
  /** The agent's contextBudget, null when it has none. */
  budget: number | null;
  /**
   * `instructions`: the chat with every placeholder empty (the count the config check compares with contextBudget);
   * `inputs`: what the own inputs add; `upstream`: what the upstream results add. They add up to `tokens`.
   */
  parts: { instructions: number; inputs: number; upstream: number };
  /** Every agent of `request.upstream`, in its order. */
  upstream: UpstreamPlacement[];
  /** Σ tokensWhole − tokensUsed. */
  prunedTokens: number;
  /** Even the minimal assembly (instructions, inputs, references) is over the budget; it is returned as is. */
  overBudget: boolean;
  /** The part of the chat that repeats across parties, where a provider's prompt cache can help. */
  stablePrefix: StablePrefix;
}

/** What a placeholder is filled with when its agent has no result, as in agentMessages. */
const noResult = '(none)';

/** One upstream agent's place in the assembly and its current form. */
interface Slot {
  agent: string;
  /** How many placeholders (system and prompt) place its text. */
  occurrences: number;
  output: string | null;
  hash: string;
  wholeTokens: number;
  referenceText: string;
  referenceTokens: number;
  /** Large enough that a reference is smaller than the whole. */
  prunable: boolean;
  form: UpstreamForm;
  text: string;
  /** Tokens of `text` alone (once; the slot contributes occurrences × tokens). */
  tokens: number;
  summarize?: (target: number) => Summary | null;
}

/**
 * The chat an agent sends, within its contextBudget when it has one.
 *
 * Without a budget: every upstream result whole, exactly the messages of agentMessages. With one: the instructions
 * and all own inputs are always whole; upstream results sit at their placeholders, and while the chat is over the
 * budget the largest remaining result (by the tokens it contributes; the earlier in dependsOn on a tie) is degraded
 * one step, whole → summary → reference. A summary is at most a quarter of the whole, smaller when only less fits and
 * more than a reference would be; a result no larger than its reference stays whole. When even every prunable result
 * as a reference is over the budget, that minimal assembly is returned with overBudget.
 *
 * The messages are a function of the request alone (agent definition, inputs, upstream outputs and hashes), so they
 * can be cached by the agent's key. Decisions use per-text token counts plus the exact count of the fixed part; every
 * result is checked with an exact countChat of the final messages, and `tokens` is that count.
 */
export function assembleContext(request: AssemblyRequest): Assembly {
  const { agent, inputs } = request;
  const { encoding } = tokenizationFor(request.model);
  const budget = agent.contextBudget ?? null;
  const occurrences = placeholderCounts(agent);
  const slots = Object.entries(request.upstream).map(([name, result]) => makeSlot(name, result, occurrences.get(name) ?? 0, encoding));
  const placed = slots.filter((slot) => slot.occurrences > 0);

  const build = (): ChatMessage[] =>
    agentMessages(
      agent,
      inputs,
      textsOf(placed, (slot) => slot.text),
    );
  const instructions = countChat(templateMessages(agent), encoding);
  const fixed = countChat(
    agentMessages(
      agent,
      inputs,
      textsOf(placed, () => ''),
    ),
    encoding,
  );
  const contribution = (slot: Slot): number => slot.occurrences * slot.tokens;
  const estimate = (): number => placed.reduce((sum, slot) => sum + contribution(slot), fixed);

  let tokens: number | null = null;
  let messages: ChatMessage[] | null = null;
  if (budget !== null) {
    // Token counts of texts joined at a placeholder can differ from the sum of their counts by a few tokens.
    const boundaries = 2 * placed.reduce((sum, slot) => sum + slot.occurrences, 0);
    const slack = 16 + 8 * boundaries;
    const minimal = placed.reduce((sum, slot) => sum + slot.occurrences * (slot.prunable ? slot.referenceTokens : slot.wholeTokens), fixed);
    if (minimal > budget + slack) {
      // Clearly over even when minimal: where the greedy steps would end, without taking them.
      for (const slot of placed) if (slot.prunable) setForm(slot, 'reference', slot.referenceText, slot.referenceTokens);
    }
    let correction = 0;
    let fitted: Slot | null = null;
    for (;;) {
      const estimated = estimate();
      tokens = null;
      if (estimated + correction <= budget + slack) {
        messages = build();
        tokens = countChat(messages, encoding);
        correction = tokens - estimated;
        if (tokens <= budget) break;
        // Just over after sizing a summary to fit: shrink that summary by the excess rather than degrade another.
        if (fitted) {
          const target = fitted.tokens - Math.ceil((tokens - budget) / fitted.occurrences);
          const smaller = target > fitted.referenceTokens ? fitted.summarize!(target) : null;
          if (smaller && smaller.tokens > fitted.referenceTokens && smaller.tokens < fitted.tokens) {
            setForm(fitted, 'summary', smaller.text, smaller.tokens);
            continue;
          }
          fitted = null;
        }
      }
      const victim = largestPrunable(placed);
      if (!victim) break;
      fitted = degrade(victim, budget - (estimated + correction - contribution(victim)), encoding);
    }
  }

  if (tokens === null || messages === null) {
    messages = build();
    tokens = countChat(messages, encoding);
  }
  const upstream = slots.map(
    (slot): UpstreamPlacement => ({
      agent: slot.agent,
      form: slot.form,
      tokensWhole: slot.occurrences * slot.wholeTokens,
      tokensUsed: slot.occurrences * slot.tokens,
    }),
  );
  return {
    messages,
    tokens,
    budget,
    parts: { instructions, inputs: fixed - instructions, upstream: tokens - fixed },
    upstream,
    prunedTokens: upstream.reduce((sum, placement) => sum + placement.tokensWhole - placement.tokensUsed, 0),
    overBudget: budget !== null && tokens > budget,
    stablePrefix: stablePrefixOf(
      agent,
      textsOf(placed, (slot) => slot.text),
    ),
  };
}

/** How many times each name is used as a placeholder in the messages agentMessages builds (inputs excluded). */
function placeholderCounts(agent: AgentConfig): Map<string, number> {
  const counts = new Map<string, number>();
  const templates = [agent.system ? agent.system : '', agent.prompt ?? ''];
  for (const template of templates) {
    for (const { name } of placeholders(template)) if (!isInputPlaceholder(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function makeSlot(agent: string, result: UpstreamResult, occurrences: number, encoding: EncodingName): Slot {
  const { output } = result;
  const hash = result.resultHash ?? (output === null ? '' : resultHash(output));
  const whole = output ?? noResult;
  const wholeTokens = occurrences > 0 ? cachedCount(whole, encoding) : 0;
  const reference = referenceText(agent, hash);
  const referenceTokens = cachedCount(reference, encoding);
  return {
    agent,
    occurrences,
    output,
    hash,
    wholeTokens,
    referenceText: reference,
    referenceTokens,
    prunable: occurrences > 0 && output !== null && wholeTokens > referenceTokens,
    form: occurrences > 0 && output !== null ? 'whole' : 'none',
    text: whole,
    tokens: wholeTokens,
  };
}

/** The upstream texts as agentMessages takes them (a null-prototype record: no inherited names). */
function textsOf(slots: readonly Slot[], text: (slot: Slot) => string): Record<string, string> {
  const texts: Record<string, string> = Object.create(null);
  for (const slot of slots) texts[slot.agent] = text(slot);
  return texts;
}

function setForm(slot: Slot, form: UpstreamForm, text: string, tokens: number): void {
  slot.form = form;
  slot.text = text;
  slot.tokens = tokens;
}

/** The slot contributing the most tokens that can still be degraded; the first in dependsOn order on a tie. */
function largestPrunable(slots: readonly Slot[]): Slot | null {
  let largest: Slot | null = null;
  for (const slot of slots) {
    const degradable = (slot.form === 'whole' && slot.prunable) || slot.form === 'summary';
    if (degradable && (!largest || slot.occurrences * slot.tokens > largest.occurrences * largest.tokens)) largest = slot;
  }
  return largest;
}

/**
 * One step down: whole → summary (or straight to reference when no summary would be larger than the reference),
 * summary → reference. `room` is the space the slot would have with every other slot as it is now. A summary is a
 * quarter of the whole, or smaller when that is what fits (and it is more than a reference); the slot is returned
 * when its summary was sized to fit, so an exact count just over the budget can shrink it further.
 */
function degrade(slot: Slot, room: number, encoding: EncodingName): Slot | null {
  if (slot.form === 'whole') {
    const cap = Math.floor(slot.wholeTokens / 4);
    if (cap > slot.referenceTokens) {
      const space = Math.floor(room / slot.occurrences);
      const sizedToFit = space > slot.referenceTokens && space < cap;
      slot.summarize ??= summarizerFor(slot, encoding);
      const summary = slot.summarize(sizedToFit ? space : cap);
      if (summary && summary.tokens > slot.referenceTokens && summary.tokens < slot.wholeTokens) {
        setForm(slot, 'summary', summary.text, summary.tokens);
        return sizedToFit ? slot : null;
      }
    }
  }
  setForm(slot, 'reference', slot.referenceText, slot.referenceTokens);
  return null;
}

/** Forgets the token counts and summarizers kept between assemblies (tests and benchmarks measure without them). */
export function clearContextCaches(): void {
  summarizers.clear();
  countCache.clear();
  cachedCharacters = 0;
}

// A result's summarizer (its fields, word boundaries and the summaries made) is kept for the next assembly that uses
// it: every run of a party assembles its agents, and many share upstream results.
const summarizers = new Map<string, { output: string; summarize: (target: number) => Summary | null }>();

function summarizerFor(slot: Slot, encoding: EncodingName): (target: number) => Summary | null {
  const key = `${encoding}\0${slot.agent}\0${slot.hash}`;
  const known = summarizers.get(key);
  if (known && known.output === slot.output) return known.summarize;
  if (summarizers.size >= 128) summarizers.clear();
  const summarize = resultSummarizer(slot.agent, slot.output!, slot.hash, encoding, slot.wholeTokens);
  summarizers.set(key, { output: slot.output!, summarize });
  return summarize;
}

// Whole results are counted once, however often they are assembled (every run of a party assembles its agents).
const countCache = new Map<EncodingName, Map<string, number>>();
const countCacheLimit = { entries: 1024, characters: 16_000_000 };
let cachedCharacters = 0;

function cachedCount(text: string, encoding: EncodingName): number {
  let counts = countCache.get(encoding);
  if (!counts) countCache.set(encoding, (counts = new Map()));
  const known = counts.get(text);
  if (known !== undefined) return known;
  const tokens = countText(text, encoding);
  if (cachedCharacters + text.length > countCacheLimit.characters || counts.size >= countCacheLimit.entries) {
    for (const map of countCache.values()) map.clear();
    cachedCharacters = 0;
  }
  if (text.length <= countCacheLimit.characters) {
    counts.set(text, tokens);
    cachedCharacters += text.length;
  }
  return tokens;
}
