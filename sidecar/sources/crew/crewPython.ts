import { decorator } from '../python/pythonCalls';
import type { PyCall, PyClass, PyExpr, PyFunction, PyModule, PyPlace } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue, resolveName } from '../python/pythonValues';

/**
 * A crew as its Python defines it (CrewAI's `project/crew_base.py` and `project/annotations.py`): the `@CrewBase`
 * class, its `agents_config` / `tasks_config` paths, each `@agent` method (its name is the agent; `Agent(config=
 * self.agents_config['key'], …)` names its YAML entry, and keyword arguments win over the YAML), each `@task` method
 * (`agent=self.x()`, `context=[self.a(), …]`, `output_json`, `markdown`, `tools`…), and the `@crew` method's `Crew(…)`.
 */

/** A method of the crew class with the constructor call it returns (`Agent(...)`, `Task(...)`, `Crew(...)`). */
export interface CrewMethod {
  /** The method's name: the agent's or the task's. */
  name: string;
  at: PyPlace;
  /** The call the method returns, when it returns one. */
  call?: PyCall;
  /** The YAML entry its `config=self.agents_config['key']` names; the method's name when it names none. */
  configKey: string;
  /** Keyword arguments of the call (explicit ones win over the YAML entry). */
  keywords: ReadonlyMap<string, PyExpr>;
}

export interface CrewPython {
  className: string;
  at: PyPlace;
  /** Relative to the crew file's folder (default config/agents.yaml, config/tasks.yaml). */
  agentsConfig: string;
  tasksConfig: string;
  agents: CrewMethod[];
  tasks: CrewMethod[];
  /** The `@crew` method's `Crew(...)` keyword arguments. */
  crew?: { at: PyPlace; keywords: ReadonlyMap<string, PyExpr> };
  module: PyModule;
  /** Where names are looked up: the class body, then the module. */
  scopes: readonly (PyModule | PyClass)[];
}

const noKeywords: ReadonlyMap<string, PyExpr> = new Map();

/** The crew class of a Python file (the first `@CrewBase` class), or none; the module is read either way. */
export function readCrewPython(text: string): { module: PyModule; crew?: CrewPython } {
  const module = readPython(text);
  const base = module.classes.find((c) => decorator(c, 'CrewBase') !== undefined);
  if (!base) return { module };
  const scopes = [base, module] as const;
  const path = (name: string, fallback: string): string => {
    const value = base.assignments.find((a) => a.target === name)?.value;
    const constant = value ? constantValue(value, scopes) : undefined;
    return constant?.kind === 'string' ? constant.value : fallback;
  };
  const methods = (kind: 'agent' | 'task', configAttribute: string): CrewMethod[] =>
    base.methods.filter((m) => decorator(m, kind) !== undefined).map((m) => methodOf(m, configAttribute, scopes));
  const crewMethod = base.methods.find((m) => decorator(m, 'crew') !== undefined);
  const crewCall = crewMethod && returnedCall(crewMethod, scopes);
  return {
    module,
    crew: {
      className: base.name,
      at: base.nameAt,
      agentsConfig: path('agents_config', 'config/agents.yaml'),
      tasksConfig: path('tasks_config', 'config/tasks.yaml'),
      agents: methods('agent', 'agents_config'),
      tasks: methods('task', 'tasks_config'),
      ...(crewMethod ? { crew: { at: crewMethod.nameAt, keywords: crewCall?.keywords ?? noKeywords } } : {}),
      module,
      scopes,
    },
  };
}

/** The call a method returns (through a local name: `a = Agent(...); return a`). */
function returnedCall(method: PyFunction, scopes: readonly (PyModule | PyClass)[]): PyCall | undefined {
  const returned = method.returns.at(-1);
  if (!returned) return undefined;
  const resolved = resolveName(returned, [method, ...scopes]);
  return resolved.kind === 'call' ? resolved : undefined;
}

function methodOf(method: PyFunction, configAttribute: string, scopes: readonly (PyModule | PyClass)[]): CrewMethod {
  const call = returnedCall(method, scopes);
  const config = call?.keywords.get('config');
  return {
    name: method.name,
    at: method.nameAt,
    ...(call ? { call } : {}),
    configKey: (config && configKeyOf(config, configAttribute)) ?? method.name,
    keywords: call?.keywords ?? noKeywords,
  };
}

/** `self.agents_config['researcher']` → "researcher". */
function configKeyOf(expr: PyExpr, attribute: string): string | undefined {
  if (expr.kind !== 'subscript' || expr.object.kind !== 'attribute' || expr.object.attribute !== attribute) return undefined;
  return expr.index.kind === 'string' ? expr.index.value : undefined;
}

/** The method a `self.name()` call (an agent or a task of the crew) names. */
export function methodCalled(expr: PyExpr): string | undefined {
  if (expr.kind !== 'call' || expr.callee.kind !== 'attribute' || expr.callee.object.kind !== 'name' || expr.callee.object.name !== 'self') return undefined;
  return expr.callee.attribute;
}

/** A boolean keyword's value when it is a literal (`markdown=True`), else undefined. */
export function flag(keywords: ReadonlyMap<string, PyExpr>, name: string, scopes: readonly (PyModule | PyClass)[]): boolean | undefined {
  const value = keywords.get(name);
  const constant = value ? constantValue(value, scopes) : undefined;
  return constant?.kind === 'bool' ? constant.value : undefined;
}

/** An integer keyword's value when it is a literal (`max_iter=5`). */
export function integer(keywords: ReadonlyMap<string, PyExpr>, name: string, scopes: readonly (PyModule | PyClass)[]): number | undefined {
  const value = keywords.get(name);
  const constant = value ? constantValue(value, scopes) : undefined;
  return constant?.kind === 'number' && Number.isInteger(constant.value) ? constant.value : undefined;
}
