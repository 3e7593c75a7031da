import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { engine, tempDatabase } from '../engine';
import { loadConfigText } from '../../sidecar/sources/load';
import { estimate } from '../../sidecar/estimate/estimate';
import { planParty } from '../../sidecar/planner/plan';
import { PartyStore } from '../../sidecar/store/partyStore';
import { storedResults } from '../../sidecar/store/storedResults';
import { partiesRunWith, partyImpacts } from '../../sidecar/impact/impact';
import { impactReport } from '../../sidecar/impact/impactReport';
import { impactSummary } from '../../sidecar/contract/impact';
import type { PartyConfig } from '../../sidecar/config/schema';
import { agentDefinition, agentKey, keyVersion } from '../../sidecar/planner/keys';
import { canonicalJson, sha256 } from '../../sidecar/hashing/hash';

// Impact: every stored party's plan under an edited configuration, from the results table, must be exactly what the
// planner plans for each party one by one (for parties with no edit of their own pending), and only what the
// configuration causes for the others.

const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
const inputsOfParties = [
  ['jungle theme', '75 guests', 'chocolate cake'],
  ['pirate theme', '40 kids', 'need a balloon artist'],
  ['space theme', '120 guests', 'vanilla cake', 'need a DJ'],
  ['garden party', '30 guests'],
  ['JUNGLE theme', '80 guests', 'lemon cake'],
];

async function ranWorkspace() {
  const { db } = tempDatabase();
  const parties = engine(sample, db);
  for (const inputs of inputsOfParties) {
    const { party } = parties.create(undefined, inputs);
    await parties.run(party.id);
  }
  return db;
}

const configOf = (text: string): PartyConfig => {
  const loaded = loadConfigText(text, 'partycost.json');
  assert.ok(loaded.config, loaded.problems.map((p) => p.message).join('\n'));
  return loaded.config;
};

/** Edits of the sample, each a real change to its text. */
const edits: Record<string, (text: string) => string> = {
  'a prompt': (t) => t.replace('Suggest a party theme', 'Suggest a bold party theme'),
  'a model': (t) => t.replace('"model": "gpt-4o"', '"model": "gpt-4.1"'),
  routing: (t) => t.replace('"keywords": ["theme"', '"keywords": ["theme", "party"'),
  normalisation: (t) => t.replace('"roundTo": 25', '"roundTo": 50'),
  'expected output': (t) => t.replace('"expectedOutputTokens": 200', '"expectedOutputTokens": 300'),
};

test("impact of each edit: per party, exactly the planner's execute and delete decisions, from the results table alone", async () => {
  const db = await ranWorkspace();
  const store = new PartyStore(db);
  for (const [name, edit] of Object.entries(edits)) {
    const text = edit(sample);
    assert.notEqual(text, sample, `the edit of ${name} changes the sample`);
    const config = configOf(text);
    const impacts = partyImpacts(config, storedResults(db));
    const prices = loadConfigText(text, 'partycost.json').prices;
    let executions = 0;
    for (const impact of impacts) {
      const plan = planParty({ config, prices, state: store.load(impact.party), now: Date.now(), estimate: estimate(config, prices) });
      const planned = plan.agents
        .filter((a) => a.action === 'execute' || a.action === 'delete')
        .map((a) => [a.agent, a.action, a.cause, a.conditional === true]);
      assert.deepEqual(
        impact.agents.map((a) => [a.agent, a.action, a.cause, a.conditional]),
        planned,
        `${name}, party ${impact.party}`,
      );
      executions += planned.length;
    }
    assert.ok(executions > 0, `the edit of ${name} re-runs something`);
  }
});

