import path from 'node:path';
import { findNodeAtLocation, stripComments } from 'jsonc-parser';
import { configSchema } from '../config/schema';
import type { PartyConfig } from '../config/schema';
import { semanticProblems } from './checks';
import { nodeAt, parseDocument } from './json/jsonDocument';
import type { JsonDocument } from './json/jsonDocument';
import { formatProblem, type LineIndex, sortProblems } from '../config/problems';
import type { Problem } from '../config/problems';
import { schemaProblems } from './schemaProblems';
import { priceBook } from '../cost/prices';
import type { PriceBook } from '../cost/prices';
import { loadCrew } from './crew/crewSource';
import type { CrewMap, Reader, TaskFacts } from './crew/crewSource';
import { configFileName, mainFile, readConfigFile } from '../shared/configLocation';
import type { ConfigLocation } from '../shared/configLocation';
import { withOutputDefault } from '../config/outputDefault';
import { agentProvider } from '../config/agents';
import type { Estimate, SourceNote, SourcePlace } from '../contract/cost';
import { loadFramework } from './frameworks';
import type { FrameworkFacts } from './framework/frameworkAgents';

export { configFileName };

/** One file a configuration was read from: where it is, how it is shown, and its lines (for problem positions). */
export interface SourceFile {
  /** Absolute, when read from disk (an old revision's text has none). */
  path?: string;
  name: string;
  lines: LineIndex;
  text: string;
}

/** A configuration read and checked, from whichever source: the config itself only when it has no errors. */
export interface LoadedConfig {
  /** Where the agents come from: partycost.json, a CrewAI project, an OpenAI Agents SDK project, a Google ADK project, or several frameworks. */
  kind: 'partycost' | 'crewai' | 'agents-sdk' | 'adk' | 'frameworks';
  /** The main file as shown (partycost.json, or a crew's tasks.yaml): problems without a file are its. */
  file: string;
  /** Every file read, the main one first. */
  files: SourceFile[];
  /** partycost.json, parsed with positions, when there is one. */
  document?: JsonDocument;
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
  /** A crew's agents and tasks. */
  crew?: CrewMap;
  /** A crew's agents of ours: where each one's figures come from. */
  crewFacts?: Map<string, TaskFacts>;
  /** A crew's CrewAI version (whose prompts are priced) and where it comes from. */
  crewai?: { version: string; from: string };
  /** An Agents SDK or ADK project's agents of ours: their names in the framework and where their figures come from. */
  frameworkFacts?: Map<string, FrameworkFacts>;
  /** The frameworks whose requests are priced (Agents SDK, ADK), each with its version and where that comes from. */
  frameworks?: { name: string; version: string; from: string }[];
  /** A crew's sample inputs (main.py's and partycost.json's `inputs`). */
  inputs?: Record<string, string | null>;
  /** Whether advice may write its edits into the configuration: partycost.json alone (a crew's YAML is edited by hand). */
  editable: boolean;
  /** What a run of the configuration is, when it is not what its framework would run (said before a run starts). */
  runNote?: string;
}

export interface LoadOptions {
  /** The absolute path of the text's file, so a `crew` it names is found beside it (default: the display name). */
  path?: string;
  /** Reads the other files (a crew's YAML): an editor's unsaved text first. Default: the disk. */
  read?: Reader;
  /** How another file's path is shown (default: relative to the current directory). */
  display?: (file: string) => string;
  env?: NodeJS.ProcessEnv;
}

/** Checks a partycost.json text (and the crew it points at); every problem is reported, not just the first. */
export function loadConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  return described(readConfigText(text, file, options));
}

