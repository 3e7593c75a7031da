import type { WebviewIpc } from '../ipc';
import { getPlanRequest, runPlanCommand } from '../protocol';
import type { PlanViewState, PlannedAgent, RunState } from '../protocol';
import { h, icon, replace } from '../shared/dom';
import { emptyState } from '../shared/emptyState';
import { usd } from '../shared/format';
import { layoutPlan, nodeHeight, nodeWidth } from './planLayout';
import type { PlacedAgent, PlanLayout } from './planLayout';

const actionLabels: Record<PlannedAgent['action'], string> = {
  reuse: 'reuse',
  cache_hit: 'cache hit',
  execute: 'execute',
  delete: 'delete',
  skip: 'skip',
  blocked: 'blocked',
};
const runIcons = { started: 'loading', done: 'pass', failed: 'error' } as const;

function actionText(p: PlannedAgent | undefined): string {
  if (!p) return 'not in the plan';
  return `${actionLabels[p.action]}${p.tier ? ` · ${p.tier}` : ''}${p.conditional ? ' (if upstream changes)' : ''}`;
}

function toggled(force: string[], agent: string): string[] {
  return force.includes(agent) ? force.filter((a) => a !== agent) : [...force, agent];
}

/** Forcing an agent re-plans with it executed; the host answers and sends the new state. */
function forceAgent(state: PlanViewState, agent: string, ipc: WebviewIpc): void {
  if (!state.party || state.run?.running) return;
  void ipc.request(getPlanRequest, { party: state.party, force: toggled(state.force, agent) }).catch((error: Error) => showError(error.message));
}

function showError(message: string): void {
  document.getElementById('plan-error')?.replaceChildren(message);
}

function nodeOf(placed: PlacedAgent, state: PlanViewState, ipc: WebviewIpc): SVGElement {
  const p = placed.planned;
  const agent = placed.node.agent;
  const progress = state.run?.agents[agent];
  const forced = state.force.includes(agent);
  const label = `${agent}: ${actionText(p)}${p ? `, ${p.cause}, ${usd(p.estimatedCostUsd)}${p.learnedFrom ? ` (learned from ${p.learnedFrom} runs)` : ''}` : ''}${forced ? ', forced' : ''}. Enter toggles forcing it.`;
  const onKey = (event: Event): void => {
    const key = (event as KeyboardEvent).key;
    if (key !== 'Enter' && key !== ' ') return;
    event.preventDefault();
    forceAgent(state, agent, ipc);
  };
  return h(
    'g',
    {
      class: `node action-${p?.action ?? 'none'}${forced ? ' forced' : ''}${progress ? ` run-${progress.state}` : ''}`,
      transform: `translate(${placed.x - nodeWidth / 2}, ${placed.y - nodeHeight / 2})`,
      tabindex: 0,
      role: 'button',
      'aria-label': label,
      'data-probe': 'node',
      'data-agent': agent,
      'data-action': p?.action ?? 'none',
      'data-provider': placed.node.provider,
      'data-run': progress?.state,
      onkeydown: onKey,
      ondblclick: () => forceAgent(state, agent, ipc),
    },
    h(
      'title',
      {},
      `${label}${p?.detail ? `\n${p.detail}` : ''}\n${placed.node.model ? `${placed.node.model} on ${placed.node.provider}` : 'compute (no model)'}`,
    ),
    h('rect', { width: nodeWidth, height: nodeHeight, rx: 6 }),
    h('text', { x: 10, y: 18, class: 'agent' }, `${agent}${forced ? ' (forced)' : ''}${progress ? ` · ${progress.state}` : ''}`),
    h('text', { x: 10, y: 34, class: 'action' }, actionText(p)),
    h(
      'text',
      { x: 10, y: 50, class: 'cost' },
      p
        ? `${p.cause} · ${usd(p.estimatedCostUsd)}${p.learnedFrom ? ' ‡' : ''}`
        : placed.node.model
          ? `${placed.node.model} · ${placed.node.provider}`
          : 'compute',
    ),
  );
}

function edgePath(points: { x: number; y: number }[]): string {
  return points.map((pt, i) => `${i ? 'L' : 'M'}${pt.x.toFixed(1)},${pt.y.toFixed(1)}`).join(' ');
}

function graphOf(layout: PlanLayout, state: PlanViewState, ipc: WebviewIpc): SVGElement {
  return h(
    'svg',
    {
      class: 'plan-graph',
      width: layout.width,
      height: layout.height,
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'group',
      'aria-label': 'The agent graph, coloured by action',
    },
    h(
      'defs',
      {},
      h(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        h('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }),
      ),
    ),
    ...layout.edges.map((e) =>
      h('path', { class: 'edge', d: edgePath(e.points), 'marker-end': 'url(#arrow)', 'data-probe': 'edge', 'data-from': e.from, 'data-to': e.to }),
    ),
    ...layout.agents.map((a) => nodeOf(a, state, ipc)),
  );
}

function legend(): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Actions' },
    ...Object.entries(actionLabels).map(([action, label]) => h('li', { class: `swatch action-${action}` }, label)),
  );
}

