// A record's fields by name, whichever way the exporter spelled it: `request_id`, `requestId` and `RequestId` are one
// field (API exports use camelCase, database and blob exports snake_case). Values come typed from JSON or as text from
// CSV, where objects are JSON text: both are read the same.
import { numeric } from './attributeRead';

/** One record's fields. */
export class RecordFields {
  private readonly byName = new Map<string, unknown>();

  constructor(fields: Record<string, unknown>) {
    for (const [name, value] of Object.entries(fields)) this.byName.set(fold(name), value);
  }

  /** Whether the record has the field, empty or not. */
  has(name: string): boolean {
    return this.byName.has(fold(name));
  }

  /** The first of the fields that is set (not missing, null or empty text). */
  value(...names: string[]): unknown {
    for (const name of names) {
      const value = this.byName.get(fold(name));
      if (value !== undefined && value !== null && value !== '') return value;
    }
    return undefined;
  }

  /** The first field holding text (a number is written as text). */
  text(...names: string[]): string | undefined {
    const value = this.value(...names);
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  }

  /** The first field holding a finite number, or numeric text. */
  number(...names: string[]): number | undefined {
    return numeric(this.value(...names));
  }

  /** The first field holding an object, or JSON text of one. */
  object(...names: string[]): Record<string, unknown> | undefined {
    return objectOf(this.value(...names));
  }

  /** The first field holding a truth: `true`, `True`, `1`. */
  flag(...names: string[]): boolean {
    const value = this.value(...names);
    return value === true || value === 1 || (typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim()));
  }
}

/** An object, or JSON text of one; anything else is undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** A count in an object's field: a whole number at least 0. */
export function countIn(object: Record<string, unknown> | undefined, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = numeric(object?.[name]);
    if (value !== undefined && value >= 0) return Math.round(value);
  }
  return undefined;
}

function fold(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}
