import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from '../engine';
import { referenceAdded, referenceInputs, referencePlan } from '../referencePlan';

test('reference scenario: add "Need balloon artist", remove "chocolate cake"', async () => {
  const parties = engine();
  const { party, inputs } = parties.create('Birthday', referenceInputs);
  assert.deepEqual(
    inputs.map((i) => [i.text, i.agents]),
    [
      ['jungle theme', ['theme']],
      ['75 guests', ['venue', 'catering']],
      ['chocolate cake', ['cake']],
    ],
  );
  const first = await parties.run(party.id);
  assert.deepEqual(
    first.agents.map((a) => [a.agent, a.action, a.cause]).sort(),
    ['budget', 'cake', 'catering', 'planner_final', 'theme', 'venue'].map((agent) => [agent, 'execute', 'never ran']),
  );

  const balloon = parties.addInput(party.id, referenceAdded);
  assert.deepEqual(balloon.agents, ['vendor']);
  parties.removeInput(party.id, inputs[2].id);

  const plan = await parties.plan(party.id);
  assert.deepEqual(
    plan.agents.map((a) => [a.agent, a.action, a.cause]),
    referencePlan,
  );
  assert.equal(plan.agents.find((a) => a.agent === 'planner_final')!.conditional, true, 'budget may come back unchanged');
  assert.equal(plan.totals.execute, 3);
  const second = await parties.run(party.id);
  assert.deepEqual(
    second.agents.filter((a) => a.action === 'execute').map((a) => a.agent),
    ['vendor', 'budget', 'planner_final'],
  );
  assert.deepEqual(Object.keys(parties.store.load(party.id).results).sort(), ['budget', 'catering', 'planner_final', 'theme', 'vendor', 'venue']);
  assert.deepEqual(
    (await parties.plan(party.id)).agents.map((a) => a.action),
    ['reuse', 'reuse', 'skip', 'reuse', 'reuse', 'reuse', 'reuse'],
  );
});
