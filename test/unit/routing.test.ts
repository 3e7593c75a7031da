import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { sampleConfig } from '../../sidecar/config/sample';
import { compileRouter, scanRouter } from '../../sidecar/party/routing';
import { agentInputs, inputsByAgent, normalizeInput } from '../../sidecar/planner/normalize';
import { seeded } from '../../bench/measure';

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

/** A configuration of `count` agents whose rules are drawn from a vocabulary with the awkward cases in it. */
function generatedRules(random: (n: number) => number, count: number): string {
  const keywords = ['dj', 'balloon artist', 'cake', 'Theme', 'music', 'café', 'naïve', 'kids', '2024', '+1', 'k-pop', 'sss', 'a.b', 'guests'];
  const units = ['guests', 'kids', 'people', 'year olds', 'Pax', 'ß', '3d', '%'];
  const patterns = ['\\bbudget\\b', 'colou?r', '^need'];
  const pick = <T>(items: T[], n: number): T[] => [...new Set(Array.from({ length: n }, () => items[random(items.length)]))];
  const agents: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const handles: Record<string, string[]> = {};
    if (random(4)) handles.keywords = pick(keywords, 1 + random(3));
    if (!random(3)) handles.numbers = pick(units, 1 + random(2));
    if (!random(6)) handles.patterns = pick(patterns, 1);
    agents[`a${i}`] = { model: 'gpt-4o-mini', prompt: 'Plan: {{inputs}}', expectedOutputTokens: 100, ...(Object.keys(handles).length ? { handles } : {}) };
  }
  return JSON.stringify({ agents });
}

function generatedText(random: (n: number) => number): string {
  const parts = [
    'DJ',
    'djs',
    'a dj!',
    'Balloon Artist',
    'balloon-artist',
    'CAKE',
    'cakes',
    'théme',
    'theme',
    'Music',
    'CAFÉ',
    'cafe',
    'naive',
    'ſſs',
    'SSS',
    'K-POP',
    'kids',
    'Kids',
    '2024',
    '12024',
    '+1',
    'a.b',
    'axb',
    'budget',
    'colour',
    'color',
    'need',
    'guests',
    'x',
    'ß',
  ];
  const numbers = ['75', '12', '2.5', '1,5', 'a12', '7'];
  const joins = [' ', '', '  ', '\t', ', ', '-'];
  const units = ['guests', 'GUESTS', 'kids', 'people', 'year olds', 'year-olds', 'pax', 'ß', 'SS', '3d', '%', 'peoples'];
  const pieces: string[] = [];
  for (let n = 1 + random(5); n > 0; n--)
    pieces.push(random(3) ? parts[random(parts.length)] : `${numbers[random(numbers.length)]}${joins[random(joins.length)]}${units[random(units.length)]}`);
  return pieces.join(joins[random(joins.length)] || ' ');
}

test('property: the indexed router answers exactly as testing every rule does, on 40 configurations × 300 texts', () => {
  const random = seeded(4242);
  let routed = 0;
  for (let c = 0; c < 40; c++) {
    const loaded = loadConfigText(generatedRules(random, 2 + random(30)), 'partycost.json');
    assert.ok(loaded.config, loaded.problems.map((p) => p.message).join('; '));
    const indexed = compileRouter(loaded.config);
    const scan = scanRouter(loaded.config);
    for (let t = 0; t < 300; t++) {
      const text = generatedText(random);
      assert.deepEqual(indexed(text), scan(text), `configuration ${c}, text ${JSON.stringify(text)}`);
      assert.deepEqual(indexed(text), scan(text), 'and the same again from memory');
      routed += indexed(text).length;
    }
  }
  assert.ok(routed > 1000, `the texts reach agents: ${routed} routes`);
});

test("property: every agent's inputs computed for all agents at once equal agentInputs of its own texts", () => {
  const random = seeded(77);
  const texts = Array.from({ length: 200 }, () => generatedText(random));
  const routed = new Map<string, number[]>();
  const agents = Object.fromEntries(Object.keys(config.agents).map((name) => [name, config.agents[name]]));
  for (const name of Object.keys(agents))
    routed.set(
      name,
      texts.map((_, i) => i).filter(() => random(3) === 0),
    );
  const all = inputsByAgent(texts, routed, agents);
  for (const [name, indices] of routed)
    assert.deepEqual(
      all.get(name),
      agentInputs(
        indices.map((i) => texts[i]),
        agents[name],
      ),
      name,
    );
});
