import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { sampleConfig } from '../../sidecar/config/sample';
import { compileRouter } from '../../sidecar/party/routing';
import { agentInputs, normalizeInput } from '../../sidecar/planner/normalize';

const config = loadConfigText(sampleConfig, 'partycost.json').config!;
const route = compileRouter(config);

test('the sample routes inputs as DESIGN.md says, one input to several agents', () => {
  assert.deepEqual(route('75 guests'), ['venue', 'catering']);
  assert.deepEqual(route('jungle theme'), ['theme']);
  assert.deepEqual(route('chocolate cake'), ['cake']);
  assert.deepEqual(route('need a balloon artist'), ['vendor']);
  assert.deepEqual(route('Need balloon artist'), ['vendor']);
  assert.deepEqual(route('JUNGLE party'), ['theme']);
  assert.deepEqual(route('vegan snacks for 40 kids'), ['venue', 'catering']);
  assert.deepEqual(route('something unrelated'), []);
});

test('keywords match whole words only; numbers need their unit', () => {
  assert.deepEqual(route('a DJ please'), ['vendor']);
  assert.deepEqual(route('adjust the lights'), []);
  assert.deepEqual(route('guests will love it'), []);
  assert.deepEqual(route('12 people'), ['venue', 'catering']);
  assert.deepEqual(route('12people'), ['venue', 'catering']);
  assert.deepEqual(route('2.5 kids'), ['venue', 'catering']);
});

test('normalisation: theme words, rounded guest counts, collapsed case and space', () => {
  const theme = config.agents.theme;
  const venue = config.agents.venue;
  assert.equal(normalizeInput('jungle theme', theme.cache?.normalize), 'jungle');
  assert.equal(normalizeInput('JUNGLE party', theme.cache?.normalize), 'jungle');
  assert.equal(normalizeInput('  Pastel   Theme ', theme.cache?.normalize), 'pastel theme');
  assert.equal(normalizeInput('70 guests', venue.cache?.normalize), '75 guests');
  assert.equal(normalizeInput('80 guests', venue.cache?.normalize), '75 guests');
  assert.equal(normalizeInput('10 guests', venue.cache?.normalize), '25 guests', 'never rounded down to zero');
  assert.deepEqual(agentInputs(['JUNGLE party', 'jungle theme', 'pirate theme'], theme), ['jungle', 'pirate']);
});
