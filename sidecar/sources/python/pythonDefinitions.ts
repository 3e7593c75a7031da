import type { SyntaxNode } from '@lezer/common';
import { childrenOf, commaGroups, isExpression } from './pythonExpressions';
import type { ExpressionReader } from './pythonExpressions';
import type { PyClass, PyExpr, PyFunction, PyImport, PyParameter, PyScope } from './pythonModel';

/** An annotation's text without its `:` or `->`. */
export function annotationText(reader: ExpressionReader, typeDef: SyntaxNode): string {
  return reader
    .text(typeDef)
    .replace(/^(->|:)/, '')
    .trim();
}

/** A scope with nothing in it yet. */
export function emptyScope(): PyScope {
  return { assignments: [], functions: [], classes: [], expressions: [] };
}

/** A decorator (`@name`, `@a.b`, `@name(args)`) as the expression it is. */
export function decoratorExpression(reader: ExpressionReader, node: SyntaxNode): PyExpr | undefined {
  const children = childrenOf(node);
  const names = children.filter((child) => child.name === 'VariableName');
  const [first] = names;
  if (!first) return undefined;
  let expr: PyExpr = reader.expression(first);
  for (const name of names.slice(1)) {
    const attribute = reader.text(name);
    const path = expr.kind === 'name' ? expr.name : expr.kind === 'attribute' ? expr.path : undefined;
    expr = { kind: 'attribute', object: expr, attribute, ...(path === undefined ? {} : { path: `${path}.${attribute}` }), ...reader.base(first.from, name.to) };
  }
  const argList = children.find((child) => child.name === 'ArgList');
  return argList ? reader.call(first, argList, reader.base(first.from, argList.to), expr) : expr;
}

/** A `def`'s header; its body is read by the caller into the returned scope. */
export function functionHeader(reader: ExpressionReader, node: SyntaxNode, decorators: PyExpr[], from: number): PyFunction {
  const children = childrenOf(node);
  const nameNode = children.find((child) => child.name === 'VariableName');
  const typeDef = children.find((child) => child.name === 'TypeDef');
  const paramList = children.find((child) => child.name === 'ParamList');
  const fn: PyFunction = {
    kind: 'function',
    name: nameNode ? reader.text(nameNode) : '',
    nameAt: reader.source.place(nameNode?.from ?? node.from, nameNode?.to ?? node.from),
    async: children[0]?.name === 'async',
    decorators,
    parameters: paramList ? parameters(reader, paramList) : [],
    returns: [],
    ...emptyScope(),
    ...reader.source.place(from, node.to),
  };
  if (typeDef) fn.returnType = annotationText(reader, typeDef);
  return fn;
}

function parameters(reader: ExpressionReader, paramList: SyntaxNode): PyParameter[] {
  const result: PyParameter[] = [];
  let keywordOnly = false;
  for (const group of commaGroups(childrenOf(paramList))) {
    const star = group[0]!.name === '*' || group[0]!.name === '**' ? group[0]!.name : undefined;
    const nameNode = group.find((child) => child.name === 'VariableName');
    if (star === '*') keywordOnly = true;
    if (!nameNode) continue;
    const kind = star === '*' ? 'varargs' : star === '**' ? 'kwargs' : keywordOnly ? 'keywordOnly' : 'positional';
    const parameter: PyParameter = { name: reader.text(nameNode), kind, ...reader.source.place(group[0]!.from, group[group.length - 1]!.to) };
    const typeDef = group.find((child) => child.name === 'TypeDef');
    if (typeDef) parameter.annotation = annotationText(reader, typeDef);
    const assign = group.findIndex((child) => child.name === 'AssignOp');
    if (assign >= 0 && group[assign + 1] && isExpression(group[assign + 1]!)) parameter.default = reader.expression(group[assign + 1]!);
    result.push(parameter);
  }
  return result;
}

/** A `class`'s header; its body is read by the caller into the returned scope. */
export function classHeader(reader: ExpressionReader, node: SyntaxNode, decorators: PyExpr[], from: number): PyClass {
  const children = childrenOf(node);
  const nameNode = children.find((child) => child.name === 'VariableName');
  const argList = children.find((child) => child.name === 'ArgList');
  const args = reader.arguments(argList);
  const scope = emptyScope();
  return {
    kind: 'class',
    name: nameNode ? reader.text(nameNode) : '',
    nameAt: reader.source.place(nameNode?.from ?? node.from, nameNode?.to ?? node.from),
    decorators,
    bases: args.args,
    keywords: args.keywords,
    methods: scope.functions,
    ...scope,
    ...reader.source.place(from, node.to),
  };
}

/** The names an import statement binds, each with its place. */
export function importsOf(reader: ExpressionReader, node: SyntaxNode): PyImport[] {
  const children = childrenOf(node);
  const importAt = children.findIndex((child) => child.name === 'import');
  if (importAt < 0) return [];
  const isFrom = children[0]!.name === 'from';
  const module = isFrom
    ? children
        .slice(1, importAt)
        .map((child) => reader.text(child))
        .join('')
    : '';
  const result: PyImport[] = [];
  for (const group of commaGroups(children.slice(importAt + 1))) {
    const asAt = group.findIndex((child) => child.name === 'as');
    const dotted = (asAt < 0 ? group : group.slice(0, asAt)).map((child) => reader.text(child)).join('');
    const alias = asAt >= 0 && group[asAt + 1] ? reader.text(group[asAt + 1]!) : undefined;
    const place = reader.source.place(group[0]!.from, group[group.length - 1]!.to);
    if (isFrom) result.push({ module, name: dotted, bound: alias ?? dotted, ...place });
    else result.push({ module: dotted, bound: alias ?? dotted.split('.')[0] ?? dotted, ...place });
  }
  return result;
}