function readConfigText(text: string, file: string, options: LoadOptions): Read {
  const document = parseDocument(text);
  const main: SourceFile = { ...(options.path ? { path: options.path } : {}), name: file, lines: document.lines, text };
  const base = { kind: 'partycost' as const, file, files: [main], document };
  if (document.syntaxProblems.length > 0 || document.root === undefined) {
    // No value at all: an empty file (or only comments), or text that is not JSON.
    const empty = stripComments(text).trim() === '';
    const problems = empty ? [{ severity: 'error' as const, message: 'empty file: expected a JSON object', offset: 0, length: 0 }] : document.syntaxProblems;
    const notJson =
      document.root === undefined && !empty
        ? [{ severity: 'error' as const, message: 'not JSON: expected an object, { "agents": { … } }', offset: 0, length: 0 }]
        : [];
    return { ...base, prices: priceBook(), problems: sortProblems([...notJson, ...problems, ...document.duplicateKeys]) };
  }
  const parsed = configSchema.safeParse(document.value);
  const prices = priceBook(parsed.success ? parsed.data : pricesOnly(document.value));
  const crew = typeof (document.value as { crew?: unknown } | null)?.crew === 'string' ? (document.value as { crew: string }).crew : undefined;
  const problems = sortProblems([
    ...document.duplicateKeys,
    ...(parsed.success ? [] : schemaProblems(document, parsed.error.issues)),
    ...semanticProblems(document, prices, { crew: crew !== undefined }),
  ]);
  const ok = parsed.success && !problems.some((problem) => problem.severity === 'error');
  if (crew === undefined) return { ...base, config: ok ? withOutputDefault(parsed.data) : undefined, prices, problems };
  return withCrew(base, crew, parsed.success ? parsed.data : undefined, problems, options);
}

/** partycost.json's settings and overrides over the crew it points at. */
function withCrew(
  base: Pick<LoadedConfig, 'kind' | 'file' | 'files' | 'document'>,
  crew: string,
  config: PartyConfig | undefined,
  own: Problem[],
  options: LoadOptions,
): Read {
  const document = base.document!;
  const here = path.dirname(options.path ?? path.resolve(base.file));
  const display = options.display ?? defaultDisplay;
  const crewNode = nodeAt(document, ['crew']);
  // Exactly `agents` (nodeAt would give the nearest ancestor, the root, when there is none: {"crew": "…"} alone).
  const agentsNode = document.root ? findNodeAtLocation(document.root, ['agents']) : undefined;
  const agentSpans = new Map(
    (agentsNode?.type === 'object' ? (agentsNode.children ?? []) : []).flatMap((property) => {
      const key = property.children?.[0];
      return key && typeof key.value === 'string' ? [[key.value, { offset: key.offset, length: key.length }] as const] : [];
    }),
  );
  const ownErrors = own.some((problem) => problem.severity === 'error');
  const loaded = loadCrew({
    dir: path.resolve(here, crew),
    read: options.read ?? readConfigFile,
    display,
    env: options.env ?? process.env,
    overlay: {
      file: base.file,
      crewSpan: { offset: crewNode?.offset ?? 0, length: crewNode?.length ?? 0 },
      config: ownErrors ? undefined : config,
      agentSpans,
    },
  });
  const files = [...base.files, ...loaded.files.map((yaml) => ({ path: yaml.path, name: yaml.name, lines: yaml.lines, text: yaml.text }))];
  return {
    ...base,
    files,
    config: loaded.config,
    prices: loaded.prices,
    problems: sortProblems([...own, ...loaded.problems], [base.file]),
    crew: loaded.crew,
    crewFacts: loaded.facts,
    ...(loaded.version.value ? { crewai: { version: loaded.version.value, from: loaded.version.from } } : {}),
    inputs: loaded.inputs,
  };
}

/** The price overrides of a configuration that failed elsewhere, so model checks still know its models. */
function pricesOnly(value: unknown): Pick<PartyConfig, 'prices'> {
  const prices = configSchema.shape.prices.safeParse((value as { prices?: unknown } | null)?.prices);
  return { prices: prices.success ? prices.data : undefined };
}

export function loadConfigFile(file: string, displayName = file, options: LoadOptions = {}): LoadedConfig {
  const read = options.read ?? readConfigFile;
  const text = read(file);
  if (text === undefined) throw new Error(`cannot read ${displayName}`);
  return loadConfigText(text, displayName, { ...options, path: path.resolve(file) });
}

