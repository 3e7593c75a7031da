import type { PyCall, PyExpr, PyModule, PyScope } from './pythonModel';

/** What a static reading knows of an expression's value; `expr` is where the value was read (or could not be). */
export type PyValue =
  | { kind: 'string'; value: string; expr: PyExpr }
  | { kind: 'number'; value: number; expr: PyExpr }
  | { kind: 'bool'; value: boolean; expr: PyExpr }
  | { kind: 'none'; expr: PyExpr }
  /** `os.getenv("X", "d")`, `os.environ.get("X", "d")`, `os.environ["X"]`: resolved with an environment later. */
  | { kind: 'env'; name: string; default?: PyValue; expr: PyExpr }
  /** A list or a tuple. */
  | { kind: 'list'; items: PyValue[]; expr: PyExpr }
  | { kind: 'dict'; entries: { key: PyValue; value: PyValue }[]; expr: PyExpr }
  | { kind: 'unknown'; reason: string; expr: PyExpr };

/** Chains of names longer than this are not followed (a chain that long is not configuration). */
const maxChain = 16;

interface Lookup {
  scopes: readonly PyScope[];
  /** Names being resolved: a name met again is a cycle. */
  resolving: Set<string>;
}

/**
 * The constant an expression stands for: literals, lists, tuples and dicts of them, `+` of strings and numbers,
 * f-strings of constants, `os.getenv` and friends as `env`, and names resolved through the assignments of `scope`
 * (innermost first when several: a method's, then the module's), following chains of names, cycles included.
 * A name assigned conditionally, changed by `+=` or imported is `unknown`, with the reason.
 */
export function constantValue(expr: PyExpr, scope: PyScope | readonly PyScope[]): PyValue {
  return staticValue(expr, { scopes: Array.isArray(scope) ? scope : [scope as PyScope], resolving: new Set() });
}

function staticValue(expr: PyExpr, lookup: Lookup): PyValue {
  const unknownValue = (reason: string): PyValue => ({ kind: 'unknown', reason, expr });
  switch (expr.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return { kind: expr.kind, value: expr.value, expr } as PyValue;
    case 'none':
      return { kind: 'none', expr };
    case 'name':
      return nameValue(expr.name, expr, lookup);
    case 'list':
    case 'tuple':
      return { kind: 'list', items: expr.items.map((item) => staticValue(item, lookup)), expr };
    case 'dict':
      if (expr.spreads.length > 0) return unknownValue('a dict with ** spreads');
      return { kind: 'dict', entries: expr.entries.map(({ key, value }) => ({ key: staticValue(key, lookup), value: staticValue(value, lookup) })), expr };
    case 'fstring':
      return formatted(expr, lookup);
    case 'binary':
      return binaryValue(expr.operator, staticValue(expr.left, lookup), () => staticValue(expr.right, lookup), expr);
    case 'call':
      return envValue(expr, lookup) ?? unknownValue(`the result of calling ${expr.name ?? 'a function'}`);
    case 'subscript':
      return subscriptValue(expr.object, expr.index, lookup, expr);
    default:
      return unknownValue('not a constant');
  }
}

/** The expression a name is bound to in the scopes, or why there is none to rely on. */
function binding(name: string, scopes: readonly PyScope[]): { value: PyExpr } | { reason: string } {
  for (const scope of scopes) {
    const assignments = scope.assignments.filter((a) => a.target === name && (a.value !== undefined || a.annotation === undefined));
    if (assignments.length === 0) {
      const imported = (scope as Partial<PyModule>).imports?.find((i) => i.bound === name);
      if (imported) return { reason: `"${name}" is imported from ${imported.module}` };
      continue;
    }
    if (assignments.some((a) => a.conditional)) return { reason: `"${name}" is assigned conditionally` };
    const augmented = assignments.find((a) => a.augmented);
    if (augmented) return { reason: `"${name}" is changed by ${augmented.augmented}` };
    const value = assignments[assignments.length - 1]!.value;
    return value ? { value } : { reason: `"${name}" is unpacked from a value that cannot be split statically` };
  }
  return { reason: `"${name}" is not assigned in this file` };
}

function nameValue(name: string, expr: PyExpr, lookup: Lookup): PyValue {
  if (lookup.resolving.has(name)) return { kind: 'unknown', reason: `"${name}" is defined in terms of itself`, expr };
  if (lookup.resolving.size >= maxChain) return { kind: 'unknown', reason: `"${name}" is too many names away from a value`, expr };
  const bound = binding(name, lookup.scopes);
  if ('reason' in bound) return { kind: 'unknown', reason: bound.reason, expr };
  lookup.resolving.add(name);
  try {
    return staticValue(bound.value, lookup);
  } finally {
    lookup.resolving.delete(name);
  }
}

/**
 * The expression a name stands for, following assignments (`root_agent = pipeline`, `pipeline = SequentialAgent(…)`
 * gives the call); any other expression, or a name without a binding to rely on, is returned as it is.
 */
export function resolveName(expr: PyExpr, scope: PyScope | readonly PyScope[]): PyExpr {
  const scopes = Array.isArray(scope) ? scope : [scope as PyScope];
  const seen = new Set<string>();
  while (expr.kind === 'name' && !seen.has(expr.name) && seen.size < maxChain) {
    seen.add(expr.name);
    const bound = binding(expr.name, scopes);
    if ('reason' in bound) break;
    expr = bound.value;
  }
  return expr;
}

