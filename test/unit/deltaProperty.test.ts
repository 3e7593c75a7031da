import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleConfig } from '../../sidecar/config/sample';
import type { PartyService } from '../../sidecar/service/partyService';
import { engine, tempDatabase } from '../engine';
import type { Db } from '../../sidecar/store/database';

type Random = (n: number) => number;

function seeded(seed: number): Random {
  return (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
}

/** The sample without spend limits: hundreds of sessions in one database would otherwise reach them, by design. */
const unlimited = sampleConfig.replace(/^ {2}"limits": .*\n/m, '');

/** Configuration variants an edit session switches between: prompts, models and routing change. */
function sampleVariants(): string[] {
  assert.ok(!unlimited.includes('"limits"'));
  const sampleConfig = unlimited;
  return [
    sampleConfig,
    sampleConfig.replace('Suggest a party theme, colours', 'Suggest one party theme, its colours'),
    sampleConfig.replace('"prompt": "Design a cake.', '"model": "gpt-4o", "prompt": "Design a cake.'),
    sampleConfig.replace('"keywords": ["cake", "cupcakes", "dessert"]', '"keywords": ["cake", "cupcakes", "dessert", "chocolate"]'),
  ];
}

const samplePool = [
  'jungle theme',
  'JUNGLE party',
  'pirate theme',
  '75 guests',
  '70 guests',
  '40 kids',
  'chocolate cake',
  'vanilla cupcakes',
  'Need balloon artist',
  'a magician please',
  'vegan snacks',
  'garden venue',
  '120 people',
  'DJ for the evening',
  'chocolate fountain',
];

/** A larger generated graph: 30 agents, keyword routing, each depending on up to three earlier agents. */
function generatedVariants(): { variants: string[]; pool: string[] } {
  const random = seeded(99);
  const agents: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) {
    const deps = i < 5 ? [] : [...new Set(Array.from({ length: 1 + random(3) }, () => `a${random(i)}`))];
    const routed = i < 5 || random(3) > 0;
    agents[`a${i}`] = {
      ...(i % 7 === 6
        ? { kind: 'compute' }
        : { prompt: `Agent ${i}: {{inputs}} ${deps.map((d) => `{{${d}}}`).join(' ')}`, expectedOutputTokens: 20 + random(40) }),
      dependsOn: deps,
      ...(routed ? { handles: { keywords: [`k${i}`, `k${(i * 7) % 30}`] }, cache: { normalize: { roundTo: 10 } } } : {}),
    };
  }
  const base = JSON.stringify({ defaults: { model: 'gpt-4o-mini' }, agents }, null, 1);
  const variants = [base, base.replace('"Agent 3:', '"Agent three:'), base.replace('"Agent 12:', '"Agent twelve:')];
  const pool = Array.from({ length: 40 }, (_, i) => `k${i % 30} ${i % 4 === 0 ? `k${(i * 3) % 30}` : ''} ${i % 5 === 0 ? `${10 + i} items` : ''}`.trim());
  return { variants, pool };
}

/** Result hashes by agent of a party planned from scratch: a fresh party with the same inputs, run once. */
async function fromScratch(parties: PartyService, texts: string[], memo: Map<string, Record<string, string>>): Promise<Record<string, string>> {
  const id = `${parties.configHash}|${[...texts].sort().join('\n')}`;
  if (!memo.has(id)) {
    const { party } = parties.create('from scratch', texts);
    await parties.run(party.id);
    memo.set(id, hashes(parties, party.id));
  }
  return memo.get(id)!;
}

function hashes(parties: PartyService, partyId: string): Record<string, string> {
  const results = parties.store.load(partyId).results;
  return Object.fromEntries(
    Object.entries(results)
      .map(([agent, r]) => [agent, r.resultHash])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

async function editSession(
  variants: string[],
  pool: string[],
  random: Random,
  db: Db,
  memo: Map<string, Record<string, string>>,
  steps: number,
): Promise<void> {
  const services = variants.map((text) => engine(text, db));
  let parties = services[0];
  const { party } = parties.create('edited', [pool[random(pool.length)], pool[random(pool.length)]]);
  const versions: number[] = [];
  const log: string[] = [];
  for (let step = 0; step < steps; step++) {
    const state = parties.store.load(party.id);
    const operation = random(10);
    if (operation < 4) {
      const text = pool[random(pool.length)];
      parties.addInput(party.id, text);
      log.push(`add ${text}`);
    } else if (operation < 6 && state.inputs.length) {
      const input = state.inputs[random(state.inputs.length)];
      parties.removeInput(party.id, input.id);
      log.push(`remove ${input.text}`);
    } else if (operation < 8) {
      const variant = random(services.length);
      parties = services[variant];
      log.push(`configuration ${variant}`);
    } else if (operation < 9 || !versions.length) {
      versions.push(parties.save(party.id, 'draft').version);
      log.push('save');
    } else {
      const version = versions[random(versions.length)];
      await parties.resume(party.id, version);
      log.push(`resume ${version}`);
    }
    if (random(3) === 0 && step < steps - 1) continue; // several edits between runs, too
    const report = await parties.run(party.id);
    const texts = parties.store.load(party.id).inputs.map((input) => input.text);
    const expected = await fromScratch(parties, texts, memo);
    assert.deepEqual(hashes(parties, party.id), expected, `after: ${log.join(' / ')}`);
    assert.ok(report.executed <= Object.keys(expected).length, `executed ${report.executed} of ${Object.keys(expected).length}`);
    log.push('run');
  }
}

test('property: after any edit sequence, delta runs leave exactly the results of a from-scratch run (sample)', async () => {
  const random = seeded(2026);
  const { db } = tempDatabase();
  const memo = new Map<string, Record<string, string>>();
  for (let session = 0; session < 150; session++) await editSession(sampleVariants(), samplePool, random, db, memo, 8);
  db.close();
});

test('property: the same on a generated 30-agent graph', async () => {
  const random = seeded(7);
  const { db } = tempDatabase();
  const memo = new Map<string, Record<string, string>>();
  const { variants, pool } = generatedVariants();
  for (let session = 0; session < 60; session++) await editSession(variants, pool, random, db, memo, 8);
  db.close();
});

test('early cutoff: an upstream agent that returns the same result leaves its dependents alone', async () => {
  // The venue rounds guests to 25: "70 guests" normalises like "75 guests", so its key is unchanged, it is reused,
  // and catering (also rounding) too. A new theme wording that normalises to the same word re-runs nothing.
  const parties = engine();
  const { party, inputs } = parties.create('cutoff', ['jungle theme', '75 guests']);
  await parties.run(party.id);
  parties.removeInput(party.id, inputs[0].id);
  parties.addInput(party.id, 'JUNGLE party');
  const plan = await parties.plan(party.id);
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'execute'),
    [],
  );

  // Forcing theme re-runs it; it returns the same result, so its dependents are cut off at run time.
  const forced = await parties.plan(party.id, ['theme']);
  assert.deepEqual(
    forced.agents.filter((a) => a.conditional).map((a) => a.agent),
    ['venue', 'budget', 'planner_final'],
  );
  const report = await parties.run(party.id, { force: ['theme'] });
  assert.deepEqual(
    report.agents.filter((a) => a.action === 'execute').map((a) => a.agent),
    ['theme'],
  );
  assert.deepEqual(
    report.agents
      .filter((a) => a.action === 'reuse')
      .map((a) => a.agent)
      .sort(),
    ['budget', 'catering', 'planner_final', 'venue'],
  );
});
