import type { WebviewIpc } from '../ipc';
import { getEstimateRequest, runActionCommand, runsPerMonth } from '../protocol';
import type { AccuracyReport, AgentActuals, AgentEstimate, CostParts, Estimate, EstimatesViewState, Pricing, RightSizing } from '../protocol';
import { h, icon, replace } from '../shared/dom';
import { emptyState } from '../shared/emptyState';
import { count, usd, usdMonth } from '../shared/format';
import { chartSummary, clearCostChart, components, drawCostChart } from './costChart';
import { adviceSection } from './adviceSection';

/** The cached-input shares offered; switching the what-if on starts at half. */
const shares = [0.25, 0.5, 0.75, 0.9, 1];
const defaultShare = 0.5;

/** What each root shows, so the same state arriving twice (notification, then reply) is not drawn twice. */
const shown = new WeakMap<HTMLElement, string>();
let latestRequest = 0;

function showError(message: string): void {
  document.getElementById('estimates-error')?.replaceChildren(message);
}

/**
 * Asks the host for the estimate at another pricing; only the answer to the latest question is drawn. A refused one
 * redraws the state shown, so the controls go back to the pricing the numbers are at.
 */
function reprice(root: HTMLElement, state: EstimatesViewState, pricing: Pricing, ipc: WebviewIpc): void {
  const asked = ++latestRequest;
  root.setAttribute('aria-busy', 'true');
  const refused = (error: Error): void => {
    shown.delete(root);
    renderEstimates(root, state, ipc);
    showError(error.message);
  };
  ipc.request(getEstimateRequest, { pricing }).then(
    (next) => asked === latestRequest && renderEstimates(root, next, ipc),
    (error: Error) => asked === latestRequest && refused(error),
  );
}

function pricingControls(root: HTMLElement, state: EstimatesViewState, pricing: Pricing, ipc: WebviewIpc): HTMLElement {
  const to = (next: Pricing): void => reprice(root, state, next, ipc);
  const cached = pricing.cachedInputShare > 0;
  const share = h(
    'vscode-single-select',
    {
      'aria-label': 'Share of input tokens billed at the cached-input price',
      disabled: !cached,
      'data-probe': 'cached-share',
      onchange: (event) => to({ ...pricing, cachedInputShare: Number((event.target as { value?: string }).value) }),
    },
    ...shares.map((s) => h('vscode-option', { value: s, selected: s === (cached ? pricing.cachedInputShare : defaultShare) }, `${Math.round(s * 100)} %`)),
  );
  return h(
    'section',
    {
      class: 'toggles estimates-pricing',
      'aria-label': 'What-if pricing',
      'data-probe': 'pricing',
      'data-cached-input-share': pricing.cachedInputShare,
      'data-batch': String(pricing.batch),
    },
    h('vscode-checkbox', {
      checked: cached,
      label: 'Cached input',
      'data-probe': 'cached-input',
      onchange: () => to({ ...pricing, cachedInputShare: cached ? 0 : defaultShare }),
    }),
    share,
    h('vscode-checkbox', {
      checked: pricing.batch,
      label: 'Batch API (50 % off)',
      'data-probe': 'batch',
      onchange: () => to({ ...pricing, batch: !pricing.batch }),
    }),
  );
}

function pricingHint(pricing: Pricing): HTMLElement {
  const cached =
    pricing.cachedInputShare > 0
      ? `${Math.round(pricing.cachedInputShare * 100)} % of each prompt's input tokens are billed at the cached-input price`
      : 'no input tokens are cached';
  const batch = pricing.batch ? 'every model call goes through the Batch API at its batch prices (results within 24 h)' : 'calls are billed at list prices';
  return h('p', { class: 'hint' }, `Assumed: ${cached}; ${batch}.`);
}