test("an unchanged configuration affects no party, a party's own pending edit is not the change's, a removed agent's results are kept", async () => {
  const db = await ranWorkspace();
  const unchanged = impactReport(configOf(sample), loadConfigText(sample, 'partycost.json').prices, partyImpacts(configOf(sample), storedResults(db)), {
    against: 'results',
  });
  assert.deepEqual([unchanged.parties, unchanged.totals.executions, impactSummary(unchanged)], [{ total: 5, affected: 0 }, 0, 'no party affected (5 stored)']);

  // P1 gets an input it has not run with: its vendor and what follows re-run whatever the configuration says.
  engine(sample, db).addInput('P1', 'need a magician');
  const pending = partyImpacts(configOf(sample), storedResults(db));
  assert.deepEqual(pending.find((p) => p.party === 'P1')!.agents, []);
  const prompt = partyImpacts(configOf(edits['a prompt'](sample)), storedResults(db)).find((p) => p.party === 'P1')!;
  // The theme's prompt changed: theme and what depends on it only on theme re-run; budget and the final plan would
  // re-run anyway (the vendor has a new input), so they are not the change's.
  assert.deepEqual(
    prompt.agents.map((a) => a.agent),
    ['theme', 'venue', 'cake'],
  );

  const removed = configOf(
    sample
      .replace(/"vendor": \{[\s\S]*?\n {4}\},\n/, '')
      .replace(/"vendor", /g, '')
      .replace(/, "vendor"/g, ''),
  );
  assert.equal(removed.agents.vendor, undefined);
  // Its results are kept (a run plans only configured agents), said apart; nothing else changes for them.
  const withoutVendor = partyImpacts(removed, storedResults(db));
  assert.deepEqual(withoutVendor.find((p) => p.party === 'P2')!.removed, ['vendor']);
  const report = impactReport(removed, loadConfigText(sample, 'partycost.json').prices, withoutVendor, { against: 'results' });
  assert.deepEqual(report.removedAgents, [{ agent: 'vendor', parties: 2 }]);
});

test('the report sums parties per agent and cause, priced at list and batch prices; --against compares two configurations', async () => {
  const db = await ranWorkspace();
  const text = edits['a prompt'](sample);
  const config = configOf(text);
  const { prices } = loadConfigText(text, 'partycost.json');
  const report = impactReport(config, prices, partyImpacts(config, storedResults(db)), { against: 'results', byParty: true });
  // The garden party has no theme input: its theme never ran, and the edit touches nothing of it.
  const themed: string[] = [];
  storedResults(db).forEach((p) => void (p.results.has('theme') && themed.push(p.id)));
  themed.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  assert.deepEqual(themed, ['P1', 'P2', 'P3', 'P5']);
  const theme = report.agents.find((a) => a.agent === 'theme')!;
  assert.deepEqual([theme.cause, theme.detail, theme.parties, theme.conditional], ['configuration changed', 'prompt', 4, false]);
  assert.deepEqual([report.parties.total, report.parties.affected], [5, 4]);
  assert.deepEqual(
    report.byParty!.map((p) => p.party),
    themed,
  );
  const sum = (key: 'executeCostUsd' | 'batchCostUsd') => report.agents.reduce((total, a) => total + a[key], 0);
  assert.ok(Math.abs(sum('executeCostUsd') - report.totals.executeCostUsd) < 1e-6);
  assert.ok(Math.abs(sum('batchCostUsd') - report.totals.batchCostUsd) < 1e-6);
  assert.ok(report.totals.batchCostUsd < report.totals.executeCostUsd, 'the Batch API is cheaper');
  assert.equal(report.totals.bestCaseCostUsd, theme.executeCostUsd, 'only the theme re-runs for certain');
  assert.match(impactSummary(report), /^re-runs 6 agents in 4 parties · \$\d+\.\d{2,4} \(\$\d+\.\d{2,4} batch\)$/);

  // Against a revision: the parties as if produced by the sample, the working configuration the edited one.
  const against = partyImpacts(config, partiesRunWith(configOf(sample), storedResults(db)));
  const direct = partyImpacts(config, storedResults(db));
  assert.deepEqual(
    against.map((p) => p.agents.map((a) => [a.agent, a.cause, a.conditional])),
    direct.map((p) => p.agents.map((a) => [a.agent, a.cause, a.conditional])),
  );
  assert.ok(partyImpacts(configOf(sample), partiesRunWith(configOf(sample), storedResults(db))).every((p) => p.agents.length === 0));
});

test("agentKey, written out with each definition's JSON kept, is still the hash of canonicalJson({ v, definition, inputs, upstream })", () => {
  const config = configOf(sample);
  for (const [name, agent] of Object.entries(config.agents)) {
    const definition = agentDefinition(agent, config);
    for (const [inputs, upstream] of [
      [[], {}],
      [['75 guests', 'jungle'], { theme: 'abc', venue: null }],
      [['a"b\\u001f'], { z: 'x', a: 'y' }],
    ] as [string[], Record<string, string | null>][]) {
      const expected = sha256(canonicalJson({ v: keyVersion, definition, inputs, upstream }));
      assert.equal(agentKey(definition, inputs, upstream), expected, name);
      assert.equal(agentKey(definition, inputs, upstream), expected, `${name}, its definition's JSON kept`);
    }
  }
});
