import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCache } from '../../webview/cache/cacheView';
import type { CacheViewState } from '../../webview/protocol';
import type { CacheReport, TierReport } from '../../sidecar/contract/cache';
import { withFakePage } from '../webviewPage';

const tier = (t: Partial<TierReport> & Pick<TierReport, 'tier'>): TierReport => ({
  hits: 0,
  misses: 0,
  writes: 0,
  evictions: 0,
  errors: 0,
  skipped: 0,
  hitRate: 0,
  latencyUs: { p50: null, p95: null },
  entries: null,
  bytes: null,
  ...t,
});

const report: CacheReport = {
  namespace: 'party-planner',
  redis: 'unavailable',
  tiers: [
    tier({
      tier: 'memory',
      hits: 6,
      misses: 14,
      writes: 7,
      hitRate: 0.3,
      entries: 7,
      bytes: 5120,
      latencyUs: { p50: 12, p95: 40 },
      note: 'entries and bytes: this process',
    }),
    tier({ tier: 'redis', hits: 0, misses: 3, errors: 2, skipped: 9, breaker: 'open', latencyUs: { p50: 1500, p95: 2600 } }),
    tier({ tier: 'sqlite', hits: 5, misses: 9, writes: 7, evictions: 1, hitRate: 0.357, entries: 7, bytes: 9000 }),
  ],
  savings: {
    hits: 11,
    savedUsd: 0.0042,
    savedMs: 8300,
    savedTokens: 5400,
    byAgent: ['theme', 'venue', 'menu', 'guests', 'budget', 'vendor'].map((agent, i) => ({
      agent,
      hits: 2,
      savedUsd: 0.001 - i * 0.0001,
      savedMs: 1000,
      savedTokens: 900,
    })),
  },
};

const state = (extra: Partial<CacheViewState> = {}): CacheViewState => ({ view: 'cache', report, ...extra });

test("the cache view shows each tier's counters, the savings and the Redis state as the report gives them", async () => {
  await withFakePage(async (page) => {
    renderCache(page.root, state(), page.ipc);
    const tiers = [...page.root.querySelectorAll('[data-probe="tier"]')];
    const read = (el: Element) => ['tier', 'hits', 'misses', 'hit-rate', 'evictions', 'errors', 'skipped'].map((name) => el.getAttribute(`data-${name}`));
    assert.deepEqual(
      tiers.map(read),
      report.tiers.map((t) => [t.tier, t.hits, t.misses, t.hitRate, t.evictions, t.errors, t.skipped].map(String)),
    );
    assert.match(tiers[0].textContent ?? '', /30\.0 %.*entries7 · 5\.0 KiB.*12 µs \/ 40 µs/);
    assert.doesNotMatch(tiers[1].textContent ?? '', /entries/, 'no entries shown when the report has none');
    assert.match(tiers[1].textContent ?? '', /skipped \(breaker open\)9/);
    assert.equal((tiers[2].querySelector('.cache-meter-fill') as HTMLElement).style.width, '35.7%');
    const savings = page.root.querySelector('[data-probe="savings"]')!;
    assert.deepEqual(
      ['saved-usd', 'saved-ms', 'hits'].map((n) => savings.getAttribute(`data-${n}`)),
      ['0.0042', '8300', '11'],
    );
    assert.match(savings.textContent ?? '', /\$0\.004200.*8\.3 s/);
    const redis = page.root.querySelector('[data-probe="redis"]')!;
    assert.deepEqual([redis.getAttribute('data-state'), redis.getAttribute('data-breaker')], ['unavailable', 'open']);
    assert.match(redis.textContent ?? '', /breaker open/);
  });
});

test('the top agents by savings are the five that saved most, most first', async () => {
  await withFakePage(async (page) => {
    const shuffled = { ...report, savings: { ...report.savings, byAgent: [...report.savings.byAgent].reverse() } };
    renderCache(page.root, state({ report: shuffled }), page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="top-agent"]')];
    assert.deepEqual(
      rows.map((r) => r.getAttribute('data-agent')),
      ['theme', 'venue', 'menu', 'guests', 'budget'],
    );
    assert.equal(rows[0].getAttribute('data-saved-usd'), '0.001');
  });
});

test('Refresh posts cache/refresh and Clear Cache asks the host to run partycost.clearCache', async () => {
  await withFakePage(async (page) => {
    renderCache(page.root, state(), page.ipc);
    (page.root.querySelector('[data-probe="clear"]') as HTMLElement).click();
    (page.root.querySelector('[data-probe="refresh"]') as HTMLElement).click();
    assert.deepEqual(page.posted, [
      { kind: 'command', method: 'webview/action', params: { command: 'partycost.clearCache' } },
      { kind: 'command', method: 'cache/refresh', params: {} },
    ]);
    assert.ok(page.root.querySelector('[data-probe="refresh"]')?.hasAttribute('icon-spin'), 'the refresh spins until the new state arrives');
  });
});

test('before the first report a progress ring shows; empty states offer the next step and keep Refresh', async () => {
  await withFakePage(async (page) => {
    renderCache(page.root, { view: 'cache', report: null }, page.ipc);
    assert.ok(page.root.querySelector('[data-probe="loading"] vscode-progress-ring'));

    const noRuns = {
      reason: 'no-runs',
      message: 'Run a party plan; cache hits appear here.',
      action: { label: 'Run Party Plan', command: 'partycost.runPartyPlan' },
    } as const;
    renderCache(page.root, state({ empty: noRuns }), page.ipc);
    assert.equal(page.root.querySelector('[data-probe="empty"]')?.getAttribute('data-reason'), 'no-runs');
    assert.match(page.root.textContent ?? '', /cache hits appear here/);
    assert.equal(page.root.querySelector('[data-probe="clear"]'), null, 'nothing to clear before a run');
    assert.equal(page.root.querySelectorAll('[data-probe="tier"]').length, 0);
    (page.root.querySelector('[data-probe="empty"] vscode-button') as HTMLElement).click();
    assert.deepEqual(page.posted.at(-1), { kind: 'command', method: 'webview/action', params: { command: 'partycost.runPartyPlan' } });

    const noConfig = {
      reason: 'no-config',
      message: 'No partycost.json',
      action: { label: 'Create Sample Configuration', command: 'partycost.createSampleConfiguration' },
    } as const;
    renderCache(page.root, { view: 'cache', report: null, empty: noConfig }, page.ipc);
    (page.root.querySelector('[data-probe="empty"] vscode-button') as HTMLElement).click();
    assert.deepEqual(page.posted.at(-1), { kind: 'command', method: 'webview/action', params: { command: 'partycost.createSampleConfiguration' } });
    (page.root.querySelector('[data-probe="refresh"]') as HTMLElement).click();
    assert.deepEqual(page.posted.at(-1), { kind: 'command', method: 'cache/refresh', params: {} });
  });
});
