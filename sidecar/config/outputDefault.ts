import type { PartyConfig } from '../config/schema';

/** `defaults.expectedOutputTokens` given to every llm agent that sets none, so every estimate and run sees one figure. */
export function withOutputDefault(config: PartyConfig): PartyConfig {
  const output = config.defaults?.expectedOutputTokens;
  if (output === undefined) return config;
  const agents = Object.fromEntries(
    Object.entries(config.agents).map(([name, agent]) => [
      name,
      agent.kind === 'compute' || agent.expectedOutputTokens !== undefined ? agent : { ...agent, expectedOutputTokens: output },
    ]),
  );
  return { ...config, agents };
}
