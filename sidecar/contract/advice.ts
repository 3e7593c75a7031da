/** The shapes of the savings advisor's report, as `partycost advise --json` and `advice/compute` return them. */

/** What an advice changes. */
export type ChangeKind = 'prompt-cache' | 'prompt-order' | 'merge-agents' | 'model' | 'batch' | 'result-cache-ttl' | 'normalize' | 'context-budget';

/** How far to trust a saving: high (vendor rules and prices), medium (one stated assumption), low (several). */
export type Confidence = 'high' | 'medium' | 'low';

/** A configuration edit that applies an advice to `partycost.json`: set the value at the JSON path. */
export interface ConfigEdit {
  path: (string | number)[];
  value: unknown;
}

/** One change to one agent, priced per month. */
export interface Advice {
  /** Its rank in the report, from 1: stable for `partycost advise --apply N`. */
  rank: number;
  agent: string;
  kind: ChangeKind;
  /** The change in a few words: `model gpt-4o → gpt-4.1-mini`, `promptCache "1h"`… */
  change: string;
  savingPerMonthUsd: number;
  savingPerRunUsd: number;
  confidence: Confidence;
  /** Why it saves, in one or two sentences with the figures it rests on. */
  why: string;
  /** What the saving assumes (hit rate, volume, quality), each in a few words. */
  assumes: string[];
  /** The configuration edit that applies it (absent: an edit of prompts, or of a crew's YAML, by hand). */
  edit?: ConfigEdit;
}

/** What a vendor's prompt cache does for one agent's prompt as it is sent. */
export interface PromptCaching {
  agent: string;
  model: string;
  /** The vendor whose rules apply: openai (automatic), anthropic (explicit breakpoint), google (implicit); or none. */
  vendor: 'openai' | 'anthropic' | 'google' | 'other';
  /** The provider the agent runs on: the offline one reads no cache (its figures are the vendor's, as if it ran there). */
  runsOn: string;
  /** The rule applied, in a sentence. */
  rule: string;
  /** Prompt tokens that repeat across parties, from the start, in the order the prompt is sent. */
  prefixTokens: number;
  /** Every prompt token that repeats across parties, wherever it sits. */
  stableTokens: number;
  /** Prompt tokens as estimated (the whole prompt). */
  promptTokens: number;
  /** The shortest prefix the model caches (null: the vendor does not cache it). */
  minimumTokens: number | null;
  /** Tokens read from the cache on a hit. */
  cachedTokens: number;
  /** Tokens written to the cache on a miss at a write price (Anthropic's breakpoint). */
  writtenTokens: number;
  /** How long an entry lives after its last use, in minutes, as sent (5 for the vendors' default). */
  lifetimeMinutes: number;
  /** The share of runs expected to find the prefix cached: 1 − e^(−runs per minute × lifetime). */
  hitRate: number;
  /** What caching saves per month against no caching, writes counted (negative: it costs more than it saves). */
  savingPerMonthUsd: number;
  /** What the agent's runs (as now configured) read and wrote, priced: absent before any real run. */
  measured?: { runs: number; hitRate: number; savingPerRunUsd: number; predictedPerRunUsd: number };
}

/** What is kept of an advice when it is applied: which advice it was, and the saving per run it predicted. */
export interface AdviceApplied {
  agent: string;
  kind: string;
  change: string;
  predictedPerRunUsd: number;
}

export function appliedOf(advice: Advice): AdviceApplied {
  return { agent: advice.agent, kind: advice.kind, change: advice.change, predictedPerRunUsd: advice.savingPerRunUsd };
}

/** An advice applied (by the quick fix or `advise --apply`), with what the ledger shows since. */
export interface AppliedAdvice {
  agent: string;
  kind: ChangeKind;
  change: string;
  appliedAt: string;
  predictedPerRunUsd: number;
  /** Mean actual cost per execution before and after (at most the latest 20 of each); null until both exist. */
  measured: { before: { runs: number; meanUsd: number }; after: { runs: number; meanUsd: number }; savingPerRunUsd: number } | null;
}

/** The advisor's report: ranked changes, what prompt caching does per agent, and what applied advice measured. */
export interface AdviceReport {
  advice: Advice[];
  totalPerMonthUsd: number;
  promptCaching: PromptCaching[];
  /** What the prompt-caching rows assume beyond the vendors' rules, one sentence each. */
  cachingNotes: string[];
  applied: AppliedAdvice[];
  /** The volume the savings are priced at: the configuration's, or the ledger's last 30 days. */
  volume: { partiesPerMonth: number; runsPerParty: number; source: 'configured' | 'ledger'; why: string };
  prices: { source: string; date: string };
}