/** The configuration at a location: partycost.json (and the crew it may point at), or a CrewAI project alone. */
export function loadConfig(location: ConfigLocation, options: LoadOptions = {}): LoadedConfig {
  const display = options.display ?? defaultDisplay;
  if (location.kind === 'partycost') return loadConfigFile(location.file, display(location.file), options);
  if (location.kind === 'frameworks') return described(mergedFrameworks(location.parts.map((part) => loadConfig(part, options))));
  if (location.kind !== 'crewai') return described(loadFramework(location, { read: options.read ?? readConfigFile, display, env: options.env ?? process.env }));
  const loaded = loadCrew({ dir: location.dir, read: options.read ?? readConfigFile, display, env: options.env ?? process.env });
  const files = loaded.files.map((yaml) => ({ path: yaml.path, name: yaml.name, lines: yaml.lines, text: yaml.text }));
  return described({
    kind: 'crewai',
    file: display(mainFile(location)),
    files,
    config: loaded.config,
    prices: loaded.prices,
    problems: loaded.problems,
    crew: loaded.crew,
    crewFacts: loaded.facts,
    ...(loaded.version.value ? { crewai: { version: loaded.version.value, from: loaded.version.from } } : {}),
    inputs: loaded.inputs,
  });
}

/**
 * Several frameworks of one workspace priced together: every agent of each, in the order found (CrewAI, Agents SDK,
 * ADK). A name an earlier framework already has is prefixed with its framework (`adk-writer`); a note says so.
 */
function mergedFrameworks(parts: LoadedConfig[]): Read {
  const agents: PartyConfig['agents'] = {};
  const prices: NonNullable<PartyConfig['prices']> = {};
  const frameworkFacts = new Map<string, FrameworkFacts>();
  const problems: Problem[] = parts.flatMap((part) => part.problems);
  for (const part of parts) {
    const renames = new Map(
      Object.keys(part.config?.agents ?? {}).map((name) => [name, name in agents ? `${part.kind === 'crewai' ? 'crew' : part.kind}-${name}` : name]),
    );
    for (const [name, agent] of Object.entries(part.config?.agents ?? {})) agents[renames.get(name)!] = renamed(agent, renames);
    Object.assign(prices, part.config?.prices ?? {});
    for (const [name, fact] of part.frameworkFacts ?? []) frameworkFacts.set(renames.get(name) ?? name, fact);
    const crewFacts = part.crewFacts && [...renames].some(([a, b]) => a !== b) ? undefined : part.crewFacts;
    if (part.crewFacts && !crewFacts)
      problems.push({
        severity: 'error',
        file: part.file,
        offset: 0,
        length: 0,
        message: "a task of this crew has the name of another framework's agent: rename one of them",
      });
  }
  const crew = parts.find((part) => part.kind === 'crewai');
  const names = parts.map((part) => (part.kind === 'crewai' ? 'CrewAI' : (part.frameworks?.[0]?.name ?? part.kind)));
  problems.push({
    severity: 'info',
    file: parts[0]!.file,
    offset: 0,
    length: 0,
    message: `this workspace has ${names.length} agent frameworks (${names.join(', ')}): each is priced, as agents of one graph; --config names one of them alone`,
  });
  const ok = parts.every((part) => part.config !== undefined);
  const config: PartyConfig | undefined = ok ? { ...(crew?.config ?? {}), ...(Object.keys(prices).length ? { prices } : {}), agents } : undefined;
  return {
    kind: 'frameworks',
    file: parts[0]!.file,
    files: parts.flatMap((part) => part.files),
    ...(config ? { config } : {}),
    prices: config ? priceBook(config) : parts[0]!.prices,
    problems: sortProblems(problems),
    frameworkFacts,
    frameworks: parts.flatMap((part) => part.frameworks ?? []),
    ...(crew ? { crew: crew.crew, crewFacts: crew.crewFacts, ...(crew.crewai ? { crewai: crew.crewai } : {}), inputs: crew.inputs } : {}),
  };
}

