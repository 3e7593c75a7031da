import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEstimates } from '../../webview/estimates/estimatesView';
import { estimatesStateNotification } from '../../webview/protocol';
import type { EstimatesViewState } from '../../webview/protocol';
import type { AgentEstimate, Estimate } from '../../sidecar/contract/cost';
import type { Pricing } from '../../sidecar/contract/pricing';
import type { RightSizing } from '../../sidecar/contract/cost';
import type { AgentActuals } from '../../sidecar/contract/ledger';
import type { AccuracyReport, AgentAccuracy } from '../../sidecar/contract/accuracy';
import { withFakePage } from '../webviewPage';
import type { FakePage } from '../webviewPage';

const zero = { llm: 0, vector: 0, compute: 0, cache: 0, sql: 0 };
const llmOf = (provider: string | null, usd: number) => ({
  callsPerRun: { p50: 1, p90: 1, max: null, source: 'one call' as const },
  outputTokensSource: 'configured' as const,
  learnedFrom: 0,
  configuredOutputTokens: provider ? 256 : 0,
  provider,
  runsOn: provider ? ('offline' as const) : ('builtin' as const),
  llmParts: { inputUsd: usd / 4, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: (3 * usd) / 4 },
  contextWindow: provider ? 128_000 : null,
  maxOutputTokens: provider ? 16_384 : null,
});
const agents: AgentEstimate[] = [
  {
    agent: 'theme',
    kind: 'llm',
    model: 'gpt-4o-mini',
    inputTokens: 420,
    outputTokens: 256,
    tokenCount: 'counted',
    costPerRunUsd: 0.000221,
    breakdown: { ...zero, llm: 0.00022, cache: 0.000001 },
    ...llmOf('openai', 0.00022),
  },
  {
    agent: 'venue',
    kind: 'llm',
    model: 'gpt-4o',
    inputTokens: 900,
    outputTokens: 300,
    tokenCount: 'counted',
    costPerRunUsd: 0.00546,
    breakdown: { ...zero, llm: 0.00525, vector: 0.0002, sql: 0.00001 },
    ...llmOf('openai', 0.00525),
  },
  {
    agent: 'budget',
    kind: 'compute',
    model: null,
    inputTokens: 0,
    outputTokens: 0,
    tokenCount: 'none',
    costPerRunUsd: 0.0003,
    breakdown: { ...zero, compute: 0.0003 },
    ...llmOf(null, 0),
  },
];

function estimate(pricing: Pricing = { cachedInputShare: 0, batch: false }, scale = 1): Estimate {
  const scaled = agents.map((a) => ({ ...a, costPerRunUsd: a.costPerRunUsd * scale }));
  const perPartyUsd = scaled.reduce((sum, a) => sum + a.costPerRunUsd, 0) + 0.0001;
  return {
    agents: scaled,
    orchestrationUsd: 0.0001,
    perPartyUsd,
    perMonthUsd: perPartyUsd * 2000,
    volume: { partiesPerMonth: 1000, rerunFactor: 2 },
    prices: { source: 'OpenAI pricing page', date: '2025-06-01', overridden: ['gpt-4o'] },
    pricing,
  };
}

const rightSizing: RightSizing[] = [
  {
    agent: 'theme',
    current: { model: 'gpt-4o-mini', provider: 'openai', costPerRunUsd: 0.00022, quality: 70, latencyMs: 900 },
    needs: { minQuality: 70, maxLatencyMs: null },
    suggested: null,
    alternatives: [],
    savingPerRunUsd: 0,
    savingPerMonthUsd: 0,
  },
  {
    agent: 'venue',
    current: { model: 'gpt-4o', provider: 'openai', costPerRunUsd: 0.00525, quality: 85, latencyMs: 1500 },
    needs: { minQuality: 80, maxLatencyMs: null },
    suggested: { model: 'gpt-4.1', provider: 'openai', costPerRunUsd: 0.0042, quality: 86, latencyMs: 1400 },
    alternatives: [],
    savingPerRunUsd: 0.00105,
    savingPerMonthUsd: 2.1,
  },
];

const state = (e: Estimate = estimate()): EstimatesViewState => ({ view: 'estimates', estimate: e, rightSizing });

