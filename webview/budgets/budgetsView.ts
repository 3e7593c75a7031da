import type { WebviewIpc } from '../ipc';
import type { BudgetsViewState, TokenBudget } from '../protocol';
import { h, icon, replace } from '../shared/dom';
import { emptyState } from '../shared/emptyState';
import { count, percent } from '../shared/format';

type Part = keyof TokenBudget['parts'];
type Placement = TokenBudget['upstream'][number];

const partLabels: Record<Part, string> = { instructions: 'instructions', inputs: 'own inputs', upstream: 'upstream results' };
const numberColumns = ['prompt', 'budget', 'of budget', 'instructions', 'own inputs', 'upstream', 'pruned', 'answer'];
const placementColumns = ['tokens whole → used', 'pruned'];
const formLabels: Record<Placement['form'], string> = { whole: 'whole', summary: 'summarised', reference: 'by reference', none: 'not in the prompt' };

/** The bar's scale: the budget, or the prompt plus what was pruned when larger, so every segment fits. */
function scaleOf(b: TokenBudget): number {
  return Math.max(b.budget ?? 0, b.tokens + b.prunedTokens, 1);
}

/** Widths are set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes. */
function sized<E extends HTMLElement>(element: E, property: 'width' | 'left', tokens: number, scale: number): E {
  element.style[property] = `${((100 * tokens) / scale).toFixed(2)}%`;
  return element;
}

function statusText(b: TokenBudget): string {
  if (b.budget === null) return `${count(b.tokens)} tokens, no budget`;
  const text = `${count(b.tokens)} of ${count(b.budget)} (${percent(b.tokens / b.budget)})`;
  return b.overBudget ? `${text}, over budget` : text;
}

function barOf(b: TokenBudget): HTMLElement {
  const scale = scaleOf(b);
  const segments = (Object.keys(partLabels) as Part[]).map((part) =>
    sized(h('span', { class: `budgets-segment budgets-${part}` }), 'width', b.parts[part], scale),
  );
  const pruned = b.prunedTokens ? sized(h('span', { class: 'budgets-segment budgets-pruned' }), 'width', b.prunedTokens, scale) : null;
  const marker = b.budget === null ? null : sized(h('span', { class: 'budgets-marker' }), 'left', b.budget, scale);
  const excess =
    b.budget !== null && b.tokens > b.budget
      ? sized(sized(h('span', { class: 'budgets-excess' }), 'left', b.budget, scale), 'width', b.tokens - b.budget, scale)
      : null;
  const label = `${b.agent}: ${statusText(b)}; ${(Object.keys(partLabels) as Part[]).map((p) => `${partLabels[p]} ${count(b.parts[p])}`).join(', ')}${b.prunedTokens ? `; ${count(b.prunedTokens)} upstream tokens pruned` : ''}`;
  return h('div', { class: 'budgets-bar', role: 'img', 'aria-label': label, title: label }, ...segments, pruned, excess, marker);
}

function agentRow(b: TokenBudget): HTMLElement {
  return h(
    'li',
    {
      class: `budgets-row${b.overBudget ? ' budgets-over' : ''}`,
      'data-probe': 'agent',
      'data-agent': b.agent,
      'data-budget': b.budget ?? 'none',
      'data-tokens': b.tokens,
      'data-instructions': b.parts.instructions,
      'data-inputs': b.parts.inputs,
      'data-upstream': b.parts.upstream,
      'data-pruned': b.prunedTokens,
      'data-over': String(b.overBudget),
    },
    h('span', { class: 'budgets-name' }, b.overBudget ? icon('error', { label: 'over budget' }) : null, ` ${b.agent}`),
    barOf(b),
    h('span', { class: 'budgets-status number' }, statusText(b)),
  );
}

function legend(): HTMLElement {
  const items = (Object.keys(partLabels) as Part[]).map((part) => h('li', { class: `swatch budgets-${part}` }, partLabels[part]));
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Parts of a prompt' },
    ...items,
    h('li', { class: 'swatch budgets-pruned' }, 'pruned upstream'),
    h('li', { class: 'budgets-marker-key' }, 'budget'),
  );
}

/** A table whose columns named in `numeric` are right-aligned, headers included. */
function table(head: string[], numeric: string[], rows: HTMLElement[], label: string): HTMLElement {
  const cells = head.map((c) => h('th', { scope: 'col', class: numeric.includes(c) ? 'number' : undefined }, c));
  return h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, ...cells)), h('tbody', {}, ...rows));
}

