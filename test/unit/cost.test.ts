import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { sampleConfig } from '../../sidecar/config/sample';
import { estimate } from '../../sidecar/estimate/estimate';
import { scale, sum, toUsd, tokenCost, unitCost } from '../../sidecar/cost/money';
import { priceBook } from '../../sidecar/cost/prices';
import { priceUsage } from '../../sidecar/cost/catalogue';
import { templateTokens } from '../../sidecar/context/agentTokens';
import { configText } from '../configProblems';

function estimateOf(text: string) {
  const loaded = loadConfigText(text, 'partycost.json');
  assert.ok(loaded.config, loaded.problems.map((p) => p.message).join('\n'));
  return estimate(loaded.config, loaded.prices);
}

test('gpt-4o-mini with 500 input and 300 output tokens costs exactly $0.000255 in model charges', () => {
  const result = estimateOf(configText({ a: { prompt: 'x', expectedInputTokens: 500, expectedOutputTokens: 300 } }));
  assert.equal(result.agents[0].breakdown.llm, 0.000255);
  assert.equal(result.agents[0].costPerRunUsd, 0.000255);
  assert.equal(result.agents[0].tokenCount, 'declared');
});

test('money sums exactly where floating point would not', () => {
  assert.notEqual(0.1 + 0.2, 0.3);
  assert.equal(toUsd(unitCost(1, 0.1) + unitCost(1, 0.2)), 0.3);
  assert.equal(toUsd(tokenCost(1_000_000, 2.5)), 2.5);
  assert.equal(toUsd(sum(Array.from({ length: 1000 }, () => unitCost(1, 0.000001)))), 0.001);
  assert.equal(toUsd(unitCost(0.05, 0.0001)), 0.000005);
  assert.equal(toUsd(scale(unitCost(1, 0.009025), 1500)), 13.5375);
});

test("workspace prices win over the catalogue and add models; a model of theirs keeps the catalogue's window", () => {
  const book = priceBook({
    prices: { 'gpt-4o': { input: 3, output: 12 }, 'my-model': { input: 1, output: 2, cachedInput: 0.25 }, 'llama3.1:8b': { input: 0, output: 0 } },
  });
  assert.deepEqual(book.overridden, ['gpt-4o', 'my-model', 'llama3.1:8b']);
  const usage = { inputTokens: 1_000_000, cacheReadTokens: 0, outputTokens: 1_000_000 };
  assert.equal(book.model('gpt-4o')!.provider, 'openai', "still the vendor's model, at the workspace's prices");
  assert.equal(book.model('my-model')!.provider, 'configuration');
  assert.equal(book.model('gpt-4o')!.contextWindow, 128_000);
  assert.equal(toUsd(priceUsage(book.model('gpt-4o')!, usage).total), 15);
  assert.equal(toUsd(priceUsage(book.model('gpt-4o')!, usage, { batch: true }).total), 7.5, 'batch: half, as the vendors bill');
  assert.equal(toUsd(priceUsage(book.model('my-model')!, { ...usage, cacheReadTokens: 1_000_000 }).total), 2.25, 'cached input at its own price');
  assert.equal(toUsd(priceUsage(book.model('llama3.1:8b')!, usage).total), 0);
  assert.equal(book.model('gpt-4o-mini')!.provider, 'openai', 'the rest still from the catalogue');
});

test('resources are priced per unit with the documented defaults, overridable', () => {
  const agents = { a: { kind: 'compute', resources: { vectorQueries: 2, computeSeconds: 3, cacheOps: 4, sqlQueries: 5 } } };
  const defaults = estimateOf(configText(agents)).agents[0];
  assert.deepEqual(defaults.breakdown, { llm: 0, vector: 0.0002, compute: 0.0003, cache: 0.000004, sql: 0.000025 });
  assert.equal(defaults.costPerRunUsd, 0.000529);
  const cheaper = estimateOf(configText(agents, { resourcePrices: { vectorQuery: 0.00005, orchestration: 0 } }));
  assert.equal(cheaper.agents[0].breakdown.vector, 0.0001);
  assert.equal(cheaper.orchestrationUsd, 0);
});

