import type { AgentConfig, PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import type { AgentEstimate } from '../contract/cost';
import { canonicalJson } from '../hashing/hash';

/** One thing that changed in an agent between two configurations: `model`, `prompt`, `tools +search`… */
export interface AgentChange {
  /** What changed: model, prompt, tools, dependencies, output tokens, input tokens, calls, or a field's name. */
  what: string;
  /** Which names came or went (tools, dependencies), when the change is one of names. */
  detail?: string;
}

/** The fields of an agent that fall under one name a reviewer knows; the others are named as they are. */
const groups: Array<[string, Array<keyof AgentConfig>]> = [
  ['prompt', ['system', 'prompt', 'outputSchema']],
  // A loop's bound comes with its tools (CrewAI's max_iter).
  ['tools', ['tools', 'toolsInPrompt', 'maxCalls']],
  ['dependencies', ['dependsOn']],
  ['output tokens', ['expectedOutputTokens']],
  ['input tokens', ['expectedInputTokens']],
  ['calls', ['expectedCalls']],
];
const grouped = new Set<string>(groups.flatMap(([, fields]) => fields));

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** `+a -b`: the names in `after` and not in `before`, then the other way round; undefined when the same. */
function namesDiff(before: string[], after: string[]): string | undefined {
  const added = after.filter((name) => !before.includes(name)).map((name) => `+${name}`);
  const removed = before.filter((name) => !after.includes(name)).map((name) => `-${name}`);
  return added.length || removed.length ? [...added, ...removed].join(' ') : undefined;
}

const toolNames = (agent: AgentConfig): string[] => (agent.tools ?? []).map((tool) => tool.name);

/**
 * What changed in one agent's own configuration (its model and provider as resolved through the defaults, so a new
 * default model is a model change of every agent that uses it). A crew's task reads the same, from its YAML and
 * crew.py.
 */
export function ownChanges(name: string, before: PartyConfig, after: PartyConfig): AgentChange[] {
  const a = before.agents[name];
  const b = after.agents[name];
  if (!a || !b) return [];
  const changes: AgentChange[] = [];
  if (agentModel(a, before) !== agentModel(b, after) || agentProvider(a, before) !== agentProvider(b, after)) changes.push({ what: 'model' });
  for (const [what, fields] of groups) {
    if (fields.every((field) => same(a[field], b[field]))) continue;
    const detail =
      what === 'tools' ? namesDiff(toolNames(a), toolNames(b)) : what === 'dependencies' ? namesDiff(a.dependsOn ?? [], b.dependsOn ?? []) : undefined;
    changes.push(detail ? { what, detail } : { what });
  }
  const others = new Set([...Object.keys(a), ...Object.keys(b)].filter((field) => !grouped.has(field) && field !== 'model' && field !== 'provider'));
  for (const field of [...others].sort()) {
    if (!same(a[field as keyof AgentConfig], b[field as keyof AgentConfig])) changes.push({ what: field });
  }
  return changes;
}

/**
 * What changed for an agent whose cost moved: its own configuration, else why its figures moved all the same (an
 * upstream agent writes more, the prices or the inputs changed).
 */
export function agentChanges(name: string, before: PartyConfig, after: PartyConfig, old: AgentEstimate, now: AgentEstimate, upstream: string[]): AgentChange[] {
  const own = ownChanges(name, before, after);
  if (own.length) return own;
  if (old.inputTokens !== now.inputTokens) {
    return upstream.length ? [{ what: 'upstream output', detail: upstream.join(', ') }] : [{ what: 'inputs' }];
  }
  if (old.outputTokens !== now.outputTokens) return [{ what: 'output tokens' }];
  if (old.costPerRunUsd !== now.costPerRunUsd) return [{ what: 'prices' }];
  return [];
}
