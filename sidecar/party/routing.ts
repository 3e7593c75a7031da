import type { PartyConfig } from '../config/schema';

/** Matches a word or phrase only where it stands whole: "dj" in "need a DJ", not in "adjust". */
export function wholeWord(word: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'iu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A number followed by one of the units: "75 guests", "12 kids". */
function numberWithUnit(units: string[]): RegExp {
  return new RegExp(`\\d+(?:[.,]\\d+)?\\s*(?:${units.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

/** The local classifier: each agent's `handles` rules compiled once; an input may route to several agents. */
export type Router = (text: string) => string[];

export function compileRouter(config: PartyConfig): Router {
  const rules = Object.entries(config.agents)
    .filter(([, agent]) => agent.handles)
    .map(([name, { handles }]) => ({
      name,
      tests: [
        ...(handles!.keywords ?? []).map(wholeWord),
        ...(handles!.patterns ?? []).map((pattern) => new RegExp(pattern, 'iu')),
        ...(handles!.numbers?.length ? [numberWithUnit(handles!.numbers)] : []),
      ],
    }));
  return (text) => rules.filter((rule) => rule.tests.some((test) => test.test(text))).map((rule) => rule.name);
}
