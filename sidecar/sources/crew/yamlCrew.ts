import path from 'node:path';
import { didYouMean } from '../../config/nearest';
import { LineIndex } from '../../config/problems';
import { UserError } from '../../contract/errors';
import type { Problem } from '../../config/problems';
import { crewFile } from '../../shared/configLocation';
import { decorator } from '../python/pythonCalls';
import type { PyExpr } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue, resolveName } from '../python/pythonValues';
import type { CrewAgentDef, CrewDefinition, CrewFile, CrewSetting, CrewTaskDef, OutputModel, Place } from './crewDefinition';
import { defaultModel, isLocal, modelOf } from './crewModels';
import type { ModelChoice } from './crewModels';
import type { CrewProject, Reader } from './crewProject';
import { flag, integer, methodCalled, readCrewPython } from './crewPython';
import type { CrewMethod, CrewPython } from './crewPython';
import { assumed, projectTools, toolNamed, toolOf } from './crewTools';
import type { CrewTool } from './crewTools';
import { crewModelVariables } from './prompts';
import type { PromptRules } from './prompts';
import { modelsIn } from './pydanticSchema';
import { readYamlFile, sequenceItems } from './yamlFile';
import type { YamlEntry, YamlField, YamlFile } from './yamlFile';

/**
 * A crew as `@CrewBase` builds it (crewAI `project/crew_base.py`, `project/annotations.py`, 1.15.17): agents.yaml and
 * tasks.yaml, and the crew's Python class, whose `@agent` methods are the agents (the method's name is the agent's;
 * `config=self.agents_config['key']` names its YAML entry; keyword arguments win over the YAML), whose `@task`
 * methods are the tasks in the order written, and whose `@crew` method's `Crew(…)` sets the process, the manager,
 * planning, memory and knowledge. Without a crew.py the YAML alone is read, as the crew it describes.
 */

/** What a reading needs: the files, where they are shown, and where its problems go. */
export interface CrewReading {
  read: Reader;
  display: (file: string) => string;
  project: CrewProject;
  rules: PromptRules;
  problems: Problem[];
  /** Every file read, for positions. */
  files: CrewFile[];
  /** Where a missing file is reported (partycost.json's "crew"); else at the file itself. */
  missingAt?: Place;
}

interface Context extends CrewReading {
  python?: CrewPython;
  pythonName?: string;
  pythonLines?: LineIndex;
  /** The project's BaseTool classes by name. */
  projectTools: ReturnType<typeof projectTools>;
  agentsYaml: YamlFile;
  tasksYaml: YamlFile;
}

/** The crew of a config directory; undefined when its YAML is missing or does not parse (the problems say why). */
export function readYamlCrew(configDir: string, reading: CrewReading): CrewDefinition | undefined {
  const { project, read, display, problems, files } = reading;
  const pythonText = project.crewFile ? read(project.crewFile) : undefined;
  const python = pythonText !== undefined ? readCrewPython(pythonText).crew : undefined;
  const pythonName = project.crewFile && pythonText !== undefined ? display(project.crewFile) : undefined;
  let pythonLines: LineIndex | undefined;
  if (pythonText !== undefined && pythonName) {
    pythonLines = new LineIndex(pythonText);
    files.push({ path: project.crewFile!, name: pythonName, text: pythonText, lines: pythonLines });
    for (const error of readPython(pythonText).errors.slice(0, 3)) {
      problems.push({
        severity: 'warning',
        file: pythonName,
        message: `${error.message}; the rest of the file is read`,
        offset: error.offset,
        length: error.length,
      });
    }
  }
  let missing = false;
  const readYaml = (base: 'agents' | 'tasks', what: string): YamlFile => {
    const configured = python ? path.resolve(path.dirname(project.crewFile!), base === 'agents' ? python.agentsConfig : python.tasksConfig) : undefined;
    const file = configured && read(configured) !== undefined ? configured : crewFile(configDir, base, (f) => read(f) !== undefined);
    const name = display(file);
    const text = read(file);
    if (text === undefined) {
      missing = true;
      problems.push({
        severity: 'error',
        ...(reading.missingAt ?? { file: name, offset: 0, length: 0 }),
        message: `no ${base}.yaml in ${display(path.dirname(file)) || '.'}: a CrewAI config directory holds agents.yaml and tasks.yaml`,
      });
    }
    const yaml = readYamlFile(file, name, text ?? '', what);
    if (text !== undefined) {
      problems.push(...yaml.problems);
      files.push(yaml);
    }
    return yaml;
  };
  const tasksYaml = readYaml('tasks', 'task');
  const agentsYaml = readYaml('agents', 'agent');
  // A file that does not parse is not guessed at: its syntax errors are all that is said.
  if (missing || tasksYaml.malformed || agentsYaml.malformed) return undefined;

  const context: Context = {
    ...reading,
    ...(python ? { python, pythonName: pythonName!, pythonLines: pythonLines! } : {}),
    projectTools: python ? toolsOfProject(python, project.crewFile!, read) : new Map(),
    agentsYaml,
    tasksYaml,
  };
  const agents = agentsOf(context);
  const tasks = tasksOf(context, agents);
  const settings = crewSettings(context, agents);
  return { name: python?.className ?? path.basename(path.dirname(configDir)), rules: reading.rules, agents, tasks, ...settings, inputs: {} };
}

