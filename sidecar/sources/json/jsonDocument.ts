import { parseTree, printParseErrorCode, getNodeValue, findNodeAtLocation } from 'jsonc-parser';
import type { Node, ParseError, JSONPath } from 'jsonc-parser';
import { LineIndex } from '../../config/problems';
import type { Problem } from '../../config/problems';

/** A parsed JSON-with-comments document that keeps every value's position. */
export interface JsonDocument {
  text: string;
  root: Node | undefined;
  value: unknown;
  lines: LineIndex;
  /** Syntax errors: when there are any, the tree is a best effort and not worth checking further. */
  syntaxProblems: Problem[];
  duplicateKeys: Problem[];
}

const syntaxMessages: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected content after the end of the document',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

function syntaxProblem(error: ParseError): Problem {
  const code = printParseErrorCode(error.error);
  return {
    severity: 'error',
    message: `malformed JSON: ${syntaxMessages[code] ?? code}`,
    offset: error.offset,
    length: error.length,
  };
}

/** Duplicate keys are legal for the JSON parser (the last wins) but always a mistake in a configuration. */
function duplicateKeyProblems(node: Node | undefined, path: JSONPath, lines: LineIndex, problems: Problem[]): void {
  if (!node) return;
  if (node.type === 'object') {
    const seen = new Map<string, Node>();
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key) continue;
      const name = String(key.value);
      const first = seen.get(name);
      if (first) problems.push(duplicateKey(path, name, key, lines.position(first.offset).line));
      else seen.set(name, key);
      duplicateKeyProblems(value, [...path, name], lines, problems);
    }
  } else if (node.type === 'array') {
    node.children?.forEach((child, i) => duplicateKeyProblems(child, [...path, i], lines, problems));
  }
}

function duplicateKey(path: JSONPath, name: string, key: Node, firstLine: number): Problem {
  const what = path.length === 1 && path[0] === 'agents' ? `duplicate agent "${name}"` : `duplicate field "${name}"`;
  return {
    severity: 'error',
    message: `${what} (first defined on line ${firstLine})`,
    offset: key.offset,
    length: key.length,
  };
}

export function parseDocument(text: string): JsonDocument {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const lines = new LineIndex(text);
  const duplicateKeys: Problem[] = [];
  duplicateKeyProblems(root, [], lines, duplicateKeys);
  return { text, root, value: root ? getNodeValue(root) : undefined, lines, syntaxProblems: errors.map(syntaxProblem), duplicateKeys };
}

/** The node at a path, or its nearest existing ancestor, so a problem always has a place to point at. */
export function nodeAt(document: JsonDocument, path: JSONPath): Node | undefined {
  if (!document.root) return undefined;
  for (let length = path.length; length >= 0; length--) {
    const node = findNodeAtLocation(document.root, path.slice(0, length));
    if (node) return node;
  }
  return document.root;
}

/** The key node of the property at a path (for problems about a name rather than a value). */
export function keyAt(document: JsonDocument, path: JSONPath): Node | undefined {
  const value = nodeAt(document, path);
  const property = value?.parent;
  const [key, propertyValue] = property?.type === 'property' ? (property.children ?? []) : [];
  return key && propertyValue === value ? key : value;
}

export function problemAt(document: JsonDocument, path: JSONPath, message: string, severity: Problem['severity'] = 'error'): Problem {
  const node = nodeAt(document, path);
  return { severity, message, offset: node?.offset ?? 0, length: node?.length ?? 0 };
}
