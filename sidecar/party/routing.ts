import type { PartyConfig } from '../config/schema';

/** Matches a word or phrase only where it stands whole: "dj" in "need a DJ", not in "adjust". */
export function wholeWord(word: string): RegExp {
  return compiled(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`);
}

/**
 * Each expression compiled once and shared: normalisation asks for the same few words for every input of every
 * party, and agents that share a rule ("guests") share its expression, so a text is tested against it once.
 */
const expressions = new Map<string, RegExp>();

function compiled(source: string): RegExp {
  let expression = expressions.get(source);
  if (!expression) {
    if (expressions.size >= 10_000) expressions.clear();
    expressions.set(source, (expression = new RegExp(source, 'iu')));
  }
  return expression;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A number followed by one of the units: "75 guests", "12 kids". */
function numberWithUnit(units: string[]): RegExp {
  return compiled(`\\d+(?:[.,]\\d+)?\\s*(?:${units.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`);
}

/** The local classifier: each agent's `handles` rules compiled once; an input may route to several agents. */
export type Router = (text: string) => readonly string[];

interface Rule {
  name: string;
  tests: RegExp[];
}

function rulesOf(config: PartyConfig): Rule[] {
  return Object.entries(config.agents)
    .filter(([, agent]) => agent.handles)
    .map(([name, { handles }]) => ({
      name,
      tests: [
        ...(handles!.keywords ?? []).map(wholeWord),
        ...(handles!.patterns ?? []).map(compiled),
        ...(handles!.numbers?.length ? [numberWithUnit(handles!.numbers)] : []),
      ],
    }));
}

/** Tests the text against every rule, in order. */
function scanning(rules: Rule[]): Router {
  return (text) => rules.filter((rule) => rule.tests.some((test) => test.test(text))).map((rule) => rule.name);
}

/** `matches`, each shared expression tested once per text. */
function matchesOnce(rule: Rule, text: string, known: Map<RegExp, boolean>): boolean {
  for (const test of rule.tests) {
    let found = known.get(test);
    if (found === undefined) known.set(test, (found = test.test(text)));
    if (found) return true;
  }
  return false;
}

/** The reference router: every rule tested against the text. `compileRouter` must answer exactly as it does. */
export function scanRouter(config: PartyConfig): Router {
  return scanning(rulesOf(config));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is what "ASCII only" means
const asciiOnly = /^[\x00-\x7f]*$/;
const wordRun = /[\p{L}\p{N}]+/gu;
const firstWord = /^[a-z0-9]+/;
const digitThenOther = /\d(?=\D)/g;

/**
 * The words a rule can start matching at, lower-case ASCII, or undefined when the rule must always be tested (a
 * pattern, a non-ASCII keyword or unit, one that starts with neither a letter nor a digit, a unit that starts with a
 * digit). A whole-word keyword starts where a word of the text starts and that word is the keyword's first word; a
 * unit follows digits or spaces, so it starts a word of the text or follows digits inside one ("12people").
 */
function anchorsOf(config: PartyConfig, name: string): string[] | undefined {
  const handles = config.agents[name]!.handles!;
  if (handles.patterns?.length) return undefined;
  const anchors: string[] = [];
  for (const keyword of handles.keywords ?? []) {
    const word = asciiOnly.test(keyword) ? firstWord.exec(keyword.toLowerCase())?.[0] : undefined;
    if (!word) return undefined;
    anchors.push(word);
  }
  for (const unit of handles.numbers ?? []) {
    const word = asciiOnly.test(unit) ? firstWord.exec(unit.toLowerCase())?.[0] : undefined;
    if (!word || /^\d/.test(word)) return undefined;
    anchors.push(word);
  }
  return anchors;
}

/** The words of an ASCII text a rule can be anchored at: each word, and each part of a word that follows digits. */
function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const [run] of text.toLowerCase().matchAll(wordRun)) {
    words.push(run);
    for (const digit of run.matchAll(digitThenOther)) words.push(run.slice(digit.index + 1));
  }
  return words;
}

/** How many routed texts a router remembers before it starts afresh (a long-lived sidecar sees many parties). */
const rememberedTexts = 50_000;

/**
 * The router as the planner uses it: the same answers as `scanRouter`, found through an index from words to the
 * rules anchored at them, so a text is tested only against the rules it can match (500 agents, 10,000 inputs:
 * a handful of regular expressions per input instead of 500), and each distinct text is routed once.
 */
export function compileRouter(config: PartyConfig): Router {
  const rules = rulesOf(config);
  const always: number[] = [];
  const index = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    const anchors = anchorsOf(config, rule.name);
    if (!anchors) return void always.push(i);
    for (const word of new Set(anchors)) {
      const list = index.get(word);
      if (list) list.push(i);
      else index.set(word, [i]);
    }
  });
  const scan = scanning(rules);
  const remembered = new Map<string, readonly string[]>();
  const route = (text: string): readonly string[] => {
    // Case-insensitive matching reaches beyond ASCII (the long s matches "s"): such a text is tested against every rule.
    if (!asciiOnly.test(text)) return scan(text);
    const candidates = new Set(always);
    for (const word of wordsOf(text)) for (const i of index.get(word) ?? []) candidates.add(i);
    const known = new Map<RegExp, boolean>();
    return [...candidates]
      .sort((a, b) => a - b)
      .filter((i) => matchesOnce(rules[i]!, text, known))
      .map((i) => rules[i]!.name);
  };
  return (text) => {
    let agents = remembered.get(text);
    if (!agents) {
      if (remembered.size >= rememberedTexts) remembered.clear();
      remembered.set(text, (agents = Object.freeze(route(text))));
    }
    return agents;
  };
}

const routers = new WeakMap<PartyConfig, Router>();

/** The router of a loaded configuration, compiled once (a configuration is never changed after it is loaded). */
export function routerFor(config: PartyConfig): Router {
  let router = routers.get(config);
  if (!router) routers.set(config, (router = compileRouter(config)));
  return router;
}
