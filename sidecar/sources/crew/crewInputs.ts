import path from 'node:path';
import type { PyExpr, PyFunction, PyModule, PyPlace } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue } from '../python/pythonValues';
import type { CrewEnvironment } from './crewModels';
import type { Reader } from './crewProject';

/**
 * The inputs a crew's entry point passes to `kickoff` (its `{placeholders}`' values), read statically from main.py
 * as `crewai create crew` and published crews write it: `inputs = {…}` in `run()` (else any function), a
 * `kickoff(inputs={…})` call, or a YAML / JSON file the function loads by a literal path (`with open("inputs.yaml")
 * as f: inputs = yaml.safe_load(f)`, relative to the project root, where `crewai run` runs). A value computed at run
 * time is undefined with a note, except the template's `str(datetime.now().year)`, taken as this year.
 */
export interface CrewInput {
  value: string | undefined;
  /** In a flow: the crew class whose final output the value is (`self.state.x = result.raw` after its kickoff). */
  upstream?: string;
  /** Why the value is not known, or what was assumed. */
  note?: string;
  /** `info`: the value was followed or assumed; `warning`: it is not known (priced as empty, or as an upstream's output). */
  severity?: 'info' | 'warning';
  at?: PyPlace;
}

export interface CrewInputs {
  inputs: Map<string, CrewInput>;
  /** Files read besides main.py (an inputs.yaml). */
  read: string[];
}

type Yaml = typeof import('yaml');

/**
 * The inputs main.py passes; none when it passes none that can be read. In a flow (`crewClass` given), the inputs of
 * that crew's `kickoff(inputs=…)`, with `self.state.x` followed to what the flow assigns it.
 */
export function crewInputs(mainText: string, mainFile: string, root: string | undefined, read: Reader, env: CrewEnvironment, crewClass?: string): CrewInputs {
  const module = readPython(mainText);
  if (crewClass) {
    const methods = [...module.functions, ...module.classes.flatMap((c) => c.methods)];
    for (const fn of methods) {
      const call = fn.expressions.flatMap((e) => kickoffsOf(e, crewClass)).at(0);
      if (call?.kind === 'dict') return { inputs: flowInputs(call, fn, module, env), read: [] };
    }
  }
  const functions = orderedFunctions(module);
  for (const fn of functions) {
    const found = inputsIn(fn, module, root ?? path.dirname(mainFile), read, env);
    if (found) return found;
  }
  return { inputs: new Map(), read: [] };
}

/** The `inputs=` of each `…kickoff(inputs=…)` whose chain starts at `crewClass()` (`ContentCrew().crew().kickoff(…)`). */
function kickoffsOf(expr: PyExpr, crewClass: string): PyExpr[] {
  return callsWithInputs(expr, (call) => chainRoot(call) === crewClass);
}

/** The class a call chain starts from: `A().crew().kickoff()` → "A". */
function chainRoot(call: PyExpr): string | undefined {
  let at: PyExpr = call;
  while (at.kind === 'call' || at.kind === 'attribute') {
    if (at.kind === 'call' && at.callee.kind === 'name') return at.callee.name;
    at = at.kind === 'call' ? at.callee : at.object;
  }
  return undefined;
}

/** A flow's kickoff inputs: literals, and `self.state.x` as the flow assigns it (a literal, or another crew's output). */
function flowInputs(dict: Extract<PyExpr, { kind: 'dict' }>, fn: PyFunction, module: PyModule, env: CrewEnvironment): Map<string, CrewInput> {
  const inputs = new Map<string, CrewInput>();
  const methods = module.classes.flatMap((c) => c.methods);
  for (const { key, value } of dict.entries) {
    if (key.kind !== 'string') continue;
    const state = value.kind === 'attribute' && value.path?.startsWith('self.state.') ? value.path : undefined;
    if (!state) {
      inputs.set(key.value, inputValue(value, [fn, module], env));
      continue;
    }
    const assigned = methods.flatMap((m) => m.assignments.filter((a) => a.target === state && a.value).map((a) => ({ a, m })));
    const literal = assigned.find(({ a }) => a.value!.kind === 'string');
    const fromCrew = assigned.map(({ a, m }) => crewOutput(a.value!, m)).find((crew) => crew !== undefined);
    if (fromCrew) {
      inputs.set(key.value, {
        value: undefined,
        upstream: fromCrew,
        note: `${state} is the output of ${fromCrew}, known at run time: priced at that crew's last task's output`,
        severity: 'warning',
        at: value,
      });
    } else if (literal && literal.a.value!.kind === 'string') {
      const line = literal.a.line;
      inputs.set(key.value, {
        value: literal.a.value!.value,
        note: `${state} as the flow sets it (line ${line}); a trigger payload can change it`,
        severity: 'info',
        at: value,
      });
    } else inputs.set(key.value, { value: undefined, note: `${state} is set at run time: priced as empty`, severity: 'warning', at: value });
  }
  return inputs;
}

/** `result.raw` (or `str(result)`) where `result = X().crew().kickoff(…)` in the same method: "X". */
function crewOutput(expr: PyExpr, method: PyFunction): string | undefined {
  const target =
    expr.kind === 'attribute' && expr.object.kind === 'name'
      ? expr.object.name
      : expr.kind === 'call' && expr.name === 'str' && expr.args[0]?.kind === 'name'
        ? expr.args[0].name
        : undefined;
  if (!target) return undefined;
  const result = method.assignments.find((a) => a.target === target && a.value);
  if (!result?.value) return undefined;
  const kickoff = callsWithInputs(result.value, () => true).length ? result.value : undefined;
  const root =
    kickoff &&
    (function find(e: PyExpr): string | undefined {
      if (e.kind === 'call') {
        const name = e.callee.kind === 'attribute' ? e.callee.attribute : '';
        if (name === 'kickoff' || name === 'kickoff_async') return chainRoot(e);
        return find(e.callee);
      }
      return e.kind === 'attribute' ? find(e.object) : undefined;
    })(kickoff);
  return root;
}

