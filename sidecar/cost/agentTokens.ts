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

/** Prompt tokens of the agent's fixed part, chat overhead included, and whether the count is exact for its model. */
export function templateTokens(agent: Pick<AgentConfig, 'system' | 'prompt'>, model: string): { tokens: number } & Tokenization {
  const tokenization = tokenizationFor(model);
  return { tokens: countChat(templateMessages(agent), tokenization.encoding), ...tokenization };
}
