import { loadConfigText, problemLines } from '../sidecar/sources/load';

/** Every problem of a configuration text as `partycost.json:line:column: message`. */
export function problemsOf(text: string): string[] {
  return problemLines(loadConfigText(text, 'partycost.json'));
}

/** A configuration with the given agents (and top-level fields) as pretty JSON, one field per line. */
export function configText(agents: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return JSON.stringify({ defaults: { model: 'gpt-4o-mini' }, ...top, agents }, null, 2);
}

/** Stands for the end of the text in `at`. */
export const endOfText = Symbol('end of text');

/** `partycost.json:line:column` of the `nth` occurrence (0-based) of `needle` in `text`. */
export function at(text: string, needle: string | typeof endOfText, nth = 0): string {
  let offset = needle === endOfText ? text.length : -1;
  for (let i = 0; i <= nth && needle !== endOfText; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, offset).split('\n');
  return `partycost.json:${before.length}:${before[before.length - 1].length + 1}`;
}
