import type { Node, Pair } from 'yaml';
import { LineIndex } from '../../config/problems';
import type { Problem } from '../../config/problems';

/** A place in a file's text. */
export interface Span {
  offset: number;
  length: number;
}

/** One field of an entry: its plain value and where the value (and its key) stand. */
export interface YamlField {
  value: unknown;
  span: Span;
  key: Span;
  node: Node | null;
}

/** One top-level entry of a CrewAI YAML file (an agent or a task): its name, where its key stands, its fields. */
export interface YamlEntry {
  name: string;
  key: Span;
  /** The whole entry, key to end of value. */
  span: Span;
  fields: Map<string, YamlField>;
}

/** A CrewAI YAML file read with positions: its top-level entries in file order and its problems. */
export interface YamlFile {
  path: string;
  /** As shown to the user, and as problems name it. */
  name: string;
  text: string;
  lines: LineIndex;
  entries: YamlEntry[];
  problems: Problem[];
  /** The text is not YAML (its syntax errors are among the problems): its entries are not worth checking. */
  malformed: boolean;
}

export function spanOf(node: { range?: [number, number, number] | null } | null | undefined): Span {
  const range = node?.range;
  return range ? { offset: range[0], length: Math.max(0, range[1] - range[0]) } : { offset: 0, length: 0 };
}

/** The first line of one of yaml's messages, without its "at line …" tail (the position says it). */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

type YamlLibrary = typeof import('yaml');
let library: YamlLibrary | undefined;

/** The YAML library, required on first use: only a crew needs it, so a start reads and compiles none of it. */
function yaml(): YamlLibrary {
  return (library ??= require('yaml') as YamlLibrary);
}

/** Parses a CrewAI YAML file; `what` names its entries in messages ("agent", "task"). */
export function readYamlFile(path: string, name: string, text: string, what: string): YamlFile {
  const { isMap, parseDocument, isScalar } = yaml();
  const lines = new LineIndex(text);
  const document = parseDocument(text, { prettyErrors: false });
  const problems: Problem[] = [
    ...document.errors.map((error) => ({
      severity: 'error' as const,
      file: name,
      message: `malformed YAML: ${yamlMessage(error.message)}`,
      offset: error.pos[0],
      length: Math.max(0, error.pos[1] - error.pos[0]),
    })),
    ...document.warnings.map((warning) => ({
      severity: 'warning' as const,
      file: name,
      message: `YAML: ${yamlMessage(warning.message)}`,
      offset: warning.pos[0],
      length: Math.max(0, warning.pos[1] - warning.pos[0]),
    })),
  ];
  const entries: YamlEntry[] = [];
  const malformed = document.errors.length > 0;
  if (!malformed) clipAtEnd(document, text);
  // Values with their aliases resolved, at most 100 of them (a file of nested aliases would otherwise expand without end).
  let data: unknown;
  try {
    data = malformed ? undefined : document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    problems.push({ severity: 'error', file: name, message: `YAML: ${(error as Error).message}`, offset: 0, length: 0 });
    return { path, name, text, lines, entries, problems, malformed: true };
  }
  const contents = document.contents;
  if (malformed) {
    // Nothing is guessed from a text that does not parse.
  } else if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    problems.push({ severity: 'error', file: name, message: `no ${what}s: expected a mapping of ${what} names to their fields`, offset: 0, length: 0 });
  } else if (!isMap(contents)) {
    problems.push({ severity: 'error', file: name, message: `expected a mapping of ${what} names to their fields`, ...spanOf(contents) });
  } else {
    for (const pair of contents.items as Pair<Node, Node | null>[]) {
      const entry = entryOf(pair, name, what, problems, data as Record<string, unknown>);
      if (entry) entries.push(entry);
    }
  }
  return { path, name, text, lines, entries, problems, malformed };
}

/**
 * A block scalar (`>` or `|`) with clip chomping that ends the file without a line break has no final line break
 * (YAML 1.2 §8.1.1.2; PyYAML, which CrewAI reads with, agrees), where the yaml library gives it one: CrewAI's
 * template agents.yaml ends so, and its last backstory is sent without "\n".
 */
function clipAtEnd(document: ReturnType<YamlLibrary['parseDocument']>, text: string): void {
  if (text.endsWith('\n') || text.endsWith('\r')) return;
  const { visit } = yaml();
  visit(document, {
    Scalar(_, node) {
      const range = node.range;
      if (!range || (node.type !== 'BLOCK_FOLDED' && node.type !== 'BLOCK_LITERAL') || typeof node.value !== 'string') return;
      const header = /^[|>]([-+]?)\d*([-+]?)/.exec(text.slice(range[0]));
      const chomping = (header?.[1] ?? '') + (header?.[2] ?? '');
      if (chomping === '' && range[1] >= text.trimEnd().length && node.value.endsWith('\n')) node.value = node.value.slice(0, -1);
    },
  });
}

function entryOf(pair: Pair<Node, Node | null>, file: string, what: string, problems: Problem[], data: Record<string, unknown>): YamlEntry | undefined {
  const { isMap, isScalar } = yaml();
  const keySpan = spanOf(pair.key);
  if (!isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number')) {
    problems.push({ severity: 'error', file, message: `a ${what} name must be plain text`, ...keySpan });
    return undefined;
  }
  const name = String(pair.key.value);
  const end = pair.value?.range?.[1] ?? keySpan.offset + keySpan.length;
  const span = { offset: keySpan.offset, length: end - keySpan.offset };
  const fields = new Map<string, YamlField>();
  if (!isMap(pair.value)) {
    problems.push({
      severity: 'error',
      file,
      message: `${what} "${name}" must be a mapping of its fields (${what === 'task' ? 'description, expected_output, agent…' : 'role, goal, backstory…'})`,
      ...(pair.value ? spanOf(pair.value) : keySpan),
    });
    return { name, key: keySpan, span, fields };
  }
  const values = (data?.[name] ?? {}) as Record<string, unknown>;
  for (const field of pair.value.items as Pair<Node, Node | null>[]) {
    if (!isScalar(field.key)) continue;
    const value = field.value === null ? null : (values[String(field.key.value)] ?? null);
    fields.set(String(field.key.value), { value, span: field.value ? spanOf(field.value) : spanOf(field.key), key: spanOf(field.key), node: field.value });
  }
  return { name, key: keySpan, span, fields };
}

/** The items of a list field with their places (each item's own, or the field's when it is an alias). */
export function sequenceItems(field: YamlField | undefined): { value: unknown; span: Span }[] {
  if (!field || !Array.isArray(field.value)) return [];
  const items = field.node && yaml().isSeq(field.node) ? (field.node.items as Node[]) : [];
  return (field.value as unknown[]).map((value, i) => ({ value, span: items[i] ? spanOf(items[i]) : field.span }));
}
