import path from 'node:path';
import { crewFile } from '../../shared/configLocation';
import type { AgentConfig, PartyConfig } from '../../config/schema';
import { didYouMean } from '../../config/nearest';
import { sortProblems } from '../../config/problems';
import type { Problem } from '../../config/problems';
import { priceBook } from '../../cost/prices';
import type { PriceBook } from '../../cost/prices';
import { withOutputDefault } from '../../config/outputDefault';
import { crewDefaultModel, crewModelVariables, crewSlices, systemMessage, userMessage } from './templates';
import type { CrewTool } from './templates';
import { crewPlaceholders, mainPyInputs, toTemplate } from './inputs';
import { graphProblems, placeholderProblems, windowProblems } from './crewChecks';
import { readYamlFile, sequenceItems } from './yamlFile';
import type { Span, YamlEntry, YamlField, YamlFile } from './yamlFile';

/** Reads a file of the workspace: its text (an editor's unsaved one first), or undefined when there is none. */
export type Reader = (file: string) => string | undefined;

/** Which CrewAI agent does which task, and the reverse, in file order. */
export interface CrewMap {
  /** Task name → the crew agent that performs it. */
  tasks: Record<string, string>;
  /** Crew agent → its tasks. */
  agents: Record<string, string[]>;
  /** The two YAML files, as problems name them. */
  agentsFile: string;
  tasksFile: string;
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
  /** The config directory (holding agents.yaml and tasks.yaml). */
  dir: string;
  read: Reader;
  /** How a path is shown to the user. */
  display: (file: string) => string;
  overlay?: CrewOverlay;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedCrew {
  files: YamlFile[];
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
  crew: CrewMap;
  /** Sample values of the crew's inputs: main.py's, then partycost.json's `inputs`. */
  inputs: Record<string, string | null>;
}

interface CrewAgent {
  name: string;
  role: string;
  goal: string;
  backstory: string;
  model: string;
  tools: CrewTool[];
  entry: YamlEntry;
}

const identifier = /^[A-Za-z_][\w-]*$/;

/**
 * A CrewAI project as the engine's agent graph: every task an agent of ours, running on its CrewAI agent's model,
 * with the prompt CrewAI sends (templates.ts) and, as upstream, its `context` (or, without one, every earlier task, as
 * a sequential crew passes them). Every problem is positioned in its YAML file (or in partycost.json).
 */
export function loadCrew(source: CrewSource): LoadedCrew {
  const exists = (file: string): boolean => source.read(file) !== undefined;
  const problems: Problem[] = [];
  const overlay = source.overlay;
  const files: YamlFile[] = [];
  let missing = false;
  const read = (base: 'agents' | 'tasks', what: string): YamlFile => {
    const file = crewFile(source.dir, base, exists);
    const name = source.display(file);
    const text = source.read(file);
    if (text === undefined) {
      missing = true;
      const where = overlay ? { file: overlay.file, ...overlay.crewSpan } : { file: name, offset: 0, length: 0 };
      problems.push({
        severity: 'error',
        message: `no ${base}.yaml in ${source.display(source.dir) || '.'}: a CrewAI config directory holds agents.yaml and tasks.yaml`,
        ...where,
      });
    }
    const yaml = readYamlFile(file, name, text ?? '', what);
    if (text !== undefined) problems.push(...yaml.problems);
    files.push(yaml);
    return yaml;
  };
  const tasksYaml = read('tasks', 'task');
  const agentsYaml = read('agents', 'agent');
  const prices = priceBook(overlay?.config ?? {});
  const order = [...(overlay ? [overlay.file] : []), tasksYaml.name, agentsYaml.name];
  const crew: CrewMap = { tasks: {}, agents: {}, agentsFile: agentsYaml.name, tasksFile: tasksYaml.name };
  // A file that does not parse is not guessed at: its syntax errors are all that is said.
  if (missing || tasksYaml.malformed || agentsYaml.malformed) return { files, prices, problems: sortProblems(problems, order), crew, inputs: {} };
  const config = overlay?.config;
  const envModel = crewModelVariables.map((name) => source.env?.[name]).find((value) => value);
  const fallbackModel = envModel || config?.defaults?.model || crewDefaultModel;

  const mainPy = source.read(path.join(path.dirname(source.dir), 'main.py'));
  const inputs: Record<string, string | null> = Object.fromEntries(mainPy === undefined ? [] : mainPyInputs(mainPy));
  Object.assign(inputs, config?.inputs ?? {});

  const agents = new Map<string, CrewAgent>();
  for (const entry of agentsYaml.entries) {
    const agent = crewAgentOf(entry, agentsYaml.name, fallbackModel, prices, problems);
    if (agent) agents.set(agent.name, agent);
  }

  crew.agents = Object.fromEntries([...agents.keys()].map((name) => [name, []]));
  const taskNames = tasksYaml.entries.map((entry) => entry.name);
  const graph = new Map<string, string[]>();
  const contextSpans = new Map<string, Map<string, Span>>();
  const built: Record<string, AgentConfig> = {};
  const tasksFile = tasksYaml.name;
  for (const [index, entry] of tasksYaml.entries.entries()) {
    const task = entry.name;
    const at = (span: Span, message: string, severity: Problem['severity'] = 'error'): void =>
      void problems.push({ severity, message, file: tasksFile, ...span });
    if (!identifier.test(task)) at(entry.key, `task name "${task}" must be a name (letters, digits, _ and -), as crew.py's methods name tasks`);
    const description = requiredText(entry, 'description', 'task', tasksFile, problems);
    const expectedOutput = requiredText(entry, 'expected_output', 'task', tasksFile, problems);
    const agentField = entry.fields.get('agent');
    let agent: CrewAgent | undefined;
    if (!agentField || agentField.value === null) at(entry.key, `task "${task}" has no agent: name one of agents.yaml's agents`);
    else if (typeof agentField.value !== 'string') at(agentField.span, `agent of "${task}" must be an agent's name`);
    else {
      agent = agents.get(agentField.value);
      if (!agent && !agentsYaml.entries.some((e) => e.name === agentField.value)) {
        at(
          agentField.span,
          `unknown agent "${agentField.value}"${didYouMean(
            agentField.value,
            agentsYaml.entries.map((e) => e.name),
          )}`,
        );
      }
      if (agent) {
        crew.tasks[task] = agent.name;
        crew.agents[agent.name]!.push(task);
      }
    }
    const context = contextOf(entry, taskNames, index, tasksFile, problems);
    graph.set(task, context.names);
    contextSpans.set(task, context.spans);
    if (!agent || description === undefined || expectedOutput === undefined) continue;

    const tools = [...agent.tools, ...toolsOf(entry.fields.get('tools'), tasksFile, problems)];
    const upstream = context.names.map((name) => `{{${name}}}`).join(crewSlices.contextDivider);
    const used = new Set([agent.role, agent.goal, agent.backstory, description, expectedOutput].flatMap((text) => crewPlaceholders(text).map((p) => p.name)));
    built[task] = {
      kind: 'llm',
      model: agent.model,
      system: toTemplate(systemMessage(agent, tools)),
      prompt: toTemplate(userMessage({ description, expectedOutput }, context.names.length ? upstream : undefined)),
      ...(context.names.length ? { dependsOn: context.names } : {}),
      ...(used.size ? { handles: { patterns: [`^\\s*(?:${[...used].join('|')})\\s*[=:]`] } } : {}),
    };
  }

  problems.push(...graphProblems(graph, contextSpans, taskNames, tasksFile));
  problems.push(...placeholderProblems(tasksYaml, agentsYaml, inputs, overlay?.file));
  // An agent no task names is worth a word, unless a task names an unknown agent (likely this one, misspelt).
  const misspelt = tasksYaml.entries.some(
    (entry) => typeof entry.fields.get('agent')?.value === 'string' && !agents.has(entry.fields.get('agent')!.value as string),
  );
  for (const [name, tasks] of Object.entries(crew.agents)) {
    if (tasks.length === 0 && !misspelt)
      problems.push({
        severity: 'warning',
        file: agentsYaml.name,
        message: `agent "${name}" performs no task in tasks.yaml; it costs nothing`,
        ...agents.get(name)!.entry.key,
      });
  }

  const merged: Record<string, AgentConfig> = {};
  for (const [task, agentConfig] of Object.entries(built)) merged[task] = { ...agentConfig, ...(config?.agents?.[task] ?? {}) };
  for (const [task, span] of overlay?.agentSpans ?? []) {
    if (!taskNames.includes(task))
      problems.push({
        severity: 'error',
        file: overlay!.file,
        message: `no task "${task}" in ${tasksFile}${didYouMean(task, taskNames)}: "agents" of a crew override its tasks by name`,
        ...span,
      });
  }
  const result = withOutputDefault({ ...(config ?? {}), agents: merged });
  problems.push(...windowProblems(result, prices, tasksYaml));
  const ok = !problems.some((problem) => problem.severity === 'error') && (!overlay || overlay.config !== undefined);
  return { files, config: ok ? result : undefined, prices, problems: sortProblems(problems, order), crew, inputs };
}

function requiredText(entry: YamlEntry, field: string, what: string, file: string, problems: Problem[]): string | undefined {
  const found = entry.fields.get(field);
  if (!found || found.value === null || found.value === '') {
    problems.push({ severity: 'error', file, message: `${what} "${entry.name}" has no ${field}: CrewAI requires one`, ...entry.key });
    return undefined;
  }
  if (typeof found.value !== 'string' && typeof found.value !== 'number') {
    problems.push({ severity: 'error', file, message: `${field} of "${entry.name}" must be text`, ...found.span });
    return undefined;
  }
  return String(found.value);
}

function crewAgentOf(entry: YamlEntry, file: string, fallbackModel: string, prices: PriceBook, problems: Problem[]): CrewAgent | undefined {
  const role = requiredText(entry, 'role', 'agent', file, problems);
  const goal = requiredText(entry, 'goal', 'agent', file, problems);
  const backstory = requiredText(entry, 'backstory', 'agent', file, problems);
  const llm = entry.fields.get('llm');
  let model = fallbackModel;
  if (llm && llm.value !== null) {
    if (typeof llm.value !== 'string' || llm.value.trim() === '')
      problems.push({ severity: 'error', file, message: `llm of "${entry.name}" must be a model name, e.g. "openai/gpt-4.1-mini"`, ...llm.span });
    else model = llm.value.trim();
  }
  if (!prices.model(model)) {
    const where = llm && typeof llm.value === 'string' ? llm.span : entry.key;
    problems.push({
      severity: 'error',
      file,
      message: `unknown model "${model}"${didYouMean(model, prices.knownNames())}; add its prices under "prices" in partycost.json to use it`,
      ...where,
    });
  }
  const tools = toolsOf(entry.fields.get('tools'), file, problems);
  if (role === undefined || goal === undefined || backstory === undefined) return undefined;
  return { name: entry.name, role, goal, backstory, model, tools, entry };
}

/** Tools listed by name (as crew.py defines them) or as `{ name, description }`; descriptions count when given. */
function toolsOf(field: YamlField | undefined, file: string, problems: Problem[]): CrewTool[] {
  if (!field || field.value === null) return [];
  if (!Array.isArray(field.value)) {
    problems.push({ severity: 'error', file, message: 'tools must be a list of tool names', ...field.span });
    return [];
  }
  const tools: CrewTool[] = [];
  for (const item of sequenceItems(field)) {
    const value = item.value as unknown;
    if (typeof value === 'string') tools.push({ name: value });
    else if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
      const { name, description } = value as { name: string; description?: unknown };
      tools.push({ name, ...(typeof description === 'string' ? { description } : {}) });
    } else problems.push({ severity: 'error', file, message: 'a tool is a name, or { name, description }', ...item.span });
  }
  return tools;
}

/** A task's upstream: its `context` list, else (a sequential crew) every task before it; `context: []`, none. */
function contextOf(entry: YamlEntry, taskNames: string[], index: number, file: string, problems: Problem[]): { names: string[]; spans: Map<string, Span> } {
  const field = entry.fields.get('context');
  const spans = new Map<string, Span>();
  if (!field || field.value === null) return { names: taskNames.slice(0, index), spans };
  if (!Array.isArray(field.value)) {
    problems.push({ severity: 'error', file, message: `context of "${entry.name}" must be a list of task names`, ...field.span });
    return { names: [], spans };
  }
  const names: string[] = [];
  for (const item of sequenceItems(field)) {
    if (typeof item.value !== 'string') {
      problems.push({ severity: 'error', file, message: `context of "${entry.name}" lists task names; this is not one`, ...item.span });
    } else if (!taskNames.includes(item.value)) {
      problems.push({
        severity: 'error',
        file,
        message: `task "${entry.name}" has unknown context task "${item.value}"${didYouMean(item.value, taskNames)}`,
        ...item.span,
      });
    } else if (!names.includes(item.value)) {
      names.push(item.value);
      spans.set(item.value, item.span);
    }
  }
  return { names, spans };
}
