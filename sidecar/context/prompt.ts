import type { AgentConfig } from '../config/schema';
import { fillTemplate, inputsPlaceholder } from '../config/template';
import type { ChatMessage } from '../cost/tokens';

/** The chat an agent sends: its templates filled with its normalised inputs and its upstream results. */
export function agentMessages(agent: AgentConfig, inputs: string[], upstream: Record<string, string | null>): ChatMessage[] {
  const fill = (name: string): string => (name === inputsPlaceholder ? inputs.join('; ') || '(none)' : (upstream[name] ?? '(none)'));
  const messages: ChatMessage[] = [];
  if (agent.system) messages.push({ role: 'system', content: fillTemplate(agent.system, fill) });
  messages.push({ role: 'user', content: fillTemplate(agent.prompt ?? '', fill) });
  return messages;
}
