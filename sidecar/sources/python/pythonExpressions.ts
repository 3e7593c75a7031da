import type { SyntaxNode } from '@lezer/common';
import type { PyCall, PyExpr, PyExprBase, PyFStringPart } from './pythonModel';
import type { PySource } from './pythonSource';
import { concatenated, delimiters, formatLiteral, mergeLiterals, numberOf, stringValue } from './pythonLiterals';

/** Deeper than this (Python's own parser stops near 200) an expression is `unknown`: the walks over it recurse. */
const maxDepth = 100;

/** The node names of expressions in @lezer/python's tree. */
const expressionNames = new Set([
  'String',
  'FormatString',
  'ContinuedString',
  'Number',
  'Boolean',
  'None',
  'Ellipsis',
  'VariableName',
  'MemberExpression',
  'CallExpression',
  'ParenthesizedExpression',
  'TupleExpression',
  'ArrayExpression',
  'SetExpression',
  'DictionaryExpression',
  'BinaryExpression',
  'UnaryExpression',
  'ConditionalExpression',
  'LambdaExpression',
  'AwaitExpression',
  'NamedExpression',
  'YieldExpression',
  'ComprehensionExpression',
  'ArrayComprehensionExpression',
  'DictionaryComprehensionExpression',
  'SetComprehensionExpression',
]);

/** Whether a node is an expression (rather than a token, a statement or a pattern). */
export function isExpression(node: SyntaxNode): boolean {
  return expressionNames.has(node.name);
}

/** A node's children, tokens included, without comments and the parser's error markers. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (!child.type.isError && child.name !== 'Comment') children.push(child);
  return children;
}

/** Children between a bracket pair, split at top-level commas. */
export function commaGroups(nodes: SyntaxNode[]): SyntaxNode[][] {
  const groups: SyntaxNode[][] = [[]];
  for (const node of nodes) {
    if (node.name === ',') groups.push([]);
    else if (!['(', ')', '[', ']', '{', '}'].includes(node.name)) groups[groups.length - 1]!.push(node);
  }
  return groups.filter((group) => group.length > 0);
}

/** Turns parse-tree nodes into the expression model, with places in the file. */
export class ExpressionReader {
  private depth = 0;

  constructor(readonly source: PySource) {}

  /** The place and text of the parsed text's range from..to. */
  base(from: number, to: number): PyExprBase {
    return { ...this.source.place(from, to), text: this.source.text.slice(from, to) };
  }

  /** An expression node as the model's expression. */
  expression(node: SyntaxNode): PyExpr {
    if (this.depth >= maxDepth) return { kind: 'unknown', inner: [], ...this.base(node.from, node.to) };
    this.depth++;
    try {
      return this.convert(node);
    } finally {
      this.depth--;
    }
  }

  /** Several comma-separated nodes (`return a, b`) as a tuple, one as itself. */
  sequence(nodes: SyntaxNode[]): PyExpr | undefined {
    const groups = commaGroups(nodes);
    if (groups.length === 0) return undefined;
    if (groups.length === 1 && nodes.every((node) => node.name !== ',')) return this.group(groups[0]!);
    return { kind: 'tuple', items: groups.map((group) => this.group(group)), ...this.base(nodes[0]!.from, nodes[nodes.length - 1]!.to) };
  }

  /** One comma group: an expression, or `unknown` for anything more (`*rest`, `x for x in y`). */
  group(nodes: SyntaxNode[]): PyExpr {
    if (nodes.length === 1 && isExpression(nodes[0]!)) return this.expression(nodes[0]!);
    return this.unknown(nodes[0]!.from, nodes[nodes.length - 1]!.to, nodes);
  }

  /** An `unknown` covering from..to, with the expressions among `nodes` inside it. */
  unknown(from: number, to: number, nodes: SyntaxNode[]): PyExpr {
    return { kind: 'unknown', inner: nodes.filter(isExpression).map((node) => this.expression(node)), ...this.base(from, to) };
  }

