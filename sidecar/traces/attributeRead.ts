// Typed reads of loosely typed attributes: instrumentations send counts as ints, doubles or strings.
import type { Attributes } from './traceTypes';

/** The first of `names` that holds a non-empty string. */
export function textOf(attributes: Attributes, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = attributes[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The first of `names` that holds a finite number (or numeric text), as is. */
export function numberOf(attributes: Attributes, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = numeric(attributes[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The first of `names` that holds a count: a whole number at least 0 (fractions rounded). */
export function countOf(attributes: Attributes, names: readonly string[]): number | undefined {
  const value = numberOf(attributes, names);
  return value === undefined || value < 0 ? undefined : Math.round(value);
}

/** A number, or numeric text, as a finite number. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
