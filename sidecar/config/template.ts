/** A `{{name}}` placeholder in a prompt template, with its offset in the template string. */
export interface Placeholder {
  name: string;
  index: number;
  length: number;
}

/** The placeholder every prompt may use: the inputs routed to the agent. */
export const inputsPlaceholder = 'inputs';

const placeholderPattern = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;

export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(placeholderPattern)].map((match) => ({
    name: match[1],
    index: match.index ?? 0,
    length: match[0].length,
  }));
}

/** The template with every placeholder replaced by `fill(name)`. */
export function fillTemplate(template: string, fill: (name: string) => string): string {
  return template.replace(placeholderPattern, (_, name: string) => fill(name));
}
