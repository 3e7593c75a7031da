import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBudgets } from '../../webview/budgets/budgetsView';
import type { BudgetsViewState } from '../../webview/protocol';
import type { TokenBudget } from '../../sidecar/protocol';
import { withFakePage } from '../webviewPage';

const agents: TokenBudget[] = [
  {
    agent: 'theme',
    model: 'gpt-4o-mini',
    budget: 800,
    tokens: 320,
    parts: { instructions: 200, inputs: 120, upstream: 0 },
    upstream: [],
    prunedTokens: 0,
    overBudget: false,
    outputTokens: 880,
    outputTokensSource: 'learned',
    learnedFrom: 12,
  },
  {
    agent: 'venue',
    model: 'gpt-4o-mini',
    budget: 1500,
    tokens: 1400,
    parts: { instructions: 500, inputs: 300, upstream: 600 },
    upstream: [
      { agent: 'theme', form: 'whole', tokensWhole: 200, tokensUsed: 200 },
      { agent: 'guests', form: 'summary', tokensWhole: 900, tokensUsed: 400 },
    ],
    prunedTokens: 500,
    overBudget: false,
    outputTokens: 250,
    outputTokensSource: 'configured',
    learnedFrom: 0,
  },
  {
    agent: 'planner_final',
    model: 'gpt-4.1',
    budget: 300,
    tokens: 450,
    parts: { instructions: 380, inputs: 40, upstream: 30 },
    upstream: [{ agent: 'venue', form: 'reference', tokensWhole: 1200, tokensUsed: 30 }],
    prunedTokens: 1170,
    overBudget: true,
    outputTokens: 700,
    outputTokensSource: 'configured',
    learnedFrom: 0,
  },
  {
    agent: 'menu',
    model: 'anthropic/claude-haiku-4-5',
    budget: null,
    tokens: 90,
    parts: { instructions: 60, inputs: 30, upstream: 0 },
    upstream: [],
    prunedTokens: 0,
    overBudget: false,
    outputTokens: 150,
    outputTokensSource: 'configured',
    learnedFrom: 0,
    calibration: { model: 'anthropic/claude-haiku-4-5', factor: 1.2, runs: 6 },
  },
];

const state = (extra: Partial<BudgetsViewState> = {}): BudgetsViewState => ({ view: 'budgets', party: 'P1', agents, ...extra });

test("the budgets view has one bar per agent whose probe values are the state's numbers", async () => {
  await withFakePage(async (page) => {
    renderBudgets(page.root, state(), page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="agent"]')];
    const read = (row: Element) =>
      ['agent', 'budget', 'tokens', 'instructions', 'inputs', 'upstream', 'pruned', 'over'].map((name) => row.getAttribute(`data-${name}`));
    assert.deepEqual(
      rows.map(read),
      agents.map((b) => [
        b.agent,
        String(b.budget ?? 'none'),
        String(b.tokens),
        String(b.parts.instructions),
        String(b.parts.inputs),
        String(b.parts.upstream),
        String(b.prunedTokens),
        String(b.overBudget),
      ]),
    );
    const venue = rows[1];
    const widths = [...venue.querySelectorAll('.budgets-segment')].map((s) => (s as HTMLElement).style.width);
    // The scale is the prompt plus what was pruned (1,900 > the budget of 1,500); the marker sits at the budget.
    assert.deepEqual(widths, ['26.32%', '15.79%', '31.58%', '26.32%']);
    assert.equal((venue.querySelector('.budgets-marker') as HTMLElement).style.left, '78.95%');
    assert.equal(rows[3].querySelector('.budgets-marker'), null, 'an agent without a budget has no marker');
    assert.match(rows[3].textContent ?? '', /no budget/);
    assert.match(venue.querySelector('[role="img"]')?.getAttribute('aria-label') ?? '', /venue: 1,400 of 1,500 .*500 upstream tokens pruned/);
  });
});

