import type { AgentConfig, PartyConfig } from './schema';
import { builtinProvider, defaultProvider } from '../providers/profiles';
import type { ProviderName } from '../providers/profiles';

/** The model an agent calls, or null for a compute agent. */
export function agentModel(agent: AgentConfig, config: PartyConfig): string | null {
  return agent.kind === 'compute' ? null : (agent.model ?? config.defaults?.model ?? null);
}

/** The provider an agent runs on: its own `provider`, else `defaults.provider`, else offline; compute agents none. */
export function agentProvider(agent: AgentConfig, config: PartyConfig): ProviderName | typeof builtinProvider {
  if (agent.kind === 'compute') return builtinProvider;
  return agent.provider ?? config.defaults?.provider ?? defaultProvider;
}
