import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';
import { agentModel, agentProvider } from '../config/agents';
import type { Problem } from '../config/problems';
import { sampleConfig } from '../config/sample';
import { configJsonSchema } from '../config/schema';
import type { PartyConfig } from '../config/schema';
import { UserError } from '../contract/errors';
import type { AgentNode, ConfigProblem } from '../protocol';
import { linesOf, loadConfigText, problemLines } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import type { ValidConfig, Workspace } from './workspace';

/** The JSON Schema of partycost.json (`partycost schema`, the extension's jsonValidation). */
export function configSchema(): object {
  return configJsonSchema();
}

/** Writes the party-planner sample to `file`; never over an existing file unless `force`. Returns its agents. */
export function writeSample(file: string, shown: string, force: boolean): string[] {
  if (existsSync(file) && !force) throw new UserError(`${shown} already exists; pass --force to overwrite it`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, sampleConfig);
  return Object.keys((parse(sampleConfig) as { agents: object }).agents);
}

/** The party-planner sample, loaded as if it were the workspace's configuration (the demo runs it). */
export function sampleLoaded(): ValidConfig {
  return loadConfigText(sampleConfig, 'sample partycost.json') as ValidConfig;
}

/** A valid configuration's warnings, each as `file:line:column: message`. */
export function configWarnings(loaded: LoadedConfig): string[] {
  return problemLines(loaded);
}

/** Problems with 0-based ranges, each with its file's absolute path when it has one, as an editor shows them. */
export function editorProblems(loaded: LoadedConfig): ConfigProblem[] {
  return loaded.problems.map((problem: Problem) => {
    const lines = linesOf(loaded, problem);
    const start = lines.position(problem.offset);
    const end = lines.position(problem.offset + problem.length);
    const file = loaded.files.find((f) => f.name === (problem.file ?? loaded.file))?.path;
    return {
      severity: problem.severity,
      message: problem.message,
      start: { line: start.line - 1, character: start.column - 1 },
      end: { line: end.line - 1, character: end.column - 1 },
      ...(file ? { file } : {}),
    };
  });
}

/** The configuration's agents and their edges, as the delta plan's graph draws them. */
export function agentNodes(config: PartyConfig): AgentNode[] {
  return Object.entries(config.agents).map(([agent, a]) => ({
    agent,
    dependsOn: a.dependsOn ?? [],
    kind: a.kind ?? 'llm',
    model: agentModel(a, config),
    provider: agentProvider(a, config),
    essential: a.essential !== false,
  }));
}

/** Where `partycost init` writes: the named configuration, else partycost.json in the workspace. */
export function sampleTarget(ws: Workspace): string {
  return ws.options.config ?? path.join(ws.root, 'partycost.json');
}
