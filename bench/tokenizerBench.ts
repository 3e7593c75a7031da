import { getEncoding } from 'js-tiktoken';
import { clearMergeCache } from 'gpt-tokenizer/encoding/o200k_base';
import { countText } from '../sidecar/cost/tokens';
import { figure, medianMs, report, seeded } from './measure';

const vocabulary = [
  'the',
  'party',
  'guests',
  'will',
  'arrive',
  'at',
  'noon',
  'and',
  'a',
  'jungle',
  'theme',
  'with',
  'chocolate',
  'cake',
  'balloon',
  'artist',
  'catering',
  'for',
  '75',
  'people',
  'budget',
  'venue',
  'garden',
  'music',
  'naïve',
  'café',
  'crème',
  'brûlée',
  'Zürich',
  '🎉',
  '誕生日',
  'パーティー',
  'праздник',
  'function',
  '{',
  '}',
  '=>',
  '$0.000255',
  '\n',
];

const syllables = ['ba', 'ker', 'lon', 'mi', 'sta', 'tro', 'vel', 'qui', 'zen', 'dor', 'ph', 'ea', 'ou', 'ng', 'rst'];

/**
 * About 1 MB of mixed text: party words, numbers, code-like and non-ASCII text, and made-up words from syllables
 * (tens of thousands of distinct ones, so a tokenizer's word cache cannot turn the run into lookups).
 */
export function megabyteOfText(): string {
  const random = seeded(1);
  const invented = (): string => Array.from({ length: 1 + random(4) }, () => syllables[random(syllables.length)]).join('');
  const parts: string[] = [];
  let length = 0;
  while (length < 1_000_000) {
    const word = random(2) === 0 ? vocabulary[random(vocabulary.length)] : invented();
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

export function tokenizerBench(): void {
  const text = megabyteOfText();
  const reference = getEncoding('o200k_base');
  const ours = countText(text, 'o200k_base');
  const theirs = reference.encode(text, [], []).length;
  if (ours !== theirs) throw new Error(`token counts differ: ${ours} vs ${theirs}`);
  // Cold: gpt-tokenizer's merge cache cleared before each run, as for text it has never seen.
  const oursMs = medianMs(
    () => {
      clearMergeCache();
      return countText(text, 'o200k_base');
    },
    5,
    1,
  );
  const warmMs = medianMs(() => countText(text, 'o200k_base'), 5, 1);
  const theirsMs = medianMs(() => reference.encode(text, [], []), 5, 1);
  const mb = text.length / 1e6;
  console.log(`\nTokenizer: o200k on ${mb.toFixed(2)} MB of mixed text (${ours.toLocaleString('en-US')} tokens, counts agree)`);
  figure('o200k counting, 1 MB, ours (cold)', mb / (oursMs / 1000), 'MB/s');
  figure('o200k counting, 1 MB, ours (warm)', mb / (warmMs / 1000), 'MB/s');
  figure('o200k counting, js-tiktoken time / ours', theirsMs / oursMs, '×', '>= 1');
  report([
    ['gpt-tokenizer (ours), cold cache', `${oursMs.toFixed(0)} ms, ${(mb / (oursMs / 1000)).toFixed(1)} MB/s`],
    ['gpt-tokenizer (ours), warm cache', `${warmMs.toFixed(0)} ms, ${(mb / (warmMs / 1000)).toFixed(1)} MB/s`],
    ['js-tiktoken (independent)', `${theirsMs.toFixed(0)} ms, ${(mb / (theirsMs / 1000)).toFixed(1)} MB/s`],
    ['ratio (js-tiktoken time / ours, cold)', `${(theirsMs / oursMs).toFixed(2)}× (above 1: ours is faster)`],
  ]);
}
