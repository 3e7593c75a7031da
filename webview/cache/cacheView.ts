import type { WebviewIpc } from '../ipc';
import { refreshCacheCommand, runActionCommand } from '../protocol';
import type { AgentSavings, CacheReport, CacheViewState, TierReport } from '../protocol';
import { h, icon, replace } from '../shared/dom';
import { emptyState } from '../shared/emptyState';
import { count, duration, percent, usd } from '../shared/format';

const tierNames: Record<TierReport['tier'], { label: string; icon: string }> = {
  memory: { label: 'Memory (L1)', icon: 'chip' },
  redis: { label: 'Redis (L2)', icon: 'server' },
  sqlite: { label: 'SQLite (L3)', icon: 'database' },
};
const redisIcons: Record<CacheReport['redis'], string> = { connected: 'pass', unavailable: 'debug-disconnect', 'not configured': 'circle-slash' };
const topAgents = 5;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function toolbar(state: CacheViewState, ipc: WebviewIpc): HTMLElement {
  const refresh = h('vscode-button', { secondary: true, 'data-probe': 'refresh' }, icon('refresh'), 'Refresh');
  // The icon spins until the host's next state replaces the whole view.
  refresh.addEventListener('click', () => {
    refresh.setAttribute('icon-spin', '');
    ipc.command(refreshCacheCommand, {});
  });
  const clear =
    state.report && !state.empty
      ? h(
          'vscode-button',
          { 'data-probe': 'clear', onclick: () => ipc.command(runActionCommand, { command: 'partycost.clearCache' }) },
          icon('clear-all'),
          'Clear Cache',
        )
      : null;
  return h('div', { class: 'cache-toolbar' }, clear, refresh);
}

function savingsOf(savings: CacheReport['savings']): HTMLElement {
  return h(
    'section',
    { class: 'cache-savings', 'data-probe': 'savings', 'data-saved-usd': savings.savedUsd, 'data-saved-ms': savings.savedMs, 'data-hits': savings.hits },
    h('p', { class: 'cache-saved' }, icon('zap'), ` Saved ${usd(savings.savedUsd)}`),
    h('p', { class: 'hint' }, `${count(savings.hits)} hits · ${duration(savings.savedMs)} of agent time · ${count(savings.savedTokens)} tokens`),
  );
}

function redisLine(report: CacheReport): HTMLElement {
  const breaker = report.tiers.find((t) => t.tier === 'redis')?.breaker;
  return h(
    'p',
    {
      class: `cache-redis cache-redis-${report.redis.replace(' ', '-')}`,
      'data-probe': 'redis',
      'data-state': report.redis,
      'data-breaker': breaker ?? 'none',
    },
    icon(redisIcons[report.redis]),
    ` Redis ${report.redis}`,
    breaker ? h('vscode-badge', { class: `cache-breaker-${breaker}`, title: 'circuit breaker' }, `breaker ${breaker}`) : null,
  );
}

function figure(name: string, value: string, warn = false): HTMLElement[] {
  return [h('dt', {}, name), h('dd', { class: warn ? 'number error' : 'number' }, value)];
}

function micros(us: number): string {
  return us < 1000 ? `${us} µs` : duration(us / 1000);
}

function latency(t: TierReport): string {
  const { p50, p95 } = t.latencyUs;
  return p50 === null ? '–' : `${micros(p50)} / ${micros(p95 ?? p50)}`;
}

function tierOf(t: TierReport): HTMLElement {
  const name = tierNames[t.tier];
  const fill = h('span', { class: 'cache-meter-fill' });
  fill.style.width = `${(t.hitRate * 100).toFixed(1)}%`;
  return h(
    'section',
    {
      class: 'cache-tier',
      'data-probe': 'tier',
      'data-tier': t.tier,
      'data-hits': t.hits,
      'data-misses': t.misses,
      'data-hit-rate': t.hitRate,
      'data-evictions': t.evictions,
      'data-errors': t.errors,
      'data-skipped': t.skipped,
    },
    h('h3', {}, icon(name.icon), ` ${name.label} `, h('vscode-badge', { title: 'hit rate' }, percent(t.hitRate))),
    h(
      'div',
      { class: 'meter cache-meter', role: 'img', 'aria-label': `${name.label}: hit rate ${percent(t.hitRate)}, ${t.hits} hits, ${t.misses} misses` },
      fill,
    ),
    h(
      'dl',
      { class: 'cache-figures' },
      ...figure('hits / misses', `${count(t.hits)} / ${count(t.misses)}`),
      ...figure('writes', count(t.writes)),
      ...(t.entries === null ? [] : figure('entries', `${count(t.entries)}${t.bytes === null ? '' : ` · ${bytes(t.bytes)}`}`)),
      ...figure('evictions', count(t.evictions)),
      ...figure('errors', count(t.errors), t.errors > 0),
      ...(t.tier === 'redis' || t.skipped ? figure('skipped (breaker open)', count(t.skipped), t.skipped > 0) : []),
      ...figure('latency p50 / p95', latency(t)),
    ),
    t.note ? h('p', { class: 'hint' }, t.note) : null,
  );
}

function agentRow(a: AgentSavings): HTMLElement {
  return h(
    'tr',
    { 'data-probe': 'top-agent', 'data-agent': a.agent, 'data-saved-usd': a.savedUsd },
    h('th', { scope: 'row' }, a.agent),
    h('td', { class: 'number' }, count(a.hits)),
    h('td', { class: 'number' }, usd(a.savedUsd)),
    h('td', { class: 'number' }, duration(a.savedMs)),
  );
}

function topAgentsOf(byAgent: AgentSavings[]): HTMLElement {
  const top = [...byAgent].sort((a, b) => b.savedUsd - a.savedUsd).slice(0, topAgents);
  if (!top.length) return h('p', { class: 'hint' }, 'No hits yet: agents appear here once a run reuses a cached result.');
  const head = h('tr', {}, ...['agent', 'hits', 'saved', 'time'].map((c) => h('th', { scope: 'col' }, c)));
  return h('table', { class: 'cache-agents', 'aria-label': 'Top agents by savings' }, h('thead', {}, head), h('tbody', {}, ...top.map(agentRow)));
}

/** The sidebar's cache statistics: savings, Redis and its breaker, each tier's counters, the agents that saved most. */
export function renderCache(root: HTMLElement, state: CacheViewState, ipc: WebviewIpc): void {
  const report = state.report;
  if (state.empty) {
    replace(root, toolbar(state, ipc), emptyState(state.empty, ipc));
    return;
  }
  if (!report) {
    replace(root, h('p', { class: 'cache-loading', 'data-probe': 'loading' }, h('vscode-progress-ring', {}), ' Reading the cache statistics…'));
    return;
  }
  replace(
    root,
    toolbar(state, ipc),
    savingsOf(report.savings),
    redisLine(report),
    h('h2', {}, 'Tiers'),
    ...report.tiers.map(tierOf),
    h('h2', {}, 'Top agents by savings'),
    topAgentsOf(report.savings.byAgent),
    h('p', { class: 'hint' }, `Namespace ${report.namespace}. Counters add up over every run in this workspace, the CLI's too.`),
  );
}
