import type { PyCall, PyClass, PyExpr, PyFunction, PyModule, PyScope } from './pythonModel';

/** The expressions directly inside an expression. */
function innerExpressions(expr: PyExpr): PyExpr[] {
  switch (expr.kind) {
    case 'call':
      return [expr.callee, ...expr.args, ...expr.keywords.values(), ...expr.varargs, ...expr.kwargs];
    case 'attribute':
      return [expr.object];
    case 'subscript':
      return [expr.object, expr.index];
    case 'list':
    case 'tuple':
    case 'set':
      return expr.items;
    case 'dict':
      return [...expr.entries.flatMap(({ key, value }) => [key, value]), ...expr.spreads];
    case 'binary':
      return [expr.left, expr.right];
    case 'fstring':
      return expr.parts.flatMap((part) => (part.kind === 'expression' ? [part.expr] : []));
    case 'unknown':
      return expr.inner;
    default:
      return [];
  }
}

/** The expressions a scope holds: its body's, and its nested definitions' decorators, defaults, bases and bodies. */
function scopeExpressions(scope: PyScope): PyExpr[] {
  const own = [...scope.expressions];
  for (const fn of scope.functions) own.push(...fn.decorators, ...fn.parameters.flatMap((p) => (p.default ? [p.default] : [])), ...scopeExpressions(fn));
  for (const cls of scope.classes) own.push(...cls.decorators, ...cls.bases, ...cls.keywords.values(), ...scopeExpressions(cls));
  return own;
}

/**
 * The calls in an expression or a scope (a module, class or function, with everything nested in it: method bodies,
 * decorators, default values, arguments of other calls), in source order, those `predicate` accepts.
 */
export function callsIn(root: PyExpr | PyModule | PyClass | PyFunction, predicate: (call: PyCall) => boolean = () => true): PyCall[] {
  const calls: PyCall[] = [];
  const stack = root.kind === 'module' || root.kind === 'class' || root.kind === 'function' ? scopeExpressions(root) : [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    if (expr.kind === 'call' && predicate(expr)) calls.push(expr);
    stack.push(...innerExpressions(expr));
  }
  return calls.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** Every call of the module `predicate` accepts (`(call) => call.name === 'Agent'`), wherever it stands. */
export function findCalls(module: PyModule, predicate: (call: PyCall) => boolean = () => true): PyCall[] {
  return callsIn(module, predicate);
}

/** An expression's dotted name: a name's, an attribute path's, a call's callee's (`@function_tool(…)` → `function_tool`). */
export function dottedName(expr: PyExpr): string | undefined {
  return expr.kind === 'name' ? expr.name : expr.kind === 'attribute' ? expr.path : expr.kind === 'call' ? expr.name : undefined;
}

/** The decorator of a function or class with that dotted name (`agent`, `function_tool`), with or without arguments. */
export function decorator(definition: PyFunction | PyClass, name: string): PyExpr | undefined {
  return definition.decorators.find((expr) => dottedName(expr) === name);
}