test('an over-budget agent is flagged in its bar, the table and the summary', async () => {
  await withFakePage(async (page) => {
    renderBudgets(page.root, state(), page.ipc);
    const over = page.root.querySelector('[data-probe="agent"][data-over="true"]')!;
    assert.equal(over.getAttribute('data-agent'), 'planner_final');
    assert.ok(over.classList.contains('budgets-over'));
    assert.match(over.textContent ?? '', /450 of 300 \(150\.0 %\), over budget/);
    assert.ok(over.querySelector('.codicon-error[aria-label="over budget"]'), 'an error icon marks it');
    const excess = over.querySelector('.budgets-excess') as HTMLElement;
    // Scale 1,620 (450 + 1,170 pruned): the excess runs from the budget (300) to the prompt (450).
    assert.deepEqual([excess.style.left, excess.style.width], ['18.52%', '9.26%']);
    assert.equal(page.root.querySelectorAll('.budgets-excess').length, 1, 'only the agent over its budget has an excess');
    assert.equal(page.root.querySelectorAll('tr.budgets-over').length, 1);
    assert.match(page.root.querySelector('tr.budgets-over')?.textContent ?? '', /over budget/);
    const summary = page.root.querySelector('[data-probe="summary"]')!;
    assert.deepEqual([summary.getAttribute('data-over'), summary.getAttribute('data-pruned')], ['1', '1670']);
    assert.equal(page.root.querySelectorAll('[data-probe="agent"].budgets-over').length, 1, 'only that one');
  });
});

test('each upstream result shows its form and its tokens whole and used', async () => {
  await withFakePage(async (page) => {
    renderBudgets(page.root, state(), page.ipc);
    const rows = [...page.root.querySelectorAll('[data-probe="upstream"]')];
    const read = (row: Element) => ['agent', 'from', 'form', 'whole', 'used'].map((name) => row.getAttribute(`data-${name}`));
    assert.deepEqual(rows.map(read), [
      ['venue', 'theme', 'whole', '200', '200'],
      ['venue', 'guests', 'summary', '900', '400'],
      ['planner_final', 'venue', 'reference', '1200', '30'],
    ]);
    assert.match(rows[1].textContent ?? '', /summarised.*900 → 400.*500/);
    assert.match(rows[2].textContent ?? '', /by reference/);
  });
});

test('empty states say what to do next and their buttons run the command', async () => {
  await withFakePage(async (page) => {
    const cases: [BudgetsViewState['empty'], string][] = [
      [
        { reason: 'no-config', message: 'No partycost.json', action: { label: 'Create Sample Configuration', command: 'partycost.createSampleConfiguration' } },
        'partycost.createSampleConfiguration',
      ],
      [{ reason: 'no-party', message: 'No party yet', action: { label: 'Run Party Plan', command: 'partycost.runPartyPlan' } }, 'partycost.runPartyPlan'],
    ];
    for (const [empty, command] of cases) {
      renderBudgets(page.root, state({ party: null, agents: [], empty }), page.ipc);
      assert.equal(page.root.querySelector('[data-probe="empty"]')?.getAttribute('data-reason'), empty!.reason);
      assert.equal(page.root.querySelectorAll('[data-probe="agent"]').length, 0);
      (page.root.querySelector('[data-probe="empty"] vscode-button') as HTMLElement).click();
      assert.deepEqual(page.posted.at(-1), { kind: 'command', method: 'webview/action', params: { command } });
    }
    renderBudgets(page.root, state({ agents: [] }), page.ipc);
    assert.match(page.root.textContent ?? '', /No llm agent/);
  });
});

test("each agent's expected answer says whether it is learned from runs or configured; a calibrated model shows what its vendor bills", async () => {
  await withFakePage(async (page) => {
    renderBudgets(page.root, state(), page.ipc);
    const answers = [...page.root.querySelectorAll('[data-probe="answer"]')].map((cell) => [
      cell.getAttribute('data-agent'),
      cell.getAttribute('data-source'),
      cell.textContent,
    ]);
    assert.deepEqual(answers, [
      ['theme', 'learned', '880 learned (12)'],
      ['venue', 'configured', '250 configured'],
      ['planner_final', 'configured', '700 configured'],
      ['menu', 'configured', '150 configured'],
    ]);
    const menu = [...page.root.querySelectorAll('tr')].find((row) => row.querySelector('th')?.textContent === 'menu')!;
    assert.match(menu.textContent ?? '', /90 ≈108 billed/, '90 counted × 1.2');
  });
});
