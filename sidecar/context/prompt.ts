import type { AgentConfig } from '../config/schema';
import { fillTemplate, inputsPlaceholder, isInputPlaceholder, namedInput, namedInputPrefix, placeholders } from '../config/template';
import type { ChatMessage } from '../cost/tokens';

/** The chat an agent sends: its templates filled with its normalised inputs and its upstream results. */
export function agentMessages(agent: AgentConfig, inputs: string[], upstream: Record<string, string | null>): ChatMessage[] {
  const fill = (name: string): string => {
    if (name === inputsPlaceholder) return inputs.join('; ') || '(none)';
    if (name.startsWith(namedInputPrefix)) return namedInput(inputs, name.slice(namedInputPrefix.length)) ?? '(none)';
    return upstream[name] ?? '(none)';
  };
  const messages: ChatMessage[] = [];
  if (agent.system) messages.push({ role: 'system', content: fillTemplate(agent.system, fill) });
  messages.push({ role: 'user', content: fillTemplate(agent.prompt ?? '', fill) });
  return messages;
}

/**
 * Where the part of an agent's chat that repeats across parties ends: everything before the first place its own
 * inputs are filled in (its system message and the upstream results placed before them). Messages before `message`
 * are stable whole; `messages[message]` up to character `chars`.
 */
export function stablePrefixOf(agent: AgentConfig, upstream: Record<string, string | null>): { message: number; chars: number } {
  const fill = (name: string): string => upstream[name] ?? '(none)';
  const templates = [...(agent.system ? [agent.system] : []), agent.prompt ?? ''];
  for (const [message, template] of templates.entries()) {
    const first = placeholders(template).find((p) => isInputPlaceholder(p.name));
    if (first) return { message, chars: fillTemplate(template.slice(0, first.index), fill).length };
  }
  // No inputs anywhere: the whole chat repeats whenever its upstream results do.
  const last = templates.length - 1;
  return { message: last, chars: fillTemplate(templates[last] ?? '', fill).length };
}
