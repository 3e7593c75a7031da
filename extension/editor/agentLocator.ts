import { findNodeAtLocation, parseTree } from 'jsonc-parser';

/** An agent's name and where its key stands in the configuration text. */
export interface AgentLocation {
  agent: string;
  offset: number;
  length: number;
}

/** Every agent key under `agents`, in file order (read with jsonc-parser, comments allowed). */
export function locateAgents(text: string): AgentLocation[] {
  const root = parseTree(text, [], { allowTrailingComma: true });
  const agents = root && findNodeAtLocation(root, ['agents']);
  if (agents?.type !== 'object') return [];
  return (agents.children ?? []).flatMap((property) => {
    const key = property.children?.[0];
    return key && typeof key.value === 'string' ? [{ agent: key.value, offset: key.offset, length: key.length }] : [];
  });
}

/** The agent whose key contains the offset, if any, among the agents located in a text. */
export function agentAt(agents: AgentLocation[], offset: number): AgentLocation | undefined {
  return agents.find((a) => offset >= a.offset && offset <= a.offset + a.length);
}
