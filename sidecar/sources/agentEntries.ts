import { agentSchema } from '../config/schema';
import type { AgentConfig } from '../config/schema';

/** One agent of the raw document; `config` is set when the agent itself passed the schema. */
export interface AgentEntry {
  name: string;
  raw: Record<string, unknown>;
  config?: AgentConfig;
}

export function agentEntries(value: unknown): AgentEntry[] {
  const agents = isRecord(value) && isRecord(value.agents) ? value.agents : {};
  return Object.entries(agents)
    .filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]))
    .map(([name, raw]) => {
      const parsed = agentSchema.safeParse(raw);
      return { name, raw, config: parsed.success ? parsed.data : undefined };
    });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
