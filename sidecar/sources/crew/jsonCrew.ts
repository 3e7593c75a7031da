import path from 'node:path';
import type { Node } from 'jsonc-parser';
import { keyAt, nodeAt, parseDocument } from '../json/jsonDocument';
import type { JsonDocument } from '../json/jsonDocument';
import { didYouMean } from '../../config/nearest';
import { readPython } from '../python/pythonModule';
import type { CrewAgentDef, CrewDefinition, CrewTaskDef, Place } from './crewDefinition';
import { defaultModel, isLocal } from './crewModels';
import type { ModelChoice } from './crewModels';
import { assumed, customTool, projectTools, toolNamed } from './crewTools';
import type { CrewTool } from './crewTools';
import { crewModelVariables } from './prompts';
import type { CrewReading } from './yamlCrew';

/**
 * A declarative crew, as `crewai create crew` writes it since 1.15 and `crewai run` loads it (crewAI
 * `project/crew_loader.py` and `project/json_loader.py`, 1.15.17): the definition pyproject.toml's `[tool.crewai]`
 * names (crew.jsonc), its `agents` (names of `agents/<name>.jsonc` files, or the bodies themselves), its `tasks` in
 * order, the crew's settings and its default `inputs`. An agent's `settings` are keyword arguments like the others;
 * tools are crewai_tools class names (`SerperDevTool`, `crewai_tools:SerperDevTool`) or `custom:<name>` (a BaseTool in
 * `tools/<name>.py`); an `llm` is a `provider/model` string or an object with `model`.
 */