const attr = (page: FakePage, selector: string, name: string): string | null | undefined => page.root.querySelector(selector)?.getAttribute(name);
const change = (page: FakePage, element: Element): void => void element.dispatchEvent(new page.window.Event('change') as unknown as Event);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("the estimates view lists each agent by component, the totals and the prices' source and date", async () => {
  await withFakePage(async (page) => {
    renderEstimates(page.root, state(), page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="agent"]')];
    assert.deepEqual(
      rows.map((r) => r.getAttribute('data-agent')),
      ['theme', 'venue', 'budget'],
    );
    assert.deepEqual(
      ['data-cost', 'data-llm', 'data-vector', 'data-compute', 'data-cache', 'data-sql'].map((a) => rows[1].getAttribute(a)),
      ['0.00546', '0.00525', '0.0002', '0', '0', '0.00001'],
    );
    assert.equal(rows[2].getAttribute('data-compute'), '0.0003');
    const models = [...page.root.querySelectorAll('[data-probe="model"]')];
    assert.deepEqual(
      models.map((m) => [m.getAttribute('data-runs-on'), m.getAttribute('data-provider')]),
      [
        ['offline', 'openai'],
        ['offline', 'openai'],
        ['builtin', ''],
      ],
      'each agent names the provider it runs on and whose prices apply',
    );
    assert.match(rows[1].textContent ?? '', /gpt-4o.*900 \/ 300.*\$0\.005460.*\$10\.92/);
    const e = estimate();
    const total = (name: string) => attr(page, `[data-probe="total"][data-name="${name}"]`, 'data-value');
    assert.deepEqual([total('perPartyUsd'), total('perMonthUsd'), total('orchestrationUsd')], [String(e.perPartyUsd), String(e.perMonthUsd), '0.0001']);
    assert.match(page.root.querySelector('.totals')?.textContent ?? '', /per month.*1,000 parties × 2 runs/);
    assert.deepEqual(
      [attr(page, '[data-probe="prices"]', 'data-source'), attr(page, '[data-probe="prices"]', 'data-date')],
      ['OpenAI pricing page', '2025-06-01'],
    );
    assert.match(page.root.querySelector('[data-probe="prices"]')?.textContent ?? '', /as of 2025-06-01; overridden in the configuration: gpt-4o/);
    const saving = [...page.root.querySelectorAll('[data-probe="saving"]')];
    assert.deepEqual(
      saving.map((s) => [s.getAttribute('data-agent'), s.getAttribute('data-suggested'), s.getAttribute('data-saving-month')]),
      [['venue', 'gpt-4.1', '2.1']],
    );
    assert.ok(
      [...page.root.querySelectorAll('th')].every((th) => th.getAttribute('scope')),
      'every header cell has a scope',
    );
  });
});

test('without a 2D context the chart is skipped, its box still says how many bars, and the table is complete', async () => {
  await withFakePage(async (page) => {
    renderEstimates(page.root, state(), page.ipc);
    const box = page.root.querySelector('[data-probe="chart"]')!;
    assert.equal(box.getAttribute('data-agents'), '3');
    const canvas = box.querySelector('canvas')!;
    assert.equal(canvas.getAttribute('role'), 'img');
    assert.match(canvas.getAttribute('aria-label') ?? '', /3 agents.*most expensive agent is venue/);
    assert.equal(canvas.getAttribute('aria-describedby'), 'estimates-caption');
    assert.ok(page.root.querySelector('#estimates-caption'), 'the description the canvas points at exists');
    assert.equal(page.root.querySelectorAll('tbody [data-probe="agent"]').length, 3);
    assert.match(page.root.querySelector('[data-probe="party-row"]')?.textContent ?? '', /per party/);
  });
});