/** BaseTool classes of the crew's Python and of the package's tools/ modules it imports (custom_tool.py, as the template has it). */
function toolsOfProject(python: CrewPython, crewFile: string, read: Reader): ReturnType<typeof projectTools> {
  const found = projectTools(python.module);
  const toolsDir = path.join(path.dirname(crewFile), 'tools');
  for (const importLine of python.module.imports) {
    if (!/(^|\.)tools(\.|$)/.test(importLine.module)) continue;
    const file = path.join(toolsDir, `${importLine.module.split('.').at(-1)}.py`);
    const text = read(file);
    if (text !== undefined) for (const [name, tool] of projectTools(readPython(text))) found.set(name, tool);
  }
  return found;
}

/** A place in crew.py. */
function inPython(context: Context, at: { offset: number; length: number }): Place {
  return { file: context.pythonName!, offset: at.offset, length: at.length };
}

/** Where `name=value` stands in crew.py: from the keyword's name (a setting is pointed at so), else the value's place. */
function keywordPlace(context: Context, name: string, value: PyExpr): Place {
  const text = context.files.find((f) => f.name === context.pythonName)?.text ?? '';
  const before = new RegExp(`\\b${name}\\s*=\\s*$`).exec(text.slice(Math.max(0, value.offset - name.length - 40), value.offset));
  const offset = before ? value.offset - before[0].length : value.offset;
  return { file: context.pythonName!, offset, length: value.offset + value.length - offset };
}

/** `file:line` of a place, as a model's source names it. */
function lineOf(context: Context, place: Place): string {
  const file = context.files.find((f) => f.name === place.file);
  return `${place.file}:${file ? file.lines.position(place.offset).line : 1}`;
}

function warn(context: Context, place: Place, message: string): void {
  context.problems.push({ severity: 'warning', ...place, message });
}

function error(context: Context, place: Place, message: string): void {
  context.problems.push({ severity: 'error', ...place, message });
}

