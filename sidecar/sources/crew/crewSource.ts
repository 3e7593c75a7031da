import path from 'node:path';
import type { AgentConfig, PartyConfig } from '../../config/schema';
import { didYouMean } from '../../config/nearest';
import { LineIndex, sortProblems } from '../../config/problems';
import type { Problem } from '../../config/problems';
import { withOutputDefault } from '../../config/outputDefault';
import { priceBook } from '../../cost/prices';
import type { PriceBook } from '../../cost/prices';
import { crewaiTable, projectCrews } from '../../shared/configLocation';
import type { Lister } from '../../shared/configLocation';
import { graphProblems, placeholderProblems, unknownModels, windowProblems } from './crewChecks';
import { isLocal } from './crewModels';
import type { CrewDefinition, CrewFile } from './crewDefinition';

export type { CrewFile } from './crewDefinition';
import { crewInputs } from './crewInputs';
import type { CrewInput } from './crewInputs';
import { crewProject } from './crewProject';
import type { CrewProject, Reader } from './crewProject';
import { crewAgents } from './crewTasks';
import type { TaskFacts } from './crewTasks';
import { readJsonCrew } from './jsonCrew';
import { rulesFor } from './prompts';
import { readYamlCrew } from './yamlCrew';
import type { CrewReading } from './yamlCrew';
import type { Span } from './yamlFile';

export type { Reader } from './crewProject';
export type { TaskFacts } from './crewTasks';

/** Which CrewAI agent does which of our agents (a task, or a call of the crew's own), and the reverse, in order. */
export interface CrewMap {
  /** Our agent → the CrewAI agent that performs it. */
  tasks: Record<string, string>;
  /** CrewAI agent → our agents it performs. */
  agents: Record<string, string[]>;
  /** CrewAI agent → its role as written (`{placeholders}` unfilled): what traces name it by. */
  roles: Record<string, string>;
}

/** What partycost.json adds to a crew it points at: its settings, its per-task overrides, its sample inputs. */
export interface CrewOverlay {
  file: string;
  /** Where its `crew` value stands (problems of a missing directory point there). */
  crewSpan: Span;
  /** The configuration, when it passed the schema; else only what could be read. */
  config?: PartyConfig;
  /** Where each override stands in the file, by task name. */
  agentSpans: Map<string, Span>;
}