test('the what-if toggles ask for the estimate at their pricing, and the reply is drawn', async () => {
  await withFakePage(async (page) => {
    renderEstimates(page.root, state(), page.ipc);
    assert.deepEqual([attr(page, '[data-probe="pricing"]', 'data-cached-input-share'), attr(page, '[data-probe="pricing"]', 'data-batch')], ['0', 'false']);
    assert.equal(page.root.querySelector('[data-probe="cached-share"]')?.hasAttribute('disabled'), true, 'no share to choose while caching is off');
    change(page, page.root.querySelector('[data-probe="cached-input"]')!);
    assert.deepEqual(page.posted[0], {
      kind: 'request',
      method: 'estimates/get',
      id: page.posted[0].id,
      params: { pricing: { cachedInputShare: 0.5, batch: false } },
    });
    assert.equal(page.root.getAttribute('aria-busy'), 'true');

    const cheaper = estimate({ cachedInputShare: 0.5, batch: false }, 0.5);
    page.fromHost({ kind: 'reply', method: 'estimates/get', id: page.posted[0].id, result: state(cheaper) });
    await settle();
    assert.equal(attr(page, '[data-probe="pricing"]', 'data-cached-input-share'), '0.5');
    assert.equal(attr(page, '[data-agent="venue"]', 'data-cost'), '0.00273');
    assert.equal(page.root.hasAttribute('aria-busy'), false);
    assert.match(page.root.querySelector('.hint')?.textContent ?? '', /50 % of each prompt's input tokens/);

    const share = page.root.querySelector('[data-probe="cached-share"]') as unknown as { value: string };
    share.value = '0.9';
    change(page, share as unknown as Element);
    assert.deepEqual(page.posted[1].params, { pricing: { cachedInputShare: 0.9, batch: false } });
    change(page, page.root.querySelector('[data-probe="batch"]')!);
    assert.deepEqual(page.posted[2].params, { pricing: { cachedInputShare: 0.5, batch: true } });
  });
});

test('only the latest answer is drawn; a refused one is shown; a notification re-renders', async () => {
  await withFakePage(async (page) => {
    renderEstimates(page.root, state(), page.ipc);
    change(page, page.root.querySelector('[data-probe="batch"]')!);
    change(page, page.root.querySelector('[data-probe="cached-input"]')!);
    page.fromHost({ kind: 'reply', method: 'estimates/get', id: page.posted[1].id, error: 'the sidecar is restarting' });
    page.fromHost({ kind: 'reply', method: 'estimates/get', id: page.posted[0].id, result: state(estimate({ cachedInputShare: 0, batch: true })) });
    await settle();
    assert.equal(attr(page, '[data-probe="pricing"]', 'data-batch'), 'false', 'the older answer is not drawn');
    assert.equal(page.root.querySelector('#estimates-error')?.textContent, 'the sidecar is restarting');
    assert.equal(page.root.hasAttribute('aria-busy'), false);
    assert.equal(page.root.querySelector('[data-probe="cached-input"]')?.hasAttribute('checked'), false, 'the refused toggle is drawn back off');

    // As main.ts wires it: each state the host sends is drawn.
    page.ipc.onNotification(estimatesStateNotification, (next) => renderEstimates(page.root, next, page.ipc));
    page.fromHost({ kind: 'notification', method: 'estimates/state', params: state(estimate({ cachedInputShare: 0, batch: true }, 0.5)) });
    assert.equal(attr(page, '[data-probe="pricing"]', 'data-batch'), 'true');
    assert.equal(attr(page, '[data-agent="theme"]', 'data-cost'), '0.0001105');
  });
});

test('empty states: no configuration offers the sample, an invalid one points at the Problems panel', async () => {
  await withFakePage(async (page) => {
    const action = { label: 'Create Sample Configuration', command: 'partycost.createSampleConfiguration' } as const;
    renderEstimates(
      page.root,
      { view: 'estimates', estimate: null, rightSizing: [], empty: { reason: 'no-config', message: 'No partycost.json', action } },
      page.ipc,
    );
    assert.equal(attr(page, '[data-probe="empty"]', 'data-reason'), 'no-config');
    assert.equal(page.root.querySelector('[data-probe="chart"]'), null);
    (page.root.querySelector('[data-probe="empty"] vscode-button') as HTMLElement).click();
    assert.deepEqual(page.posted[0], { kind: 'command', method: 'webview/action', params: { command: 'partycost.createSampleConfiguration' } });

    renderEstimates(
      page.root,
      {
        view: 'estimates',
        estimate: null,
        rightSizing: [],
        empty: { reason: 'invalid-config', message: 'partycost.json has 2 problems (see the Problems panel)' },
      },
      page.ipc,
    );
    assert.equal(attr(page, '[data-probe="empty"]', 'data-reason'), 'invalid-config');
    assert.match(page.root.textContent ?? '', /Problems panel/);
  });
});

test('actual costs per execution show cache reads, cache writes and reasoning as their own parts; none yet says so', async () => {
  const actuals: AgentActuals[] = [
    {
      agent: 'theme',
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      executions: 4,
      cacheHits: 2,
      meanActualUsd: 0.0031,
      meanParts: { inputUsd: 0.001, cacheReadUsd: 0.0001, cacheWriteUsd: 0.0005, outputUsd: 0.0012, reasoningUsd: 0, resourcesUsd: 0.0003 },
    },
    {
      agent: 'venue',
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      executions: 1,
      cacheHits: 0,
      meanActualUsd: 0.0042,
      meanParts: { inputUsd: 0.0009, cacheReadUsd: 0.0002, cacheWriteUsd: 0, outputUsd: 0.0015, reasoningUsd: 0.0014, resourcesUsd: 0.0002 },
    },
    {
      agent: 'cake',
      provider: 'openai',
      model: 'gpt-5',
      executions: 0,
      cacheHits: 3,
      meanActualUsd: 0,
      meanParts: { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0, reasoningUsd: 0, resourcesUsd: 0 },
    },
  ];
  await withFakePage(async (page) => {
    renderEstimates(page.root, { ...state(), actuals }, page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="actual"]')];
    assert.deepEqual(
      rows.map((r) => [r.getAttribute('data-agent'), r.getAttribute('data-provider')]),
      [
        ['theme', 'anthropic'],
        ['venue', 'gemini'],
      ],
      'agents that only hit the cache have no execution to show',
    );
    assert.deepEqual(
      ['data-cacheReadUsd', 'data-cacheWriteUsd', 'data-reasoningUsd', 'data-mean'].map((a) => rows[0].getAttribute(a)),
      ['0.0001', '0.0005', '0', '0.0031'],
    );
    assert.equal(rows[1].getAttribute('data-reasoningUsd'), '0.0014');
    assert.match(rows[0].textContent ?? '', /anthropic · claude-haiku-4-5.*4.*\$0\.000100.*\$0\.000500/);
    const head = [...page.root.querySelectorAll('[data-probe="actuals"] thead th')].map((th) => th.textContent);
    assert.deepEqual(head, ['agent', 'provider · model', 'runs', 'input', 'cache read', 'cache write', 'output', 'reasoning', 'resources', 'mean']);
  });
  await withFakePage(async (page) => {
    renderEstimates(page.root, { ...state(), actuals: [] }, page.ipc);
    assert.match(page.root.querySelector('[data-probe="actuals"]')?.textContent ?? '', /No executions yet/);
  });
});

test("estimates against actual runs: each agent's configured and learned error, a drift warning beyond 25 %, and next month from the spend", async () => {
  const row = (agent: string, fields: Partial<AgentAccuracy>): AgentAccuracy => ({
    agent,
    model: 'gpt-4o-mini',
    runs: 12,
    window: 12,
    configuredCostUsd: 0.0001,
    learnedCostUsd: 0.0005,
    actualMeanCostUsd: 0.00051,
    configuredErrorPercent: 80.4,
    learnedErrorPercent: 1.9,
    errorTrend: [],
    driftPercent: 2,
    drift: false,
    outputTokensSource: 'learned',
    earlierRuns: 0,
    outliers: 0,
    why: 'learned from 12 runs (output p50 880, p90 900)',
    ...fields,
  });
  const accuracy: AccuracyReport = {
    agents: [
      row('theme', {}),
      row('venue', {
        runs: 3,
        window: 3,
        learnedCostUsd: null,
        learnedErrorPercent: null,
        driftPercent: 61.5,
        drift: true,
        outputTokensSource: 'configured',
        why: '3 runs so far, 5 needed',
      }),
      row('cake', {
        runs: 0,
        window: 0,
        actualMeanCostUsd: null,
        configuredErrorPercent: null,
        learnedErrorPercent: null,
        driftPercent: null,
        why: 'no runs yet: the configured figures apply',
      }),
    ],
    projection: {
      configuredPerMonthUsd: 1.2,
      learnedPerMonthUsd: 3.4,
      actual: {
        days: 6,
        spentUsd: 0.5,
        todayUsd: 0.01,
        ratePerMonthUsd: 2.5,
        trendPerMonthUsd: 3.1,
        slopePerDayUsd: 0.001,
        why: 'a line through 6 whole days of spend (2026-11-26 on), projected over the next 30 days',
      },
    },
    learning: { window: 20, minRuns: 5 },
  };
  await withFakePage(async (page) => {
    renderEstimates(page.root, { ...state(), accuracy }, page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="accuracy-agent"]')];
    assert.deepEqual(
      rows.map((r) => [r.getAttribute('data-agent'), r.getAttribute('data-source'), r.getAttribute('data-learned-error'), r.getAttribute('data-drift')]),
      [
        ['theme', 'learned', '1.9', 'false'],
        ['venue', 'configured', '', 'true'],
      ],
      'an agent that never ran has no row',
    );
    assert.match(rows[0].textContent ?? '', /theme12\$0\.000100\$0\.000500\$0\.00051080\.4 %1\.9 %\+2\.0 %/);
    assert.match(page.root.querySelector('[data-probe="drift-warning"]')?.textContent ?? '', /more than 25 % from the estimate: venue \(\+61\.5 %\)/);
    const projection = page.root.querySelector('[data-probe="projection"]')!;
    assert.deepEqual(
      ['data-configured', 'data-learned', 'data-actual'].map((a) => projection.getAttribute(a)),
      ['1.2', '3.4', '3.1'],
    );
  });
  await withFakePage(async (page) => {
    renderEstimates(page.root, { ...state(), accuracy: { ...accuracy, agents: [accuracy.agents[2]] } }, page.ipc);
    assert.match(page.root.querySelector('[data-probe="accuracy"]')?.textContent ?? '', /No runs reported by a provider yet/);
    assert.equal(page.root.querySelector('[data-probe="drift-warning"]'), null);
  });
});
