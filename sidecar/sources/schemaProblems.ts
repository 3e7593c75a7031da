import type { z } from 'zod';
import { configSchema } from '../config/schema';
import { didYouMean } from '../config/nearest';
import { keyAt, problemAt } from './json/jsonDocument';
import type { JsonDocument } from './json/jsonDocument';
import type { Problem } from '../config/problems';
import { legacySettingsProvider, providerNames, providerProfile } from '../providers/profiles';
import type { ProviderName } from '../providers/profiles';

type Path = (string | number)[];
type Issue = z.core.$ZodIssue;

/** `agents.cake.dependsOn[1]` */
export function pathText(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('') || 'the file';
}

/** A value as a user would recognise it in the file. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const expectedNames: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

/** The field names the schema allows at a path, for "did you mean" on unknown fields. */
function knownFields(path: Path): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const part of path) {
    schema = schema && childSchema(unwrap(schema), part);
  }
  const def = schema && (unwrap(schema)._zod.def as { type: string; shape?: Record<string, unknown> });
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return def.innerType && (def.type === 'optional' || def.type === 'default') ? unwrap(def.innerType) : schema;
}

function childSchema(schema: z.core.$ZodType, part: string | number): z.core.$ZodType | undefined {
  const def = schema._zod.def as {
    type: string;
    shape?: Record<string, z.core.$ZodType>;
    valueType?: z.core.$ZodType;
    element?: z.core.$ZodType;
  };
  if (def.type === 'object') return def.shape?.[String(part)];
  if (def.type === 'record') return def.valueType;
  if (def.type === 'array') return def.element;
  return undefined;
}

function unknownFieldProblem(document: JsonDocument, path: Path, key: string): Problem {
  const node = keyAt(document, [...path, key]);
  const where = path.length ? ` in ${pathText(path)}` : '';
  const message =
    key.toLowerCase().includes('key') && (path[0] === 'provider' || path[0] === 'providers')
      ? `"${key}" is not allowed: API keys never go in partycost.json; set ${keyVariable(path)} in the environment or use "Party Cost: Set API Key"`
      : `unknown field "${key}"${where}${didYouMean(key, knownFields(path))}`;
  return { severity: 'error', message, offset: node?.offset ?? 0, length: node?.length ?? 0 };
}

/** The environment variable of the provider whose settings hold a key. */
function keyVariable(path: Path): string {
  const named = path[0] === 'providers' ? String(path[1]) : legacySettingsProvider;
  const provider = (providerNames as readonly string[]).includes(named) ? (named as ProviderName) : legacySettingsProvider;
  return providerProfile(provider).keyVariables[0] ?? providerProfile(legacySettingsProvider).keyVariables[0]!;
}

function issueMessage(document: JsonDocument, issue: Issue): string {
  const path = issue.path as Path;
  const where = pathText(path);
  const value = valueAt(document, path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `missing required field "${where}"`;
      return `${where}: expected ${expectedNames[issue.expected] ?? issue.expected}, got ${describe(value)}`;
    case 'too_small':
      if (issue.origin === 'number') {
        return issue.minimum === 0 && issue.inclusive
          ? `${where}: must not be negative (got ${String(value)})`
          : `${where}: must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)} (got ${String(value)})`;
      }
      return `${where}: must not be empty`;
    case 'too_big':
      return `${where}: must be at most ${String(issue.maximum)} (got ${String(value)})`;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const suggestion = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : '';
      return `${where}: expected one of ${options.join(', ')}, got ${describe(value)}${suggestion}`;
    }
    case 'invalid_format':
      return path[path.length - 1] === 'ttl'
        ? `${where}: expected seconds or a duration such as "90s", "30m", "12h" or "7d", got ${describe(value)}`
        : `${where}: ${issue.message}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function valueAt(document: JsonDocument, path: Path): unknown {
  let value: unknown = document.value;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** Every schema issue as a problem placed on the offending value (or key, for unknown fields). */
export function schemaProblems(document: JsonDocument, issues: readonly Issue[]): Problem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => unknownFieldProblem(document, issue.path as Path, key))
      : [problemAt(document, issue.path as Path, issueMessage(document, issue))],
  );
}
