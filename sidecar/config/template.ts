/** A `{{name}}` placeholder in a prompt template, with its offset in the template string. */
export interface Placeholder {
  name: string;
  index: number;
  length: number;
}

/** The placeholder every prompt may use: the inputs routed to the agent. */
export const inputsPlaceholder = 'inputs';

/**
 * `{{input.NAME}}`: the value of the routed input written `NAME=value` (or `NAME: value`), as a crew's `{NAME}` is
 * filled from its inputs.
 */
export const namedInputPrefix = 'input.';

const placeholderPattern = /\{\{\s*((?:input\.)?[A-Za-z_][\w-]*)\s*\}\}/g;

export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(placeholderPattern)].map((match) => ({
    name: match[1]!,
    index: match.index ?? 0,
    length: match[0].length,
  }));
}

/** Whether a placeholder is filled from the party's inputs (`{{inputs}}` or `{{input.NAME}}`), not an upstream result. */
export function isInputPlaceholder(name: string): boolean {
  return name === inputsPlaceholder || name.startsWith(namedInputPrefix);
}

/** The value of the named input among an agent's inputs (`NAME=value`, `NAME: value`), or undefined. */
export function namedInput(inputs: readonly string[], name: string): string | undefined {
  const key = name.toLowerCase();
  for (const input of inputs) {
    const match = /^\s*([A-Za-z_][\w-]*)\s*[=:]\s*(.*)$/s.exec(input);
    if (match?.[1]?.toLowerCase() === key) return (match[2] ?? '').trim();
  }
  return undefined;
}

/** The template with every placeholder replaced by `fill(name)`. */
export function fillTemplate(template: string, fill: (name: string) => string): string {
  return template.replace(placeholderPattern, (_, name: string) => fill(name));
}
