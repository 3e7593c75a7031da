import type { SyntaxNode, Tree } from '@lezer/common';
import { annotationText, classHeader, decoratorExpression, emptyScope, functionHeader, importsOf } from './pythonDefinitions';
import { ExpressionReader, childrenOf, commaGroups, isExpression } from './pythonExpressions';
import type { PyAssignment, PyExpr, PyImport, PyModule, PyScope, PySyntaxError } from './pythonModel';
import { PySource } from './pythonSource';

type PythonParser = typeof import('@lezer/python');
let library: PythonParser | undefined;

/** The parser, required on first use: only a Python project needs it. */
function pythonParser(): PythonParser {
  return (library ??= require('@lezer/python') as PythonParser);
}

/** A file this broken is not configuration: its first errors say so, thousands would only flood the problems. */
const maxErrors = 100;

/** Statements whose bodies may not run, or run many times: assignments in them are `conditional`. */
const compound = new Set(['IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement', 'MatchStatement', 'MatchBody', 'MatchClause']);

/** Reads one file's statements into scopes. */
class ModuleReader {
  readonly imports: PyImport[] = [];
  readonly errors: PySyntaxError[] = [];

  constructor(readonly reader: ExpressionReader) {}

  /** The statements of a body (the module's, or a `Body` node's) into `scope`. */
  body(statements: SyntaxNode[], scope: PyScope, conditional: boolean, returns?: PyExpr[]): void {
    const first = statements.find((node) => node.name !== ':');
    const docstring = first?.name === 'ExpressionStatement' ? first.firstChild : null;
    if (!conditional && docstring && ['String', 'ContinuedString'].includes(docstring.name)) {
      const value = this.reader.expression(docstring);
      if (value.kind === 'string' && !value.bytes) scope.docstring = value;
    }
    this.statements(statements, scope, conditional, returns);
  }

  private statements(statements: SyntaxNode[], scope: PyScope, conditional: boolean, returns?: PyExpr[]): void {
    for (const node of statements) {
      try {
        this.statement(node, scope, conditional, returns);
      } catch (error) {
        // A tree shape this reader did not foresee costs one statement, not the file.
        this.errors.push({ message: `could not read this statement: ${(error as Error).message}`, ...this.reader.source.place(node.from, node.to) });
      }
    }
  }

  private statement(node: SyntaxNode, scope: PyScope, conditional: boolean, returns?: PyExpr[]): void {
    const children = childrenOf(node);
    switch (node.name) {
      case 'AssignStatement':
      case 'UpdateStatement':
        this.assignment(node, children, scope, conditional);
        return;
      case 'ReturnStatement': {
        const value = this.reader.sequence(children.slice(1));
        if (value) scope.expressions.push(value);
        if (value && returns) returns.push(value);
        return;
      }
      case 'ImportStatement':
        this.imports.push(...importsOf(this.reader, node));
        return;
      case 'StatementGroup':
        this.statements(children, scope, conditional, returns);
        return;
      case 'FunctionDefinition':
      case 'ClassDefinition':
        this.definition(node, [], node.from, scope);
        return;
      case 'DecoratedStatement': {
        const decorators = children.filter((child) => child.name === 'Decorator').map((child) => decoratorExpression(this.reader, child));
        const definition = children.find((child) => child.name === 'FunctionDefinition' || child.name === 'ClassDefinition');
        if (definition)
          this.definition(
            definition,
            decorators.filter((d): d is PyExpr => d !== undefined),
            node.from,
            scope,
          );
        return;
      }
    }
    for (const child of children) {
      if (child.name === 'Body') this.body(childrenOf(child), scope, true, returns);
      else if (compound.has(child.name)) this.statement(child, scope, true, returns);
      else if (isExpression(child)) scope.expressions.push(this.reader.expression(child));
    }
  }

  private definition(node: SyntaxNode, decorators: PyExpr[], from: number, scope: PyScope): void {
    const body = node.getChild('Body');
    const statements = body ? childrenOf(body) : [];
    if (node.name === 'FunctionDefinition') {
      const fn = functionHeader(this.reader, node, decorators, from);
      this.body(statements, fn, false, fn.returns);
      scope.functions.push(fn);
    } else {
      const cls = classHeader(this.reader, node, decorators, from);
      this.body(statements, cls, false);
      scope.classes.push(cls);
    }
  }

