import type { AgentConfig, PartyConfig } from '../../config/schema';
import { didYouMean } from '../../config/nearest';
import { LineIndex } from '../../config/problems';
import type { Problem } from '../../config/problems';
import type { PriceBook } from '../../cost/prices';
import type { PyValue } from '../python/pythonValues';

/**
 * What the readers of agent frameworks whose agents are ours one for one (the OpenAI Agents SDK, Google's ADK) share:
 * the files they read, where each agent's figures come from, the names our graph gives their agents, and the checks
 * every such graph needs (a handoff cycle, an unknown model). Each framework's own reading is in its folder.
 */

/** A file a framework's agents were read from. */
export interface FrameworkFile {
  path: string;
  /** As shown to the user, and as problems name it. */
  name: string;
  text: string;
  lines: LineIndex;
}

/** Where something is defined: a file (as shown) and a range in it. */
export interface FrameworkPlace {
  file: string;
  offset: number;
  length: number;
}

/** Where one of our agents' figures come from, for its estimate row, hovers and CodeLens. */
export interface FrameworkFacts {
  /** The agent's name in its framework (what traces call it: `gen_ai.agent.name`). */
  sdkName: string;
  /** Where its model comes from (`agents.py:14`, `.env (OPENAI_DEFAULT_MODEL)`, `Agents SDK 0.22.0 default (gpt-5.6-luna)`). */
  modelSource: string;
  local: boolean;
  /** Where the agent is defined (its `name=` argument, its YAML `name:`). */
  at: FrameworkPlace;
}

/** A framework project read: its files, our agents, positioned problems, and the version whose behaviour is priced. */
export interface LoadedFramework {
  files: FrameworkFile[];
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
  facts: Map<string, FrameworkFacts>;
  version: { value: string; from: string };
}

/** Reads a file's text (an editor's unsaved text first; at a git revision, that revision's); undefined when missing. */
export type FileReader = (file: string) => string | undefined;

/** The files a reading collects, each once, with its lines. */
export class FileSet {
  readonly files: FrameworkFile[] = [];

  constructor(
    private readonly read: FileReader,
    private readonly display: (file: string) => string,
  ) {}

  /** The file's text, recorded among the files read; undefined when it cannot be read. */
  text(file: string): { text: string; name: string } | undefined {
    const known = this.files.find((f) => f.path === file);
    if (known) return known;
    const text = this.read(file);
    if (text === undefined) return undefined;
    const entry = { path: file, name: this.display(file), text, lines: new LineIndex(text) };
    this.files.push(entry);
    return entry;
  }
}

/**
 * Our name for a framework's agent: its own when it can stand in a prompt template (`triage_agent`, `PlannerAgent`),
 * else as the OpenAI Agents SDK makes a tool name of it (`FAQ Agent` → `faq_agent`). Traces are matched to agents
 * by names compared without case, spaces, dashes and underscores, so both forms find it.
 */
export function agentKey(name: string): string {
  if (/^[A-Za-z_][\w-]*$/.test(name)) return name;
  const key = name
    .replace(/\s/g, '_')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
  return /^[A-Za-z_]/.test(key) ? key : `agent_${key}`;
}

/** Names made unique in order: a second `writer` becomes `writer-2`. */
export function uniqueKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}-${count}`;
  });
}

/** A model no catalogue and no `prices` know: an error where the model is named (a local one costs nothing). */
export function unknownModelProblem(model: string, at: FrameworkPlace, prices: PriceBook): Problem {
  return {
    severity: 'error',
    ...at,
    message: `unknown model "${model}"${didYouMean(model, prices.knownNames())}; add its prices under "prices" in a partycost.json that points at this project to use it`,
  };
}

/** The agents' configuration with the engine's defaults, when nothing is wrong. */
export function frameworkConfig(agents: Record<string, AgentConfig>, local: Record<string, { input: number; output: number }>): PartyConfig {
  return { ...(Object.keys(local).length ? { prices: local } : {}), agents };
}

/**
 * Where a model read from Python came from: its place, or for `os.getenv(NAME, default)` the variable's origin when
 * it is set (`origin`, else "the environment"), else the default's place.
 */
export function modelSourceOf(value: PyValue, where: string, env: (name: string) => string | undefined, origin?: (name: string) => string | undefined): string {
  if (value.kind !== 'env') return where;
  return env(value.name) !== undefined ? `${origin?.(value.name) ?? 'the environment'} (${value.name})` : `${where} (the default of ${value.name})`;
}
