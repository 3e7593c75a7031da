import type { WebviewIpc } from '../ipc';
import { runActionCommand } from '../protocol';
import type { ImpactResult, ImpactViewState } from '../protocol';
import { h, icon, replace } from '../shared/dom';
import { emptyState } from '../shared/emptyState';
import { count, usd } from '../shared/format';

type AgentImpact = ImpactResult['agents'][number];

const numeric = ['parties', 'cost', 'batch'];

function table(head: string[], rows: HTMLElement[], label: string): HTMLElement {
  const cells = head.map((c) => h('th', { scope: 'col', class: numeric.includes(c) ? 'number' : undefined }, c));
  return h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, ...cells)), h('tbody', {}, ...rows));
}

function action(a: { action: string; conditional: boolean }): string {
  return a.action === 'delete' ? 'delete' : a.conditional ? 'execute?' : 'execute';
}

function agentRow(a: AgentImpact): HTMLElement {
  return h(
    'tr',
    {
      'data-probe': 'agent',
      'data-agent': a.agent,
      'data-cause': a.cause,
      'data-parties': a.parties,
      'data-conditional': String(a.conditional),
      'data-cost': a.executeCostUsd,
    },
    h('th', { scope: 'row' }, a.agent),
    h('td', { title: a.conditional ? 'runs only if an upstream agent that re-runs returns a different result' : undefined }, action(a)),
    h('td', {}, a.detail ? `${a.cause}: ${a.detail}` : a.cause),
    h('td', { class: 'number' }, count(a.parties)),
    h('td', { class: 'number' }, a.action === 'execute' ? usd(a.executeCostUsd) : '–'),
    h('td', { class: 'number' }, a.action === 'execute' ? usd(a.batchCostUsd) : '–'),
  );
}

function partyRow(p: NonNullable<ImpactResult['byParty']>[number]): HTMLElement {
  return h(
    'tr',
    { 'data-probe': 'party', 'data-party': p.party, 'data-agents': p.agents.map((a) => a.agent).join(',') },
    h('th', { scope: 'row' }, p.party),
    h('td', {}, p.agents.map((a) => `${a.agent} (${action(a)})`).join(', ')),
  );
}

/** The impact view: the summary, what re-runs per agent and cause, the parties affected, and the button to refresh them. */
export function renderImpact(root: HTMLElement, state: ImpactViewState, ipc: WebviewIpc): void {
  const impact = state.impact;
  if (state.empty || !impact) {
    replace(root, h('h1', {}, 'Configuration Impact'), emptyState(state.empty ?? { reason: 'no-runs', message: 'No stored party yet.' }, ipc));
    return;
  }
  const t = impact.totals;
  const refreshing = state.refreshing;
  const button = impact.parties.affected
    ? h(
        'vscode-button',
        {
          'data-probe': 'refresh',
          disabled: refreshing ? true : undefined,
          onclick: () => ipc.command(runActionCommand, { command: 'partycost.refreshAffectedParties' }),
        },
        icon('sync'),
        refreshing ? `Refreshing… ${refreshing.done} of ${refreshing.total}` : 'Refresh Affected Parties',
      )
    : null;
  replace(
    root,
    h('h1', {}, 'Configuration Impact'),
    h(
      'p',
      {
        class: 'totals',
        'data-probe': 'summary',
        'data-affected': impact.parties.affected,
        'data-total': impact.parties.total,
        'data-executions': t.executions,
      },
      h('span', {}, impact.summary),
      button,
    ),
    h(
      'p',
      { class: 'hint' },
      `The configuration on disk against each party's results, at ${impact.prices.source.split(',')[0]} prices of ${impact.prices.date}. ${count(t.executions)} executions: ${usd(t.executeCostUsd)} at list prices (${usd(t.bestCaseCostUsd)} if early cutoff stops every conditional one), ${usd(t.batchCostUsd)} through the Batch API.`,
    ),
    ...(impact.agents.length
      ? [
          h('h2', {}, 'By agent'),
          table(['agent', 'action', 'cause', ...numeric], impact.agents.map(agentRow), 'What re-runs, per agent and cause'),
          h('h2', {}, `Parties affected (${count(impact.parties.affected)} of ${count(impact.parties.total)})`),
          table(['party', 'agents'], (impact.byParty ?? []).map(partyRow), 'The agents each party re-runs'),
        ]
      : [h('p', { class: 'hint' }, 'Every stored party is up to date with the configuration.')]),
  );
}
