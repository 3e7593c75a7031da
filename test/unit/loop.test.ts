import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimate } from '../../sidecar/estimate/estimate';
import { loadConfigText } from '../../sidecar/sources/load';

// An agent with tools is priced as a loop: every call re-sends the prompt, the tools' definitions and the rounds so
// far. The expected figures are worked out here from the stated assumptions, with the tokenizer itself.

const tools = [
  {
    name: 'search',
    description: 'Search the web for a query.',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    resultTokens: 1000,
  },
  {
    name: 'read_page',
    description: 'Read a web page.',
    parameters: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
    resultTokens: 600,
  },
];

function configWith(agent: Record<string, unknown>): ReturnType<typeof loadConfigText> & { config: NonNullable<ReturnType<typeof loadConfigText>['config']> } {
  const loaded = loadConfigText(
    JSON.stringify({
      agents: { researcher: { model: 'gpt-4o-mini', system: 'You research.', prompt: 'Find facts about otters.', expectedOutputTokens: 400, ...agent } },
    }),
    'partycost.json',
  );
  assert.deepEqual(
    loaded.problems.filter((p) => p.severity === 'error'),
    [],
  );
  return loaded as never;
}

test('an agent without tools is one call, as before', () => {
  const loaded = configWith({});
  const [row] = estimate(loaded.config, loaded.prices).agents;
  assert.deepEqual(row!.callsPerRun, { p50: 1, p90: 1, max: null, source: 'one call' });
  assert.equal(row!.outputTokens, 400);
  assert.equal(row!.firstCallInputTokens, undefined);
  assert.equal(row!.costPerRunP90Usd, undefined);
});

test('with tools: three calls at the median, six at p90, each re-sending the rounds before it', () => {
  const loaded = configWith({ tools });
  const [row] = estimate(loaded.config, loaded.prices).agents;
  const definitions = countTokens(JSON.stringify(tools.map(({ name, description, parameters }) => ({ name, description, parameters }))));
  const prompt = estimate(configWith({}).config, loaded.prices).agents[0]!.inputTokens;
  const first = prompt + definitions;
  // One round: the call (35), the mean result ((1000 + 600) / 2), the framing (8).
  const round = 35 + 800 + 8;
  assert.equal(row!.firstCallInputTokens, first);
  assert.deepEqual(row!.callsPerRun, { p50: 3, p90: 6, max: null, source: 'assumed' });
  assert.equal(row!.inputTokens, 3 * first + 3 * round);
  assert.equal(row!.outputTokens, 2 * 35 + 400);
  assert.deepEqual(row!.tools, ['search', 'read_page']);
  // gpt-4o-mini: $0.15 and $0.60 per million input and output tokens.
  const usd = (input: number, output: number): number => Math.round(((input * 0.15 + output * 0.6) / 1e6) * 1e6) / 1e6;
  assert.ok(Math.abs(row!.costPerRunUsd - usd(3 * first + 3 * round, 2 * 35 + 400)) < 2e-6, `${row!.costPerRunUsd}`);
  assert.ok(Math.abs(row!.costPerRunP90Usd! - usd(6 * first + 15 * round, 5 * 35 + 400)) < 2e-6, `${row!.costPerRunP90Usd}`);
});

test('expectedCalls overrides the assumption, within maxCalls', () => {
  const configured = estimate(configWith({ tools, expectedCalls: { p50: 2, p90: 9 }, maxCalls: 5 }).config, configWith({}).prices).agents[0]!;
  assert.deepEqual(configured.callsPerRun, { p50: 2, p90: 5, max: 5, source: 'configured' });
  const one = estimate(configWith({ tools, expectedCalls: 1 }).config, configWith({}).prices).agents[0]!;
  assert.deepEqual(one.callsPerRun, { p50: 1, p90: 1, max: null, source: 'configured' });
  assert.equal(one.outputTokens, 400, 'one call answers at once');
});

test('Anthropic bills its tool-use system prompt with every call that carries tools', () => {
  const openai = estimate(configWith({ tools, expectedCalls: 1 }).config, configWith({}).prices).agents[0]!;
  const loaded = configWith({ tools, expectedCalls: 1, model: 'claude-sonnet-4-5' });
  const claude = estimate(loaded.config, loaded.prices).agents[0]!;
  const bare = estimate(configWith({ model: 'claude-sonnet-4-5' }).config, loaded.prices).agents[0]!;
  assert.equal(claude.inputTokens - bare.inputTokens - (openai.inputTokens - estimate(configWith({}).config, loaded.prices).agents[0]!.inputTokens), 346);
});