  private convert(node: SyntaxNode): PyExpr {
    const base = this.base(node.from, node.to);
    const children = childrenOf(node);
    switch (node.name) {
      case 'String': {
        const { value, bytes } = stringValue(base.text);
        return bytes ? { kind: 'string', value, bytes, ...base } : { kind: 'string', value, ...base };
      }
      case 'FormatString':
        return { kind: 'fstring', parts: this.formatParts(node), ...base };
      case 'ContinuedString':
        if (children.length === 0) return this.unknown(node.from, node.to, children);
        return children.map((child) => this.expression(child)).reduce((left, right) => concatenated(left, right, base) ?? left);
      case 'Number':
        return numberOf(base);
      case 'Boolean':
        return { kind: 'bool', value: base.text === 'True', ...base };
      case 'None':
        return { kind: 'none', ...base };
      case 'VariableName':
        return { kind: 'name', name: base.text, ...base };
      case 'ParenthesizedExpression':
        return children.length === 3 && isExpression(children[1]!) ? this.expression(children[1]!) : this.unknown(node.from, node.to, children);
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'SetExpression':
        return {
          kind: node.name === 'TupleExpression' ? 'tuple' : node.name === 'ArrayExpression' ? 'list' : 'set',
          items: commaGroups(children).map((group) => this.group(group)),
          ...base,
        };
      case 'DictionaryExpression':
        return this.dictionary(children, base);
      case 'MemberExpression':
        return this.member(node, children, base);
      case 'CallExpression':
        return this.call(children[0]!, children[1]!, base);
      case 'BinaryExpression':
        return this.binary(node, children, base);
      case 'UnaryExpression':
        return this.unary(children, base);
      default:
        return this.unknown(node.from, node.to, children);
    }
  }

  private dictionary(children: SyntaxNode[], base: PyExprBase): PyExpr {
    const entries: { key: PyExpr; value: PyExpr }[] = [];
    const spreads: PyExpr[] = [];
    for (const group of commaGroups(children)) {
      if (group[0]!.name === '**' && group[1]) spreads.push(this.expression(group[1]!));
      else if (group.length === 3 && group[1]!.name === ':') entries.push({ key: this.expression(group[0]!), value: this.expression(group[2]!) });
    }
    return { kind: 'dict', entries, spreads, ...base };
  }

  private member(node: SyntaxNode, children: SyntaxNode[], base: PyExprBase): PyExpr {
    const object = this.expression(children[0]!);
    const property = children.find((child) => child.name === 'PropertyName');
    if (property) {
      const attribute = this.source.text.slice(property.from, property.to);
      const prefix = object.kind === 'name' ? object.name : object.kind === 'attribute' ? object.path : undefined;
      return prefix === undefined
        ? { kind: 'attribute', object, attribute, ...base }
        : { kind: 'attribute', object, attribute, path: `${prefix}.${attribute}`, ...base };
    }
    const inside = children.slice(1);
    const simple = inside.length === 3 && inside[0]!.name === '[' && inside[2]!.name === ']' && isExpression(inside[1]!);
    const index = simple ? this.expression(inside[1]!) : this.unknown(inside[0]?.from ?? node.to, inside[inside.length - 1]?.to ?? node.to, inside);
    return { kind: 'subscript', object, index, ...base };
  }

  /** A call, or a decorator's `@name(…)` (its callee given, its argument list absent when it has none). */
  call(calleeNode: SyntaxNode, argList: SyntaxNode | undefined, base: PyExprBase, callee = this.expression(calleeNode)): PyCall {
    const name = callee.kind === 'name' ? callee.name : callee.kind === 'attribute' ? callee.path : undefined;
    const call: PyCall = { kind: 'call', callee, ...this.arguments(argList), ...base };
    if (name !== undefined) call.name = name;
    return call;
  }

