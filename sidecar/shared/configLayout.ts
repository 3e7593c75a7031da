import { findNodeAtLocation, parseTree } from 'jsonc-parser';

/** An agent's name and where its key stands in the configuration text. */
export interface AgentLocation {
  agent: string;
  offset: number;
  length: number;
  /** A CrewAI agent (crew.py's `@agent` method): what it costs is its tasks', not an agent of ours. */
  crewAgent?: true;
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

/** The layout of a configuration file by its name: a crew's YAML (its top-level keys), a crew's Python, else partycost.json. */
export function layoutOf(file: string, text: string): ConfigLayout {
  if (/\.py$/i.test(file)) return pythonLayout(text);
  return /\.ya?ml$/i.test(file) ? yamlLayout(text) : configLayout(text);
}

/**
 * Where a crew's Python names its tasks and agents, for an editor's hovers and lenses: each `@task` method (a task,
 * an agent of ours) and `@agent` method (a CrewAI agent), by the decorator written above its `def`, each entry to the
 * next decorated method. Only places: the sidecar reads the file with a Python parser.
 */
export function pythonLayout(text: string): ConfigLayout {
  const located: AgentLocation[] = [];
  const starts: number[] = [];
  const method = /^([ \t]*)@(agent|task)\b[^\n]*\n(?:\1@[^\n]*\n)*\1(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/gm;
  for (const match of text.matchAll(method)) {
    const name = match[3]!;
    const offset = (match.index ?? 0) + match[0].length - name.length;
    located.push({ agent: name, offset, length: name.length, ...(match[2] === 'agent' ? { crewAgent: true as const } : {}) });
    starts.push(match.index ?? 0);
  }
  const entries = new Map<string, string>();
  located.forEach((entry, i) => entries.set(entry.agent, text.slice(starts[i], starts[i + 1] ?? text.length)));
  const outside = starts.length ? text.slice(0, starts[0]) : text;
  return { agents: located, entries, outside };
}

/** Where a crew YAML file's entries are: keys at the start of a line (agent or task names), each to the next. */
export function yamlLayout(text: string): ConfigLayout {
  const located: AgentLocation[] = [];
  const starts: number[] = [];
  const key = /^(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_][\w-]*))[ \t]*:(?=\s|$)/gm;
  for (const match of text.matchAll(key)) {
    const name = match[1] ?? match[2] ?? match[3] ?? '';
    const offset = (match.index ?? 0) + (match[3] === undefined ? 1 : 0);
    located.push({ agent: name, offset, length: name.length });
    starts.push(match.index ?? 0);
  }
  const entries = new Map<string, string>();
  located.forEach((entry, i) => entries.set(entry.agent, text.slice(starts[i], starts[i + 1] ?? text.length)));
  const outside = starts.length ? text.slice(0, starts[0]) : text;
  return { agents: located, entries, outside };
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
