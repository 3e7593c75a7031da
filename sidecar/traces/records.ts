// The records of an export file, each with its line, whatever holds them: a JSON array, JSON lines, one JSON object
// or CSV with a header. A record that cannot be read becomes a problem with its line; the others are still read.
import { parse as parseCsv } from 'csv-parse/sync';

/** How a file holds its records. */
export type Container = 'json' | 'jsonl' | 'csv';

/** One record and the line of the file it starts on (1-based; for CSV, the line it ends on). */
export interface SourceRecord {
  line: number;
  fields: Record<string, unknown>;
}

/** A part of a file that could not be read or used, by line (1-based). */
export interface ImportProblem {
  line: number;
  message: string;
}

/** A file's records and its problems. */
export interface RecordsRead {
  records: SourceRecord[];
  problems: ImportProblem[];
}

/**
 * JSON lines if the first line is a JSON object by itself and more follow; JSON if the text starts with `[` or `{`
 * (a pretty-printed object, whose mistakes are then reported once, not on every line); else CSV.
 */
export function containerOf(text: string): Container {
  const start = text.trimStart();
  if (start[0] === '[') return 'json';
  if (start[0] !== '{') return 'csv';
  const firstLine = start.split('\n', 1)[0] ?? '';
  if (firstLine.length === start.trimEnd().length) return 'json';
  try {
    JSON.parse(firstLine);
    return 'jsonl';
  } catch {
    return 'json';
  }
}

/** Every record of the text, read as `container` holds them. */
export function readRecords(text: string, container: Container): RecordsRead {
  if (container === 'csv') return csvRecords(text);
  const read: RecordsRead = { records: [], problems: [] };
  const pieces = container === 'jsonl' ? jsonLines(text) : jsonPieces(text);
  for (const { line, text: piece } of pieces) {
    try {
      const value: unknown = JSON.parse(piece);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) read.records.push({ line, fields: value as Record<string, unknown> });
      else read.problems.push({ line, message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : String(value)}` });
    } catch (error) {
      read.problems.push({ line: line + linesBefore(piece, (error as Error).message), message: `not JSON: ${(error as Error).message}` });
    }
  }
  return read;
}

/** The line number of a 0-based offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function jsonLines(text: string): { line: number; text: string }[] {
  return text.split('\n').flatMap((line, index) => (line.trim() === '' ? [] : [{ line: index + 1, text: line }]));
}

/**
 * A JSON document's records as texts with their lines: the elements of a top-level array, found by following
 * strings and nesting only (each is parsed on its own, so one broken element costs only itself), or the whole text.
 */
function jsonPieces(text: string): { line: number; text: string }[] {
  const open = text.search(/\S/);
  if (text[open] !== '[') return [{ line: lineAt(text, open), text }];
  const pieces: { line: number; text: string }[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  const close = (end: number) => {
    if (start !== -1) pieces.push({ line: lineAt(text, start), text: text.slice(start, end) });
    start = -1;
  };
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 0 && (c === ',' || c === ']')) {
      close(i);
      if (c === ']') return pieces;
      continue;
    }
    if (start === -1 && !/\s/.test(c)) start = i;
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  close(text.length);
  return pieces;
}

/** How many lines into a piece JSON.parse's error points (`… at position 12`), 0 when it does not say. */
function linesBefore(piece: string, message: string): number {
  const position = /position (\d+)/.exec(message);
  return position ? lineAt(piece, Number(position[1])) - 1 : 0;
}

function csvRecords(text: string): RecordsRead {
  const read: RecordsRead = { records: [], problems: [] };
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, {
      columns: true,
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        read.problems.push(csvProblem(error));
        return undefined;
      },
    }) as typeof rows;
  } catch (error) {
    read.problems.push(csvProblem(error as Error));
    return read;
  }
  for (const { record, info } of rows) read.records.push({ line: info.lines, fields: record });
  return read;
}

function csvProblem(error: (Error & { lines?: unknown }) | undefined): ImportProblem {
  return { line: Number(error?.lines) || 1, message: `not CSV: ${error?.message ?? 'unreadable record'}` };
}
