import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicPrompt } from '../../sidecar/providers/anthropic';
import { AnthropicProvider } from '../../sidecar/providers/anthropic';
import { anthropicCacheMinimum } from '../../sidecar/providers/promptCaching';
import { stablePrefixOf } from '../../sidecar/context/prompt';
import { countText } from '../../sidecar/cost/tokens';
import { tokenCost, toUsd } from '../../sidecar/cost/money';
import { engine, tempDatabase } from '../engine';
import { startAnthropicStandin } from '../standins/anthropic';

/** Prose of about `tokens` o200k tokens. */
function prose(tokens: number): string {
  const sentence = 'Guests arrive at three, the cake comes at four, and the garden games run until six. ';
  const perSentence = countText(sentence, 'o200k_base');
  return sentence.repeat(Math.ceil(tokens / perSentence));
}

test('the minimum cacheable prefix per Claude model, as Anthropic documents it', () => {
  assert.deepEqual(
    ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-opus-4-5', 'claude-3-haiku', 'claude-3-5-haiku-latest'].map(anthropicCacheMinimum),
    [1_024, 1_024, 4_096, 4_096, 2_048, 2_048],
  );
});

test("a cache breakpoint ends the stable prefix only when it reaches the model's minimum", () => {
  const request = (system: string, model: string) => ({
    model,
    messages: [
      { role: 'system' as const, content: system },
      { role: 'user' as const, content: 'Suggest a theme for: jungle' },
    ],
    stablePrefix: { message: 1, chars: 0 },
  });
  const long = anthropicPrompt(request(prose(1_300), 'claude-sonnet-4-5'));
  assert.deepEqual(
    long.system?.map((b) => b.cache_control ?? null),
    [{ type: 'ephemeral' }],
    'a 1,300-token system prompt is cached on Sonnet 4.5',
  );
  assert.deepEqual(long.messages, [{ role: 'user', content: [{ type: 'text', text: 'Suggest a theme for: jungle' }] }]);
  const short = anthropicPrompt(request(prose(600), 'claude-sonnet-4-5'));
  assert.equal(short.system?.[0].cache_control, undefined, 'below 1,024 tokens: no breakpoint');
  const haiku = anthropicPrompt(request(prose(1_300), 'claude-haiku-4-5'));
  assert.equal(haiku.system?.[0].cache_control, undefined, 'Haiku 4.5 caches from 4,096 tokens');
});

test("upstream results before the agent's own inputs are part of the stable prefix; the breakpoint splits the message there", () => {
  const agent = { system: 'You plan parties.', prompt: 'Venue notes:\n{{venue}}\nNow plan for: {{inputs}}', dependsOn: ['venue'] };
  const venue = prose(1_200);
  const prefix = stablePrefixOf(agent, { venue });
  assert.deepEqual(prefix, { message: 1, chars: `Venue notes:\n${venue}\nNow plan for: `.length });
  const content = `Venue notes:\n${venue}\nNow plan for: 30 kids`;
  const prompt = anthropicPrompt({
    model: 'claude-sonnet-4-5',
    messages: [
      { role: 'system', content: 'You plan parties.' },
      { role: 'user', content },
    ],
    stablePrefix: prefix,
  });
  const blocks = prompt.messages[0].content as { text: string; cache_control?: unknown }[];
  assert.deepEqual(
    blocks.map((b) => [b.text === content.slice(0, prefix.chars) || b.text, b.cache_control ?? null]),
    [
      [true, { type: 'ephemeral' }],
      ['30 kids', null],
    ],
  );
  assert.deepEqual(
    stablePrefixOf({ prompt: 'Plan for {{inputs}}, given {{venue}}' }, { venue }),
    { message: 0, chars: 'Plan for '.length },
    'inputs first: nothing stable after them',
  );
});

test('a run on Claude sends the breakpoint for a long stable prompt and records the cache write, then the read, each at its price', async (t) => {
  const standin = await startAnthropicStandin();
  t.after(() => standin.close());
  const system = prose(1_500);
  const config = JSON.stringify({
    defaults: { model: 'claude-sonnet-4-5', provider: 'anthropic' },
    agents: { theme: { system, prompt: 'Suggest a theme for: {{inputs}}', handles: { keywords: ['jungle', 'pirate'] } } },
  });
  const parties = engine(config, tempDatabase().db, new AnthropicProvider({ baseURL: standin.baseURL, apiKey: 'sk-ant-test' }));
  standin.plan(
    { status: 200, usage: { input: 1_700, cacheWrite: 1_650, output: 100 } },
    { status: 200, usage: { input: 1_700, cacheRead: 1_650, output: 100 } },
  );
  const first = parties.create('first', ['jungle']);
  const second = parties.create('second', ['pirate']);
  await parties.run(first.party.id);
  await parties.run(second.party.id);
  // The stable prefix: the system prompt and the prompt's fixed start, before the party's inputs.
  const users = standin.requests.map((r) => (r.body.messages as { content: { text: string; cache_control?: unknown }[] }[])[0].content);
  assert.deepEqual(
    users.map((blocks) => blocks.map((b) => [b.text, b.cache_control ?? null])),
    [
      [
        ['Suggest a theme for: ', { type: 'ephemeral' }],
        ['jungle', null],
      ],
      [
        ['Suggest a theme for: ', { type: 'ephemeral' }],
        ['pirate', null],
      ],
    ],
  );
  const costs = [first, second].map(({ party }) => parties.store.load(party.id).results.theme.costUsd);
  // Claude Sonnet 4.5 per 1M: input $3, cache write $3.75, cache read $0.30, output $15.
  assert.deepEqual(costs, [
    toUsd(tokenCost(50, 3) + tokenCost(1_650, 3.75) + tokenCost(100, 15)),
    toUsd(tokenCost(50, 3) + tokenCost(1_650, 0.3) + tokenCost(100, 15)),
  ]);
});

test("promptCache on an agent: Anthropic's breakpoint for 1 hour or none; OpenAI's 24-hour retention where the model offers it", async () => {
  const { retention } = await import('../../sidecar/providers/openai');
  const request = (promptCache?: '5m' | '1h' | '24h' | 'off') => ({
    model: 'claude-sonnet-4-5',
    messages: [
      { role: 'system' as const, content: prose(1_300) },
      { role: 'user' as const, content: 'Suggest a theme for: jungle' },
    ],
    stablePrefix: { message: 1, chars: 0 },
    ...(promptCache ? { promptCache } : {}),
  });
  assert.deepEqual(
    anthropicPrompt(request()).system?.map((b) => b.cache_control ?? null),
    [{ type: 'ephemeral' }],
    'default: 5 minutes',
  );
  assert.deepEqual(
    anthropicPrompt(request('1h')).system?.map((b) => b.cache_control ?? null),
    [{ type: 'ephemeral', ttl: '1h' }],
  );
  assert.deepEqual(
    anthropicPrompt(request('off')).system?.map((b) => b.cache_control ?? null),
    [null],
    'off: no breakpoint, no write charge',
  );
  assert.deepEqual(retention({ model: 'gpt-5-mini', promptCache: '24h' }), { prompt_cache_retention: '24h' });
  assert.deepEqual(retention({ model: 'gpt-4o', promptCache: '24h' }), {}, 'gpt-4o keeps prefixes in memory only: the parameter is not sent');
  assert.deepEqual(retention({ model: 'gpt-5-mini' }), {});
});
