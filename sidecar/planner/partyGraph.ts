import type { AgentConfig, PartyConfig } from '../config/schema';
import { topologicalOrder } from '../config/graph';
import type { PartyState } from '../contract/party';
import { routerFor } from '../party/routing';
import type { Router } from '../party/routing';
import { agentDefinition } from './keys';
import type { AgentDefinition } from './keys';
import { inputsByAgent } from './normalize';

/** The per-agent facts a plan and a run both start from: order, definitions, normalised inputs, who takes part. */
export interface AgentFacts {
  name: string;
  agent: AgentConfig;
  dependsOn: string[];
  definition: AgentDefinition;
  inputs: string[];
  active: boolean;
  ttlMs: number;
}

export const defaultTtlMs = 7 * 24 * 3600 * 1000;

export function ttlMs(ttl: number | string | undefined): number {
  if (ttl === undefined) return defaultTtlMs;
  if (typeof ttl === 'number') return ttl * 1000;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[ttl.slice(-1) as 's' | 'm' | 'h' | 'd'];
  return Number(ttl.slice(0, -1)) * unit * 1000;
}

/**
 * Agents in topological order with their facts for this party. Inputs are routed with the configuration in force,
 * so a change to an agent's `handles` re-routes existing inputs; the routes stored with each input record what it
 * reached when it was added.
 */
export function partyGraph(config: PartyConfig, state: PartyState, router: Router = routerFor(config)): AgentFacts[] {
  const { inputsOf } = routeInputs(
    config,
    state.inputs.map((input) => input.text),
    router,
  );
  const order = topologicalOrder(new Map(Object.entries(config.agents).map(([name, a]) => [name, a.dependsOn ?? []])));
  const active = new Map<string, boolean>();
  return order.map((name) => {
    const agent = config.agents[name]!;
    const dependsOn = agent.dependsOn ?? [];
    const inputs = inputsOf.get(name) ?? [];
    const isActive = takesPart(agent, inputs, active, state.inputs.length);
    active.set(name, isActive);
    return { name, agent, dependsOn, definition: agentDefinition(agent, config), inputs, active: isActive, ttlMs: ttlMs(agent.cache?.ttl) };
  });
}

/**
 * A party's input texts routed and normalised per agent; each distinct text is routed once (what an agent receives is
 * a set, so a repeated input adds nothing to it). `textsOf` gives the texts routed to an agent, as written.
 */
export function routeInputs(
  config: PartyConfig,
  inputs: readonly string[],
  router: Router,
): { inputsOf: Map<string, string[]>; textsOf: (agent: string) => string[] } {
  const texts: string[] = [];
  const routed = new Map<string, number[]>();
  for (const text of new Set(inputs)) {
    const i = texts.push(text) - 1;
    for (const agent of router(text)) {
      const indices = routed.get(agent);
      if (indices) indices.push(i);
      else routed.set(agent, [i]);
    }
  }
  return { inputsOf: inputsByAgent(texts, routed, config.agents), textsOf: (agent) => (routed.get(agent) ?? []).map((i) => texts[i]!) };
}

/**
 * Whether an agent takes part: one with routing rules when inputs reach it; one without, when its upstream agents do
 * (`active` holds those decided so far, in dependency order), or, with no upstream, when the party has any input.
 */
export function takesPart(agent: AgentConfig, inputs: string[], active: ReadonlyMap<string, boolean>, partyInputs: number): boolean {
  const dependsOn = agent.dependsOn ?? [];
  return agent.handles ? inputs.length > 0 : dependsOn.length ? dependsOn.some((dep) => active.get(dep)) : partyInputs > 0;
}
