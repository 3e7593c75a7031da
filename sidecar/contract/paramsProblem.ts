/** Why params do not fit their schema, worded field by field: shared by both contracts, with nothing else imported. */
import type { ZodMiniType } from 'zod/mini';

interface Issue {
  code: string;
  path: PropertyKey[];
  expected?: string;
  keys?: string[];
  values?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  message?: string;
}

/** Why a value does not fit a schema, in one line naming the field and what it takes; undefined when it fits. */
export function paramsProblem(schema: ZodMiniType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  return (result.error.issues as Issue[]).map((issue) => describe(issue, value)).join('; ');
}

function describe(issue: Issue, value: unknown): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : 'params';
  const given = at(value, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return `${field}: expected ${expectedText(issue.expected ?? 'a value')}, not ${kind(given)}`;
    case 'unrecognized_keys':
      return `${field}: unknown field${issue.keys!.length === 1 ? '' : 's'} ${issue.keys!.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_format':
      return `${field}: must be ${issue.message === 'Invalid input' ? 'in another format' : issue.message}, not ${JSON.stringify(given)}`;
    case 'too_small':
      return issue.origin === 'string' ? `${field}: must not be empty` : `${field}: must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `${field}: must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `${field}: must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(given) ?? kind(given)}`;
    default:
      return `${field}: not a valid value (${issue.code})`;
  }
}

function at(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
}

function expectedText(expected: string): string {
  const named: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
  };
  return named[expected] ?? expected;
}

/** What a value is, as a sentence names it. */
function kind(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return `${value}`;
  return `an ${typeof value}`;
}