/** An agent with its upstream names (dependsOn and {{placeholders}}) renamed. */
function renamed(agent: PartyConfig['agents'][string], renames: Map<string, string>): PartyConfig['agents'][string] {
  if (![...renames].some(([a, b]) => a !== b)) return agent;
  const text = (t: string | undefined): string | undefined =>
    t?.replace(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g, (all, name: string) => (renames.has(name) ? `{{${renames.get(name)}}}` : all));
  return {
    ...agent,
    ...(agent.system !== undefined ? { system: text(agent.system) } : {}),
    ...(agent.prompt !== undefined ? { prompt: text(agent.prompt) } : {}),
    ...(agent.dependsOn ? { dependsOn: agent.dependsOn.map((name) => renames.get(name) ?? name) } : {}),
  };
}

/** A configuration as read, before it says what it is. */
export type Read = Omit<LoadedConfig, 'editable' | 'runNote'>;

/** The configuration with what its source knows of it: whether advice may edit it, what a run of it is. */
function described(read: Read): LoadedConfig {
  const note = read.config && (read.crew || read.frameworkFacts) ? crewRunNote(read.config, read.kind) : undefined;
  return { ...read, editable: read.kind === 'partycost' && !read.crew, ...(note ? { runNote: note } : {}) };
}

/** A framework's agents run as one model call each on our providers, not as the framework's own loop. */
function crewRunNote(config: PartyConfig, kind: LoadedConfig['kind']): string {
  const providers = [...new Set(Object.values(config.agents).map((agent) => agentProvider(agent, config)))].join(', ');
  if (kind === 'crewai')
    return `A CrewAI crew: each task runs as one model call on our ${providers} provider (not CrewAI's agent loop with tools; priced at each task's model).`;
  const what = kind === 'agents-sdk' ? 'An OpenAI Agents SDK project' : kind === 'adk' ? 'A Google ADK project' : 'Agent frameworks';
  return `${what}: each agent runs as one model call on our ${providers} provider (not the framework's loop with tools, handoffs or transfers; priced at each agent's model).`;
}

function defaultDisplay(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The lines of the file a problem is in. */
export function linesOf(loaded: LoadedConfig, problem: Problem): LineIndex {
  const name = problem.file ?? loaded.file;
  return (loaded.files.find((file) => file.name === name) ?? loaded.files[0]!).lines;
}

/** `file:line:column: message` for each problem, in file order. */
export function problemLines(loaded: LoadedConfig): string[] {
  return loaded.problems.map((problem) => formatProblem(problem.file ?? loaded.file, linesOf(loaded, problem), problem));
}

/**
 * The estimate with what the configuration's framework knows of each row: a crew task's CrewAI agent, where its model
 * comes from, whether it is local, where it is defined; and the reading's warnings and notes, each where it stands.
 */
export function labelledEstimate(loaded: LoadedConfig, estimate: Estimate): Estimate {
  const facts = loaded.crewFacts ?? new Map<string, TaskFacts>();
  const frameworkFacts = loaded.frameworkFacts ?? new Map<string, FrameworkFacts>();
  const placeOf = (at: { file: string; offset: number }): SourcePlace => {
    const position = (loaded.files.find((file) => file.name === at.file) ?? loaded.files[0]!).lines.position(at.offset);
    return { file: at.file, line: position.line, column: position.column };
  };
  const warnings: SourceNote[] = loaded.problems
    .filter((problem) => problem.severity !== 'error')
    .map((problem) => ({
      severity: problem.severity as 'warning' | 'info',
      ...placeOf({ file: problem.file ?? loaded.file, offset: problem.offset }),
      message: problem.message,
    }));
  return {
    ...estimate,
    agents: estimate.agents.map((agent) => {
      const framework = frameworkFacts.get(agent.agent);
      if (framework) {
        return { ...agent, modelSource: framework.modelSource, ...(framework.local ? { local: true as const } : {}), definedAt: placeOf(framework.at) };
      }
      const fact = facts.get(agent.agent);
      if (!fact) return agent;
      return {
        ...agent,
        crewAgent: fact.crewAgent,
        modelSource: fact.modelSource,
        ...(fact.local ? { local: true as const } : {}),
        definedAt: placeOf(fact.at),
      };
    }),
    warnings,
    ...(loaded.crewai ? { crewai: loaded.crewai } : {}),
    ...(loaded.frameworks ? { frameworks: loaded.frameworks } : {}),
  };
}
