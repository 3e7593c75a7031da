import type { PartyConfig } from '../config/schema';
import type { LineIndex, Problem } from '../config/problems';
import type { PriceBook } from '../cost/prices';
import { mainFile } from '../shared/configLocation';
import type { ConfigLocation } from '../shared/configLocation';
import { loadAdk } from './adk/adkSource';
import { loadAgentsSdk } from './agentsSdk/agentsSdkSource';
import type { FileReader, FrameworkFacts } from './framework/frameworkAgents';

/** The frameworks whose agents are ours one for one, as estimates name them. */
export const frameworkNames = { 'agents-sdk': 'OpenAI Agents SDK', adk: 'Google ADK' } as const;

/** An Agents SDK or ADK project read, in the shape load.ts gives every configuration. */
export interface FrameworkRead {
  kind: 'agents-sdk' | 'adk';
  file: string;
  files: { path?: string; name: string; lines: LineIndex; text: string }[];
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
  frameworkFacts: Map<string, FrameworkFacts>;
  frameworks: { name: string; version: string; from: string }[];
}

/** The Agents SDK or ADK project at a location. */
export function loadFramework(
  location: Extract<ConfigLocation, { kind: 'agents-sdk' | 'adk' }>,
  options: { read: FileReader; display: (file: string) => string; env: NodeJS.ProcessEnv },
): FrameworkRead {
  const source = { dir: location.dir, ...(location.file ? { file: location.file } : {}), ...options };
  const loaded = location.kind === 'adk' ? loadAdk(source) : loadAgentsSdk(source);
  // The definitions first (the main one at the head), the project's files (pyproject.toml, .env) after them.
  const project = /(^|[\\/])(pyproject\.toml|uv\.lock|requirements\.txt|package(-lock)?\.json|\.env)$/;
  const files = [...loaded.files.filter((f) => !project.test(f.path)), ...loaded.files.filter((f) => project.test(f.path))];
  return {
    kind: location.kind,
    file: files[0]?.name ?? options.display(mainFile(location)),
    files,
    ...(loaded.config ? { config: loaded.config } : {}),
    prices: loaded.prices,
    problems: loaded.problems,
    frameworkFacts: loaded.facts,
    frameworks: [{ name: frameworkNames[location.kind], version: loaded.version.value, from: loaded.version.from }],
  };
}