function totals(state: PlanViewState): HTMLElement {
  const t = state.plan!.totals;
  const item = (name: string, value: number, text: string): HTMLElement =>
    h('span', { class: 'total', 'data-probe': 'total', 'data-name': name, 'data-value': value }, text);
  const cost = t.bestCaseCostUsd === t.executeCostUsd ? usd(t.executeCostUsd) : `${usd(t.bestCaseCostUsd)} to ${usd(t.executeCostUsd)}`;
  return h(
    'p',
    { class: 'totals' },
    item('execute', t.execute, `Execute ${t.execute}: ${cost}`),
    item('reuse', t.reuse, `reuse ${t.reuse}`),
    item('cacheHit', t.cacheHit, `cache hits ${t.cacheHit}`),
    item('delete', t.delete, `delete ${t.delete}`),
    item('skip', t.skip, `skip ${t.skip}`),
    item('blocked', t.blocked, `blocked ${t.blocked}`),
    item('savedCostUsd', t.savedCostUsd, `saved ${usd(t.savedCostUsd)}`),
    item('savedPercent', t.savedPercent, `(${t.savedPercent} %)`),
  );
}

function agentRows(state: PlanViewState, ipc: WebviewIpc): HTMLElement {
  const rows = state.plan!.agents.map((p) =>
    h(
      'tr',
      { 'data-probe': 'row', 'data-agent': p.agent, 'data-action': p.action },
      h('td', {}, h('span', { class: `swatch action-${p.action}` }, p.agent)),
      h('td', {}, actionText(p)),
      h('td', {}, p.cause),
      h('td', { class: 'detail' }, p.detail ?? ''),
      h(
        'td',
        {
          class: 'number',
          'data-learned-from': p.learnedFrom ?? 0,
          title: p.learnedFrom ? `priced with tokens learned from ${p.learnedFrom} runs` : undefined,
        },
        usd(p.estimatedCostUsd),
        p.learnedFrom ? h('span', { class: 'hint' }, ' learned') : '',
      ),
      h('td', { class: 'number' }, usd(p.savedCostUsd)),
      h(
        'td',
        {},
        h('vscode-checkbox', {
          checked: state.force.includes(p.agent),
          disabled: !!state.run?.running,
          label: 'force',
          'aria-label': `Force ${p.agent}`,
          onchange: () => forceAgent(state, p.agent, ipc),
        }),
      ),
    ),
  );
  const head = h('tr', {}, ...['agent', 'action', 'cause', 'detail', 'cost', 'saved', ''].map((c) => h('th', { scope: 'col' }, c)));
  return h('table', { class: 'agents' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

function runLine(run: RunState | null): HTMLElement | null {
  if (!run) return null;
  if (run.running)
    return h(
      'p',
      { class: 'run', 'data-probe': 'run', 'data-state': 'running' },
      h('vscode-progress-ring', {}),
      ` Running: ${Object.values(run.agents).filter((a) => a.state !== 'started').length} agents done`,
    );
  if (run.error) return h('p', { class: 'run error', 'data-probe': 'run', 'data-state': 'failed' }, icon('error'), ` The run failed: ${run.error}`);
  const o = run.outcome;
  return o
    ? h(
        'p',
        { class: 'run', 'data-probe': 'run', 'data-state': 'done' },
        icon(runIcons.done),
        ` Last run: ${o.executed} executed for ${usd(o.costUsd)}, saved ${usd(o.savedCostUsd)}.`,
      )
    : null;
}

/** The delta plan view: header with the run button, the graph, totals, the agents with their causes and force boxes. */
export function renderPlan(root: HTMLElement, state: PlanViewState, ipc: WebviewIpc): void {
  if (state.empty || !state.plan || !state.party) {
    replace(root, h('h1', {}, 'Delta Execution Plan'), emptyState(state.empty ?? { reason: 'no-party', message: 'No plan to show.' }, ipc));
    return;
  }
  const party = state.party;
  const running = !!state.run?.running;
  const runButton = h(
    'vscode-button',
    { disabled: running, 'data-probe': 'run-button', onclick: () => ipc.command(runPlanCommand, { party, force: state.force }) },
    icon('play'),
    state.force.length ? `Run with ${state.force.join(', ')} forced` : 'Run plan',
  );
  replace(
    root,
    h('header', { class: 'bar' }, h('h1', {}, `Delta plan of ${party}`), runButton),
    totals(state),
    state.plan.budget ? h('p', { class: `budget level-${state.plan.budget.level}` }, icon('warning'), ` ${state.plan.budget.message}`) : '',
    runLine(state.run) ?? '',
    h('p', { id: 'plan-error', class: 'error', role: 'alert' }),
    legend(),
    h('div', { class: 'graph-scroll' }, graphOf(layoutPlan(state.graph, state.plan.agents), state, ipc)),
    agentRows(state, ipc),
    h(
      'p',
      { class: 'hint' },
      'Force an agent to see what re-running it would cost (double-click or Enter on its node, or its box); Run plan runs what the plan shows.',
    ),
  );
}
