/**
 * Where something stands in a Python file: a range of the text (UTF-16 offsets, as JavaScript strings and VS Code
 * count) and its start as a 1-based line and column.
 */
export interface PyPlace {
  offset: number;
  length: number;
  line: number;
  column: number;
}

/** What every expression carries: its place and its source text (line ends as `\n`). */
export interface PyExprBase extends PyPlace {
  text: string;
}

/** A string literal, its value resolved: quotes, prefixes, escapes, implicit concatenation and `+` of literals. */
export interface PyString extends PyExprBase {
  kind: 'string';
  value: string;
  /** A `b"…"` literal: the value is its characters. */
  bytes?: boolean;
}

/** One piece of an f-string: literal text, or a `{replacement}` with its expression. */
export type PyFStringPart = { kind: 'literal'; value: string } | { kind: 'expression'; text: string; expr: PyExpr; conversion?: string; spec?: string };

/** An f-string (or a concatenation with one): its literal parts and the expressions between them. */
export interface PyFString extends PyExprBase {
  kind: 'fstring';
  parts: PyFStringPart[];
}

/** A call: `callee(args…, name=value…, *varargs, **kwargs)`. */
export interface PyCall extends PyExprBase {
  kind: 'call';
  callee: PyExpr;
  /** The callee as a dotted name when it is one (`Agent`, `os.getenv`, `self.researcher`). */
  name?: string;
  args: PyExpr[];
  /** Keyword arguments by name, in the order written. */
  keywords: ReadonlyMap<string, PyExpr>;
  /** What follows each `*` in the arguments. */
  varargs: PyExpr[];
  /** What follows each `**` in the arguments: keywords a static reading cannot see. */
  kwargs: PyExpr[];
}

/** The expression model: what a static reading of configuration code needs, anything else as `unknown`. */
export type PyExpr =
  | PyString
  | PyFString
  | (PyExprBase & { kind: 'number'; value: number })
  | (PyExprBase & { kind: 'bool'; value: boolean })
  | (PyExprBase & { kind: 'none' })
  | (PyExprBase & { kind: 'name'; name: string })
  /** `object.attribute`; `path` when the whole is a dotted name (`self.agents_config`). */
  | (PyExprBase & { kind: 'attribute'; object: PyExpr; attribute: string; path?: string })
  | (PyExprBase & { kind: 'subscript'; object: PyExpr; index: PyExpr })
  | PyCall
  | (PyExprBase & { kind: 'list' | 'tuple' | 'set'; items: PyExpr[] })
  /** `{key: value, **spread}`. */
  | (PyExprBase & { kind: 'dict'; entries: { key: PyExpr; value: PyExpr }[]; spreads: PyExpr[] })
  /** Arithmetic, comparison and boolean operators (`a + b`, `x or "default"`). */
  | (PyExprBase & { kind: 'binary'; operator: string; left: PyExpr; right: PyExpr })
  /** Lambdas, comprehensions, `await`, conditionals…: the expressions inside, so that calls in them are still found. */
  | (PyExprBase & { kind: 'unknown'; inner: PyExpr[] });

/** `name = value`, `name: T = value`, `name: T` or `name += value`, in a module, class or function body. */
export interface PyAssignment extends PyPlace {
  /** The target: a name or a dotted path (`settings.model`). */
  target: string;
  /** The annotation's text, for `name: T = value`. */
  annotation?: string;
  /** Absent for a bare annotation (`name: str`). */
  value?: PyExpr;
  /** The operator of an augmented assignment (`+=`). */
  augmented?: string;
  /** Inside an `if`, `try`, loop, `with` or `match` of its scope: it may not happen. */
  conditional: boolean;
}

/** One name an import binds: `import a.b as c`, `from .a import b as c`. */
export interface PyImport extends PyPlace {
  /** The module, dotted, with a relative import's leading dots. */
  module: string;
  /** The imported name of a `from` import (`*` for all); absent for `import module`. */
  name?: string;
  /** The local name it binds (`a` for `import a.b`). */
  bound: string;
}

/** A function's parameter. */
export interface PyParameter extends PyPlace {
  name: string;
  /** `*args`, `**kwargs`, after a bare `*`, or ordinary. */
  kind: 'positional' | 'varargs' | 'keywordOnly' | 'kwargs';
  annotation?: string;
  default?: PyExpr;
}

/** What every body (module, class, function) holds. */
export interface PyScope {
  assignments: PyAssignment[];
  functions: PyFunction[];
  classes: PyClass[];
  /**
   * Every expression of the body in source order: assignment values, returns, expression statements, conditions…
   * (the same objects `assignments` and `returns` hold). Nested functions and classes keep their own.
   */
  expressions: PyExpr[];
  /** A string as the body's first statement. */
  docstring?: PyString;
}

/** A `def` or `async def`. */
export interface PyFunction extends PyScope, PyPlace {
  kind: 'function';
  name: string;
  /** Where the name stands. */
  nameAt: PyPlace;
  async: boolean;
  /** Each decorator as an expression (`@agent` a name, `@function_tool(name_override="x")` a call). */
  decorators: PyExpr[];
  parameters: PyParameter[];
  /** The `-> T` annotation's text. */
  returnType?: string;
  /** The value of each `return value` of the body (not of nested functions). */
  returns: PyExpr[];
}

/** A `class`. */
export interface PyClass extends PyScope, PyPlace {
  kind: 'class';
  name: string;
  nameAt: PyPlace;
  decorators: PyExpr[];
  bases: PyExpr[];
  /** `metaclass=…` and other class keywords. */
  keywords: ReadonlyMap<string, PyExpr>;
  /** The methods: the class's `functions`. */
  methods: PyFunction[];
}

/** A syntax error: where the parser had to recover. */
export interface PySyntaxError extends PyPlace {
  message: string;
}

/** A Python file read statically: its module body, every import, and its syntax errors. */
export interface PyModule extends PyScope {
  kind: 'module';
  /** Every import statement of the file, nested ones (in `try`, in functions) included. */
  imports: PyImport[];
  /** Empty for a file that parses; otherwise everything outside the broken statements is still read. */
  errors: PySyntaxError[];
}
