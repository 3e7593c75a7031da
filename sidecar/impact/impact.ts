import type { PartyConfig } from '../config/schema';
import { topologicalOrder } from '../config/graph';
import { routerFor } from '../party/routing';
import type { Router } from '../party/routing';
import { agentDefinition, agentKey, changedFields } from '../planner/keys';
import type { AgentDefinition } from '../planner/keys';
import { routeInputs, takesPart } from '../planner/partyGraph';
import { decide } from '../planner/decide';
import type { Decision, UpstreamState } from '../planner/decide';
import type { AgentResult } from '../contract/party';
import type { StoredParty, StoredResults, StoredRow } from '../store/storedResults';
import { definitionHash } from '../store/projection';

/**
 * What a configuration change re-runs in one party: each agent the planner would execute or delete for a reason the
 * configuration gives (a changed definition or routing, an added agent, or an upstream agent re-run for such a
 * reason), with its cause. What the party's own pending edits or failed runs re-run is not the change's.
 */
export interface PartyImpact {
  party: string;
  /** Where the party stands in the order they were created. */
  order: number;
  agents: { agent: string; action: 'execute' | 'delete'; cause: string; detail?: string; conditional: boolean }[];
  /** Agents it has results of that the configuration no longer has: their results are kept, nothing re-runs them. */
  removed: string[];
}

/** A configuration's definitions, routing and order, prepared once for every party. */
interface Prepared {
  config: PartyConfig;
  order: string[];
  definitions: Map<string, { definition: AgentDefinition; json: string }>;
  router: Router;
}

function prepare(config: PartyConfig): Prepared {
  const order = topologicalOrder(new Map(Object.entries(config.agents).map(([name, a]) => [name, a.dependsOn ?? []])));
  const definitions = new Map(
    order.map((name) => {
      const definition = agentDefinition(config.agents[name]!, config);
      return [name, { definition, json: JSON.stringify(definition) }];
    }),
  );
  return { config, order, definitions, router: routerFor(config) };
}

/**
 * What stored definitions say against the configuration's, per agent and stored definition: the same (a result of it
 * may be reused), or not; and whether a row of it reproduces its key (an older release's key version does not: then
 * the planner's decision names it for every row). Parties share a few definitions (those of the configurations they
 * ran with), so each distinct one is read, parsed and compared once.
 */
interface Group {
  same: boolean;
  keyValid: boolean;
  definition: AgentDefinition;
}

class DefinitionGroups {
  /** By agent, then by definition hash (no key strings built per row). */
  private readonly groups = new Map<string, Map<string, Group>>();

  constructor(
    private readonly prepared: Prepared,
    private readonly text: (agent: string, hash: string) => string,
  ) {}

  of(row: StoredRow): Group {
    let byHash = this.groups.get(row.agent);
    if (!byHash) this.groups.set(row.agent, (byHash = new Map()));
    let group = byHash.get(row.definitionHash);
    if (!group) {
      const current = this.prepared.definitions.get(row.agent);
      const text = this.text(row.agent, row.definitionHash);
      const definition = JSON.parse(text) as AgentDefinition;
      const same = current !== undefined && (text === current.json || changedFields(definition, current.definition).length === 0);
      const keyValid = agentKey(definition, JSON.parse(row.inputs), JSON.parse(row.upstream)) === row.key;
      byHash.set(row.definitionHash, (group = { same, keyValid, definition }));
    }
    return group;
  }
}

/**
 * Every stored party's delta plan under `config`, as the planner decides it (planner/decide.ts), without expiry,
 * the shared cache or spend limits: what the configuration change itself re-runs. A result whose definition, inputs
 * and upstream results are as stored is reused without hashing; only the rest go through the planner's decision.
 */
export function partyImpacts(config: PartyConfig, stored: StoredResults): PartyImpact[] {
  const prepared = prepare(config);
  const groups = new DefinitionGroups(prepared, stored.definitionText);
  // Agents some party has a result of: one none has is new to the configuration.
  const known = stored.agents;
  const impacts: PartyImpact[] = [];
  stored.forEach((party) =>
    impacts.push(party.results.size ? partyImpact(prepared, groups, party, known) : { party: party.id, order: party.order, agents: [], removed: [] }),
  );
  return impacts.sort((a, b) => a.order - b.order);
}

/** Whether the texts routed to an agent now differ from those its stored routes record. */
function reroutes(now: string[], stored: Set<string> | undefined): boolean {
  if (now.length !== (stored?.size ?? 0)) return true;
  return now.some((text) => !stored!.has(text));
}

/**
 * The parties as if every one that has run had its results produced by `config` (for `impact --against REV`): each
 * agent that takes part has a result of that configuration's definition, with its inputs and upstream results.
 */
export function partiesRunWith(config: PartyConfig, stored: StoredResults): StoredResults {
  const prepared = prepare(config);
  const hashes = new Map([...prepared.definitions].map(([name, { json }]) => [name, definitionHash(json)]));
  const texts = new Map([...prepared.definitions].map(([name, { json }]) => [hashes.get(name)!, json]));
  return {
    agents: new Set(prepared.order),
    definitionText: (_agent, hash) => texts.get(hash)!,
    forEach: (visit) => stored.forEach((party) => visit(runWith(prepared, hashes, party))),
  };
}

