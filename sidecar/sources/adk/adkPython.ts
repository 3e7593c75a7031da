import path from 'node:path';
import type { Problem } from '../../config/problems';
import { modelsIn, pydanticSchema } from '../crew/pydanticSchema';
import type { FrameworkPlace } from '../framework/frameworkAgents';
import { modelSourceOf } from '../framework/frameworkAgents';
import { findCalls } from '../python/pythonCalls';
import type { PyCall, PyExpr, PyModule, PyPlace } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue, resolveEnvironment, resolveName } from '../python/pythonValues';
import type { AdkAgentDef, AdkClass, AdkTool } from './adkDefinition';
import { builtinTool, functionDeclaration } from './adkTools';

/**
 * ADK agents written in Python (`agent.py` exposing `root_agent`, as `adk run` and `adk web` load it):
 * `Agent(…)` / `LlmAgent(…)`, `SequentialAgent`, `ParallelAgent`, `LoopAgent(max_iterations=…)`, their `sub_agents`,
 * models (a name, `LiteLlm(model="openai/gpt-4o")`, `os.getenv(…)`), instructions (constants, also from a `prompt.py`
 * module), tools (the project's functions, ADK's built-ins, `AgentTool(agent=…)`), and `output_schema`. Names are
 * followed across the project's modules (`from .sub_agents.critic import critic_agent`).
 */

interface Module {
  module: PyModule;
  file: string;
  path: string;
}

export interface AdkPythonReading {
  problems: Problem[];
  env: (name: string) => string | undefined;
  /** Where a variable's value comes from (`party_agent/.env`, the environment). */
  origin?: (name: string) => string;
  version: string;
}

const classNames: Record<string, AdkClass> = {
  Agent: 'LlmAgent',
  LlmAgent: 'LlmAgent',
  SequentialAgent: 'SequentialAgent',
  ParallelAgent: 'ParallelAgent',
  LoopAgent: 'LoopAgent',
};

/** The stated size of an instruction a static reading cannot know. */
export const assumedInstructionWords = 200;

/** The root agents of the project's Python files: each `root_agent` (or every agent no other names as a sub-agent). */
export function readAdkPython(files: { path: string; name: string; text: string }[], reading: AdkPythonReading): AdkAgentDef[] {
  const modules: Module[] = files.map((f) => {
    const module = readPython(f.text);
    for (const error of module.errors)
      reading.problems.push({ severity: 'error', file: f.name, message: error.message, offset: error.offset, length: error.length });
    return { module, file: f.name, path: f.path };
  });
  const built = new Map<PyCall, AdkAgentDef>();
  const nested = new Set<PyCall>();
  const roots: PyCall[] = [];
  for (const m of modules) {
    const root = m.module.assignments.find((a) => a.target === 'root_agent' && a.value);
    const call = root?.value ? agentCall(root.value, m, modules)?.call : undefined;
    if (call) roots.push(call);
  }
  const all = modules.flatMap((m) => findCalls(m.module, (c) => isAgentClass(c) !== undefined).map((call) => ({ call, m })));
  const read = (call: PyCall, m: Module): AdkAgentDef => {
    const known = built.get(call);
    if (known) return known;
    const agent = agentOf(call, m, modules, reading, (c, mm) => {
      nested.add(c);
      return read(c, mm);
    });
    built.set(call, agent);
    return agent;
  };
  for (const { call, m } of all) read(call, m);
  const chosen = roots.length ? roots : all.map(({ call }) => call).filter((c) => !nested.has(c));
  return chosen.map((call) => built.get(call)!).filter((a, i, list) => list.indexOf(a) === i);
}

function isAgentClass(call: PyCall): AdkClass | undefined {
  return classNames[call.name?.split('.').at(-1) ?? ''];
}

const placeIn =
  (file: string) =>
  (at: PyPlace): FrameworkPlace => ({ file, offset: at.offset, length: at.length });

