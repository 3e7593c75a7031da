import type { AgentConfig } from '../config/schema';
import { wholeWord } from '../party/routing';

type Normalize = NonNullable<AgentConfig['cache']>['normalize'];

/**
 * An input as it enters an agent's key and prompt: collapsed, lower-case, then the agent's `normalize` rules, so that
 * equivalent inputs ("jungle theme", "JUNGLE party") share one result across parties.
 */
export function normalizeInput(text: string, normalize: Normalize): string {
  const base = text.trim().replace(/\s+/g, ' ').toLowerCase();
  const word = normalize?.words?.find((candidate) => wholeWord(candidate).test(base));
  if (word) return word.toLowerCase();
  const roundTo = normalize?.roundTo;
  if (!roundTo) return base;
  // Never round down to zero: a party of 10 with roundTo 25 is planned for 25.
  return base.replace(/\d+(?:\.\d+)?/g, (n) => String(Math.max(roundTo, Math.round(Number(n) / roundTo) * roundTo)));
}

/** An agent's inputs as a sorted set: order and duplicates do not change what it produces. */
export function agentInputs(texts: string[], agent: AgentConfig): string[] {
  return [...new Set(texts.map((text) => normalizeInput(text, agent.cache?.normalize)))].sort();
}
