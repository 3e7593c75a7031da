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

/**
 * The inputs a crew's `main.py` passes (`inputs = { 'topic': 'AI LLMs', … }`, as `crewai create crew` writes it): each
 * key, with its value when it is a string literal. Every `inputs = {…}` of the file counts (run, train, test…).
 */
export function mainPyInputs(text: string): Map<string, string | null> {
  const inputs = new Map<string, string | null>();
  for (const start of text.matchAll(/\binputs\s*=\s*\{/g)) {
    let depth = 0;
    let end = -1;
    for (let i = (start.index ?? 0) + start[0].length - 1; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) continue;
    const body = text.slice((start.index ?? 0) + start[0].length, end);
    for (const pair of body.matchAll(/["']([A-Za-z_]\w*)["']\s*:\s*(?:(["'])((?:(?!\2)[^\\\n]|\\.)*)\2)?/g)) {
      const name = pair[1]!;
      if (!inputs.has(name) || inputs.get(name) === null) inputs.set(name, pair[3] ?? null);
    }
  }
  return inputs;
}
