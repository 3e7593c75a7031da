import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the agents of the OpenAI Agents SDK (Python and TypeScript) and of Google's ADK (Agent Config YAML and Python)
 * are in a workspace: the files that use them, found by a bounded search (three folders down, 400 files at most,
 * never into dependencies, environments or builds), so that the CLI, the sidecar and the extension agree.
 */

/** Folders a search for agent definitions never enters: dependencies, environments, builds, caches. */
const skipped = new Set(['node_modules', 'venv', 'env', 'dist', 'build', 'out', '__pycache__', 'site-packages']);

/** Files above this size are not agent definitions (a bundle, a data file). */
const maxDefinitionBytes = 2_000_000;

/** The files under `dir` (to `depth` folders down, at most `limit`, in name order) whose names `accept` takes. */
export function filesUnder(dir: string, accept: (name: string) => boolean, depth = 3, limit = 400): string[] {
  const found: string[] = [];
  const walk = (at: string, level: number): void => {
    let names: string[];
    try {
      names = readdirSync(at).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (found.length >= limit || name.startsWith('.')) continue;
      const full = path.join(at, name);
      try {
        const stats = statSync(full);
        if (stats.isDirectory()) {
          if (level < depth && !skipped.has(name)) walk(full, level + 1);
        } else if (stats.isFile() && stats.size <= maxDefinitionBytes && accept(name)) found.push(full);
      } catch {
        // Gone, or not ours to read: not a definition.
      }
    }
  };
  walk(dir, 0);
  return found;
}

/** A Python text that uses the OpenAI Agents SDK (`from agents import Agent`, `import agents`). */
export function usesAgentsSdkPython(text: string): boolean {
  return /^[ \t]*(from[ \t]+agents(\.[\w.]+)?[ \t]+import\b|import[ \t]+agents\b)/m.test(text);
}

/** A TypeScript or JavaScript text that uses `@openai/agents` (or its core package). */
export function usesAgentsSdkTypescript(text: string): boolean {
  return /(from|import|require\()\s*['"]@openai\/agents(-core)?['"]/.test(text);
}

/** A Python text that defines ADK agents (`from google.adk.agents import …`, `from google.adk import Agent`). */
export function usesAdkPython(text: string): boolean {
  return /^[ \t]*(from[ \t]+google\.adk(\.[\w.]+)?[ \t]+import\b|import[ \t]+google\.adk\b)/m.test(text);
}

const isPython = (name: string): boolean => name.endsWith('.py');
const isScript = (name: string): boolean => /\.(m|c)?[jt]s$/.test(name) && !name.endsWith('.d.ts');

/** The files of a folder that define OpenAI Agents SDK agents, Python and TypeScript, in name order. */
export function agentsSdkFiles(dir: string, read: (file: string) => string | undefined): string[] {
  return filesUnder(dir, (name) => isPython(name) || isScript(name)).filter((file) => {
    const text = read(file);
    if (text === undefined) return false;
    return isPython(path.basename(file)) ? usesAgentsSdkPython(text) : usesAgentsSdkTypescript(text);
  });
}

/** The files of a folder that define ADK agents: each `root_agent.yaml`, and Python that imports `google.adk`. */
export function adkFiles(dir: string, read: (file: string) => string | undefined): string[] {
  return filesUnder(dir, (name) => name === 'root_agent.yaml' || isPython(name)).filter((file) => {
    if (path.basename(file) === 'root_agent.yaml') return true;
    const text = read(file);
    return text !== undefined && usesAdkPython(text);
  });
}

/** The framework a single file belongs to, when it is one of these: `--config` may name it. */
export function frameworkOfFile(file: string, read: (file: string) => string | undefined): 'agents-sdk' | 'adk' | undefined {
  const name = path.basename(file);
  const text = read(file);
  if (text === undefined) return undefined;
  if (/\.ya?ml$/i.test(name)) return /^\s*(agent_class|instruction|sub_agents)\s*:/m.test(text) || name === 'root_agent.yaml' ? 'adk' : undefined;
  if (isPython(name)) return usesAdkPython(text) ? 'adk' : usesAgentsSdkPython(text) ? 'agents-sdk' : undefined;
  return isScript(name) && usesAgentsSdkTypescript(text) ? 'agents-sdk' : undefined;
}

/** The folder whose pyproject.toml, requirements.txt or package.json describe the project of `dir` (itself if none). */
export function frameworkRoot(dir: string, exists: (file: string) => boolean): string {
  for (let at = dir, i = 0; i < 6; i++, at = path.dirname(at)) {
    if (['pyproject.toml', 'requirements.txt', 'package.json'].some((name) => exists(path.join(at, name)))) return at;
    if (path.dirname(at) === at) break;
  }
  return dir;
}
