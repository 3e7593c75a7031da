import { fillTemplate } from '../config/template';
import type { AgentConfig, PartyConfig } from '../config/schema';
import type { AgentLearning, Calibration, Learning, TokenCount } from '../contract/cost';
import { countChat, tokenizationFor } from '../cost/tokens';
import type { ChatMessage, Tokenization } from '../cost/tokens';

/** Sample values of named inputs (a crew's main.py inputs, partycost.json's `inputs`), by name. */
export type SampleInputs = Readonly<Record<string, string>>;

/**
 * The chat an agent sends before its runs fill it: each `{{input.NAME}}` with its sample value when there is one,
 * every other placeholder empty (its fixed part).
 */
export function templateMessages(agent: Pick<AgentConfig, 'system' | 'prompt'>, samples: SampleInputs = {}): ChatMessage[] {
  const fill = (name: string): string => (name.startsWith('input.') ? (samples[name.slice('input.'.length)] ?? '') : '');
  const messages: ChatMessage[] = [];
  if (agent.system) messages.push({ role: 'system', content: fillTemplate(agent.system, fill) });
  messages.push({ role: 'user', content: fillTemplate(agent.prompt ?? '', fill) });
  return messages;
}

/** Counts of agents' fixed parts by encoding and text: right-sizing and hovers ask for the same ones again and again. */
const counted = new Map<string, number>();
const countsKept = 20_000;

/**
 * Prompt tokens of the agent's fixed part (with the sample inputs it names), chat overhead included, and whether the
 * count is exact for its model.
 */
export function templateTokens(agent: Pick<AgentConfig, 'system' | 'prompt'>, model: string, samples: SampleInputs = {}): { tokens: number } & Tokenization {
  const tokenization = tokenizationFor(model);
  const used = Object.keys(samples).filter((name) => `${agent.system ?? ''}${agent.prompt ?? ''}`.includes(`input.${name}`));
  const key = `${tokenization.encoding}\u0000${agent.system ?? ''}\u0000${agent.prompt ?? ''}\u0000${used.map((name) => `${name}=${samples[name]}`).join('\u0000')}`;
  let tokens = counted.get(key);
  if (tokens === undefined) {
    tokens = countChat(templateMessages(agent, samples), tokenization.encoding);
    if (counted.size >= countsKept) counted.delete(counted.keys().next().value!);
    counted.set(key, tokens);
  }
  return { tokens, ...tokenization };
}

/** Completion tokens assumed for an agent that does not declare `expectedOutputTokens`. */
export const defaultOutputTokens = 256;

/** An agent's learning when its runs are enough to replace the configured figures. */
export function learnedEnough(name: string, learning: Learning | undefined): AgentLearning | undefined {
  const learned = learning?.agents.get(name);
  return learned?.output && learned.input && learned.window >= learned.minRuns ? learned : undefined;
}

/** An agent's output tokens for an estimate: the p50 of its runs once there are enough, else `expectedOutputTokens`. */
export function outputTokensOf(name: string, config: PartyConfig, learning?: Learning): number {
  return learnedEnough(name, learning)?.output?.p50 ?? config.agents[name]?.expectedOutputTokens ?? defaultOutputTokens;
}

/**
 * An agent's prompt tokens for an estimate: the p50 of its runs' billed prompts once there are enough (inputs fill
 * the prompt at run time); else `expectedInputTokens`; else its template counted as a chat (corrected by the model's
 * calibration when counted approximately) plus each upstream result at its producer's output tokens.
 */
export function estimatedInputTokens(
  name: string,
  agent: AgentConfig,
  model: string,
  config: PartyConfig,
  learning?: Learning,
): { tokens: number; count: TokenCount; calibration?: Calibration } {
  const learned = learnedEnough(name, learning);
  if (learned) return { tokens: learned.input!.p50, count: 'learned' };
  if (agent.expectedInputTokens !== undefined) return { tokens: agent.expectedInputTokens, count: 'declared' };
  const template = templateTokens(agent, model, config.inputs);
  const upstream = (agent.dependsOn ?? []).reduce((total, dep) => total + outputTokensOf(dep, config, learning), 0);
  const calibration = template.exact ? undefined : learning?.calibration.get(model);
  if (calibration) return { tokens: Math.round(template.tokens * calibration.factor) + upstream, count: 'calibrated', calibration };
  return { tokens: template.tokens + upstream, count: template.exact ? 'counted' : 'approximate' };
}