/** A name or `module.NAME` followed to its expression, across the project's modules. */
function follow(expr: PyExpr, m: Module, modules: Module[]): { expr: PyExpr; m: Module } {
  for (let i = 0; i < 8; i++) {
    const local = resolveName(expr, m.module);
    if (local !== expr) {
      expr = local;
      continue;
    }
    if (expr.kind === 'name') {
      const name = expr.name;
      const other = modules.find((o) => o !== m && o.module.assignments.some((a) => a.target === name && a.value && !a.conditional));
      if (!other) break;
      expr = other.module.assignments.filter((a) => a.target === name).at(-1)!.value!;
      m = other;
      continue;
    }
    if (expr.kind === 'attribute' && expr.object.kind === 'name') {
      const moduleName = expr.object.name;
      const attribute = expr.attribute;
      const other = modules.find((o) => path.basename(o.path, '.py') === moduleName && o.module.assignments.some((a) => a.target === attribute));
      if (!other) break;
      expr = other.module.assignments.filter((a) => a.target === attribute).at(-1)!.value!;
      m = other;
      continue;
    }
    break;
  }
  return { expr, m };
}

function agentCall(expr: PyExpr, m: Module, modules: Module[]): { call: PyCall; m: Module } | undefined {
  const found = follow(expr, m, modules);
  if (found.expr.kind === 'call' && isAgentClass(found.expr)) return { call: found.expr, m: found.m };
  // `app = App(root_agent=…)`.
  if (found.expr.kind === 'call' && /(^|\.)App$/.test(found.expr.name ?? '')) {
    const root = found.expr.keywords.get('root_agent');
    return root ? agentCall(root, found.m, modules) : undefined;
  }
  return undefined;
}

function text(expr: PyExpr, m: Module, modules: Module[], reading: AdkPythonReading): string | undefined {
  const found = follow(expr, m, modules);
  const value = resolveEnvironment(constantValue(found.expr, found.m.module), reading.env);
  return value.kind === 'string' ? value.value : undefined;
}

function agentOf(call: PyCall, m: Module, modules: Module[], reading: AdkPythonReading, sub: (call: PyCall, m: Module) => AdkAgentDef): AdkAgentDef {
  const at = placeIn(m.file);
  const warn = (where: PyPlace, message: string): void => {
    reading.problems.push({ severity: 'warning', file: m.file, message, offset: where.offset, length: where.length });
  };
  const get = (key: string): PyExpr | undefined => call.keywords.get(key);
  const nameExpr = get('name') ?? call.args[0];
  const name = nameExpr ? text(nameExpr, m, modules, reading) : undefined;
  if (!name) reading.problems.push({ severity: 'error', message: 'an ADK agent needs a name that can be read statically', ...at(nameExpr ?? call) });
  const flag = (key: string): boolean => {
    const expr = get(key);
    return expr?.kind === 'bool' && expr.value;
  };
  const agent: AdkAgentDef = {
    name: name ?? `agent_${call.line}`,
    agentClass: isAgentClass(call)!,
    at: at(nameExpr ?? call),
    description: (get('description') && text(get('description')!, m, modules, reading)) ?? '',
    tools: [],
    subAgents: [],
    disallowTransferToParent: flag('disallow_transfer_to_parent'),
    disallowTransferToPeers: flag('disallow_transfer_to_peers'),
  };
  const instruction = get('instruction');
  if (instruction) {
    const value = text(instruction, m, modules, reading);
    if (value !== undefined) agent.instruction = value;
    else {
      warn(instruction, `the instruction cannot be read statically (a function, or text built at run time): priced as ${assumedInstructionWords} words`);
      agent.instruction = Array.from({ length: assumedInstructionWords }, () => 'word').join(' ');
    }
  }
  const global = get('global_instruction');
  if (global) {
    const value = text(global, m, modules, reading);
    if (value !== undefined) agent.globalInstruction = value;
    else warn(global, 'the global instruction cannot be read statically: not priced');
  }
  const model = get('model');
  if (model) agent.model = modelOf(model, m, modules, reading);
  const iterations = get('max_iterations');
  if (iterations) {
    const value = constantValue(follow(iterations, m, modules).expr, m.module);
    if (value.kind === 'number') agent.maxIterations = value.value;
    else warn(iterations, 'max_iterations cannot be read statically');
  }
  for (const item of listOf(get('tools'), m, modules)) agent.tools.push(...toolOf(item, m, modules, reading, warn));
  for (const item of listOf(get('sub_agents'), m, modules)) {
    const found = agentCall(item, m, modules);
    if (found) agent.subAgents.push(sub(found.call, found.m));
    else warn(item, `the sub-agent ${item.text} cannot be followed statically: it is not priced`);
  }
  const output = get('output_schema');
  if (output && output.kind === 'name') {
    const models = modelsIn(m.module);
    const model = models.get(output.name);
    if (model) agent.outputSchema = pydanticSchema(model, models).schema;
    else warn(output, `the output schema ${output.name} is not a model of this file: not priced`);
  }
  return agent;
}

