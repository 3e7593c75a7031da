import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { configJsonSchema } from '../../sidecar/config/schema';
import { loadConfigText } from '../../sidecar/sources/load';
import { sampleConfig } from '../../sidecar/config/sample';

type Schema = { properties: Record<string, Schema>; additionalProperties?: Schema | boolean; items?: Schema };

test('the JSON Schema carries exactly the public field names', () => {
  const schema = configJsonSchema() as Schema;
  assert.deepEqual(Object.keys(schema.properties).sort(), [
    '$schema',
    'agents',
    'crew',
    'defaults',
    'inputs',
    'learning',
    'ledger',
    'limits',
    'prices',
    'provider',
    'providers',
    'resourcePrices',
    'volume',
  ]);
  assert.deepEqual(Object.keys(schema.properties.providers.properties).sort(), ['anthropic', 'gemini', 'openai']);
  assert.deepEqual(Object.keys(schema.properties.ledger.properties), ['url']);
  assert.deepEqual(Object.keys((schema.properties.providers.properties.anthropic as Schema).properties).sort(), [
    'baseURL',
    'cacheGroup',
    'maxRetries',
    'timeoutMs',
  ]);
  const prices = schema.properties.prices.additionalProperties as Schema;
  assert.deepEqual(Object.keys(prices.properties).sort(), [
    'batchInput',
    'batchOutput',
    'cacheWrite',
    'cachedInput',
    'contextWindow',
    'input',
    'latencyMs',
    'maxOutputTokens',
    'output',
    'quality',
  ]);
  const agent = schema.properties.agents.additionalProperties as Schema;
  assert.deepEqual(Object.keys(agent.properties).sort(), [
    'batch',
    'cache',
    'contextBudget',
    'dependsOn',
    'essential',
    'expectedCalls',
    'expectedInputTokens',
    'expectedOutputTokens',
    'handles',
    'kind',
    'maxCalls',
    'maxLatencyMs',
    'minQuality',
    'model',
    'outputSchema',
    'prompt',
    'promptCache',
    'provider',
    'resources',
    'system',
    'tools',
    'toolsInPrompt',
  ]);
  assert.deepEqual(Object.keys(agent.properties.tools!.items!.properties).sort(), ['description', 'name', 'parameters', 'resultTokens']);
  assert.deepEqual(Object.keys(agent.properties.resources.properties).sort(), ['cacheOps', 'computeSeconds', 'sqlQueries', 'vectorQueries']);
  assert.deepEqual(Object.keys(schema.properties.limits.properties).sort(), ['applyCheaperModels', 'daily', 'monthly', 'thresholds', 'timeZone', 'weekly']);
  assert.deepEqual(Object.keys(schema.properties.volume.properties).sort(), ['partiesPerMonth', 'rerunFactor']);
  assert.deepEqual(Object.keys(schema.properties.learning.properties).sort(), ['minRuns', 'window']);
  assert.deepEqual(Object.keys(schema.properties.defaults.properties).sort(), ['expectedOutputTokens', 'model', 'provider']);
  assert.equal(agent.additionalProperties, false, 'typos in field names are caught by the editor too');
});

test('the sample is valid, has the seven party-planner agents and the documented dependencies', () => {
  const loaded = loadConfigText(sampleConfig, 'partycost.json');
  assert.deepEqual(loaded.problems, []);
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['theme', 'venue', 'cake', 'catering', 'vendor', 'budget', 'planner_final']);
  const dependsOn = Object.fromEntries(Object.entries(agents).map(([name, a]) => [name, a.dependsOn ?? []]));
  assert.deepEqual(dependsOn, {
    theme: [],
    venue: ['theme'],
    cake: ['theme'],
    catering: [],
    vendor: ['theme'],
    budget: ['venue', 'cake', 'catering', 'vendor'],
    planner_final: ['budget'],
  });
  assert.equal(agents.budget.kind, 'compute');
  assert.equal(agents.budget.model, undefined, 'the budget is computed with no model');
});

test('the example workspace holds exactly what partycost init writes', () => {
  const example = readFileSync('examples/party-planner/partycost.json', 'utf8');
  assert.equal(example, sampleConfig);
  assert.ok(parse(example).agents);
});