  /** `a = b = value`, `a: T = value`, `a: T`, `a, b = 1, 2`, `a += value`. */
  private assignment(node: SyntaxNode, children: SyntaxNode[], scope: PyScope, conditional: boolean): void {
    const segments: SyntaxNode[][] = [[]];
    let annotation: string | undefined;
    let augmented: string | undefined;
    for (const child of children) {
      if (child.name === 'AssignOp' || child.name === 'UpdateOp') segments.push([]);
      else if (child.name === 'TypeDef') annotation = annotationText(this.reader, child);
      else segments[segments.length - 1]!.push(child);
      if (child.name === 'UpdateOp') augmented = this.reader.text(child);
    }
    const value = segments.length > 1 ? this.reader.sequence(segments[segments.length - 1]!) : undefined;
    if (value) scope.expressions.push(value);
    const place = this.reader.source.place(node.from, node.to);
    const targets = segments.length > 1 ? segments.slice(0, -1) : segments;
    for (const target of targets) {
      for (const [name, part] of this.targets(target, value)) {
        const assignment: PyAssignment = { target: name, conditional, ...place };
        if (annotation !== undefined) assignment.annotation = annotation;
        if (part) assignment.value = part;
        if (augmented) assignment.augmented = augmented;
        scope.assignments.push(assignment);
      }
    }
  }

  /** Each name or dotted path a target binds, with its share of the value when it can be told. */
  private targets(target: SyntaxNode[], value: PyExpr | undefined): [string, PyExpr | undefined][] {
    const groups = commaGroups(target.length === 1 && ['TupleExpression', 'ArrayExpression'].includes(target[0]!.name) ? childrenOf(target[0]!) : target);
    const unpacked =
      groups.length > 1 || target.some((node) => node.name === ',') || target[0]?.name === 'TupleExpression' || target[0]?.name === 'ArrayExpression';
    const items = unpacked && (value?.kind === 'tuple' || value?.kind === 'list') && value.items.length === groups.length ? value.items : undefined;
    const result: [string, PyExpr | undefined][] = [];
    groups.forEach((group, i) => {
      if (group.length !== 1 || !['VariableName', 'MemberExpression'].includes(group[0]!.name)) return;
      const expr = group[0]!.name === 'VariableName' ? undefined : this.reader.expression(group[0]!);
      const name = expr ? (expr.kind === 'attribute' ? expr.path : undefined) : this.reader.text(group[0]!);
      if (name !== undefined) result.push([name, unpacked ? items?.[i] : value]);
    });
    return result;
  }

  /** Where the parser recovered, each once; past `maxErrors`, one more error says how many were left out. */
  collectErrors(tree: Tree): void {
    const text = this.reader.source.text;
    const seen = new Set<number>();
    let more = 0;
    tree.iterate({
      enter: (node) => {
        if (!node.type.isError || seen.has(node.from)) return;
        seen.add(node.from);
        if (seen.size > maxErrors) {
          if (more++ === 0) this.errors.push({ message: '', ...this.reader.source.place(node.from, node.from) });
          return;
        }
        const found = (text.slice(node.from, node.to).split('\n')[0] ?? '').slice(0, 40);
        const next =
          text
            .slice(node.to)
            .match(/^[ \t]*(\S*)/)?.[1]
            ?.slice(0, 40) ?? '';
        const message = found
          ? `syntax error: unexpected "${found}"`
          : next
            ? `syntax error: something is missing before "${next}"`
            : 'syntax error: the statement is incomplete';
        this.errors.push({ message, ...this.reader.source.place(node.from, node.to) });
      },
    });
    if (more > 0) this.errors[this.errors.length - 1]!.message = `${more} more syntax errors from here on`;
  }
}

/**
 * Reads Python source statically: the module's assignments, imports, functions and classes, every expression with
 * its place. Never throws: a syntax error is listed in `errors`, and the rest of the file is read all the same.
 */
export function readPython(text: string): PyModule {
  const source = new PySource(text);
  const tree = pythonParser().parser.parse(source.text);
  const reader = new ModuleReader(new ExpressionReader(source));
  const module: PyModule = { kind: 'module', imports: reader.imports, errors: reader.errors, ...emptyScope() };
  reader.collectErrors(tree);
  reader.body(childrenOf(tree.topNode), module, false);
  reader.errors.sort((a, b) => a.offset - b.offset);
  return module;
}
