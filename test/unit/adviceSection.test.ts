import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviceSection } from '../../webview/estimates/adviceSection';
import type { AdviceReport } from '../../sidecar/contract/advice';
import { withFakePage } from '../webviewPage';

const report: AdviceReport = {
  advice: [
    {
      rank: 1,
      agent: 'planner_final',
      kind: 'model',
      change: 'model gpt-4o → gpt-4.1',
      savingPerMonthUsd: 2.22,
      savingPerRunUsd: 0.00111,
      confidence: 'medium',
      why: 'gpt-4.1 meets its needs for less.',
      assumes: ['the indicative quality ranking holds'],
      edit: { path: ['agents', 'planner_final', 'model'], value: 'gpt-4.1' },
    },
    {
      rank: 2,
      agent: 'menu',
      kind: 'prompt-order',
      change: 'stable parts first',
      savingPerMonthUsd: 0.4,
      savingPerRunUsd: 0.0002,
      confidence: 'low',
      why: 'Its instructions come after the guests.',
      assumes: ['runs arrive at random', '1,000 parties a month'],
    },
  ],
  totalPerMonthUsd: 2.62,
  cachingNotes: [],
  promptCaching: [
    {
      agent: 'brief',
      model: 'claude-sonnet-4-5',
      vendor: 'anthropic',
      runsOn: 'anthropic',
      rule: 'an explicit breakpoint',
      prefixTokens: 2100,
      stableTokens: 2100,
      promptTokens: 2300,
      minimumTokens: 1024,
      cachedTokens: 2100,
      writtenTokens: 2100,
      lifetimeMinutes: 5,
      hitRate: 0.11,
      savingPerMonthUsd: -0.5,
    },
  ],
  applied: [{ agent: 'vendor', kind: 'batch', change: 'batch: true', appliedAt: '2026-12-01T10:00:00.000Z', predictedPerRunUsd: 0.0001, measured: null }],
  volume: { partiesPerMonth: 1000, runsPerParty: 2, source: 'configured', why: 'partiesPerMonth × rerunFactor' },
  prices: { source: 'genai-prices', date: '2026-11-20' },
};

test('the advice section ranks each change with its monthly saving and says what an edit by hand is', async () => {
  await withFakePage(async (page) => {
    page.root.append(adviceSection(report, page.ipc));
    const rows = [...page.root.querySelectorAll('[data-probe="advice"]')];
    assert.deepEqual(
      rows.map((r) => [r.getAttribute('data-rank'), r.getAttribute('data-agent'), r.getAttribute('data-kind')]),
      [
        ['1', 'planner_final', 'model'],
        ['2', 'menu', 'prompt-order'],
      ],
    );
    assert.match(rows[0].textContent!, /Assumes: the indicative quality ranking holds\./);
    assert.ok(rows[0].querySelector('[data-probe="apply-advice"]'), 'a configuration edit can be applied');
    assert.equal(rows[1].querySelector('[data-probe="apply-advice"]'), null);
    assert.match(rows[1].textContent!, /by hand/);
    const caching = page.root.querySelector('[data-probe="prompt-caching"]')!;
    assert.equal(caching.getAttribute('data-vendor'), 'anthropic');
    assert.match(caching.textContent!, /−\$0\.50/, 'a breakpoint that costs more than it saves shows a negative saving');
    assert.match(page.root.querySelector('[data-probe="applied-advice"]')!.textContent!, /vendor: batch: true: predicted \$0\.000100 a run; not measured yet/);
  });
});

test('Apply sends the advice to the host by agent, kind and change', async () => {
  await withFakePage(async (page) => {
    page.root.append(adviceSection(report, page.ipc));
    (page.root.querySelector('[data-probe="apply-advice"]') as HTMLElement).click();
    assert.deepEqual(page.posted.at(-1), {
      kind: 'command',
      method: 'advice/apply',
      params: { agent: 'planner_final', kind: 'model', change: 'model gpt-4o → gpt-4.1' },
    });
  });
});

test('without a report the section says why, and with no advice it says nothing would save', async () => {
  await withFakePage(async (page) => {
    page.root.append(adviceSection(undefined, page.ipc), adviceSection({ ...report, advice: [], totalPerMonthUsd: 0, applied: [] }, page.ipc));
    const [none, empty] = [...page.root.querySelectorAll('[data-probe="advice-section"]')];
    assert.match(none.textContent!, /could not be read/);
    assert.match(empty.textContent!, /No change would save a cent a month\./);
    assert.equal(empty.querySelector('[data-probe="applied-advice"]'), null);
  });
});
