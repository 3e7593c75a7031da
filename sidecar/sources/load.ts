import { readFileSync } from 'node:fs';
import { stripComments } from 'jsonc-parser';
import { configSchema } from '../config/schema';
import type { PartyConfig } from '../config/schema';
import { semanticProblems } from './checks';
import { parseDocument } from './parse';
import type { JsonDocument } from './parse';
import { formatProblem, sortProblems } from '../config/problems';
import type { Problem } from '../config/problems';
import { schemaProblems } from './schemaProblems';
import { priceBook } from '../cost/prices';
import type { PriceBook } from '../cost/prices';

/** A configuration file read and checked: the config itself only when it has no errors. */
export interface LoadedConfig {
  file: string;
  document: JsonDocument;
  config?: PartyConfig;
  prices: PriceBook;
  problems: Problem[];
}

/** The file name every workspace uses unless told otherwise. */
export const configFileName = 'partycost.json';

/** Checks a configuration's text; every problem is reported, not just the first. */
export function loadConfigText(text: string, file: string): LoadedConfig {
  const document = parseDocument(text);
  if (document.syntaxProblems.length > 0 || document.root === undefined) {
    // No value at all: an empty file (or only comments), or text that is not JSON.
    const empty = stripComments(text).trim() === '';
    const problems = empty ? [{ severity: 'error' as const, message: 'empty file: expected a JSON object', offset: 0, length: 0 }] : document.syntaxProblems;
    const notJson = document.root === undefined && !empty ? [{ severity: 'error' as const, message: 'not JSON: expected an object, { "agents": { … } }', offset: 0, length: 0 }] : [];
    return { file, document, prices: priceBook(), problems: sortProblems([...notJson, ...problems, ...document.duplicateKeys]) };
  }
  const parsed = configSchema.safeParse(document.value);
  const prices = priceBook(parsed.success ? parsed.data : pricesOnly(document.value));
  const problems = sortProblems([
    ...document.duplicateKeys,
    ...(parsed.success ? [] : schemaProblems(document, parsed.error.issues)),
    ...semanticProblems(document, prices),
  ]);
  const ok = parsed.success && !problems.some((problem) => problem.severity === 'error');
  return { file, document, config: ok ? parsed.data : undefined, prices, problems };
}

/** The price overrides of a configuration that failed elsewhere, so model checks still know its models. */
function pricesOnly(value: unknown): Pick<PartyConfig, 'prices'> {
  const prices = configSchema.shape.prices.safeParse((value as { prices?: unknown } | null)?.prices);
  return { prices: prices.success ? prices.data : undefined };
}

export function loadConfigFile(file: string, displayName = file): LoadedConfig {
  return loadConfigText(readFileSync(file, 'utf8'), displayName);
}

/** `file:line:column: message` for each problem, in file order. */
export function problemLines(loaded: LoadedConfig): string[] {
  return loaded.problems.map((problem) => formatProblem(loaded.file, loaded.document.lines, problem));
}