// ── agents ──────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The crew's agents: crew.py's `@agent` methods (each with its YAML entry), else agents.yaml's entries. */
function agentsOf(context: Context): Map<string, CrewAgentDef> {
  const { python, agentsYaml } = context;
  const entries = new Map(agentsYaml.entries.map((e) => [e.name, e]));
  const agents = new Map<string, CrewAgentDef>();
  const methods: (CrewMethod | undefined)[] = python ? python.agents : agentsYaml.entries.map(() => undefined);
  for (const [i, method] of methods.entries()) {
    const entry = method ? entries.get(method.configKey) : agentsYaml.entries[i];
    const name = method?.name ?? entry!.name;
    const at: Place = method ? inPython(context, method.at) : { file: agentsYaml.name, ...entry!.key };
    const keywords = method?.keywords ?? new Map<string, PyExpr>();
    if (method && !entry && !keywords.has('role')) {
      error(context, at, `agent "${name}" has no entry "${method.configKey}" in ${agentsYaml.name}${didYouMean(method.configKey, [...entries.keys()])}`);
      continue;
    }
    const text = (field: 'role' | 'goal' | 'backstory'): string | undefined =>
      pythonText(context, keywords.get(field), `${field} of agent "${name}"`) ??
      (entry ? yamlText(entry, field, agentsYaml.name, context.problems, 'agent') : undefined);
    const [role, goal, backstory] = [text('role'), text('goal'), text('backstory')];
    if (role === undefined || goal === undefined || backstory === undefined) continue;
    const scopes = python?.scopes ?? [];
    agents.set(name, {
      name,
      at,
      role,
      goal,
      backstory,
      model: agentModel(context, name, keywords.get('llm'), entry?.fields.get('llm')),
      tools: agentTools(context, name, keywords.get('tools'), entry?.fields.get('tools')),
      maxIter: integer(keywords, 'max_iter', scopes) ?? yamlNumber(entry, 'max_iter') ?? 25,
      allowDelegation: flag(keywords, 'allow_delegation', scopes) ?? entry?.fields.get('allow_delegation')?.value === true,
      injectDate: flag(keywords, 'inject_date', scopes) ?? entry?.fields.get('inject_date')?.value === true,
      knowledge: knowledgeTexts(context, keywords.get('knowledge_sources')),
    });
    if (agents.get(name)!.allowDelegation && (python?.agents.length ?? agentsYaml.entries.length) > 1) {
      const where = keywords.get('allow_delegation');
      warn(
        context,
        where ? keywordPlace(context, 'allow_delegation', where) : at,
        `allow_delegation lets agent "${name}" start runs of its coworkers whose prompts the model writes at run time: those runs are not priced`,
      );
    }
  }
  return agents;
}

