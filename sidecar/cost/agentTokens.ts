import { fillTemplate } from '../config/template';
import type { AgentConfig } from '../config/schema';
import { countChat, tokenizationFor } from './tokens';
import type { ChatMessage, Tokenization } from './tokens';

/** The chat an agent sends, with every placeholder still empty (its fixed part). */
export function templateMessages(agent: Pick<AgentConfig, 'system' | 'prompt'>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (agent.system) messages.push({ role: 'system', content: fillTemplate(agent.system, () => '') });
  messages.push({ role: 'user', content: fillTemplate(agent.prompt ?? '', () => '') });
  return messages;
}

/** Counts of agents' fixed parts by encoding and text: right-sizing and hovers ask for the same ones again and again. */
const counted = new Map<string, number>();
const countsKept = 20_000;

/** Prompt tokens of the agent's fixed part, chat overhead included, and whether the count is exact for its model. */
export function templateTokens(agent: Pick<AgentConfig, 'system' | 'prompt'>, model: string): { tokens: number } & Tokenization {
  const tokenization = tokenizationFor(model);
  const key = `${tokenization.encoding}\u0000${agent.system ?? ''}\u0000${agent.prompt ?? ''}`;
  let tokens = counted.get(key);
  if (tokens === undefined) {
    tokens = countChat(templateMessages(agent), tokenization.encoding);
    if (counted.size >= countsKept) counted.delete(counted.keys().next().value!);
    counted.set(key, tokens);
  }
  return { tokens, ...tokenization };
}