function numbersRow(b: TokenBudget): HTMLElement {
  const cell = (n: number): HTMLElement => h('td', { class: 'number' }, count(n));
  return h(
    'tr',
    { class: b.overBudget ? 'budgets-over' : undefined },
    h('th', { scope: 'row' }, b.agent),
    h('td', {}, b.model),
    h(
      'td',
      {
        class: 'number',
        title: b.calibration
          ? `counted with o200k; the vendor bills about ${count(Math.round(b.tokens * b.calibration.factor))} (× ${b.calibration.factor}, from ${b.calibration.runs} runs of ${b.calibration.model})`
          : undefined,
      },
      count(b.tokens),
      b.calibration ? h('span', { class: 'hint' }, ` ≈${count(Math.round(b.tokens * b.calibration.factor))} billed`) : '',
    ),
    h('td', { class: 'number' }, b.budget === null ? 'none' : count(b.budget)),
    h('td', { class: 'number' }, b.budget === null ? '–' : percent(b.tokens / b.budget)),
    cell(b.parts.instructions),
    cell(b.parts.inputs),
    cell(b.parts.upstream),
    cell(b.prunedTokens),
    h(
      'td',
      {
        class: 'number',
        'data-probe': 'answer',
        'data-agent': b.agent,
        'data-source': b.outputTokensSource,
        title:
          b.outputTokensSource === 'learned'
            ? `the median answer of its latest ${b.learnedFrom} runs`
            : 'expectedOutputTokens (else 256): too few runs to learn from',
      },
      count(b.outputTokens),
      h('span', { class: 'hint' }, b.outputTokensSource === 'learned' ? ` learned (${b.learnedFrom})` : ' configured'),
    ),
    h('td', {}, b.overBudget ? h('vscode-badge', { class: 'budgets-over-badge' }, 'over budget') : 'within'),
  );
}

function upstreamRow(b: TokenBudget, u: Placement): HTMLElement {
  const attributes = {
    'data-probe': 'upstream',
    'data-agent': b.agent,
    'data-from': u.agent,
    'data-form': u.form,
    'data-whole': u.tokensWhole,
    'data-used': u.tokensUsed,
  };
  return h(
    'tr',
    { ...attributes, class: `budgets-form-${u.form}` },
    h('th', { scope: 'row' }, b.agent),
    h('td', {}, u.agent),
    h('td', {}, formLabels[u.form]),
    h('td', { class: 'number' }, `${count(u.tokensWhole)} → ${count(u.tokensUsed)}`),
    h('td', { class: 'number' }, count(u.tokensWhole - u.tokensUsed)),
  );
}

function summary(agents: TokenBudget[]): HTMLElement {
  const over = agents.filter((b) => b.overBudget).length;
  const pruned = agents.reduce((sum, b) => sum + b.prunedTokens, 0);
  return h(
    'p',
    { class: 'totals', 'data-probe': 'summary', 'data-over': over, 'data-pruned': pruned },
    h('span', {}, `${agents.length} llm agents`),
    h('span', { class: over ? 'error' : undefined }, over ? `${over} over budget` : 'none over budget'),
    h('span', {}, `${count(pruned)} upstream tokens pruned to fit`),
  );
}

/** The token budgets view: a bar per agent (its prompt's parts against its budget), then the numbers and the upstream forms. */
export function renderBudgets(root: HTMLElement, state: BudgetsViewState, ipc: WebviewIpc): void {
  if (state.empty || !state.party) {
    replace(root, h('h1', {}, 'Token Budgets'), emptyState(state.empty ?? { reason: 'no-party', message: 'No party to show.' }, ipc));
    return;
  }
  const agents = state.agents;
  if (!agents.length) {
    replace(
      root,
      h('h1', {}, `Token budgets of ${state.party}`),
      h('p', { class: 'hint' }, 'No llm agent in the configuration: only llm agents have prompts to fit a budget.'),
    );
    return;
  }
  const placements = agents.flatMap((b) => b.upstream.map((u) => upstreamRow(b, u)));
  replace(
    root,
    h('h1', {}, `Token budgets of ${state.party}`),
    summary(agents),
    legend(),
    h('ul', { class: 'budgets-rows', 'aria-label': 'Prompt tokens per agent against its context budget' }, ...agents.map(agentRow)),
    h('h2', {}, 'Numbers'),
    table(['agent', 'model', ...numberColumns, ''], numberColumns, agents.map(numbersRow), 'Tokens per agent'),
    h('h2', {}, 'Upstream results in each prompt'),
    placements.length
      ? table(['agent', 'upstream', 'form', ...placementColumns], placementColumns, placements, 'How each upstream result was placed')
      : h('p', { class: 'hint' }, 'No agent takes upstream results.'),
    h('p', { class: 'hint' }, 'Own inputs are always whole; upstream results are summarised or passed by reference when the prompt would not fit its budget.'),
  );
}