function yamlNumber(entry: YamlEntry | undefined, field: string): number | undefined {
  const value = entry?.fields.get(field)?.value;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * An agent's model: crew.py's `llm=`, else agents.yaml's `llm:`, else the environment's MODEL (and .env's), else
 * CrewAI's default. An `llm=` that cannot be read is a warning there, and the fallback is priced, saying so.
 */
function agentModel(context: Context, agent: string, expr: PyExpr | undefined, field: YamlField | undefined): ModelChoice {
  const fallback = defaultModel(context.project.env, crewModelVariables, context.rules.defaultModel);
  if (expr && context.python) {
    const choice = modelOf(expr, context.python.scopes, context.project.env, context.pythonName!);
    if ('model' in choice) return choice;
    const place = inPython(context, choice.at);
    warn(
      context,
      place,
      `the model of agent "${agent}" cannot be known statically (${choice.reason}): priced at ${fallback.model}, the model CrewAI falls back to; set "model" in partycost.json to price it otherwise`,
    );
    return { ...fallback, source: `assumed ${fallback.model}: ${lineOf(context, inPython(context, expr))} cannot be read` };
  }
  if (field && typeof field.value === 'string' && field.value.trim()) {
    const named = field.value.trim();
    // An `llm:` naming an `@llm` method of crew.py: that method's LLM.
    const method = context.python?.module.classes
      .find((c) => c.name === context.python!.className)
      ?.methods.find((m) => m.name === named && decorator(m, 'llm') !== undefined);
    const returned = method?.returns.at(-1);
    if (returned && context.python) {
      const choice = modelOf(returned, [method!, ...context.python.scopes], context.project.env, context.pythonName!);
      if ('model' in choice) return choice;
    }
    const place: Place = { file: context.agentsYaml.name, ...field.key };
    return { model: named, source: lineOf(context, place), local: isLocal(named), at: { file: context.agentsYaml.name, ...field.span } };
  }
  return fallback;
}

/** An agent's tools: crew.py's `tools=[…]`, else agents.yaml's `tools:` (names of crew.py's `@tool` methods or of crewai_tools classes). */
function agentTools(context: Context, agent: string, expr: PyExpr | undefined, field: YamlField | undefined): CrewTool[] {
  if (expr && context.python) return pythonTools(context, expr, `the tools of agent "${agent}"`);
  if (!field || !Array.isArray(field.value)) return [];
  const tools: CrewTool[] = [];
  for (const item of sequenceItems(field)) {
    if (typeof item.value !== 'string') continue;
    const method = context.python?.module.classes
      .find((c) => c.name === context.python!.className)
      ?.methods.find((m) => m.name === item.value && decorator(m, 'tool') !== undefined);
    const returned = method?.returns.at(-1);
    const tool = (returned && context.python && toolOf(returned, [method!, ...context.python.scopes], context.projectTools)) || toolNamed(item.value);
    if (tool) tools.push(tool);
    else {
      warn(
        context,
        { file: context.agentsYaml.name, ...item.span },
        `tool "${item.value}" is unknown: its definition is assumed (${assumed(item.value).resultTokens}-token results)`,
      );
      tools.push(assumed(item.value));
    }
  }
  return tools;
}

/** The tools of a `tools=[…]` list: each known one, and an assumed one (with a warning) for each a static reading cannot know. */
function pythonTools(context: Context, expr: PyExpr, what: string): CrewTool[] {
  const scopes = context.python!.scopes;
  const list = resolveName(expr, scopes);
  if (list.kind !== 'list' && list.kind !== 'tuple') {
    warn(context, inPython(context, expr), `${what} (${expr.text}) cannot be read statically: priced as one tool of assumed size`);
    return [assumed(expr.text)];
  }
  return list.items.map((item) => {
    const tool = toolOf(item, scopes, context.projectTools);
    if (tool) return tool;
    const name = item.kind === 'call' ? (item.name ?? item.text) : item.text;
    warn(
      context,
      inPython(context, item),
      `${name} is a tool a static reading cannot know (its name, description and arguments): priced as a tool of assumed size (${assumed(name).resultTokens}-token results)`,
    );
    return assumed(name.replace(/\(.*$/s, ''));
  });
}

/** The text of knowledge sources: StringKnowledgeSource's `content`, text files' contents (knowledge/ of the project). */
function knowledgeTexts(context: Context, expr: PyExpr | undefined): string[] {
  if (!expr || !context.python) return [];
  const scopes = context.python.scopes;
  const list = resolveName(expr, scopes);
  const items = list.kind === 'list' || list.kind === 'tuple' ? list.items : [list];
  const texts: string[] = [];
  for (const item of items) {
    const source = resolveName(item, scopes);
    const className = source.kind === 'call' ? source.name?.split('.').at(-1) : undefined;
    if (source.kind === 'call' && className === 'StringKnowledgeSource') {
      const content = source.keywords.get('content') ?? source.args[0];
      const value = content ? constantValue(content, scopes) : undefined;
      if (value?.kind === 'string') {
        texts.push(value.value);
        continue;
      }
    }
    if (source.kind === 'call' && className && /FileKnowledgeSource$/.test(className)) {
      const paths = source.keywords.get('file_paths') ?? source.keywords.get('file_path');
      const value = paths ? constantValue(paths, scopes) : undefined;
      const names = value?.kind === 'list' ? value.items.flatMap((v) => (v.kind === 'string' ? [v.value] : [])) : value?.kind === 'string' ? [value.value] : [];
      const root = context.project.root ?? path.dirname(context.project.crewFile!);
      const read = names.map((name) => knowledgeText(context, path.join(root, 'knowledge', name)));
      if (names.length && read.every((text) => text !== undefined) && className === 'TextFileKnowledgeSource') {
        texts.push(...(read as string[]));
        continue;
      }
    }
    warn(context, inPython(context, item), `the knowledge source ${item.text} cannot be read statically: its retrieved text is not priced`);
  }
  return texts;
}

/** A knowledge file's text: one refused (too large, not a file) is data left unpriced, not a configuration refused. */
function knowledgeText(context: Context, file: string): string | undefined {
  try {
    return context.read(file);
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw error;
  }
}

// ── tasks ───────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The crew's tasks, in crew.py's order of `@task` methods (each its YAML entry by `config`), or tasks.yaml's order
 * when there is no crew.py; each with its agent, context, output model, markdown flag and tools.
 */
function tasksOf(context: Context, agents: Map<string, CrewAgentDef>): CrewTaskDef[] {
  const { python, tasksYaml } = context;
  const entries = new Map(tasksYaml.entries.map((e) => [e.name, e]));
  const methods: (CrewMethod | undefined)[] = python ? python.tasks : tasksYaml.entries.map(() => undefined);
  const names = methods.map((m, i) => m?.name ?? tasksYaml.entries[i]!.name);
  return methods.flatMap((method, index): CrewTaskDef[] => {
    const entry = method ? entries.get(method.configKey) : tasksYaml.entries[index];
    const name = names[index]!;
    const at: Place = method ? inPython(context, method.at) : { file: tasksYaml.name, ...entry!.key };
    const keywords = method?.keywords ?? new Map<string, PyExpr>();
    if (method && !entry && !keywords.has('description')) {
      error(context, at, `task "${name}" has no entry "${method.configKey}" in ${tasksYaml.name}${didYouMean(method.configKey, [...entries.keys()])}`);
      return [];
    }
    const text = (field: 'description' | 'expected_output'): string | undefined =>
      pythonText(context, keywords.get(field), `${field} of task "${name}"`) ??
      (entry ? yamlText(entry, field, tasksYaml.name, context.problems, 'task') : undefined);
    const description = text('description');
    const expectedOutput = text('expected_output');
    const scopes = python?.scopes ?? [];
    const task: CrewTaskDef = {
      name,
      at,
      ...(description !== undefined ? { description } : {}),
      ...(expectedOutput !== undefined ? { expectedOutput } : {}),
      context: 'earlier',
      contextSpans: new Map(),
      markdown: flag(keywords, 'markdown', scopes) ?? entry?.fields.get('markdown')?.value === true,
    };
    const agent = agentOf(context, task, keywords.get('agent'), entry, agents);
    if (agent) task.agent = agent;
    contextOf(context, task, keywords.get('context'), entry, names);
    const output = keywords.get('output_pydantic') ?? keywords.get('output_json');
    if (output) {
      const model = outputModel(context, output);
      if (model) task.output = model;
    }
    const tools = keywords.get('tools');
    if (tools) task.tools = pythonTools(context, tools, `the tools of task "${name}"`);
    return [task];
  });
}

/** The task's CrewAI agent: crew.py's `agent=self.x()`, else tasks.yaml's `agent:`; a task without one is an error (unless a manager assigns it). */
function agentOf(
  context: Context,
  task: CrewTaskDef,
  expr: PyExpr | undefined,
  entry: YamlEntry | undefined,
  agents: Map<string, CrewAgentDef>,
): string | undefined {
  const { problems, tasksYaml } = context;
  const known = [...agents.keys()];
  if (expr) {
    const name = methodCalled(expr);
    if (name && agents.has(name)) return name;
    if (name && context.python?.agents.some((a) => a.name === name)) return undefined; // an agent with problems of its own
    problems.push({
      severity: name ? 'error' : 'warning',
      ...inPython(context, expr),
      message: name
        ? `unknown agent "${name}"${didYouMean(name, known)}: crew.py has no @agent method of that name`
        : `the agent of task "${task.name}" (${expr.text}) cannot be read statically: the task is not priced`,
    });
    return undefined;
  }
  const field = entry?.fields.get('agent');
  if (!field || field.value === null) {
    if (!hierarchical(context)) {
      error(
        context,
        task.at,
        `task "${task.name}" has no agent: name one of ${context.python ? `crew.py's @agent methods (agent=self.${known[0] ?? 'researcher'}())` : "agents.yaml's agents"}`,
      );
    }
    return undefined;
  }
  if (typeof field.value !== 'string') {
    error(context, { file: tasksYaml.name, ...field.span }, `agent of "${task.name}" must be an agent's name`);
    return undefined;
  }
  if (agents.has(field.value)) return field.value;
  const defined = context.python ? context.python.agents.some((a) => a.name === field.value) : context.agentsYaml.entries.some((e) => e.name === field.value);
  if (!defined) {
    error(context, { file: tasksYaml.name, ...field.span }, `unknown agent "${field.value}"${didYouMean(field.value, known)}`);
  }
  return undefined;
}

function hierarchical(context: Context): boolean {
  const process = context.python?.crew?.keywords.get('process');
  return process !== undefined && /hierarchical/.test(process.text);
}

/** The task's context: crew.py's `context=[self.a(), …]`, else tasks.yaml's `context:`, else every earlier task. */
function contextOf(context: Context, task: CrewTaskDef, expr: PyExpr | undefined, entry: YamlEntry | undefined, names: string[]): void {
  if (expr && context.python) {
    const list = resolveName(expr, context.python.scopes);
    if (list.kind !== 'list' && list.kind !== 'tuple') {
      warn(context, inPython(context, expr), `the context of "${task.name}" (${expr.text}) cannot be read statically: every earlier task is taken`);
      return;
    }
    task.context = [];
    for (const item of list.items) {
      const name = methodCalled(item);
      if (name && names.includes(name)) {
        if (!task.context.includes(name)) task.context.push(name);
        task.contextSpans.set(name, { offset: item.offset, length: item.length });
      } else error(context, inPython(context, item), `context of "${task.name}": ${item.text} is not a task of the crew${name ? didYouMean(name, names) : ''}`);
    }
    return;
  }
  const field = entry?.fields.get('context');
  if (!field || field.value === null) return;
  const file = context.tasksYaml.name;
  task.context = [];
  if (!Array.isArray(field.value)) {
    error(context, { file, ...field.span }, `context of "${task.name}" must be a list of task names`);
    return;
  }
  for (const item of sequenceItems(field)) {
    if (typeof item.value !== 'string') error(context, { file, ...item.span }, `context of "${task.name}" lists task names; this is not one`);
    else if (!names.includes(item.value))
      error(context, { file, ...item.span }, `task "${task.name}" has unknown context task "${item.value}"${didYouMean(item.value, names)}`);
    else if (!task.context.includes(item.value)) {
      task.context.push(item.value);
      task.contextSpans.set(item.value, item.span);
    }
  }
}

/** An output_json / output_pydantic model defined in crew.py (or a module it imports from the package). */
function outputModel(context: Context, expr: PyExpr): OutputModel | undefined {
  const name = expr.kind === 'name' ? expr.name : expr.kind === 'attribute' ? expr.attribute : undefined;
  const python = context.python!;
  let models = modelsIn(python.module);
  if (name && !models.has(name)) {
    // `from pkg.models import Report`: the module beside crew.py.
    const imported = python.module.imports.find((i) => i.bound === name);
    if (imported) {
      const file = path.join(path.dirname(context.project.crewFile!), `${imported.module.split('.').at(-1)}.py`);
      const text = context.read(file);
      if (text !== undefined) models = modelsIn(readPython(text));
    }
  }
  const model = name ? models.get(name) : undefined;
  if (!model) {
    warn(
      context,
      inPython(context, expr),
      `the output model ${expr.text} cannot be read statically: its schema (which CrewAI adds to the prompt) is not priced`,
    );
    return undefined;
  }
  return { model, models, at: inPython(context, expr) };
}

// ── the crew ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** What `Crew(…)` sets that costs calls of its own: the hierarchical manager, planning, memory, knowledge. */
function crewSettings(context: Context, agents: Map<string, CrewAgentDef>): Pick<CrewDefinition, 'hierarchical' | 'planning' | 'memory' | 'knowledge'> {
  const crew = context.python?.crew;
  if (!crew || !context.python) return {};
  const scopes = context.python.scopes;
  const keywords = crew.keywords;
  const settings: Pick<CrewDefinition, 'hierarchical' | 'planning' | 'memory' | 'knowledge'> = {};
  const modelAt = (expr: PyExpr, what: string): ModelChoice => {
    const choice = modelOf(expr, scopes, context.project.env, context.pythonName!);
    if ('model' in choice) return choice;
    const fallback = defaultModel(context.project.env, crewModelVariables, context.rules.defaultModel);
    warn(context, inPython(context, choice.at), `the ${what} cannot be known statically (${choice.reason}): priced at ${fallback.model}`);
    return { ...fallback, source: `assumed ${fallback.model}: ${lineOf(context, inPython(context, expr))} cannot be read` };
  };
  const process = keywords.get('process');
  if (process && /hierarchical/.test(process.text)) {
    const at = inPython(context, process);
    const managerLlm = keywords.get('manager_llm');
    const managerAgent = keywords.get('manager_agent');
    const managerName = managerAgent ? methodCalled(managerAgent) : undefined;
    const manager: CrewSetting = { at };
    if (managerLlm) manager.model = modelAt(managerLlm, 'manager model (manager_llm)');
    else if (managerName && agents.has(managerName)) manager.model = agents.get(managerName)!.model;
    else {
      error(context, at, 'a hierarchical crew needs manager_llm or manager_agent: CrewAI refuses to start without one');
      manager.model = defaultModel(context.project.env, crewModelVariables, context.rules.defaultModel);
    }
    if (managerName) agents.delete(managerName);
    settings.hierarchical = manager;
    warn(
      context,
      at,
      `a hierarchical crew: a manager on ${manager.model!.model} performs every task and decides at run time how often to delegate; each task's delegated run is priced once, on the coworker most like the task`,
    );
  }
  if (flag(keywords, 'planning', scopes)) {
    const at = keywordPlace(context, 'planning', keywords.get('planning')!);
    const llm = keywords.get('planning_llm');
    settings.planning = { at, ...(llm ? { model: modelAt(llm, 'planning model (planning_llm)') } : {}) };
    warn(
      context,
      at,
      `planning=True adds a planner call before the tasks and appends its plan to each task's description: the planner is priced, the plans in the tasks' prompts are not (their length is decided at run time)`,
    );
  }
  const memory = keywords.get('memory');
  // memory=True, or a Memory(…) of the crew's own: on; memory=False or None: off.
  if (memory && (flag(keywords, 'memory', scopes) ?? (memory.kind !== 'none' && memory.kind !== 'bool'))) {
    const at = keywordPlace(context, 'memory', memory);
    settings.memory = { at };
    warn(
      context,
      at,
      'memory=True gives every agent the memory tools, recalls before each task and saves after it: one extraction call per task is priced; recall searches, embeddings and the saving calls are not',
    );
  }
  const knowledge = keywords.get('knowledge_sources');
  if (knowledge) {
    const texts = knowledgeTexts(context, knowledge);
    const at = keywordPlace(context, 'knowledge_sources', knowledge);
    settings.knowledge = { at, texts };
    warn(
      context,
      at,
      'knowledge is retrieved by vector search at run time: the retrieved text is priced as the first chunks of each source, with one query-rewrite call per task; embeddings are not priced',
    );
  }
  return settings;
}

// ── texts ───────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A keyword argument's text when it is a constant; a warning at it (and empty text) when it is not. */
function pythonText(context: Context, expr: PyExpr | undefined, what: string): string | undefined {
  if (!expr || !context.python) return undefined;
  const value = constantValue(expr, context.python.scopes);
  if (value.kind === 'string') return value.value;
  warn(context, inPython(context, expr), `${what} cannot be read statically (${expr.text}): priced as empty`);
  return '';
}

/** A required text field of a YAML entry; an error at the entry when it is missing. */
export function yamlText(entry: YamlEntry, field: string, file: string, problems: Problem[], what: 'agent' | 'task'): string | undefined {
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
