import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { encodeChat as o200kChat } from 'gpt-tokenizer/encoding/o200k_base';
import { encodeChat as cl100kChat } from 'gpt-tokenizer/encoding/cl100k_base';
import { countChat, countText, tokenizationFor } from '../../sidecar/cost/tokens';
import type { ChatMessage, EncodingName } from '../../sidecar/cost/tokens';

const samples = [
  'Plan a jungle theme party for 75 guests with a chocolate cake.',
  'Ünïcødé: crème brûlée, naïve café, Zürich, smörgåsbord — “quotes” and ‘apostrophes’',
  '誕生日パーティーを計画してください。ケーキはチョコレートで。',
  'Праздник в стиле джунглей на 75 гостей',
  'مرحبا بكم في الحفلة 🎉🎈🎂 👨‍👩‍👧‍👦 🏳️‍🌈',
  'function total(items) {\n\treturn items.reduce((a, b) => a + b.cost, 0);\n}\n',
  '   leading and trailing whitespace   \n\n\n   ',
  'Text that mentions <|endoftext|> and <|im_start|> as plain words.',
  'numbers 1234567890 3.14159 1e-12 $0.000255 75% 2026-11-22',
  'a'.repeat(500),
  '',
];

// js-tiktoken is an independent implementation of the same BPE encodings.
const reference: Record<EncodingName, ReturnType<typeof getEncoding>> = {
  o200k_base: getEncoding('o200k_base'),
  cl100k_base: getEncoding('cl100k_base'),
};

for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
  test(`${encoding}: text counts agree with an independent tokenizer`, () => {
    for (const text of samples) {
      // Special-token text counts as ordinary text, as the API treats it in a message.
      const expected = reference[encoding].encode(text, [], []).length;
      assert.equal(countText(text, encoding), expected, JSON.stringify(text));
    }
  });
}

test('random unicode strings agree with the independent tokenizer', () => {
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const ranges = [
    [0x20, 0x7e],
    [0xc0, 0x24f],
    [0x400, 0x4ff],
    [0x3040, 0x30ff],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f64f],
  ];
  for (let i = 0; i < 200; i++) {
    const chars = Array.from({ length: 1 + random(60) }, () => {
      const [low, high] = ranges[random(ranges.length)];
      return String.fromCodePoint(low + random(high - low + 1));
    });
    const text = chars.join(random(3) === 0 ? ' ' : '');
    assert.equal(countText(text, 'o200k_base'), reference.o200k_base.encode(text, [], []).length, JSON.stringify(text));
  }
});

test('chat counts include the framing the API bills as prompt_tokens', () => {
  const chats: ChatMessage[][] = [
    [{ role: 'user', content: 'Hi' }],
    [
      { role: 'system', content: 'You are a party planner.' },
      { role: 'user', content: 'Jungle theme, 75 guests, chocolate cake. Need a balloon artist.' },
    ],
    [
      { role: 'system', content: 'Réponds en français.' },
      { role: 'user', content: 'Un gâteau au chocolat 🎂' },
      { role: 'assistant', content: 'Très bien.' },
      { role: 'user', content: 'Et pour 75 invités ?' },
    ],
  ];
  for (const chat of chats) {
    // gpt-tokenizer's encodeChat renders the chat with its special tokens: an independent path to the same count.
    assert.equal(countChat(chat, 'o200k_base'), o200kChat(chat, 'gpt-4o').length);
    assert.equal(countChat(chat, 'cl100k_base'), cl100kChat(chat, 'gpt-4').length);
    const content = chat.reduce((sum, m) => sum + reference.o200k_base.encode(m.content).length + 1, 0);
    assert.equal(countChat(chat, 'o200k_base'), 3 + 3 * chat.length + content);
  }
});

test('a named message costs one token more plus its name', () => {
  const plain = countChat([{ role: 'user', content: 'hello' }], 'o200k_base');
  const named = countChat([{ role: 'user', content: 'hello', name: 'planner' }], 'o200k_base');
  assert.equal(named - plain, 1 + reference.o200k_base.encode('planner').length);
});

test('the encoding is chosen by model family; other models are counted approximately', () => {
  const cases: [string, EncodingName, boolean][] = [
    ['gpt-4o', 'o200k_base', true],
    ['gpt-4o-mini', 'o200k_base', true],
    ['gpt-4o-2024-08-06', 'o200k_base', true],
    ['gpt-4.1-mini', 'o200k_base', true],
    ['o4-mini', 'o200k_base', true],
    ['o1', 'o200k_base', true],
    ['gpt-4', 'cl100k_base', true],
    ['gpt-4-turbo', 'cl100k_base', true],
    ['gpt-3.5-turbo', 'cl100k_base', true],
    ['mistral-large', 'o200k_base', false],
    ['llama3.1:8b', 'o200k_base', false],
    ['o1x', 'o200k_base', false],
  ];
  for (const [model, encoding, exact] of cases) assert.deepEqual(tokenizationFor(model), { encoding, exact }, model);
});
