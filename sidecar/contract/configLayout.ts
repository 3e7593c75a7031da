import { findNodeAtLocation, parseTree } from 'jsonc-parser';

/** An agent's name and where its key stands in the configuration text. */
export interface AgentLocation {
  agent: string;
  offset: number;
  length: number;
}

/**
 * What a version of the configuration holds, as text (read with jsonc-parser, comments allowed): its agents' keys
 * in file order, each agent's entry (`"name": { … }`) and
 * everything outside `agents` (defaults, prices, volume…). Two versions whose outside and one agent's entry are the
 * same text differ, for that agent, at most in what its upstream agents declare.
 */
export interface ConfigLayout {
  agents: AgentLocation[];
  entries: Map<string, string>;
  outside: string;
}

export function configLayout(text: string): ConfigLayout {
  const root = parseTree(text, [], { allowTrailingComma: true });
  const agents = root && findNodeAtLocation(root, ['agents']);
  if (agents?.type !== 'object') return { agents: [], entries: new Map(), outside: text };
  const located: AgentLocation[] = [];
  const entries = new Map<string, string>();
  for (const property of agents.children ?? []) {
    const key = property.children?.[0];
    if (!key || typeof key.value !== 'string') continue;
    located.push({ agent: key.value, offset: key.offset, length: key.length });
    entries.set(key.value, text.slice(property.offset, property.offset + property.length));
  }
  return { agents: located, entries, outside: text.slice(0, agents.offset) + text.slice(agents.offset + agents.length) };
}

/** The agent whose key contains the offset, if any, among the agents located in a text. */
export function agentAt(agents: AgentLocation[], offset: number): AgentLocation | undefined {
  return agents.find((a) => offset >= a.offset && offset <= a.offset + a.length);
}

/** Whether an agent's cost in one version holds in another: its entry and everything outside `agents` unchanged. */
export function sameFor(agent: string, before: ConfigLayout, after: ConfigLayout): boolean {
  const entry = before.entries.get(agent);
  return entry !== undefined && entry === after.entries.get(agent) && before.outside === after.outside;
}