export function readJsonCrew(definitionFile: string, reading: CrewReading): CrewDefinition | undefined {
  const { read, display, problems, files, project, rules } = reading;
  const root = path.dirname(definitionFile);
  const name = display(definitionFile);
  const text = read(definitionFile);
  if (text === undefined) {
    problems.push({
      severity: 'error',
      file: display(project.pyprojectFile ?? definitionFile),
      message: `no ${path.basename(definitionFile)}: pyproject.toml's [tool.crewai] names it as the crew's definition`,
      offset: 0,
      length: 0,
    });
    return undefined;
  }
  const document = parseDocument(text);
  files.push({ path: definitionFile, name, text, lines: document.lines });
  if (document.syntaxProblems.length || !isObject(document.value)) {
    problems.push(
      ...(document.syntaxProblems.length
        ? document.syntaxProblems
        : [{ severity: 'error' as const, message: 'expected a JSON object', offset: 0, length: 0 }]
      ).map((p) => ({ ...p, file: name })),
    );
    return undefined;
  }
  const crew = document.value as Record<string, unknown>;
  const at = (jsonPath: (string | number)[], key = false): Place => {
    const node = key ? keyAt(document, jsonPath) : nodeAt(document, jsonPath);
    return { file: name, offset: node?.offset ?? 0, length: node?.length ?? 0 };
  };
  const fallback = defaultModel(project.env, crewModelVariables, rules.defaultModel);
  const lineOf = (place: Place, doc: JsonDocument): string => `${place.file}:${doc.lines.position(place.offset).line}`;
  const modelOf = (value: unknown, place: Place, doc: JsonDocument): ModelChoice => {
    const model = typeof value === 'string' ? value.trim() : isObject(value) && typeof value.model === 'string' ? value.model.trim() : '';
    if (!model) return fallback;
    const provider = isObject(value) && typeof value.provider === 'string' && !model.includes('/') ? `${value.provider}/` : '';
    const baseUrl = isObject(value) && typeof value.base_url === 'string' ? value.base_url : undefined;
    return { model: provider + model, source: lineOf(place, doc), local: isLocal(provider + model, baseUrl), at: place };
  };
  const toolsOf = (value: unknown, base: (string | number)[], doc: JsonDocument, file: string): CrewTool[] =>
    (Array.isArray(value) ? value : []).flatMap((tool, i): CrewTool[] => {
      if (typeof tool !== 'string') return [];
      const place = { file, ...span(nodeAt(doc, [...base, i])) };
      if (tool.startsWith('custom:')) {
        const toolName = tool.slice('custom:'.length);
        const source = read(path.join(root, 'tools', `${toolName}.py`));
        const found = source !== undefined ? [...projectTools(readPython(source)).values()][0] : undefined;
        if (found) return [customTool(found.tool, found.module)];
        problems.push({
          severity: 'warning',
          ...place,
          message: `the custom tool ${toolName} (tools/${toolName}.py) cannot be read: priced as a tool of assumed size`,
        });
        return [assumed(toolName)];
      }
      const className = tool.replace(/^crewai_tools[:.]/, '');
      const known = toolNamed(className);
      if (known) return [known];
      problems.push({
        severity: 'warning',
        ...place,
        message: `tool "${tool}" is unknown: priced as a tool of assumed size (${assumed(tool).resultTokens}-token results)`,
      });
      return [assumed(className)];
    });

  // Agents: names of agents/<name>.jsonc files, or their bodies inline.
  const agents = new Map<string, CrewAgentDef>();
  const agentEntries: [string, { body: Record<string, unknown>; doc: JsonDocument; file: string; base: (string | number)[] }][] = [];
  if (Array.isArray(crew.agents)) {
    crew.agents.forEach((agentName, i) => {
      if (typeof agentName !== 'string') return;
      const file = path.join(root, 'agents', `${agentName}.jsonc`);
      const agentText = read(file) ?? read(path.join(root, 'agents', `${agentName}.json`));
      if (agentText === undefined) {
        problems.push({ severity: 'error', ...at(['agents', i]), message: `no agents/${agentName}.jsonc: every agent of the crew has its file` });
        return;
      }
      const doc = parseDocument(agentText);
      const shown = display(file);
      files.push({ path: file, name: shown, text: agentText, lines: doc.lines });
      if (doc.syntaxProblems.length || !isObject(doc.value)) {
        problems.push(...doc.syntaxProblems.map((p) => ({ ...p, file: shown })));
        return;
      }
      agentEntries.push([agentName, { body: doc.value, doc, file: shown, base: [] }]);
    });
  } else if (isObject(crew.agents)) {
    for (const [agentName, body] of Object.entries(crew.agents))
      if (isObject(body)) agentEntries.push([agentName, { body, doc: document, file: name, base: ['agents', agentName] }]);
  }
  for (const [agentName, { body, doc, file, base }] of agentEntries) {
    const place = (p: (string | number)[], key = false): Place => ({ file, ...span(key ? keyAt(doc, [...base, ...p]) : nodeAt(doc, [...base, ...p])) });
    const settings = isObject(body.settings) ? body.settings : {};
    const missing = (['role', 'goal', 'backstory'] as const).filter((field) => typeof body[field] !== 'string');
    if (missing.length) {
      problems.push({
        severity: 'error',
        ...(base.length ? place([], true) : { file, offset: 0, length: 0 }),
        message: `agent "${agentName}" has no ${missing.join(', ')}: CrewAI requires them`,
      });
      continue;
    }
    const maxIter = settings.max_iter ?? body.max_iter;
    agents.set(agentName, {
      name: agentName,
      at: base.length ? place([], true) : { file, ...span(nodeAt(doc, ['role'])) },
      role: body.role as string,
      goal: body.goal as string,
      backstory: body.backstory as string,
      model: body.llm === undefined ? fallback : modelOf(body.llm, place(['llm'], true), doc),
      tools: toolsOf(body.tools, [...base, 'tools'], doc, file),
      maxIter: typeof maxIter === 'number' && Number.isInteger(maxIter) && maxIter > 0 ? maxIter : 25,
      allowDelegation: (settings.allow_delegation ?? body.allow_delegation) === true,
      injectDate: (settings.inject_date ?? body.inject_date) === true,
      knowledge: [],
    });
  }

  // Tasks, in order, each context naming earlier tasks.
  const tasks: CrewTaskDef[] = [];
  const names: string[] = [];
  (Array.isArray(crew.tasks) ? crew.tasks : []).forEach((task, i) => {
    if (!isObject(task)) return;
    const taskName = typeof task.name === 'string' && task.name ? task.name : `task_${i + 1}`;
    names.push(taskName);
    const def: CrewTaskDef = {
      name: taskName,
      at: at(['tasks', i, 'name'], true),
      context: 'earlier',
      contextSpans: new Map(),
      markdown: task.markdown === true,
    };
    for (const [field, key] of [
      ['description', 'description'],
      ['expected_output', 'expectedOutput'],
    ] as const) {
      if (typeof task[field] === 'string') def[key] = task[field] as string;
      else problems.push({ severity: 'error', ...at(['tasks', i]), message: `task "${taskName}" has no ${field}: CrewAI requires one` });
    }
    if (typeof task.agent === 'string') {
      if (agents.has(task.agent)) def.agent = task.agent;
      else if (!agentEntries.some(([n]) => n === task.agent))
        problems.push({
          severity: 'error',
          ...at(['tasks', i, 'agent']),
          message: `unknown agent "${task.agent}"${didYouMean(task.agent, [...agents.keys()])}`,
        });
    } else if (crew.process !== 'hierarchical')
      problems.push({ severity: 'error', ...def.at, message: `task "${taskName}" has no agent: name one of the crew's agents` });
    if (Array.isArray(task.context)) {
      def.context = [];
      task.context.forEach((ref, j) => {
        const place = at(['tasks', i, 'context', j]);
        if (typeof ref === 'string' && names.slice(0, -1).includes(ref)) {
          (def.context as string[]).push(ref);
          def.contextSpans.set(ref, { offset: place.offset, length: place.length });
        } else
          problems.push({
            severity: 'error',
            ...place,
            message: `context of "${taskName}": "${String(ref)}" is not an earlier task${typeof ref === 'string' ? didYouMean(ref, names) : ''}`,
          });
      });
    }
    if (Array.isArray(task.tools) && task.tools.length) def.tools = toolsOf(task.tools, ['tasks', i, 'tools'], document, name);
    for (const field of ['output_json', 'output_pydantic']) {
      if (task[field] !== undefined && task[field] !== null)
        problems.push({
          severity: 'warning',
          ...at(['tasks', i, field]),
          message: `the output model of "${taskName}" is Python this reading does not load: its schema (which CrewAI adds to the prompt) is not priced`,
        });
    }
    tasks.push(def);
  });

  const inputs: Record<string, string | null> = {};
  if (isObject(crew.inputs))
    for (const [key, value] of Object.entries(crew.inputs)) inputs[key] = typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  const definition: CrewDefinition = { name: typeof crew.name === 'string' ? crew.name : path.basename(root), rules, agents, tasks, inputs };
  if (crew.process === 'hierarchical') {
    const place = at(['process']);
    const manager = typeof crew.manager_agent === 'string' ? agents.get(crew.manager_agent) : undefined;
    const model = crew.manager_llm !== undefined ? modelOf(crew.manager_llm, at(['manager_llm'], true), document) : manager?.model;
    if (!model)
      problems.push({ severity: 'error', ...place, message: 'a hierarchical crew needs manager_llm or manager_agent: CrewAI refuses to start without one' });
    if (manager) agents.delete(manager.name);
    definition.hierarchical = { at: place, model: model ?? fallback };
    problems.push({
      severity: 'warning',
      ...place,
      message: `a hierarchical crew: a manager on ${(model ?? fallback).model} performs every task and decides at run time how often to delegate; each task's delegated run is priced once, on the coworker most like the task`,
    });
  }
  if (crew.planning === true) {
    const place = at(['planning']);
    definition.planning = {
      at: place,
      ...(crew.planning_llm !== undefined ? { model: modelOf(crew.planning_llm, at(['planning_llm'], true), document) } : {}),
    };
    problems.push({
      severity: 'warning',
      ...place,
      message:
        "planning adds a planner call before the tasks and appends its plan to each task's description: the planner is priced, the plans in the tasks' prompts are not",
    });
  }
  if (crew.memory === true || isObject(crew.memory)) {
    const place = at(['memory'], true);
    definition.memory = { at: place };
    problems.push({
      severity: 'warning',
      ...place,
      message:
        'memory gives every agent the memory tools, recalls before each task and saves after it: one extraction call per task is priced; recall searches, embeddings and the saving calls are not',
    });
  }
  if (Array.isArray(crew.knowledge_sources) && crew.knowledge_sources.length) {
    const place = at(['knowledge_sources']);
    problems.push({ severity: 'warning', ...place, message: 'knowledge sources of a declarative crew are not read: their retrieved text is not priced' });
  }
  return definition;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function span(node: Node | undefined): { offset: number; length: number } {
  return { offset: node?.offset ?? 0, length: node?.length ?? 0 };
}