/** `run` first (what `crewai run` calls), then the file's other functions in order, then the module body. */
function orderedFunctions(module: PyModule): (PyFunction | PyModule)[] {
  const all = [...module.functions, ...module.classes.flatMap((c) => c.methods)];
  return [...all.filter((f) => f.name === 'run' || f.name === 'kickoff'), ...all.filter((f) => f.name !== 'run' && f.name !== 'kickoff'), module];
}

function inputsIn(scope: PyFunction | PyModule, module: PyModule, root: string, read: Reader, env: CrewEnvironment): CrewInputs | undefined {
  const assigned = [...scope.assignments].reverse().find((a) => a.target === 'inputs' && a.value);
  const kickoff = scope.expressions.flatMap((e) => callsWithInputs(e)).at(0);
  const expr = assigned?.value ?? kickoff;
  if (!expr) return undefined;
  if (expr.kind === 'dict') return { inputs: dictInputs(expr, [scope, module], env), read: [] };
  // `inputs = yaml.safe_load(f)` / `json.load(f)` after `open("inputs.yaml")` in the same function.
  if (expr.kind === 'call' && /(^|\.)(safe_load|load|full_load)$/.test(expr.name ?? '')) {
    const opened = scope.expressions.flatMap(openedFiles).at(0);
    if (!opened) return undefined;
    const file = path.resolve(root, opened);
    const text = read(file);
    if (text === undefined) return { inputs: new Map(), read: [] };
    return { inputs: fileInputs(text, file), read: [file] };
  }
  return undefined;
}

/** Every `kickoff(inputs=…)` / `kickoff_async(inputs=…)` argument among the calls in an expression (of the calls `which` keeps). */
function callsWithInputs(expr: PyExpr, which: (call: PyExpr) => boolean = () => true): PyExpr[] {
  const found: PyExpr[] = [];
  const visit = (e: PyExpr): void => {
    if (e.kind === 'call') {
      const name = e.callee.kind === 'attribute' ? e.callee.attribute : '';
      const inputs = e.keywords.get('inputs');
      if ((name === 'kickoff' || name === 'kickoff_async') && inputs && which(e)) found.push(inputs);
      visit(e.callee);
      e.args.forEach(visit);
      e.keywords.forEach(visit);
    } else if (e.kind === 'attribute') visit(e.object);
    else if (e.kind === 'unknown') e.inner.forEach(visit);
  };
  visit(expr);
  return found;
}

/** The literal paths `open("…")` is called with. */
function openedFiles(expr: PyExpr): string[] {
  const found: string[] = [];
  const visit = (e: PyExpr): void => {
    if (e.kind === 'call') {
      if (e.name === 'open' && e.args[0]?.kind === 'string') found.push(e.args[0].value);
      visit(e.callee);
      e.args.forEach(visit);
      e.keywords.forEach(visit);
    } else if (e.kind === 'unknown') e.inner.forEach(visit);
  };
  visit(expr);
  return found;
}

function dictInputs(dict: Extract<PyExpr, { kind: 'dict' }>, scopes: readonly (PyFunction | PyModule)[], env: CrewEnvironment): Map<string, CrewInput> {
  const inputs = new Map<string, CrewInput>();
  for (const { key, value } of dict.entries) {
    if (key.kind !== 'string') continue;
    inputs.set(key.value, inputValue(value, scopes, env));
  }
  return inputs;
}

function inputValue(expr: PyExpr, scopes: readonly (PyFunction | PyModule)[], env: CrewEnvironment): CrewInput {
  if (/^str\(\s*datetime(\.datetime)?\.now\(\)\.year\s*\)$/.test(expr.text.replace(/\s+/g, ''))) {
    const year = String(new Date().getUTCFullYear());
    return { value: year, note: `computed at run time (the current year); ${year} assumed`, severity: 'info', at: expr };
  }
  const constant = constantValue(expr, scopes);
  if (constant.kind === 'string') return { value: constant.value, at: expr };
  if (constant.kind === 'number' || constant.kind === 'bool') return { value: String(constant.value), at: expr };
  if (constant.kind === 'env') {
    const text = env.get(constant.name);
    if (text !== undefined) return { value: text, at: expr };
    const fallback = constant.default;
    if (fallback?.kind === 'string') return { value: fallback.value, at: expr };
  }
  return { value: undefined, note: `${expr.text} is computed at run time: priced as empty`, severity: 'warning', at: expr };
}

/** A YAML (or JSON) file of inputs: its top-level keys, each value as text. */
function fileInputs(text: string, file: string): Map<string, CrewInput> {
  const yaml = require('yaml') as Yaml;
  const inputs = new Map<string, CrewInput>();
  let data: unknown;
  try {
    data = yaml.parse(text, { maxAliasCount: 100 });
  } catch {
    return inputs;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return inputs;
  for (const [key, value] of Object.entries(data)) {
    inputs.set(
      key,
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? { value: String(value) }
        : { value: undefined, note: `${key} in ${path.basename(file)} is not text` },
    );
  }
  return inputs;
}
