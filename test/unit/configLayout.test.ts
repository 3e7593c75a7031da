import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { agentAt, configLayout, sameFor } from '../../sidecar/shared/configLayout';

// What a hover may reuse from the version before an edit: read from the sample file as the editor holds it.
const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');

function edited(text: string, after: string, needle: string, by: string): string {
  const at = text.indexOf(needle, text.indexOf(after));
  assert.ok(at >= 0, `${needle} after ${after}`);
  return text.slice(0, at) + by + text.slice(at + needle.length);
}

test('the layout names every agent at its key, holds each entry and the text outside agents', () => {
  const layout = configLayout(sample);
  assert.deepEqual(
    layout.agents.map((a) => a.agent),
    ['theme', 'venue', 'cake', 'catering', 'vendor', 'budget', 'planner_final'],
  );
  const theme = layout.agents[0];
  assert.equal(sample.slice(theme.offset, theme.offset + theme.length), '"theme"');
  assert.equal(agentAt(layout.agents, theme.offset + 2)?.agent, 'theme');
  assert.equal(agentAt(layout.agents, 0), undefined);
  assert.match(layout.entries.get('venue')!, /^"venue": \{[\s\S]*\}$/);
  assert.match(layout.outside, /"volume"/);
  assert.doesNotMatch(layout.outside, /"theme"/);
});

test("an edit elsewhere keeps an agent's cost; an edit of the agent or of the settings does not", () => {
  const before = configLayout(sample);
  const promptOfVenue = configLayout(edited(sample, '"venue": {', '"prompt": "', '"prompt": "x'));
  assert.equal(sameFor('theme', before, promptOfVenue), true);
  assert.equal(sameFor('venue', before, promptOfVenue), false);
  const volume = configLayout(edited(sample, '"volume"', '"partiesPerMonth": 1000', '"partiesPerMonth": 1001'));
  assert.equal(sameFor('theme', before, volume), false);
  const comment = configLayout(`// a note\n${sample}`);
  assert.equal(sameFor('theme', before, comment), false, 'text outside agents changed: not reused');
  assert.equal(sameFor('nobody', before, before), false);
  assert.deepEqual(configLayout('not json').agents, []);
});
