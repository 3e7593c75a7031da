import type { WebviewIpc } from '../ipc';
import { applyAdviceCommand } from '../protocol';
import type { Advice, AdviceReport, PromptCaching } from '../protocol';
import { h, icon } from '../shared/dom';
import { count, usd, usdMonth } from '../shared/format';

const kindLabel: Record<Advice['kind'], string> = {
  'prompt-cache': 'prompt cache',
  'prompt-order': 'prompt order',
  'merge-agents': 'merge agents',
  model: 'model',
  batch: 'Batch API',
  'result-cache-ttl': 'result cache TTL',
  normalize: 'normalise inputs',
  'context-budget': 'context budget',
};

function adviceRow(a: Advice, ipc: WebviewIpc): HTMLElement {
  const apply = a.edit
    ? h(
        'vscode-button',
        { secondary: true, 'data-probe': 'apply-advice', onclick: () => ipc.command(applyAdviceCommand, { agent: a.agent, kind: a.kind, change: a.change }) },
        'Apply',
      )
    : h('span', { class: 'hint', title: "An edit of the prompts (or of a crew's YAML): made by hand" }, 'by hand');
  return h(
    'tr',
    {
      'data-probe': 'advice',
      'data-rank': a.rank,
      'data-agent': a.agent,
      'data-kind': a.kind,
      'data-change': a.change,
      'data-saving-month': a.savingPerMonthUsd,
      'data-confidence': a.confidence,
    },
    h('td', { class: 'number' }, String(a.rank)),
    h('th', { scope: 'row' }, a.agent),
    h(
      'td',
      {},
      h('vscode-badge', {}, kindLabel[a.kind]),
      ' ',
      a.change,
      h('div', { class: 'hint' }, a.why),
      h('div', { class: 'hint' }, `Assumes: ${a.assumes.join('; ')}.`),
    ),
    h('td', { class: 'number' }, usdMonth(a.savingPerMonthUsd)),
    h('td', {}, a.confidence),
    h('td', {}, apply),
  );
}

function cachingRow(p: PromptCaching): HTMLElement {
  const m = p.measured;
  return h(
    'tr',
    {
      'data-probe': 'prompt-caching',
      'data-agent': p.agent,
      'data-vendor': p.vendor,
      'data-cached': p.cachedTokens,
      'data-minimum': p.minimumTokens ?? '',
      'data-saving-month': p.savingPerMonthUsd,
      title: p.rule,
    },
    h('th', { scope: 'row' }, p.agent),
    h('td', {}, `${p.vendor} · ${p.model}`),
    h('td', { class: 'number' }, `${count(p.prefixTokens)} / ${count(p.stableTokens)}`),
    h('td', { class: 'number' }, p.minimumTokens === null ? '–' : count(p.minimumTokens)),
    h('td', { class: 'number' }, count(p.cachedTokens)),
    h('td', { class: 'number' }, p.cachedTokens ? `${Math.round(p.hitRate * 100)} %` : '–'),
    h('td', { class: 'number' }, p.savingPerMonthUsd < 0 ? `−${usdMonth(-p.savingPerMonthUsd)}` : usdMonth(p.savingPerMonthUsd)),
    h(
      'td',
      {},
      m ? `${Math.round(m.hitRate * 100)} % hits, ${usd(m.savingPerRunUsd)} a run over ${count(m.runs)} runs (predicted ${usd(m.predictedPerRunUsd)})` : '–',
    ),
  );
}

/** The savings advisor: ranked changes with their monthly saving, prompt caching per agent, advice applied and measured. */
export function adviceSection(report: AdviceReport | undefined, ipc: WebviewIpc): HTMLElement {
  const title = h('h2', {}, 'Advice: what would cut the bill');
  if (!report)
    return h('section', { 'data-probe': 'advice-section' }, title, h('p', { class: 'hint' }, 'No advice: the saved configuration could not be read.'));
  const v = report.volume;
  const volume = h(
    'p',
    { class: 'hint' },
    `Per month at ${count(v.partiesPerMonth)} parties × ${v.runsPerParty} runs (${v.why}). Ranked by saving; changes to one agent overlap, so the total is an upper bound.`,
  );
  const list = report.advice.length
    ? h(
        'div',
        { class: 'estimates-scroll' },
        h(
          'table',
          { class: 'estimates-advice' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['#', 'agent', 'change', 'saves / month', 'confidence', ''].map((c, i) =>
                h('th', { scope: 'col', class: i === 0 || i === 3 ? 'number' : undefined }, c),
              ),
            ),
          ),
          h('tbody', {}, ...report.advice.map((a) => adviceRow(a, ipc))),
        ),
      )
    : h('p', { class: 'hint' }, icon('pass'), ' No change would save a cent a month.');
  const caching = h(
    'div',
    { class: 'estimates-scroll' },
    h(
      'table',
      { class: 'estimates-caching' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['agent', 'vendor · model', 'prefix / stable', 'minimum', 'cached', 'hit rate', 'saves / month', 'measured'].map((c, i) =>
            h('th', { scope: 'col', class: i > 1 && i < 7 ? 'number' : undefined }, c),
          ),
        ),
      ),
      h('tbody', {}, ...report.promptCaching.map(cachingRow)),
    ),
  );
  const applied = report.applied.length
    ? h(
        'ul',
        { 'data-probe': 'applied-advice' },
        ...report.applied.map((a) =>
          h(
            'li',
            {},
            `${a.appliedAt.slice(0, 16).replace('T', ' ')} ${a.agent}: ${a.change}: predicted ${usd(a.predictedPerRunUsd)} a run; `,
            a.measured
              ? `measured ${usd(a.measured.savingPerRunUsd)} (${usd(a.measured.before.meanUsd)} over ${count(a.measured.before.runs)} runs before, ${usd(a.measured.after.meanUsd)} over ${count(a.measured.after.runs)} after)`
              : 'not measured yet',
          ),
        ),
      )
    : '';
  return h(
    'section',
    { 'data-probe': 'advice-section', 'data-total': report.totalPerMonthUsd, 'data-volume-source': v.source },
    title,
    h(
      'p',
      { class: 'totals' },
      h('span', {}, `Up to ${usdMonth(report.totalPerMonthUsd)} a month across ${count(report.advice.length)} change${report.advice.length === 1 ? '' : 's'}`),
    ),
    volume,
    list,
    h('h3', {}, "Prompt caching by each vendor's rules, as the prompts are sent now"),
    caching,
    h(
      'p',
      { class: 'hint' },
      "Prefix: tokens before the first part that changes between parties; stable: every part that repeats. Hover a row for its vendor's rule. Agents on the offline provider are priced as their vendor bills them.",
    ),
    applied ? h('h3', {}, 'Advice applied, measured on the ledger') : '',
    applied,
  );
}
