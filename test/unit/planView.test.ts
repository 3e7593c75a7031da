import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPlan } from '../../webview/plan/planView';
import type { PlanViewState } from '../../webview/protocol';
import type { Plan } from '../../sidecar/contract/plan';
import type { AgentNode } from '../../sidecar/protocol';
import { withFakePage } from '../webviewPage';

const graph: AgentNode[] = ['theme', 'venue', 'budget'].map((agent, i) => ({
  agent,
  dependsOn: i === 2 ? ['theme', 'venue'] : [],
  kind: i === 2 ? 'compute' : 'llm',
  model: i === 2 ? null : 'gpt-4o-mini',
  provider: i === 2 ? 'builtin' : 'anthropic',
  essential: true,
}));

const plan: Plan = {
  party: 'P1',
  agents: [
    { agent: 'theme', action: 'reuse', cause: 'unchanged', estimatedCostUsd: 0.0002, savedCostUsd: 0.0002 },
    { agent: 'venue', action: 'cache_hit', cause: 'cached elsewhere', estimatedCostUsd: 0.0003, savedCostUsd: 0.0003, tier: 'redis' },
    { agent: 'budget', action: 'execute', cause: 'upstream changed', estimatedCostUsd: 0.0001, savedCostUsd: 0 },
  ],
  totals: {
    executeCostUsd: 0.0001,
    bestCaseCostUsd: 0.0001,
    savedCostUsd: 0.0005,
    savedPercent: 83.3,
    execute: 1,
    reuse: 1,
    cacheHit: 1,
    delete: 0,
    skip: 0,
    blocked: 0,
  },
};

const state = (extra: Partial<PlanViewState> = {}): PlanViewState => ({ view: 'plan', party: 'P1', plan, graph, force: [], run: null, ...extra });

test("the plan view draws one node per agent, marked with its action, and the plan's totals", async () => {
  await withFakePage(async (page) => {
    renderPlan(page.root, state(), page.ipc);
    const nodes = [...page.root.querySelectorAll('[data-probe="node"]')];
    assert.deepEqual(
      nodes.map((n) => [n.getAttribute('data-agent'), n.getAttribute('data-action')]),
      [
        ['theme', 'reuse'],
        ['venue', 'cache_hit'],
        ['budget', 'execute'],
      ],
    );
    assert.match(nodes[1].textContent ?? '', /cache hit · redis/);
    assert.deepEqual(
      nodes.map((n) => n.getAttribute('data-provider')),
      ['anthropic', 'anthropic', 'builtin'],
      'each node names the provider it runs on',
    );
    assert.match(nodes[0].querySelector('title')?.textContent ?? '', /gpt-4o-mini on anthropic/);
    assert.equal(page.root.querySelectorAll('[data-probe="edge"]').length, 2);
    const total = (name: string) => page.root.querySelector(`[data-probe="total"][data-name="${name}"]`)?.getAttribute('data-value');
    assert.deepEqual([total('execute'), total('reuse'), total('cacheHit'), total('savedPercent')], ['1', '1', '1', '83.3']);
    assert.ok(
      nodes.every((n) => n.getAttribute('tabindex') === '0' && n.getAttribute('role') === 'button'),
      'nodes are reachable by keyboard',
    );
  });
});

test('the run button posts plan/run with the forced agents; Enter on a node asks for the plan with it forced', async () => {
  await withFakePage(async (page) => {
    renderPlan(page.root, state({ force: ['theme'] }), page.ipc);
    (page.root.querySelector('[data-probe="run-button"]') as HTMLElement).click();
    assert.deepEqual(page.posted[0], { kind: 'command', method: 'plan/run', params: { party: 'P1', force: ['theme'] } });
    const venue = page.root.querySelector('[data-agent="venue"]')!;
    venue.dispatchEvent(new page.window.KeyboardEvent('keydown', { key: 'Enter' }) as unknown as Event);
    assert.deepEqual(page.posted[1], { kind: 'request', method: 'plan/get', id: page.posted[1].id, params: { party: 'P1', force: ['theme', 'venue'] } });
    const theme = page.root.querySelector('[data-agent="theme"]')!;
    theme.dispatchEvent(new page.window.KeyboardEvent('keydown', { key: 'Enter' }) as unknown as Event);
    assert.deepEqual(page.posted[2].params, { party: 'P1', force: [] }, 'Enter again un-forces');
    page.fromHost({ kind: 'reply', method: 'plan/get', id: page.posted[1].id, result: plan });
    page.fromHost({ kind: 'reply', method: 'plan/get', id: page.posted[2].id, error: 'unknown agent "theme"' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(page.root.querySelector('#plan-error')?.textContent, 'unknown agent "theme"', 'a refused request is shown');
  });
});

test('while a run goes on, nodes show their progress and nothing can be forced; empty states offer the next step', async () => {
  await withFakePage(async (page) => {
    renderPlan(
      page.root,
      state({ run: { running: true, agents: { theme: { state: 'done', action: 'reuse' }, budget: { state: 'started', action: 'execute' } } } }),
      page.ipc,
    );
    assert.equal(page.root.querySelector('[data-agent="budget"]')?.getAttribute('data-run'), 'started');
    assert.equal(page.root.querySelector('[data-probe="run"]')?.getAttribute('data-state'), 'running');
    page.root.querySelector('[data-agent="venue"]')!.dispatchEvent(new page.window.KeyboardEvent('keydown', { key: 'Enter' }) as unknown as Event);
    assert.equal(page.posted.length, 0, 'no forcing during a run');

    renderPlan(
      page.root,
      {
        ...state(),
        plan: null,
        empty: {
          reason: 'no-config',
          message: 'No partycost.json',
          action: { label: 'Create Sample Configuration', command: 'partycost.createSampleConfiguration' },
        },
      },
      page.ipc,
    );
    assert.equal(page.root.querySelector('[data-probe="empty"]')?.getAttribute('data-reason'), 'no-config');
    (page.root.querySelector('[data-probe="empty"] vscode-button') as HTMLElement).click();
    assert.deepEqual(page.posted[0], { kind: 'command', method: 'webview/action', params: { command: 'partycost.createSampleConfiguration' } });
  });
});

test('an execute priced with learned tokens says so in its node and its row; one priced as configured does not', async () => {
  const learned: Plan = { ...plan, agents: [...plan.agents.slice(0, 2), { ...plan.agents[2], learnedFrom: 12 }] };
  await withFakePage(async (page) => {
    renderPlan(page.root, state({ plan: learned }), page.ipc);
    const node = page.root.querySelector('[data-probe="node"][data-agent="budget"]')!;
    assert.match(node.querySelector('title')?.textContent ?? '', /upstream changed, \$0\.000100 \(learned from 12 runs\)/);
    assert.match(node.textContent ?? '', /\$0\.000100 ‡/);
    const cell = page.root.querySelector('[data-probe="row"][data-agent="budget"] [data-learned-from]')!;
    assert.deepEqual([cell.getAttribute('data-learned-from'), cell.textContent], ['12', '$0.000100 learned']);
  });
  await withFakePage(async (page) => {
    renderPlan(page.root, state(), page.ipc);
    assert.doesNotMatch(page.root.textContent ?? '', /learned|‡/);
  });
});
