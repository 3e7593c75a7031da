import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundledCatalogue, catalogueInfo, catalogueModel, catalogueReady, catalogueTotalUsd, priceSheet, priceUsage } from '../../sidecar/cost/catalogue';
import type { CatalogueModel, PricedUsage } from '../../sidecar/cost/catalogue';
import { estimate } from '../../sidecar/estimate/estimate';
import { tokenCost, toUsd } from '../../sidecar/cost/money';
import { tokenizationFor } from '../../sidecar/cost/tokens';
import { loadConfigText, problemLines } from '../../sidecar/sources/load';
import { configText } from '../configProblems';

// Prices from the real catalogue (no mock of it), each checked against the vendor's published figure (USD per 1M).

const model = (name: string): CatalogueModel => {
  const found = catalogueModel(name);
  assert.ok(found, `the catalogue knows ${name}`);
  return found;
};
const cost = (name: string, usage: PricedUsage, options = {}): number => toUsd(priceUsage(model(name), usage, options).total);
// 100,000 tokens: below every long-context tier.
const tenth = { inputTokens: 100_000, outputTokens: 0 };
const tenthOut = { inputTokens: 0, outputTokens: 100_000 };

test('the pinned catalogue version is the one installed, and its release date is recorded beside it', async () => {
  await catalogueReady();
  const installed = JSON.parse(readFileSync(path.join(require.resolve('@pydantic/genai-prices'), '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.equal(installed.version, bundledCatalogue.version, 'bump bundledCatalogue (version and release date) with the pin');
  const info = catalogueInfo();
  assert.equal(info.date, bundledCatalogue.released);
  assert.match(info.source, /@pydantic\/genai-prices 0\.1\.\d+/);
  assert.ok(info.providers >= 40 && info.models > 1000, `${info.providers} providers, ${info.models} models`);
});

// [model as written, provider, input, output] per 1M tokens, as each vendor publishes them.
const published: [string, string, number, number][] = [
  ['gpt-5', 'openai', 1.25, 10],
  ['gpt-4o-mini', 'openai', 0.15, 0.6],
  ['claude-sonnet-4-5', 'anthropic', 3, 15],
  ['claude-haiku-4-5', 'anthropic', 1, 5],
  ['gemini-2.5-flash', 'google', 0.3, 2.5],
  ['gemini-2.5-pro', 'google', 1.25, 10],
  ['grok-4', 'x-ai', 3, 15],
  ['mistral-large-latest', 'mistral', 2, 6],
];

for (const [name, provider, input, output] of published) {
  test(`${name}: ${provider}'s published $${input} in / $${output} out per 1M tokens`, async () => {
    await catalogueReady();
    assert.equal(model(name).provider, provider);
    assert.equal(cost(name, tenth), toUsd(tokenCost(100_000, input)));
    assert.equal(cost(name, tenthOut), toUsd(tokenCost(100_000, output)));
  });
}

test('cache writes and reads bill at their own rates (Claude Sonnet 4.5: write $3.75, read $0.30 per 1M), exact', () => {
  const usage = { inputTokens: 10_000, cacheReadTokens: 4_000, cacheWriteTokens: 3_000, outputTokens: 1_000 };
  const priced = priceUsage(model('claude-sonnet-4-5'), usage);
  // 3,000 uncached × $3 + 4,000 read × $0.30 + 3,000 written × $3.75 + 1,000 out × $15
  assert.deepEqual(Object.fromEntries(Object.entries(priced.parts).map(([k, v]) => [k, toUsd(v)])), {
    input: 0.009,
    cacheRead: 0.0012,
    cacheWrite: 0.01125,
    output: 0.015,
    reasoning: 0,
  });
  assert.equal(toUsd(priced.total), 0.03645);
  assert.ok(Math.abs(catalogueTotalUsd(model('claude-sonnet-4-5'), usage) - 0.03645) < 1e-12, 'the library agrees');
  assert.equal(cost('gpt-5', { inputTokens: 100_000, cacheReadTokens: 100_000, outputTokens: 0 }), 0.0125, 'gpt-5 cached input at 10 %');
});

test('the long-context tier: a Gemini 2.5 Pro prompt above 200k tokens bills every token at the higher rate', () => {
  const pro = model('gemini-2.5-pro');
  const at = (inputTokens: number) => priceUsage(pro, { inputTokens, outputTokens: 1_000 });
  assert.equal(toUsd(at(200_000).total), toUsd(tokenCost(200_000, 1.25) + tokenCost(1_000, 10)));
  assert.equal(at(200_000).tierAbove, null);
  assert.equal(toUsd(at(200_001).total), toUsd(tokenCost(200_001, 2.5) + tokenCost(1_000, 15)));
  assert.equal(at(200_001).tierAbove, 200_000);
  for (const n of [1, 199_999, 200_000, 200_001, 1_000_000]) {
    assert.ok(Math.abs(toUsd(at(n).total) - catalogueTotalUsd(pro, { inputTokens: n, outputTokens: 1_000 })) < 1e-12, `${n} tokens: the library agrees`);
  }
  assert.deepEqual(priceSheet(pro).tiers, [{ aboveInputTokens: 200_000, inputUsd: 2.5, outputUsd: 15 }]);
});

test('reasoning tokens bill as output', () => {
  const plain = cost('o4-mini', { inputTokens: 0, outputTokens: 1_000 });
  const reasoning = priceUsage(model('o4-mini'), { inputTokens: 0, outputTokens: 1_000, reasoningTokens: 800 });
  assert.equal(toUsd(reasoning.total), plain);
  assert.equal(toUsd(reasoning.parts.reasoning), toUsd(tokenCost(800, 4.4)));
});

test("model names as users write them: dated ids, provider/model and provider:model, the model's own vendor", () => {
  for (const name of ['claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4-5', 'anthropic:claude-sonnet-4-5']) {
    const found = model(name);
    assert.deepEqual([found.provider, found.id], ['anthropic', 'claude-sonnet-4-5'], name);
  }
  assert.equal(model('gemini/gemini-2.5-flash').provider, 'google', 'LiteLLM spells Google "gemini"');
  assert.equal(model('gpt-4o').provider, 'openai', "sold by Azure too, but OpenAI's own model");
  assert.equal(model('azure/gpt-4o').provider, 'azure', 'unless the name says otherwise');
  assert.equal(model('llama-3.3-70b-versatile').provider, 'groq', 'a model only a reseller lists');
  assert.equal(catalogueModel('nonsense-model-9000'), undefined);
  assert.deepEqual(
    [tokenizationFor('openai/gpt-4o').exact, tokenizationFor('anthropic/claude-sonnet-4-5').exact, tokenizationFor('gpt-5').exact],
    [true, false, true],
  );
});

test("a configuration mixing gpt-5, Claude 4.5 and Gemini 2.5 is priced exactly at the vendors' prices, with the catalogue's date", () => {
  const text = configText({
    planner: { model: 'gpt-5', prompt: 'x', expectedInputTokens: 10_000, expectedOutputTokens: 2_000 },
    writer: { model: 'anthropic/claude-sonnet-4-5', prompt: 'x', expectedInputTokens: 10_000, expectedOutputTokens: 2_000 },
    checker: { model: 'gemini-2.5-flash', prompt: 'x', expectedInputTokens: 10_000, expectedOutputTokens: 2_000 },
  });
  const loaded = loadConfigText(text, 'partycost.json');
  assert.ok(loaded.config, problemLines(loaded).join('\n'));
  const result = estimate(loaded.config, loaded.prices);
  const llm = Object.fromEntries(result.agents.map((a) => [a.agent, [a.provider, a.breakdown.llm]]));
  assert.deepEqual(llm, {
    planner: ['openai', toUsd(tokenCost(10_000, 1.25) + tokenCost(2_000, 10))],
    writer: ['anthropic', toUsd(tokenCost(10_000, 3) + tokenCost(2_000, 15))],
    checker: ['google', toUsd(tokenCost(10_000, 0.3) + tokenCost(2_000, 2.5))],
  });
  assert.equal(result.prices.date, bundledCatalogue.released);
  assert.match(result.prices.source, /genai-prices/);
});

test('Batch API what-if: half price where the provider offers one; said so where it does not', () => {
  const text = configText({
    a: { model: 'claude-haiku-4-5', prompt: 'x', expectedInputTokens: 1_000, expectedOutputTokens: 100 },
    b: { model: 'deepseek-chat', prompt: 'x', expectedInputTokens: 1_000, expectedOutputTokens: 100 },
  });
  const loaded = loadConfigText(text, 'partycost.json');
  const list = estimate(loaded.config!, loaded.prices).agents;
  const batch = estimate(loaded.config!, loaded.prices, { cachedInputShare: 0, batch: true }).agents;
  assert.equal(batch[0].breakdown.llm, list[0].breakdown.llm / 2);
  assert.equal(batch[1].breakdown.llm, list[1].breakdown.llm);
  assert.equal(batch[1].batchUnavailable, true);
});

test('a misspelt model names the nearest of the whole catalogue; a prompt beyond the window and an answer beyond the maximum are errors', async () => {
  await catalogueReady();
  const text = configText({
    a: { model: 'claude-sonet-4-5', prompt: 'x' },
    b: { model: 'claude-sonnet-4-5', prompt: 'x', expectedInputTokens: 250_000 },
    c: { model: 'gpt-4o-mini', prompt: 'x', expectedOutputTokens: 100_000 },
  });
  const loaded = loadConfigText(text, 'partycost.json');
  const messages = loaded.problems.map((p) => p.message);
  assert.equal(loaded.config, undefined);
  assert.ok(
    messages.includes('unknown model "claude-sonet-4-5" (did you mean "claude-sonnet-4-5"?); add its prices under "prices" to use it'),
    messages.join('\n'),
  );
  assert.ok(messages.includes('"b" needs 250,000 prompt + 256 output tokens, over the 200,000-token context window of claude-sonnet-4-5'), messages.join('\n'));
  assert.ok(messages.includes('expectedOutputTokens of "c" (100,000) is over the 16,384-token maximum output of gpt-4o-mini'), messages.join('\n'));
});

test('context windows the price catalogue lacks come from models.dev (Gemini 2.5 Pro: 1,048,576; max output 65,536)', () => {
  const pro = model('gemini-2.5-pro');
  assert.deepEqual([pro.contextWindow, pro.maxOutputTokens], [1_048_576, 65_536]);
  assert.equal(model('claude-sonnet-4-5').contextWindow, 200_000, "the price catalogue's own window first");
});

test("a price by the hour (DeepSeek's off-peak) is not applied: a day's figures are the same at any minute, the standard ones", async () => {
  await catalogueReady();
  const deepseek = model('deepseek-chat');
  const usage = { inputTokens: 100_000, outputTokens: 100_000 };
  const evening = new Date('2026-12-07T18:00:00.000Z');
  const noon = new Date('2026-12-07T12:00:00.000Z');
  const night = new Date('2026-12-07T23:59:00.000Z');
  const at = (when: Date): number => toUsd(priceUsage(deepseek, usage, { at: when }).total);
  assert.equal(at(evening), at(noon));
  assert.equal(at(night), at(noon));
  assert.ok(Math.abs(at(noon) - catalogueTotalUsd(deepseek, usage, noon)) < 1e-12, 'the library agrees at noon');
  assert.ok(Math.abs(at(evening) - catalogueTotalUsd(deepseek, usage, evening)) < 1e-12, 'and asked in the evening, at that day’s noon');
});
