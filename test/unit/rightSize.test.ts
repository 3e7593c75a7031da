import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { rightSize } from '../../sidecar/estimate/rightSize';
import { estimate } from '../../sidecar/estimate/estimate';
import { configText } from '../configProblems';

function sized(agents: Record<string, unknown>, top: Record<string, unknown> = {}) {
  const loaded = loadConfigText(configText(agents, top), 'partycost.json');
  assert.ok(loaded.config, loaded.problems.map((p) => p.message).join('\n'));
  return { sizing: rightSize(loaded.config, loaded.prices), config: loaded.config, prices: loaded.prices };
}

const agent = (fields: Record<string, unknown>) => ({ prompt: 'Plan the {{inputs}}', expectedOutputTokens: 300, ...fields });

// [case, agent fields, top-level fields, expected suggestion (null: none)]
const cases: [string, Record<string, unknown>, Record<string, unknown>, string | null][] = [
  // gemini-2.0-flash-lite is cheaper than gpt-5-nano but ranked lower: never a silent downgrade.
  ['no declared need: never below the current quality', { model: 'gpt-5-nano' }, {}, null],
  ['a lower quality need allows the cheapest that meets it', { model: 'gpt-4o-mini', minQuality: 0.6 }, {}, 'gpt-5-nano'],
  ['a better and cheaper model is found without a need', { model: 'gpt-4o' }, {}, 'gpt-4.1'],
  ['a latency need rules a candidate out', { model: 'gpt-4o', maxLatencyMs: 950 }, {}, null],
  ['quality and latency together', { model: 'gpt-4o', minQuality: 0.8, maxLatencyMs: 700 }, {}, 'gpt-4.1-mini'],
  [
    "a prompt over a candidate's context window rules it out",
    { model: 'gpt-4o', minQuality: 0.5, expectedInputTokens: 20_000 },
    { prices: { 'gpt-3.5-turbo': { input: 0.01, output: 0.01 } } },
    'gpt-5-nano',
  ],
  ["without a cheaper model of its vendor, another vendor's", { model: 'claude-sonnet-4-5' }, {}, 'gpt-5'],
  ["the agent's own vendor first", { model: 'claude-sonnet-4-5', minQuality: 0.85 }, {}, 'claude-haiku-4-5'],
  ['a vendor-qualified name is the same model, never its own candidate', { model: 'anthropic/claude-opus-4-1', minQuality: 0.95 }, {}, 'claude-sonnet-4-5'],
  [
    'the same candidate is chosen when the prompt fits',
    { model: 'gpt-4o', minQuality: 0.5, expectedInputTokens: 1_000 },
    { prices: { 'gpt-3.5-turbo': { input: 0.01, output: 0.01 } } },
    'gpt-3.5-turbo',
  ],
  [
    'a workspace model with its own profile',
    { model: 'gpt-4o' },
    { prices: { 'house-model': { input: 0.05, output: 0.1, quality: 0.95, latencyMs: 300 } } },
    'house-model',
  ],
];

for (const [name, fields, top, expected] of cases) {
  test(`right-sizing: ${name}`, () => {
    const { sizing } = sized({ a: agent(fields) }, top);
    assert.equal(sizing[0].suggested?.model ?? null, expected);
    if (expected) assert.ok(sizing[0].savingPerRunUsd > 0 && sizing[0].suggested!.costPerRunUsd < sizing[0].current.costPerRunUsd);
  });
}

test("right-sizing: the saving is per run and per month at the configured volume, priced with the candidate's own estimate", () => {
  const { sizing, config, prices } = sized({ a: agent({ model: 'gpt-4o-mini', minQuality: 0.6 }) }, { volume: { partiesPerMonth: 2000, rerunFactor: 1.5 } });
  const onNano = estimate({ ...config, agents: { a: { ...config.agents.a, model: 'gpt-5-nano' } } }, prices).agents[0].costPerRunUsd;
  const current = estimate(config, prices).agents[0].costPerRunUsd;
  assert.equal(sizing[0].suggested!.costPerRunUsd, onNano);
  assert.equal(sizing[0].savingPerRunUsd, Math.round((current - onNano) * 1e12) / 1e12);
  assert.ok(Math.abs(sizing[0].savingPerMonthUsd - sizing[0].savingPerRunUsd * 3000) < 1e-9);
  assert.deepEqual(sizing[0].needs, { minQuality: 0.6, maxLatencyMs: null });
});

test('right-sizing: compute agents are left out', () => {
  const { sizing } = sized({ a: agent({ model: 'gpt-4o' }), total: { kind: 'compute', dependsOn: ['a'] } });
  assert.deepEqual(
    sizing.map((s) => s.agent),
    ['a'],
  );
});

test("right-sizing: other vendors' cheaper models are listed beside the suggestion, cheapest first", () => {
  const { sizing } = sized({ a: agent({ model: 'claude-sonnet-4-5', minQuality: 0.85 }) });
  const [s] = sizing;
  assert.equal(s.suggested?.provider, 'anthropic');
  assert.ok(s.alternatives.length > 0 && s.alternatives.some((a) => a.provider !== 'anthropic'));
  const costs = s.alternatives.map((a) => a.costPerRunUsd);
  assert.deepEqual(
    costs,
    [...costs].sort((x, y) => x - y),
  );
  assert.ok(s.alternatives.every((a) => a.costPerRunUsd < s.current.costPerRunUsd && (a.quality ?? 0) >= 0.85));
});
