import { countText } from '../cost/tokens';
import type { EncodingName } from '../cost/tokens';

/** At most this many `Key: value` lines of a result are kept in its summary. */
export const summaryFieldLimit = 4;

// A short key (one to four words, the colon right after it), then a value on the same line: "Cost: $123",
// "Total guests: 75".
const fieldPattern = /^[ \t]*[A-Za-z][\w()/.&'-]*(?: [\w()/.&'-]+){0,3}:[ \t]+\S/;
const maxFieldLength = 160;

/** The short text that stands for a result left out: its agent and the first 8 hex digits of its hash. */
export function referenceText(agent: string, hash: string): string {
  return `[result of ${agent}: sha256 ${hash.slice(0, 8)}, not included to fit the context budget]`;
}

/** The first line of every summary, so the model knows the text after it is shortened. */
export function summaryHeader(agent: string, hash: string): string {
  return `[shortened result of ${agent}: sha256 ${hash.slice(0, 8)}]`;
}

/** The indices of the first `summaryFieldLimit` lines that look like `Key: value`. */
export function fieldLines(lines: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < lines.length && found.length < summaryFieldLimit; i++) {
    const line = lines[i]!;
    if (line.length <= maxFieldLength && fieldPattern.test(line)) found.push(i);
  }
  return found;
}

export interface Summary {
  text: string;
  tokens: number;
}

/**
 * Summaries of one result at any size: the header, the extracted fields that fit, then the beginning of the rest of
 * the text cut at a word (or, when not even one word fits, a character) so that the whole summary counts at most
 * `target` tokens; a cut is marked with "…". `summarize(target)` is null when not even the header fits.
 *
 * The fields and the word boundaries are found once per result, and each size once; a size is a search over the
 * cut that starts where the whole result's characters per token (`wholeTokens`) put it and counts every candidate
 * exactly, so a returned summary is never over its target.
 */
export function resultSummarizer(
  agent: string,
  output: string,
  hash: string,
  encoding: EncodingName,
  wholeTokens?: number,
): (target: number) => Summary | null {
  const lines = output.split('\n');
  const fieldIndices = fieldLines(lines);
  const fields = fieldIndices.map((i) => lines[i]!.trim());
  const fieldSet = new Set(fieldIndices);
  const rest = lines
    .filter((_, i) => !fieldSet.has(i))
    .join('\n')
    .trim();
  const wordEnds: number[] = [];
  for (const match of rest.matchAll(/\S+/g)) wordEnds.push(match.index + match[0].length);
  const header = summaryHeader(agent, hash);

  // Where a cut of n tokens is likely to fall, from the characters per token of the whole result.
  const charsPerToken = output.length / Math.max(1, wholeTokens ?? output.length / 4);
  const wordsWithin = (tokens: number): number => {
    const chars = tokens * charsPerToken;
    let low = 0;
    let high = wordEnds.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (wordEnds[middle - 1]! <= chars) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const summaries = new Map<number, Summary | null>();

  const summarize = (target: number): Summary | null => {
    const counted = new Map<string, number>();
    const count = (text: string): number => {
      let tokens = counted.get(text);
      if (tokens === undefined) counted.set(text, (tokens = countText(text, encoding)));
      return tokens;
    };
    let prefix = header;
    if (count(prefix) > target) return null;
    for (const field of fields) {
      const candidate = `${prefix}\n${field}`;
      if (count(candidate) <= target) prefix = candidate;
    }
    if (rest === '') return { text: prefix, tokens: count(prefix) };

    // Every word of the rest is at least one token of the summary, so no more than `target` words can fit.
    const withWords = (words: number): string =>
      words >= wordEnds.length ? `${prefix}\n${rest}` : `${prefix}\n${rest.slice(0, words === 0 ? 0 : wordEnds[words - 1])}…`;
    const empty = count(withWords(0));
    const guess = empty > target ? 0 : wordsWithin(target - empty);
    const best = largestWithin(Math.min(wordEnds.length, target), target, (words) => count(withWords(words)), guess);
    if (best === null) return { text: prefix, tokens: count(prefix) };
    if (best > 0) {
      const text = withWords(best);
      return { text, tokens: count(text) };
    }
    // Not one word fits: cut the first word by characters (whole code points; a token is rarely over 8 of them).
    const firstWord = [...rest.slice(0, Math.min(wordEnds[0]!, 8 * target + 8))];
    const withChars = (chars: number): string => `${prefix}\n${firstWord.slice(0, chars).join('')}…`;
    const chars = largestWithin(Math.min(firstWord.length - 1, 8 * target), target, (n) => count(withChars(n))) ?? 0;
    const text = withChars(chars);
    return { text, tokens: count(text) };
  };
  return (target) => {
    let summary = summaries.get(target);
    if (summary === undefined) {
      if (summaries.size >= 32) summaries.clear();
      summaries.set(target, (summary = summarize(target)));
    }
    return summary;
  };
}

/**
 * The largest n in 0..max whose value(n) is at most target (value taken as non-decreasing); null when value(0) is
 * over. Token counts grow about linearly with the cut, so the search probes `guess` first, then interpolates between
 * the nearest values known to fit and not to fit (or extrapolates from the slope so far): a few probes instead of a
 * bisection's dozen. After three probes in a row that failed to halve the interval it bisects once, so the worst
 * case stays logarithmic.
 */
function largestWithin(max: number, target: number, value: (n: number) => number, guess?: number): number | null {
  const zeroValue = value(0);
  if (zeroValue > target) return null;
  let low = 0;
  let lowValue = zeroValue;
  let high = Math.max(0, max) + 1; // the smallest n known not to fit (max + 1: none known yet)
  let highValue = Number.POSITIVE_INFINITY;
  let slow = 0;
  let first = true;
  while (high - low > 1) {
    const width = high - low;
    let probe: number;
    if (first && guess !== undefined) probe = guess;
    else if (slow >= 3) probe = low + Math.floor(width / 2);
    else if (highValue !== Number.POSITIVE_INFINITY) probe = low + Math.floor(((target - lowValue) * width) / (highValue - lowValue));
    else {
      const slope = low > 0 && lowValue > zeroValue ? (lowValue - zeroValue) / low : 1;
      probe = low + Math.floor((target - lowValue) / slope);
    }
    first = false;
    probe = Math.min(high - 1, Math.max(low + 1, probe));
    const probed = value(probe);
    if (probed <= target) {
      low = probe;
      lowValue = probed;
    } else {
      high = probe;
      highValue = probed;
    }
    slow = slow >= 3 || high - low <= width / 2 ? 0 : slow + 1;
  }
  return low;
}