function formatted(expr: Extract<PyExpr, { kind: 'fstring' }>, lookup: Lookup): PyValue {
  let text = '';
  for (const part of expr.parts) {
    if (part.kind === 'literal') {
      text += part.value;
      continue;
    }
    const value = staticValue(part.expr, lookup);
    const plain = part.conversion === undefined && part.spec === undefined;
    if (plain && value.kind === 'string') text += value.value;
    else if (plain && value.kind === 'number' && Number.isInteger(value.value)) text += String(value.value);
    else if (value.kind === 'unknown') return value;
    else if (value.kind === 'env') return { kind: 'unknown', reason: `depends on the environment variable ${value.name}`, expr: part.expr };
    else return { kind: 'unknown', reason: `{${part.text}} has no constant text`, expr: part.expr };
  }
  return { kind: 'string', value: text, expr };
}

function binaryValue(operator: string, left: PyValue, right: () => PyValue, expr: PyExpr): PyValue {
  if (operator === 'or') {
    // `os.getenv("X") or "default"`: the default when the variable is unset (or empty).
    if (left.kind === 'env' && left.default === undefined) return { ...left, default: right(), expr };
    const falsy = left.kind === 'none' || ((left.kind === 'string' || left.kind === 'number' || left.kind === 'bool') && !left.value);
    return falsy
      ? right()
      : left.kind === 'unknown' || left.kind === 'env'
        ? { kind: 'unknown', reason: 'an "or" of a value not known statically', expr }
        : left;
  }
  const other = right();
  if (operator === '+' && left.kind === 'string' && other.kind === 'string') return { kind: 'string', value: left.value + other.value, expr };
  if (operator === '+' && left.kind === 'number' && other.kind === 'number') return { kind: 'number', value: left.value + other.value, expr };
  if (operator === '+' && left.kind === 'list' && other.kind === 'list') return { kind: 'list', items: [...left.items, ...other.items], expr };
  const unknownSide = [left, other].find((side) => side.kind === 'unknown' || side.kind === 'env');
  if (unknownSide?.kind === 'env') return { kind: 'unknown', reason: `depends on the environment variable ${unknownSide.name}`, expr };
  return unknownSide ?? { kind: 'unknown', reason: `"${operator}" is not evaluated statically`, expr };
}

const environReaders = new Set(['os.getenv', 'getenv', 'os.environ.get', 'environ.get']);

/** `os.getenv(key, default)`, `os.environ.get(key, default)`: an `env` value; undefined for any other call. */
function envValue(call: PyCall, lookup: Lookup): PyValue | undefined {
  if (call.name === undefined || !environReaders.has(call.name)) return undefined;
  const keyExpr = call.args[0] ?? call.keywords.get('key');
  const defaultExpr = call.args[1] ?? call.keywords.get('default');
  const key = keyExpr ? staticValue(keyExpr, lookup) : undefined;
  if (key?.kind !== 'string') return { kind: 'unknown', reason: 'an environment variable whose name is not a constant', expr: call };
  return defaultExpr ? { kind: 'env', name: key.value, default: staticValue(defaultExpr, lookup), expr: call } : { kind: 'env', name: key.value, expr: call };
}

function subscriptValue(objectExpr: PyExpr, indexExpr: PyExpr, lookup: Lookup, expr: PyExpr): PyValue {
  const index = staticValue(indexExpr, lookup);
  const environ = objectExpr.kind === 'attribute' ? objectExpr.path === 'os.environ' : objectExpr.kind === 'name' && objectExpr.name === 'environ';
  if (environ) {
    return index.kind === 'string'
      ? { kind: 'env', name: index.value, expr }
      : { kind: 'unknown', reason: 'an environment variable whose name is not a constant', expr };
  }
  const object = staticValue(objectExpr, lookup);
  if (object.kind === 'dict' && (index.kind === 'string' || index.kind === 'number')) {
    const entry = [...object.entries].reverse().find(({ key }) => key.kind === index.kind && key.value === index.value);
    if (entry) return entry.value;
  }
  if (object.kind === 'list' && index.kind === 'number' && Number.isInteger(index.value)) {
    const item = object.items[index.value < 0 ? object.items.length + index.value : index.value];
    if (item) return item;
  }
  return object.kind === 'unknown' ? object : { kind: 'unknown', reason: 'an item not found statically', expr };
}

/**
 * The value with its `env` parts read from an environment (a `.env` file's, the process's): a variable that is set
 * gives its text, else its default; one with neither is `unknown`.
 */
export function resolveEnvironment(value: PyValue, environment: (name: string) => string | undefined): PyValue {
  switch (value.kind) {
    case 'env': {
      const text = environment(value.name);
      if (text !== undefined) return { kind: 'string', value: text, expr: value.expr };
      if (value.default) return resolveEnvironment(value.default, environment);
      return { kind: 'unknown', reason: `the environment variable ${value.name} is not set`, expr: value.expr };
    }
    case 'list':
      return { ...value, items: value.items.map((item) => resolveEnvironment(item, environment)) };
    case 'dict':
      return {
        ...value,
        entries: value.entries.map(({ key, value: v }) => ({ key: resolveEnvironment(key, environment), value: resolveEnvironment(v, environment) })),
      };
    default:
      return value;
  }
}