function listOf(expr: PyExpr | undefined, m: Module, modules: Module[]): PyExpr[] {
  if (!expr) return [];
  const found = follow(expr, m, modules);
  return found.expr.kind === 'list' || found.expr.kind === 'tuple' ? found.expr.items : [];
}

/** `model="gemini-2.5-flash"`, a constant, `os.getenv(…)`, or `LiteLlm(model="openai/gpt-4o")`. */
function modelOf(expr: PyExpr, m: Module, modules: Module[], reading: AdkPythonReading): NonNullable<AdkAgentDef['model']> {
  const at = placeIn(m.file)(expr);
  const found = follow(expr, m, modules);
  const modelClass = found.expr.kind === 'call' && !/(^|\.)(getenv|get)$/.test(found.expr.name ?? '');
  const named = modelClass && found.expr.kind === 'call' ? (found.expr.keywords.get('model') ?? found.expr.args[0]) : found.expr;
  if (!named) return { problem: `${expr.text} names no model`, at };
  const raw = constantValue(named, found.m.module);
  const value = resolveEnvironment(raw, reading.env);
  if (value.kind !== 'string' || !value.value.trim())
    return { problem: `the model cannot be read statically (${value.kind === 'unknown' ? value.reason : expr.text})`, at };
  const source = modelSourceOf(raw, `${found.m.file}:${named.line}`, reading.env, reading.origin);
  return { model: value.value.trim(), source, at };
}

/** A tool: a function of the project, `FunctionTool(func=f)`, a built-in of google.adk.tools, `AgentTool(agent=…)`. */
function toolOf(expr: PyExpr, m: Module, modules: Module[], reading: AdkPythonReading, warn: (where: PyPlace, message: string) => void): AdkTool[] {
  const target = expr.kind === 'call' && /(^|\.)FunctionTool$/.test(expr.name ?? '') ? (expr.keywords.get('func') ?? expr.args[0]) : expr;
  if (target?.kind === 'name') {
    const owner = [m, ...modules.filter((o) => o !== m)].find((o) => o.module.functions.some((f) => f.name === target.name));
    const fn = owner?.module.functions.find((f) => f.name === target.name);
    if (fn && owner) return [functionDeclaration(fn, owner.module, reading.version)];
    const builtin = builtinTool(target.name, reading.version);
    if (builtin.note) warn(expr, builtin.note);
    return builtin.tool ? [builtin.tool] : [];
  }
  if (expr.kind === 'call' && /(^|\.)AgentTool$/.test(expr.name ?? '')) {
    const inner = expr.keywords.get('agent') ?? expr.args[0];
    const found = inner ? agentCall(inner, m, modules) : undefined;
    const name = found ? text(found.call.keywords.get('name') ?? found.call, found.m, modules, reading) : undefined;
    const description = found?.call.keywords.get('description');
    warn(expr, `the agent ${name ?? inner?.text ?? ''} runs as a tool here: its own calls are not priced in this agent`);
    return [
      {
        name: name ?? 'agent',
        description: (description && found && text(description, found.m, modules, reading)) ?? '',
        parameters: { type: 'object', properties: { request: { type: 'string' } }, required: ['request'] },
      },
    ];
  }
  warn(expr, `the tool ${expr.text} cannot be read statically: priced as a tool with one string argument`);
  return [
    { name: expr.text.replace(/\W+/g, '_'), description: '', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
  ];
}
