import type { AgentConfig, PartyConfig } from '../config/schema';
import { isInputPlaceholder, placeholders } from '../config/template';
import type { Learning } from '../contract/cost';
import { outputTokensOf } from '../context/agentTokens';
import { chatOverhead, countText, tokenizationFor } from '../cost/tokens';

/** A stretch of an agent's prompt as it is sent: fixed text, the party's inputs, or an upstream result. */
export interface PromptPart {
  message: number;
  kind: 'text' | 'input' | 'upstream';
  tokens: number;
  /** The same in every party: fixed text, or the result of an upstream agent whose own prompt repeats. */
  stable: boolean;
}

/** Where an agent's prompt repeats across parties, in tokens, and where it would if its stable parts came first. */
export interface PromptShape {
  parts: PromptPart[];
  /** Tokens from the start up to the first part that changes between parties. */
  prefixTokens: number;
  /** Every stable token, wherever it sits. */
  stableTokens: number;
  /** The prefix if each message's stable parts came first (a changing system message still ends it). */
  stableFirstTokens: number;
  /** Anthropic's breakpoint (our driver's): everything before the agent's first input, and whether it all repeats. */
  breakpoint: { tokens: number; repeats: boolean };
  /** Upstream results in the prompt, in tokens. */
  upstreamTokens: number;
}

/**
 * Whether each agent's result is the same in every party: its prompt has no input and its upstream agents' results
 * are the same (a result reused from the cache is the same text). Worked out once per configuration.
 */
export function repeatingAgents(config: PartyConfig): (agent: string) => boolean {
  const known = new Map<string, boolean>();
  const repeats = (name: string, seen: Set<string>): boolean => {
    const cached = known.get(name);
    if (cached !== undefined) return cached;
    const agent = config.agents[name];
    if (!agent || seen.has(name)) return false;
    seen.add(name);
    const texts = [agent.system ?? '', agent.prompt ?? ''];
    const ownInputs = agent.kind !== 'compute' && texts.some((text) => placeholders(text).some((p) => isInputPlaceholder(p.name)));
    const result = !ownInputs && (agent.dependsOn ?? []).every((dep) => repeats(dep, seen));
    known.set(name, result);
    return result;
  };
  return (name) => repeats(name, new Set());
}

/** An agent's prompt in the order it is sent, each part counted with its model's tokenizer (upstream at their output). */
export function promptShape(agent: AgentConfig, model: string, config: PartyConfig, repeats: (agent: string) => boolean, learning?: Learning): PromptShape {
  const { encoding } = tokenizationFor(model);
  const templates = [...(agent.system ? [{ role: 'system', text: agent.system }] : []), { role: 'user', text: agent.prompt ?? '' }];
  const parts: PromptPart[] = [];
  templates.forEach(({ role, text }, message) => {
    parts.push({ message, kind: 'text', tokens: chatOverhead.perMessage + countText(role, encoding), stable: true });
    let at = 0;
    for (const p of placeholders(text)) {
      if (p.index > at) parts.push({ message, kind: 'text', tokens: countText(text.slice(at, p.index), encoding), stable: true });
      if (isInputPlaceholder(p.name)) parts.push({ message, kind: 'input', tokens: 0, stable: false });
      else parts.push({ message, kind: 'upstream', tokens: outputTokensOf(p.name, config, learning), stable: repeats(p.name) });
      at = p.index + p.length;
    }
    if (at < text.length) parts.push({ message, kind: 'text', tokens: countText(text.slice(at), encoding), stable: true });
  });
  const sum = (list: PromptPart[]): number => list.reduce((total, p) => total + p.tokens, 0);
  const firstChange = parts.findIndex((p) => !p.stable);
  const prefix = firstChange < 0 ? parts : parts.slice(0, firstChange);
  const firstInput = parts.findIndex((p) => p.kind === 'input');
  const beforeInput = firstInput < 0 ? parts : parts.slice(0, firstInput);
  const systemChanges = templates.length > 1 && parts.some((p) => p.message === 0 && !p.stable);
  const stableFirst = sum(parts.filter((p) => p.stable && (!systemChanges || p.message === 0)));
  return {
    parts,
    prefixTokens: sum(prefix),
    stableTokens: sum(parts.filter((p) => p.stable)),
    stableFirstTokens: stableFirst,
    breakpoint: { tokens: sum(beforeInput), repeats: beforeInput.every((p) => p.stable) },
    upstreamTokens: sum(parts.filter((p) => p.kind === 'upstream')),
  };
}
