import type { AgentConfig, PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import { resultEndpoint } from '../providers/registry';
import { builtinProvider, providerProfile } from '../providers/profiles';
import { canonicalJson, sha256 } from '../hashing/hash';

/** Bumped when the meaning of a key changes, so old results are never mistaken for new ones. */
export const keyVersion = 2;

/** What in an agent's configuration can change its output (its name, cost figures and routing cannot). */
export type AgentDefinition = Record<string, unknown>;

export function agentDefinition(agent: AgentConfig, config: PartyConfig): AgentDefinition {
  const provider = agentProvider(agent, config);
  return {
    kind: agent.kind ?? 'llm',
    provider,
    // The endpoint is part of what a result depends on (another server, another model behind the same name); the
    // offline generator and compute agents have none, so their keys are as they always were.
    ...(provider === builtinProvider || !providerProfile(provider).remote ? {} : { endpoint: resultEndpoint(provider, config) }),
    model: agentModel(agent, config),
    system: agent.system ?? null,
    prompt: agent.prompt ?? null,
    expectedOutputTokens: agent.expectedOutputTokens ?? null,
    contextBudget: agent.contextBudget ?? null,
    normalize: agent.cache?.normalize ?? null,
  };
}

/** Each definition's canonical JSON, kept by identity: a plan or an impact hashes one definition for many keys. */
const canonicalDefinitions = new WeakMap<AgentDefinition, string>();

function canonicalDefinition(definition: AgentDefinition): string {
  let text = canonicalDefinitions.get(definition);
  if (text === undefined) canonicalDefinitions.set(definition, (text = canonicalJson(definition)));
  return text;
}

/**
 * The Merkle key: the definition, the normalised inputs, and the result hashes of the upstream agents. Written out
 * as canonicalJson({ v, definition, inputs, upstream }) writes it (keys in order; inputs are strings), with the
 * definition's part kept.
 */
export function agentKey(definition: AgentDefinition, inputs: string[], upstream: Record<string, string | null>): string {
  return sha256(`{"definition":${canonicalDefinition(definition)},"inputs":${JSON.stringify(inputs)},"upstream":${canonicalJson(upstream)},"v":${keyVersion}}`);
}

/** changedFields of definition pairs, by identity (impact compares one stored definition with one current one often). */
const compared = new WeakMap<AgentDefinition, WeakMap<AgentDefinition, string[]>>();

/** Definition fields that differ, for a cause such as "configuration changed: prompt, model". */
export function changedFields(before: AgentDefinition, after: AgentDefinition): string[] {
  let byAfter = compared.get(before);
  if (!byAfter) compared.set(before, (byAfter = new WeakMap()));
  let fields = byAfter.get(after);
  if (!fields) {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    byAfter.set(after, (fields = [...names].filter((field) => canonicalJson(before[field] ?? null) !== canonicalJson(after[field] ?? null)).sort()));
  }
  return [...fields];
}

/**
 * What an agent sends, for learning from its runs: its provider, endpoint, model, system and prompt. Changing any of
 * them makes earlier runs no longer describe it; its other settings (expected sizes, budgets) do not.
 */
export function promptHash(definition: AgentDefinition): string {
  const { provider, endpoint, model, system, prompt } = definition;
  return sha256(canonicalJson({ provider, endpoint: endpoint ?? null, model, system, prompt }));
}
