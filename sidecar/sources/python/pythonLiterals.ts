import type { PyExpr, PyExprBase, PyFStringPart } from './pythonModel';

/** A string literal's prefix letters (lower case) and where its body stands within the literal's text. */
export interface StringDelimiters {
  raw: boolean;
  bytes: boolean;
  format: boolean;
  /** The body: between the opening and closing quotes. */
  start: number;
  end: number;
}

/** Reads a literal's prefix and quotes; an unterminated literal's body runs to the end of its text. */
export function delimiters(literal: string): StringDelimiters {
  const prefix = /^[A-Za-z]*/.exec(literal)![0].toLowerCase();
  const rest = literal.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
  const start = prefix.length + quote.length;
  const closed = literal.length - quote.length >= start && literal.endsWith(quote);
  return {
    raw: prefix.includes('r'),
    bytes: prefix.includes('b'),
    format: prefix.includes('f'),
    start,
    end: closed ? literal.length - quote.length : literal.length,
  };
}

const simpleEscapes: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * The value of a literal's body with Python's escapes applied (none in a raw literal). `\N{name}` stays as written:
 * resolving it needs the Unicode name table. An escape Python does not know keeps its backslash, as Python does.
 */
export function pythonUnescape(body: string, raw: boolean, bytes: boolean): string {
  if (raw || !body.includes('\\')) return body;
  return body.replace(/\\(\n|[\\'"abfnrtv]|[0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S]?)/g, (whole: string, sequence: string) => {
    if (sequence in simpleEscapes) return simpleEscapes[sequence]!;
    if (/^[0-7]/.test(sequence)) return String.fromCharCode(parseInt(sequence, 8));
    if (sequence[0] === 'x') return String.fromCharCode(parseInt(sequence.slice(1), 16));
    if (!bytes && (sequence[0] === 'u' || sequence[0] === 'U') && sequence.length > 1) {
      const code = parseInt(sequence.slice(1), 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return whole;
  });
}

/** The value of one plain (not f-) string literal, as its source text writes it. */
export function stringValue(literal: string): { value: string; bytes: boolean } {
  const d = delimiters(literal);
  return { value: pythonUnescape(literal.slice(d.start, d.end), d.raw, d.bytes), bytes: d.bytes };
}

/** A piece of an f-string's body outside its replacements: escapes applied, `{{` and `}}` halved. */
export function formatLiteral(piece: string, raw: boolean): string {
  // Halved before escapes apply: `\x7b\x7b` is two braces.
  return piece
    .split(/(\{\{|\}\})/)
    .map((part, i) => (i % 2 === 1 ? part[0] : pythonUnescape(part, raw, false)))
    .join('');
}

/** A number literal's value (`1_000`, `0x1F`, `1e3`); an imaginary one is `unknown`. */
export function numberOf(base: PyExprBase): PyExpr {
  const digits = base.text.replace(/_/g, '');
  if (/[jJ]$/.test(digits)) return { kind: 'unknown', inner: [], ...base };
  const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10;
  return { kind: 'number', value: radix === 10 ? Number(digits) : parseInt(digits.slice(2), radix), ...base };
}

/** F-string parts with adjacent literals joined and empty ones dropped. */
export function mergeLiterals(parts: PyFStringPart[]): PyFStringPart[] {
  const merged: PyFStringPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (part.kind === 'literal' && last?.kind === 'literal') merged[merged.length - 1] = { kind: 'literal', value: last.value + part.value };
    else if (part.kind !== 'literal' || part.value !== '') merged.push(part);
  }
  return merged;
}

/** `"a" "b"` or `"a" + "b"` (an f-string among them makes an f-string); undefined when either is not a literal. */
export function concatenated(left: PyExpr, right: PyExpr, base: PyExprBase): PyExpr | undefined {
  if (left.kind === 'string' && right.kind === 'string') {
    return left.bytes
      ? { kind: 'string', value: left.value + right.value, bytes: true, ...base }
      : { kind: 'string', value: left.value + right.value, ...base };
  }
  const partsOf = (expr: PyExpr): PyFStringPart[] | undefined =>
    expr.kind === 'fstring' ? expr.parts : expr.kind === 'string' ? [{ kind: 'literal', value: expr.value }] : undefined;
  const [leftParts, rightParts] = [partsOf(left), partsOf(right)];
  return leftParts && rightParts ? { kind: 'fstring', parts: mergeLiterals([...leftParts, ...rightParts]), ...base } : undefined;
}