test('a party is every agent once plus orchestration; a month is parties × re-run factor', () => {
  const result = estimateOf(sampleConfig);
  const agentsTotal = result.agents.reduce((total, a) => total + BigInt(Math.round(a.costPerRunUsd * 1e12)), 0n);
  assert.equal(result.perPartyUsd, toUsd(agentsTotal + unitCost(1, 0.0001)));
  assert.equal(result.orchestrationUsd, 0.0001);
  assert.deepEqual(result.volume, { partiesPerMonth: 1000, rerunFactor: 1.5 });
  assert.equal(result.perMonthUsd, toUsd(scale(agentsTotal + unitCost(1, 0.0001), 1500)));
  for (const agent of result.agents) {
    const parts = Object.values(agent.breakdown).reduce((total, v) => total + BigInt(Math.round(v * 1e12)), 0n);
    assert.equal(toUsd(parts), agent.costPerRunUsd, agent.agent);
  }
});

test('counted input tokens are the prompt template plus upstream results at their expected size', () => {
  const result = estimateOf(sampleConfig);
  const loaded = loadConfigText(sampleConfig, 'partycost.json');
  const venue = result.agents.find((a) => a.agent === 'venue')!;
  const template = templateTokens(loaded.config!.agents.venue, 'gpt-4o-mini').tokens;
  assert.equal(venue.tokenCount, 'counted');
  assert.equal(venue.inputTokens, template + 200); // theme's expectedOutputTokens
  const budget = result.agents.find((a) => a.agent === 'budget')!;
  assert.deepEqual([budget.model, budget.inputTokens, budget.outputTokens, budget.breakdown.llm], [null, 0, 0, 0]);
  const final = result.agents.find((a) => a.agent === 'planner_final')!;
  assert.equal(final.model, 'gpt-4o');
  assert.equal(final.breakdown.llm, toUsd(tokenCost(final.inputTokens, 2.5) + tokenCost(700, 10)));
});

test('a model outside the OpenAI families is estimated approximately and says so', () => {
  const text = configText({ a: { prompt: 'Bonjour {{inputs}}', model: 'mistral-large' } }, { prices: { 'mistral-large': { input: 2, output: 6 } } });
  const [agent] = estimateOf(text).agents;
  assert.equal(agent.tokenCount, 'approximate');
  assert.equal(agent.outputTokens, 256);
  assert.equal(agent.breakdown.llm, toUsd(tokenCost(agent.inputTokens, 2) + tokenCost(256, 6)));
});

test('what-if pricing: a cached share of the input at the cached price, batch at the batch prices', () => {
  const loaded = loadConfigText(configText({ a: { model: 'gpt-4o', prompt: 'x', expectedInputTokens: 1000, expectedOutputTokens: 100 } }), 'partycost.json');
  const prices = loaded.prices!;
  const llm = (pricing?: { cachedInputShare: number; batch: boolean }) => estimate(loaded.config!, prices, pricing).agents[0].breakdown.llm;
  // gpt-4o: $2.50 in, $1.25 cached, $10 out per 1M; batch halves each.
  assert.equal(llm(), toUsd(tokenCost(1000, 2.5) + tokenCost(100, 10)));
  assert.equal(llm({ cachedInputShare: 0.4, batch: false }), toUsd(tokenCost(600, 2.5) + tokenCost(400, 1.25) + tokenCost(100, 10)));
  assert.equal(llm({ cachedInputShare: 0, batch: true }), toUsd(tokenCost(1000, 1.25) + tokenCost(100, 5)));
  assert.equal(llm({ cachedInputShare: 1, batch: true }), toUsd(tokenCost(1000, 0.625) + tokenCost(100, 5)));
  assert.deepEqual(estimate(loaded.config!, prices, { cachedInputShare: 0.4, batch: true }).pricing, { cachedInputShare: 0.4, batch: true });
  assert.throws(() => estimate(loaded.config!, prices, { cachedInputShare: 1.5, batch: false }), /between 0 and 1/);
});
