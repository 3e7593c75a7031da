import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutPlan, nodeHeight, nodeWidth } from '../../webview/plan/planLayout';
import type { AgentNode } from '../../sidecar/protocol';
import type { PlannedAgent } from '../../sidecar/contract/plan';

const node = (agent: string, dependsOn: string[] = []): AgentNode => ({
  agent,
  dependsOn,
  kind: 'llm',
  model: 'gpt-4o-mini',
  provider: 'offline',
  essential: true,
});
const planned = (agent: string, action: PlannedAgent['action']): PlannedAgent => ({ agent, action, cause: 'unchanged', estimatedCostUsd: 0, savedCostUsd: 0 });

test('the plan graph is laid out by dependency: upstream agents left of their dependents, no two nodes overlapping', () => {
  const graph = [node('theme'), node('venue'), node('budget', ['theme', 'venue']), node('final', ['budget', 'theme'])];
  const layout = layoutPlan(graph, [planned('theme', 'reuse'), planned('budget', 'execute')]);
  const at = new Map(layout.agents.map((a) => [a.node.agent, a]));
  for (const n of graph)
    for (const up of n.dependsOn) assert.ok(at.get(up)!.x + nodeWidth / 2 <= at.get(n.agent)!.x - nodeWidth / 2, `${up} left of ${n.agent}`);
  for (const a of layout.agents) {
    for (const b of layout.agents) {
      if (a === b) continue;
      const apart = Math.abs(a.x - b.x) >= nodeWidth || Math.abs(a.y - b.y) >= nodeHeight;
      assert.ok(apart, `${a.node.agent} and ${b.node.agent} overlap`);
    }
  }
  assert.deepEqual(layout.edges.map((e) => `${e.from}>${e.to}`).sort(), ['budget>final', 'theme>budget', 'theme>final', 'venue>budget']);
  assert.ok(
    layout.edges.every((e) => e.points.length >= 2),
    'every edge has a route',
  );
  assert.ok(layout.width >= 3 * nodeWidth && layout.height >= 2 * nodeHeight);
  assert.equal(at.get('budget')!.planned?.action, 'execute');
  assert.equal(at.get('venue')!.planned, undefined, 'an agent outside the plan is drawn without an action');
});

test('an edge to an agent missing from the configuration is left out rather than invented', () => {
  const layout = layoutPlan([node('a'), node('b', ['a', 'ghost'])], []);
  assert.deepEqual(
    layout.edges.map((e) => `${e.from}>${e.to}`),
    ['a>b'],
  );
  assert.equal(layout.agents.length, 2);
});