/** One party as if it had run with the prepared configuration (whose definitions' hashes are given). */
function runWith(prepared: Prepared, hashes: Map<string, string>, party: StoredParty): StoredParty {
  const results = new Map<string, StoredRow>();
  if (!party.hasRun) return { ...party, results };
  const { inputsOf, textsOf } = routeInputs(prepared.config, party.inputs, prepared.router);
  const routes = new Map(prepared.order.map((name) => [name, new Set(textsOf(name))]));
  const active = new Map<string, boolean>();
  for (const name of prepared.order) {
    const inputs = inputsOf.get(name) ?? [];
    const agent = prepared.config.agents[name]!;
    const isActive = takesPart(agent, inputs, active, party.inputs.length);
    active.set(name, isActive);
    if (!isActive) continue;
    const upstream = Object.fromEntries((agent.dependsOn ?? []).map((dep) => [dep, results.get(dep)?.resultHash ?? null]));
    const key = agentKey(prepared.definitions.get(name)!.definition, inputs, upstream);
    results.set(name, {
      agent: name,
      key,
      resultHash: key,
      definitionHash: hashes.get(name)!,
      inputs: JSON.stringify(inputs),
      upstream: JSON.stringify(upstream),
    });
  }
  return { ...party, routes, results };
}

function partyImpact(prepared: Prepared, groups: DefinitionGroups, party: StoredParty, known: Set<string>): PartyImpact {
  const { config, order, definitions } = prepared;
  const { inputsOf, textsOf } = routeInputs(prepared.config, party.inputs, prepared.router);
  // Agents re-run because of the configuration, and those re-run whatever it says (the party's pending edits).
  const changed = new Set<string>();
  const anyway = new Set<string>();
  const decisions = new Map<string, Decision>();
  const active = new Map<string, boolean>();
  const impacted: PartyImpact['agents'] = [];
  for (const name of order) {
    const agent = config.agents[name]!;
    const dependsOn = agent.dependsOn ?? [];
    const inputs = inputsOf.get(name) ?? [];
    const isActive = takesPart(agent, inputs, active, party.inputs.length);
    active.set(name, isActive);
    const row = party.results.get(name);
    const upstream = Object.fromEntries(dependsOn.map((dep) => [dep, upstreamState(decisions.get(dep), party.results.get(dep)?.resultHash ?? null)]));
    let decision: Decision;
    const group = row && groups.of(row);
    if (isActive && row && group!.same && group!.keyValid && row.inputs === JSON.stringify(inputs) && sameUpstream(row, dependsOn, upstream)) {
      decision = { action: 'reuse', cause: 'unchanged' };
    } else {
      const stored = row && storedResult(row, group!.definition);
      decision = decide({
        definition: definitions.get(name)!.definition,
        inputs,
        active: isActive,
        stored,
        storedKeyValid: group?.keyValid,
        upstream,
        forced: false,
        expired: false,
        partyHasRun: party.hasRun,
      });
    }
    decisions.set(name, decision);
    if (decision.action !== 'execute' && decision.action !== 'delete') continue;
    const isNew = !agent.handles && !known.has(name);
    const why = byConfiguration(decision, dependsOn, changed, anyway, () => isNew || reroutes(textsOf(name), party.routes.get(name)));
    if (!why) anyway.add(name);
    else {
      changed.add(name);
      impacted.push({
        agent: name,
        action: decision.action,
        cause: decision.cause,
        ...(decision.detail ? { detail: decision.detail } : {}),
        conditional: decision.conditional === true,
      });
    }
  }
  // Results of agents the configuration no longer has stay as they are (a run plans only configured agents).
  const removed = [...party.results.keys()].filter((agent) => !definitions.has(agent));
  return { party: party.id, order: party.order, agents: impacted, removed };
}

/**
 * Whether the configuration is why an agent re-runs (or loses its result), rather than the party's own edits: its
 * definition or routing changed, or it is new; or an upstream agent re-runs because of the configuration and none
 * re-runs whatever the configuration says (then this one would re-run anyway).
 */
function byConfiguration(decision: Decision, dependsOn: string[], changed: Set<string>, anyway: Set<string>, rerouted: () => boolean): boolean {
  switch (decision.cause) {
    case 'configuration changed':
      return true;
    case 'upstream changed':
      return dependsOn.some((dep) => changed.has(dep)) && !dependsOn.some((dep) => anyway.has(dep));
    case 'input added':
    case 'input removed':
    case 'input changed':
    case 'never ran':
      return rerouted();
    default:
      return false; // engine changed, cache expired: stale whatever the configuration says
  }
}

/** What is known of an upstream agent at plan time (as planner/plan.ts says it). */
function upstreamState(decision: Decision | undefined, previousHash: string | null): UpstreamState {
  if (!decision || decision.action === 'delete' || decision.action === 'skip') return { hash: null };
  if (decision.action === 'execute') return { pending: true, previousHash };
  return { hash: previousHash };
}

/** Whether every upstream result is known and is the one the stored result was made from (and no other was). */
function sameUpstream(row: StoredRow, dependsOn: string[], upstream: Record<string, UpstreamState>): boolean {
  // The runner stores them in dependsOn order: the same text is the same upstream, without parsing it.
  const hashes: Record<string, string | null> = {};
  for (const dep of dependsOn) {
    const state = upstream[dep];
    if (!state || !('hash' in state)) return false;
    hashes[dep] = state.hash;
  }
  if (JSON.stringify(hashes) === row.upstream) return true;
  const stored = JSON.parse(row.upstream) as Record<string, string | null>;
  for (const [name, state] of Object.entries(upstream)) {
    if (!('hash' in state) || state.hash !== (stored[name] ?? null)) return false;
  }
  return Object.keys(stored).every((name) => name in upstream || stored[name] === null);
}

function storedResult(row: StoredRow, definition: AgentDefinition): AgentResult {
  return {
    agent: row.agent,
    key: row.key,
    resultHash: row.resultHash,
    output: '',
    definition,
    inputs: JSON.parse(row.inputs) as string[],
    upstream: JSON.parse(row.upstream) as Record<string, string | null>,
    usage: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'estimated' },
    model: null,
    costUsd: 0,
    durationMs: 0,
    completedAt: '',
  };
}