  /** An argument list's positional, keyword, `*` and `**` arguments. */
  arguments(argList: SyntaxNode | undefined): Pick<PyCall, 'args' | 'keywords' | 'varargs' | 'kwargs'> {
    const result = { args: [] as PyExpr[], keywords: new Map<string, PyExpr>(), varargs: [] as PyExpr[], kwargs: [] as PyExpr[] };
    for (const group of argList ? commaGroups(childrenOf(argList)) : []) {
      if (group[0]!.name === '**' && group[1]) result.kwargs.push(this.expression(group[1]!));
      else if (group[0]!.name === '*' && group[1]) result.varargs.push(this.expression(group[1]!));
      else if (group.length === 3 && group[0]!.name === 'VariableName' && group[1]!.name === 'AssignOp')
        result.keywords.set(this.text(group[0]!), this.expression(group[2]!));
      else result.args.push(this.group(group));
    }
    return result;
  }

  private binary(node: SyntaxNode, children: SyntaxNode[], base: PyExprBase): PyExpr {
    const [leftNode, rightNode] = [children[0], children[children.length - 1]];
    if (children.length < 3 || !leftNode || !rightNode || !isExpression(leftNode) || !isExpression(rightNode))
      return this.unknown(node.from, node.to, children);
    const left = this.expression(leftNode);
    const right = this.expression(rightNode);
    const operator = this.source.text.slice(leftNode.to, rightNode.from).trim().replace(/\s+/g, ' ');
    return (operator === '+' && concatenated(left, right, base)) || { kind: 'binary', operator, left, right, ...base };
  }

  private unary(children: SyntaxNode[], base: PyExprBase): PyExpr {
    const operand = children[1] && isExpression(children[1]) ? this.expression(children[1]) : undefined;
    const sign = this.text(children[0]!);
    if (operand?.kind === 'number' && (sign === '-' || sign === '+')) return { kind: 'number', value: sign === '-' ? -operand.value : operand.value, ...base };
    return { kind: 'unknown', inner: operand ? [operand] : [], ...base };
  }

  /** An f-string's literal pieces and `{replacements}`, as written. */
  private formatParts(node: SyntaxNode): PyFStringPart[] {
    const text = this.text(node);
    const { start, end, raw } = delimiters(text);
    const parts: PyFStringPart[] = [];
    let at = node.from + start;
    const literal = (to: number) => {
      if (to > at) parts.push({ kind: 'literal', value: formatLiteral(this.source.text.slice(at, to), raw) });
    };
    for (const child of childrenOf(node)) {
      if (child.name !== 'FormatReplacement') continue;
      literal(child.from);
      parts.push(...this.replacement(child));
      at = child.to;
    }
    literal(node.from + end);
    return mergeLiterals(parts);
  }

  private replacement(node: SyntaxNode): PyFStringPart[] {
    const children = childrenOf(node);
    const open = children[0]?.to ?? node.from;
    const tail = children.find((child) => ['FormatSelfDoc', 'FormatConversion', 'FormatSpec', '}'].includes(child.name));
    const inside = children.filter((child) => child.from >= open && child.to <= (tail?.from ?? node.to) && child.name !== '{');
    const expr = inside.length === 1 && isExpression(inside[0]!) ? this.expression(inside[0]!) : this.unknown(open, tail?.from ?? node.to, inside);
    const part: PyFStringPart = { kind: 'expression', text: this.source.text.slice(open, tail?.from ?? node.to).trim(), expr };
    const conversion = children.find((child) => child.name === 'FormatConversion');
    const spec = children.find((child) => child.name === 'FormatSpec');
    if (conversion) part.conversion = this.text(conversion).slice(1);
    if (spec) part.spec = this.text(spec).slice(1);
    const selfDoc = children.find((child) => child.name === 'FormatSelfDoc');
    // `{x=}` prints its own text before the value, as repr unless a conversion or spec says otherwise.
    if (!selfDoc) return [part];
    if (!conversion && !spec) part.conversion = 'r';
    return [{ kind: 'literal', value: this.source.text.slice(open, selfDoc.to) }, part];
  }

  /** A node's source text. */
  text(node: SyntaxNode): string {
    return this.source.text.slice(node.from, node.to);
  }
}
