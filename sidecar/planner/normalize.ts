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

/**
 * An agent's inputs as a sorted set: order and duplicates do not change what it produces. The one-agent form, which
 * `inputsByAgent` (what plans use) must answer as; a property test holds the two equal.
 */
export function agentInputs(texts: string[], agent: AgentConfig): string[] {
  return [...new Set(texts.map((text) => normalizeInput(text, agent.cache?.normalize)))].sort();
}

/**
 * `agentInputs` for every agent of a plan at once, from the distinct texts and the indices of those routed to each
 * agent. Agents with the same rules (most have none) share the work: each text is normalised once per set of rules,
 * the normalised texts are sorted once, and an agent's inputs are its texts' ranks in that order, sorted as numbers.
 */
export function inputsByAgent(texts: string[], routed: Map<string, number[]>, agents: Record<string, AgentConfig>): Map<string, string[]> {
  const groups = new Map<string, { rules: Normalize; agents: string[] }>();
  for (const agent of routed.keys()) {
    const rules = agents[agent]!.cache?.normalize;
    const key = rules ? JSON.stringify(rules) : '';
    const group = groups.get(key);
    if (group) group.agents.push(agent);
    else groups.set(key, { rules, agents: [agent] });
  }
  const inputs = new Map<string, string[]>();
  for (const group of groups.values()) {
    const used = new Uint8Array(texts.length);
    for (const agent of group.agents) for (const i of routed.get(agent)!) used[i] = 1;
    const normalized: string[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) if (used[i]) normalized[i] = normalizeInput(texts[i]!, group.rules);
    const sorted = [...new Set(normalized.filter((text) => text !== undefined))].sort();
    const rankOf = new Map(sorted.map((text, rank) => [text, rank]));
    const rank = new Int32Array(texts.length);
    for (let i = 0; i < texts.length; i++) if (used[i]) rank[i] = rankOf.get(normalized[i]!)!;
    for (const agent of group.agents) {
      const indices = routed.get(agent)!;
      const ranks = new Int32Array(indices.length);
      for (let k = 0; k < indices.length; k++) ranks[k] = rank[indices[k]!]!;
      ranks.sort();
      const list: string[] = [];
      for (let k = 0; k < ranks.length; k++) if (k === 0 || ranks[k] !== ranks[k - 1]) list.push(sorted[ranks[k]!]!);
      inputs.set(agent, list);
    }
  }
  return inputs;
}