function prices(e: Estimate, ipc: WebviewIpc): HTMLElement {
  const { source, date, overridden, fetchedAt } = e.prices;
  return h(
    'p',
    { class: 'source', 'data-probe': 'prices', 'data-source': source, 'data-date': date },
    icon('tag'),
    ` Prices: ${source}, as of ${date}${fetchedAt ? ` (updated ${fetchedAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}`,
    overridden.length ? `; overridden in the configuration: ${overridden.join(', ')}` : '',
    ' ',
    h(
      'vscode-button',
      { secondary: true, 'data-probe': 'update-prices', onclick: () => ipc.command(runActionCommand, { command: 'partycost.updatePrices' }) },
      'Update prices',
    ),
  );
}

function totals(e: Estimate): HTMLElement {
  const item = (name: string, value: number, text: string): HTMLElement =>
    h('span', { class: 'total', 'data-probe': 'total', 'data-name': name, 'data-value': value }, text);
  return h(
    'p',
    { class: 'totals' },
    item('perMonthUsd', e.perMonthUsd, `${usdMonth(e.perMonthUsd)} per month`),
    h('span', {}, `(${count(e.volume.partiesPerMonth)} parties × ${e.volume.rerunFactor} runs)`),
    item('perPartyUsd', e.perPartyUsd, `${usd(e.perPartyUsd)} per party`),
    item('orchestrationUsd', e.orchestrationUsd, `orchestration ${usd(e.orchestrationUsd)}`),
  );
}

function chartBox(e: Estimate): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h(
    'canvas',
    { role: 'img', 'aria-label': chartSummary(e), 'aria-describedby': 'estimates-caption' },
    'The table below has the numbers.',
  ) as unknown as HTMLCanvasElement;
  const box = h('div', { class: 'estimates-chart', 'data-probe': 'chart', 'data-agents': e.agents.length }, canvas);
  // Set through the CSSOM: the page's Content-Security-Policy refuses style attributes.
  box.style.height = `${60 + e.agents.length * 30}px`;
  return { box, canvas };
}

function agentRow(a: AgentEstimate, e: Estimate): HTMLElement {
  const parts = Object.fromEntries(components.map(({ name }) => [`data-${name}`, a.breakdown[name]]));
  return h(
    'tr',
    { 'data-probe': 'agent', 'data-agent': a.agent, 'data-crew-agent': a.crewAgent ?? '', 'data-cost': a.costPerRunUsd, ...parts },
    // A crew's row is a task: the CrewAI agent that performs it follows its name.
    h('th', { scope: 'row' }, a.agent, a.crewAgent ? h('span', { class: 'hint', title: 'the CrewAI agent that performs this task' }, ` · ${a.crewAgent}`) : ''),
    h(
      'td',
      {
        'data-probe': 'model',
        'data-provider': a.provider ?? '',
        'data-runs-on': a.runsOn,
        title: a.provider ? `runs on ${a.runsOn}; prices of ${a.provider}` : 'a built-in function',
      },
      a.model ?? 'compute',
      a.model ? h('span', { class: 'hint' }, ` · ${a.runsOn}`) : '',
    ),
    h(
      'td',
      {
        class: 'number',
        title: tokenTitle(a),
        'data-probe': 'tokens',
        'data-output-source': a.outputTokensSource,
        'data-learned-from': a.learnedFrom,
        'data-token-count': a.tokenCount,
      },
      a.kind === 'llm' ? `${tokenMarks[a.tokenCount]}${count(a.inputTokens)} / ${count(a.outputTokens)}` : '–',
      a.outputTokensSource === 'learned' ? h('span', { class: 'hint' }, ` learned (${count(a.learnedFrom)})`) : '',
    ),
    ...components.map(({ name }) => h('td', { class: 'number' }, usd(a.breakdown[name]))),
    h(
      'td',
      { class: 'number' },
      usd(a.costPerRunUsd),
      a.production
        ? h(
            'span',
            {
              class: 'hint',
              'data-probe': 'production',
              'data-p50': a.production.costUsd.p50,
              'data-runs': a.production.runs,
              title: `production: p50 ${usd(a.production.costUsd.p50)}, p90 ${usd(a.production.costUsd.p90)} per run; ${a.production.calls.p50} calls at the median; over the latest ${count(a.production.window)} of ${count(a.production.runs)} traced runs`,
            },
            ` · prod ${usd(a.production.costUsd.p50)}`,
          )
        : '',
    ),
    h('td', { class: 'number' }, usdMonth(a.costPerRunUsd * runsPerMonth(e.volume))),
  );
}

const tokenMarks: Record<AgentEstimate['tokenCount'], string> = { counted: '', approximate: '~', calibrated: '≈', declared: '', learned: '', none: '' };

function tokenTitle(a: AgentEstimate): string {
  const calibration = a.calibration ? `: × ${a.calibration.factor} from ${count(a.calibration.runs)} billed runs of ${a.calibration.model}` : '';
  const how = {
    counted: "counted with the model's tokenizer",
    approximate: "approximate: counted with o200k, not the model's own tokenizer",
    calibrated: `counted with o200k and calibrated by what the vendor billed${calibration}`,
    declared: 'declared by expectedInputTokens',
    learned: "learned from the agent's runs (the median billed prompt)",
    none: '',
  }[a.tokenCount];
  const tier = a.tierAbove ? `; above ${count(a.tierAbove)} input tokens every token bills at the long-context rate` : '';
  const output =
    a.outputTokensSource === 'learned'
      ? `output tokens learned: ${a.learning!.why}`
      : `output tokens configured (${count(a.configuredOutputTokens)})${a.learning ? `; ${a.learning.why}` : ''}`;
  return `input tokens ${how}${tier}; ${output}`;
}

function footRow(label: string, parts: (number | null)[], perRun: number, perMonth: number, probe?: string): HTMLElement {
  return h(
    'tr',
    { 'data-probe': probe },
    h('th', { scope: 'row', colspan: 3 }, label),
    ...parts.map((p) => h('td', { class: 'number' }, p === null ? '' : usd(p))),
    h('td', { class: 'number' }, usd(perRun)),
    h('td', { class: 'number' }, usdMonth(perMonth)),
  );
}

function agentTable(e: Estimate): HTMLElement {
  const sums = components.map(({ name }) => e.agents.reduce((total, a) => total + a.breakdown[name], 0));
  const head = ['agent', 'model', 'tokens in / out', ...components.map((c) => c.name), 'per run', 'per month'].map((c, i) =>
    h('th', { scope: 'col', class: i > 1 ? 'number' : undefined }, c),
  );
  return h(
    'table',
    { class: 'agents estimates-agents' },
    h('caption', { id: 'estimates-caption' }, `Cost of each agent per run, by component, and per month at ${count(runsPerMonth(e.volume))} runs`),
    h('thead', {}, h('tr', {}, ...head)),
    h('tbody', {}, ...e.agents.map((a) => agentRow(a, e))),
    h(
      'tfoot',
      {},
      footRow(
        'orchestration',
        components.map(() => null),
        e.orchestrationUsd,
        e.orchestrationUsd * runsPerMonth(e.volume),
      ),
      footRow('per party', sums, e.perPartyUsd, e.perMonthUsd, 'party-row'),
    ),
  );
}

function rightSizingSection(sizing: RightSizing[]): HTMLElement {
  const better = sizing.filter((s) => s.suggested);
  const title = h('h2', {}, "Cheaper models that meet each agent's needs");
  if (!better.length)
    return h(
      'section',
      { 'data-probe': 'right-sizing' },
      title,
      h('p', { class: 'hint' }, icon('pass'), ' Every agent is on the cheapest model that meets its needs.'),
    );
  const head = ['agent', 'now', 'cheaper', 'quality', 'latency', 'saves per run', 'saves per month'].map((c, i) =>
    h('th', { scope: 'col', class: i > 2 ? 'number' : undefined }, c),
  );
  const rows = better.map((s) =>
    h(
      'tr',
      {
        'data-probe': 'saving',
        'data-agent': s.agent,
        'data-current': s.current.model,
        'data-suggested': s.suggested!.model,
        'data-saving-run': s.savingPerRunUsd,
        'data-saving-month': s.savingPerMonthUsd,
      },
      h('th', { scope: 'row' }, s.agent),
      h('td', {}, s.current.model),
      h(
        'td',
        {},
        h('vscode-badge', {}, s.suggested!.model),
        s.suggested!.provider ? h('span', { class: 'hint' }, ` ${s.suggested!.provider}`) : '',
        s.alternatives.length ? h('div', { class: 'hint' }, `also ${s.alternatives.map((a) => `${a.model} ${usd(a.costPerRunUsd)}`).join(', ')}`) : '',
      ),
      h('td', { class: 'number' }, s.suggested!.quality === null ? '–' : String(s.suggested!.quality)),
      h('td', { class: 'number' }, s.suggested!.latencyMs === null ? '–' : `${count(s.suggested!.latencyMs)} ms`),
      h('td', { class: 'number' }, usd(s.savingPerRunUsd)),
      h('td', { class: 'number' }, usdMonth(s.savingPerMonthUsd)),
    ),
  );
  return h(
    'section',
    { 'data-probe': 'right-sizing' },
    title,
    h('div', { class: 'estimates-scroll' }, h('table', { class: 'estimates-savings' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows))),
    h('p', { class: 'hint' }, "Needs: the agent's minQuality (else its current model's quality) and maxLatencyMs; savings at list prices."),
  );
}

const actualParts: [keyof CostParts, string][] = [
  ['inputUsd', 'input'],
  ['cacheReadUsd', 'cache read'],
  ['cacheWriteUsd', 'cache write'],
  ['outputUsd', 'output'],
  ['reasoningUsd', 'reasoning'],
  ['resourcesUsd', 'resources'],
];

/** What executions actually cost per agent, by part, from the ledger: prompt-cache reads and writes and reasoning apart. */
function actualsSection(actuals: AgentActuals[]): HTMLElement {
  const title = h('h2', {}, 'Actual cost per execution, by part');
  const ran = actuals.filter((a) => a.executions > 0);
  if (!ran.length)
    return h(
      'section',
      { 'data-probe': 'actuals' },
      title,
      h('p', { class: 'hint' }, 'No executions yet: run a party plan to see what each agent actually costs.'),
    );
  const head = ['agent', 'provider · model', 'runs', ...actualParts.map(([, label]) => label), 'mean'].map((c, i) =>
    h('th', { scope: 'col', class: i > 1 ? 'number' : undefined }, c),
  );
  const rows = ran.map((a) =>
    h(
      'tr',
      {
        'data-probe': 'actual',
        'data-agent': a.agent,
        'data-provider': a.provider,
        'data-mean': a.meanActualUsd,
        ...Object.fromEntries(actualParts.map(([key]) => [`data-${key}`, a.meanParts[key]])),
      },
      h('th', { scope: 'row' }, a.agent),
      h('td', {}, `${a.provider} · ${a.model ?? 'compute'}`),
      h('td', { class: 'number' }, count(a.executions)),
      ...actualParts.map(([key]) => h('td', { class: 'number' }, usd(a.meanParts[key]))),
      h('td', { class: 'number' }, usd(a.meanActualUsd)),
    ),
  );
  return h(
    'section',
    { 'data-probe': 'actuals' },
    title,
    h('div', { class: 'estimates-scroll' }, h('table', { class: 'estimates-actuals' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows))),
    h('p', { class: 'hint' }, 'Means over the executions in the ledger (`partycost ledger` lists them); result-cache hits cost nothing and are left out.'),
  );
}

const percent = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)} %`);
const maybeUsd = (value: number | null): string => (value === null ? '–' : usd(value));

/** How close estimates came to the runs: configured and learned against actual, the drift, and the spend trend. */
function accuracySection(report: AccuracyReport | undefined): HTMLElement {
  const title = h('h2', {}, 'Estimates against actual runs');
  const ran = report?.agents.filter((a) => a.runs > 0 || a.earlierRuns > 0) ?? [];
  if (!report || !ran.length)
    return h(
      'section',
      { 'data-probe': 'accuracy' },
      title,
      h('p', { class: 'hint' }, 'No runs reported by a provider yet: estimates use the configured figures until an agent has run a few times.'),
    );
  const drifting = ran.filter((a) => a.drift);
  const warning = drifting.length
    ? h(
        'p',
        { class: 'warning', role: 'status', 'data-probe': 'drift-warning' },
        icon('warning'),
        ` Actual costs run more than 25 % from the estimate: ${drifting.map((a) => `${a.agent} (${a.driftPercent! > 0 ? '+' : ''}${a.driftPercent!.toFixed(1)} %)`).join(', ')}.`,
      )
    : '';
  const head = ['agent', 'runs', 'configured', 'learned', 'actual mean', 'configured error', 'learned error', 'drift'].map((c, i) =>
    h('th', { scope: 'col', class: i > 0 ? 'number' : undefined }, c),
  );
  const rows = ran.map((a) =>
    h(
      'tr',
      {
        'data-probe': 'accuracy-agent',
        'data-agent': a.agent,
        'data-runs': a.runs,
        'data-source': a.outputTokensSource,
        'data-configured-error': a.configuredErrorPercent ?? '',
        'data-learned-error': a.learnedErrorPercent ?? '',
        'data-drift': String(a.drift),
        title: a.why,
      },
      h('th', { scope: 'row' }, a.agent),
      h('td', { class: 'number' }, a.window < a.runs ? `${count(a.window)} of ${count(a.runs)}` : count(a.runs)),
      h('td', { class: 'number' }, usd(a.configuredCostUsd)),
      h('td', { class: 'number' }, maybeUsd(a.learnedCostUsd)),
      h('td', { class: 'number' }, maybeUsd(a.actualMeanCostUsd)),
      h('td', { class: 'number' }, percent(a.configuredErrorPercent)),
      h('td', { class: 'number' }, percent(a.learnedErrorPercent)),
      h('td', { class: a.drift ? 'number drift' : 'number' }, a.driftPercent === null ? '–' : `${a.driftPercent > 0 ? '+' : ''}${a.driftPercent.toFixed(1)} %`),
    ),
  );
  const { configuredPerMonthUsd, learnedPerMonthUsd, actual } = report.projection;
  const fromSpend = actual.trendPerMonthUsd ?? actual.ratePerMonthUsd;
  return h(
    'section',
    { 'data-probe': 'accuracy' },
    title,
    warning,
    h('div', { class: 'estimates-scroll' }, h('table', { class: 'estimates-accuracy' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows))),
    h(
      'p',
      { class: 'hint' },
      `Over each agent's latest ${count(report.learning.window)} runs as now configured; learned figures replace the configured ones after ${count(report.learning.minRuns)}. Error: mean absolute percentage error against each run. Hover a row for why.`,
    ),
    h(
      'p',
      {
        class: 'totals',
        'data-probe': 'projection',
        'data-configured': configuredPerMonthUsd,
        'data-learned': learnedPerMonthUsd,
        'data-actual': fromSpend ?? '',
      },
      h('span', {}, `Per month: ${usdMonth(configuredPerMonthUsd)} configured, ${usdMonth(learnedPerMonthUsd)} learned`),
      h('span', {}, fromSpend === null ? `from the ledger's spend: ${actual.why}` : `${usdMonth(fromSpend)} from the ledger's spend (${actual.why})`),
    ),
  );
}

/** The cost estimates view: totals, the what-if pricing, the chart, the table of agents by component, right-sizing. */
export function renderEstimates(root: HTMLElement, state: EstimatesViewState, ipc: WebviewIpc): void {
  const json = JSON.stringify(state);
  root.removeAttribute('aria-busy');
  if (shown.get(root) === json) return;
  shown.set(root, json);
  const e = state.estimate;
  if (state.empty || !e) {
    clearCostChart();
    replace(root, h('h1', {}, 'Cost Estimates'), emptyState(state.empty ?? { reason: 'no-config', message: 'No estimate to show.' }, ipc));
    return;
  }
  const chart = chartBox(e);
  replace(
    root,
    h(
      'header',
      { class: 'bar' },
      h('h1', {}, 'Cost Estimates'),
      h('vscode-badge', { 'aria-label': `${usdMonth(e.perMonthUsd)} per month` }, `${usdMonth(e.perMonthUsd)} / month`),
    ),
    prices(e, ipc),
    totals(e),
    pricingControls(root, state, e.pricing, ipc),
    pricingHint(e.pricing),
    h('p', { id: 'estimates-error', class: 'error', role: 'alert' }),
    chart.box,
    h('div', { class: 'estimates-scroll' }, agentTable(e)),
    adviceSection(state.advice, ipc),
    rightSizingSection(state.rightSizing),
    accuracySection(state.accuracy),
    actualsSection(state.actuals ?? []),
  );
  // After the canvas is in the page: Chart.js sizes it from its box.
  drawCostChart(chart.canvas, e);
}