export interface CrewSource {
  /** A crew's config directory (agents.yaml and tasks.yaml), or a CrewAI project's root: every crew of it. */
  dir: string;
  read: Reader;
  /** Lists a directory (a project's crews are found so); default: the disk. */
  list?: Lister;
  /** How a path is shown to the user. */
  display: (file: string) => string;
  overlay?: CrewOverlay;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedCrew {
  files: CrewFile[];
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
  crew: CrewMap;
  /** Sample values of the crew's inputs: main.py's (or crew.jsonc's), then partycost.json's `inputs`. */
  inputs: Record<string, string | null>;
  /** Per agent of ours: where its figures come from. */
  facts: Map<string, TaskFacts>;
  /** The CrewAI version whose prompts are used, and where it comes from. */
  version: { value: string; from: string };
}

/**
 * A CrewAI project as the engine's agent graph (crewTasks.ts): read from its YAML and crew.py (yamlCrew.ts), or from
 * the declarative definition pyproject.toml names (jsonCrew.ts); every crew of a project (a flow's crews), the inputs
 * its entry point passes, the prompts of the CrewAI version it pins. Every problem is positioned in its file; what a
 * static reading cannot know is a warning, never a silent default.
 */
export function loadCrew(source: CrewSource): LoadedCrew {
  const problems: Problem[] = [];
  const files: CrewFile[] = [];
  const env = source.env ?? process.env;
  const overlay = source.overlay;
  const exists = (file: string): boolean => source.read(file) !== undefined;
  const pyproject = source.read(path.join(source.dir, 'pyproject.toml'));
  const table = pyproject !== undefined ? crewaiTable(pyproject) : undefined;
  const reading = (project: CrewProject): CrewReading => ({
    read: source.read,
    display: source.display,
    project,
    rules: rulesFor(project.version.value),
    problems,
    files,
    ...(overlay ? { missingAt: { file: overlay.file, ...overlay.crewSpan } } : {}),
  });

  const crews: { definition: CrewDefinition; prefix: string; inputs: Map<string, CrewInput> }[] = [];
  let version = { value: '', from: '' };
  if (table?.definition) {
    const project = crewProject(source.dir, source.read, env, source.display, true);
    version = project.version;
    const definition = readJsonCrew(path.resolve(source.dir, table.definition), reading(project));
    if (definition) crews.push({ definition, prefix: definition.name, inputs: new Map() });
  } else {
    const dirs = table ? projectCrews(source.dir, exists, source.list) : [source.dir];
    if (dirs.length === 0) {
      problems.push({
        severity: 'error',
        ...(overlay ? { file: overlay.file, ...overlay.crewSpan } : { file: source.display(path.join(source.dir, 'pyproject.toml')), offset: 0, length: 0 }),
        message: `no crew in ${source.display(source.dir) || '.'}: a CrewAI project keeps each crew's agents.yaml and tasks.yaml in src/<name>/config/ (or src/<flow>/crews/<crew>/config/)`,
      });
    }
    for (const dir of dirs) {
      const project = crewProject(dir, source.read, env, source.display);
      version = project.version;
      const definition = readYamlCrew(dir, reading(project));
      if (!definition) continue;
      const inFlow = path.basename(path.dirname(path.dirname(dir))) === 'crews';
      const inputs = readInputs(project, source, problems, files, inFlow ? definition.name : undefined);
      definition.inputs = Object.fromEntries([...inputs].map(([name, input]) => [name, input.value ?? null]));
      crews.push({ definition, prefix: path.basename(path.dirname(dir)), inputs });
    }
  }
  const crew: CrewMap = { tasks: {}, agents: {}, roles: {} };
  const prices = priceBook(overlay?.config ?? {});
  const order = [...(overlay ? [overlay.file] : []), ...files.map((file) => file.name)];
  if (crews.length === 0) return { files, prices, problems: sortProblems(problems, order), crew, inputs: {}, facts: new Map(), version };
  const config = overlay?.config;

  // A task name two crews share is prefixed with its crew's folder (content_crew-editing_task).
  const counts = new Map<string, number>();
  for (const { definition } of crews) for (const task of definition.tasks) counts.set(task.name, (counts.get(task.name) ?? 0) + 1);
  const built: Record<string, AgentConfig> = {};
  const facts = new Map<string, TaskFacts>();
  const samples: Record<string, string | null> = {};
  const lastRow = new Map<string, string>();
  const flowInputs: { agents: Record<string, AgentConfig>; inputs: Map<string, CrewInput> }[] = [];
  for (const { definition, prefix, inputs } of crews) {
    // partycost.json's defaults.model stands in for CrewAI's fallback, as MODEL would.
    const stand = config?.defaults?.model;
    if (stand) {
      for (const agent of definition.agents.values()) {
        if (agent.model.source.startsWith('CrewAI default')) agent.model = { model: stand, source: `${overlay!.file} (defaults.model)`, local: isLocal(stand) };
      }
    }
    const rename = (name: string): string => {
      const task = name.replace(/-(delegated|knowledge_query|memory)$/, '');
      return (counts.get(task) ?? 0) > 1 || (task === 'crew_planner' && crews.length > 1) ? `${prefix}-${name}` : name;
    };
    const { agents, facts: crewFacts } = crewAgents(definition, rename);
    flowInputs.push({ agents, inputs });
    Object.assign(built, agents);
    for (const [name, fact] of crewFacts) facts.set(name, fact);
    for (const [key, value] of Object.entries(definition.inputs)) if (!(key in samples) || samples[key] === null) samples[key] = value;
    const tasks = definition.tasks.map((task) => rename(task.name)).filter((name) => name in agents);
    if (tasks.length) lastRow.set(definition.name, tasks.at(-1)!);
    for (const [name, fact] of crewFacts) {
      crew.tasks[name] = fact.crewAgent;
      (crew.agents[fact.crewAgent] ??= []).push(name);
    }
    for (const agent of definition.agents.values()) {
      crew.agents[agent.name] ??= [];
      crew.roles[agent.name] = agent.role.trim();
    }

    const names = definition.tasks.map((t) => t.name);
    const graph = new Map(definition.tasks.map((t, i) => [t.name, t.context === 'earlier' ? names.slice(0, i) : t.context]));
    const tasksFile = definition.tasks[0]?.at.file ?? '';
    problems.push(...graphProblems(graph, new Map(definition.tasks.map((t) => [t.name, t.contextSpans])), names, tasksFile));
    warnUnusedAgents(definition, crew, problems);
  }
  // In a flow, an input that is another crew's output is that crew's last task, upstream.
  for (const { agents, inputs } of flowInputs) {
    for (const [key, input] of inputs) {
      const from = input.upstream ? lastRow.get(input.upstream) : undefined;
      if (!from) continue;
      for (const agent of Object.values(agents)) {
        if (!`${agent.system ?? ''}${agent.prompt ?? ''}`.includes(`{{input.${key}}}`)) continue;
        if (agent.system) agent.system = agent.system.replaceAll(`{{input.${key}}}`, `{{${from}}}`);
        if (agent.prompt) agent.prompt = agent.prompt.replaceAll(`{{input.${key}}}`, `{{${from}}}`);
        agent.dependsOn = [...new Set([...(agent.dependsOn ?? []), from])];
      }
      samples[key] ??= null;
    }
  }
  // A task takes part in a party whose inputs it names (`topic=…` routes to the tasks with {topic}).
  for (const agent of Object.values(built)) {
    const used = [...new Set([...`${agent.system ?? ''}${agent.prompt ?? ''}`.matchAll(/\{\{input\.([A-Za-z_][\w-]*)\}\}/g)].map((m) => m[1]!))];
    if (used.length) agent.handles = { patterns: [`^\\s*(?:${used.join('|')})\\s*[=:]`] };
  }
  Object.assign(samples, config?.inputs ?? {});
  problems.push(
    ...placeholderProblems(
      files,
      crews.map(({ definition }) => definition),
      samples,
      overlay?.file,
    ),
  );

  const merged: Record<string, AgentConfig> = {};
  for (const [name, agentConfig] of Object.entries(built)) merged[name] = { ...agentConfig, ...(config?.agents?.[name] ?? {}) };
  for (const [task, span] of overlay?.agentSpans ?? []) {
    if (!(task in built)) {
      problems.push({
        severity: 'error',
        file: overlay!.file,
        message: `no task "${task}" in the crew${didYouMean(task, Object.keys(built))}: "agents" of a crew override its tasks by name`,
        ...span,
      });
    }
  }
  // A local model costs nothing: priced at zero unless partycost.json prices it.
  const local = Object.fromEntries([...facts].filter(([, fact]) => fact.local).map(([name]) => [built[name]!.model!, { input: 0, output: 0 }]));
  const crewPrices = { ...local, ...(config?.prices ?? {}) };
  const known = Object.entries(samples).filter((entry): entry is [string, string] => entry[1] !== null);
  const result = withOutputDefault({
    ...(config ?? {}),
    ...(Object.keys(crewPrices).length ? { prices: crewPrices } : {}),
    ...(known.length ? { inputs: Object.fromEntries(known) } : {}),
    agents: merged,
  });
  const finalPrices = Object.keys(local).length ? priceBook(result) : prices;
  problems.push(
    ...unknownModels(
      crews.map(({ definition }) => definition),
      finalPrices,
      overlay?.file,
    ),
  );
  problems.push(...windowProblems(result, finalPrices, facts));
  const ok = !problems.some((problem) => problem.severity === 'error') && (!overlay || overlay.config !== undefined);
  return { files, config: ok ? result : undefined, prices: finalPrices, problems: sortProblems(problems, order), crew, inputs: samples, facts, version };
}

/** The inputs an entry point passes (a flow's, to `crewClass`), with a warning for each computed at run time. */
function readInputs(project: CrewProject, source: CrewSource, problems: Problem[], files: CrewFile[], crewClass?: string): Map<string, CrewInput> {
  if (!project.mainFile) return new Map();
  const text = source.read(project.mainFile)!;
  const name = source.display(project.mainFile);
  if (!files.some((file) => file.path === project.mainFile)) files.push({ path: project.mainFile, name, text, lines: new LineIndex(text) });
  const { inputs, read } = crewInputs(text, project.mainFile, project.root, source.read, project.env, crewClass);
  for (const file of read) {
    const inputText = source.read(file);
    if (inputText !== undefined && !files.some((f) => f.path === file))
      files.push({ path: file, name: source.display(file), text: inputText, lines: new LineIndex(inputText) });
  }
  for (const [key, input] of inputs) {
    if (input.note && input.at && !problems.some((p) => p.file === name && p.offset === input.at!.offset && p.message.startsWith(`input ${key}:`))) {
      problems.push({
        severity: input.severity ?? 'warning',
        file: name,
        message: `input ${key}: ${input.note}`,
        offset: input.at.offset,
        length: input.at.length,
      });
    }
  }
  return inputs;
}

/** An agent no task names: a warning (it costs nothing), unless a task names an unknown agent (likely it, misspelt). */
function warnUnusedAgents(definition: CrewDefinition, crew: CrewMap, problems: Problem[]): void {
  if (definition.hierarchical || definition.tasks.some((t) => t.agent === undefined)) return;
  for (const [name, agent] of definition.agents) {
    if ((crew.agents[name] ?? []).length === 0)
      problems.push({ severity: 'warning', ...agent.at, message: `agent "${name}" performs no task; it costs nothing` });
  }
}
