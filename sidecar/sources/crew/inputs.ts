/** A crew's `{placeholder}` in CrewAI text (a Python identifier between single braces). */
const crewPlaceholder = /(?<!\{)\{([A-Za-z_]\w*)\}(?!\})/g;

/** Each `{name}` of a CrewAI text, with its index in the text. */
export function crewPlaceholders(text: string): { name: string; index: number; length: number }[] {
  return [...text.matchAll(crewPlaceholder)].map((match) => ({ name: match[1]!, index: match.index ?? 0, length: match[0].length }));
}

/** The text as our templates write it: each `{name}` becomes `{{input.name}}`, filled from the party's `name=value` input. */
export function toTemplate(text: string): string {
  return text.replace(crewPlaceholder, (_, name: string) => `{{input.${name}}}`);
}
