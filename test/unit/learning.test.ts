import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { estimate } from '../../sidecar/estimate/estimate';
import { listPricing } from '../../sidecar/contract/pricing';
import { Ledger } from '../../sidecar/store/ledger';
import type { LedgerEntry } from '../../sidecar/store/ledger';
import { Learner } from '../../sidecar/learning/learning';
import { accuracyReport } from '../../sidecar/learning/accuracy';
import { spendTrend } from '../../sidecar/learning/trend';
import { agentDefinition, promptHash } from '../../sidecar/planner/keys';
import { templateTokens } from '../../sidecar/context/agentTokens';
import type { PartyConfig } from '../../sidecar/config/schema';
import { openDatabase } from '../../sidecar/store/database';
import { engine, tempDatabase } from '../engine';

// Estimates learn from the ledger's runs of each agent as it is now configured: the configured figures until there
// are enough runs, then the median; upstream prompts take the learned answers; approximate counts are calibrated by
// what the vendor billed; nothing is ever NaN or a silent zero.

const configText = `{
  "defaults": { "model": "gpt-4o-mini", "provider": "openai" },
  "learning": { "window": 6, "minRuns": 3 },
  "agents": {
    "theme": { "prompt": "Suggest a party theme for: {{inputs}}", "expectedOutputTokens": 200, "handles": { "keywords": ["theme"] } },
    "venue": { "prompt": "Theme: {{theme}}\\nFind a venue for: {{inputs}}", "expectedOutputTokens": 250, "dependsOn": ["theme"], "handles": { "keywords": ["venue"] } },
    "menu": { "provider": "anthropic", "model": "claude-haiku-4-5", "prompt": "Plan the menu for: {{inputs}}", "expectedOutputTokens": 300 },
    "drinks": { "provider": "anthropic", "model": "claude-haiku-4-5", "prompt": "Plan the drinks for a party of: {{inputs}}", "expectedOutputTokens": 100 }
  }
}`;

function load(text = configText) {
  const loaded = loadConfigText(text, 'partycost.json');
  if (!loaded.config) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return { config: loaded.config, prices: loaded.prices };
}

function runOf(
  config: PartyConfig,
  agent: string,
  usage: { input: number; output: number; counted?: number; costUsd?: number; estimatedUsd?: number; at?: string; run?: string },
): LedgerEntry {
  const definition = agentDefinition(config.agents[agent], config);
  return {
    partyId: 'P1',
    agent,
    provider: String(definition.provider),
    model: definition.model as string,
    at: usage.at ?? new Date().toISOString(),
    usage: { inputTokens: usage.input, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: usage.output, reasoningTokens: 0, source: 'actual' },
    estimatedCostUsd: usage.estimatedUsd ?? 0.0001,
    actualCostUsd: usage.costUsd ?? 0.0002,
    parts: null,
    cached: false,
    savedUsd: 0,
    promptHash: promptHash(definition),
    ...(usage.counted ? { countedInputTokens: usage.counted } : {}),
    ...(usage.run ? { run: usage.run, origin: 'collected' as const, span: `${usage.run}/${Math.random()}` } : {}),
  };
}

const byName = (e: ReturnType<typeof estimate>, name: string) => e.agents.find((a) => a.agent === name)!;

test("an agent's figures are configured until it has minRuns runs, then the median of its latest window; its dependents' prompts take the learned answer", () => {
  const { config, prices } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const learner = new Learner(ledger);
  const at = () => estimate(config, prices, listPricing, learner.learningFor(config));

  const none = at();
  assert.deepEqual([byName(none, 'theme').outputTokensSource, byName(none, 'theme').outputTokens, byName(none, 'theme').learnedFrom], ['configured', 200, 0]);
  assert.match(byName(none, 'theme').learning!.why, /^no runs yet: the configured figures apply$/);
  assert.equal(byName(none, 'theme').driftPercent, undefined, 'no runs, no drift: not a zero');

  ledger.append([runOf(config, 'theme', { input: 40, output: 900 }), runOf(config, 'theme', { input: 44, output: 880 })]);
  const two = byName(at(), 'theme');
  assert.deepEqual([two.outputTokensSource, two.outputTokens], ['configured', 200]);
  assert.match(two.learning!.why, /^2 runs so far, 3 needed/);

  ledger.append([runOf(config, 'theme', { input: 42, output: 910 })]);
  const three = at();
  const theme = byName(three, 'theme');
  assert.deepEqual([theme.outputTokensSource, theme.outputTokens, theme.tokenCount, theme.inputTokens, theme.learnedFrom], ['learned', 900, 'learned', 42, 3]);
  // The venue's prompt places the theme's answer: its estimate takes the learned 900 tokens, not the configured 200.
  assert.equal(byName(three, 'venue').inputTokens - byName(none, 'venue').inputTokens, 700);
  assert.ok(byName(three, 'venue').costPerRunUsd > byName(none, 'venue').costPerRunUsd);
  assert.equal(byName(three, 'venue').outputTokensSource, 'configured');

  // Ten newer runs answer 500: the window (6) holds only them.
  ledger.append(Array.from({ length: 10 }, (_, i) => runOf(config, 'theme', { input: 50, output: 495 + i })));
  const later = byName(at(), 'theme');
  assert.deepEqual([later.outputTokens, later.learnedFrom, later.learning!.runs], [501, 6, 13]);
  assert.match(later.learning!.why, /^learned from the latest 6 of 13 runs \(output p50 501, p90 504\)$/);
  db.close();
});

test('learning is read once per ledger state: a new row is seen at once, an unchanged ledger answers from memory', () => {
  const { config } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const learner = new Learner(ledger);
  ledger.append([1, 2, 3].map(() => runOf(config, 'theme', { input: 40, output: 900 })));
  const first = learner.learningFor(config);
  assert.equal(learner.learningFor(config).agents.get('theme')!.output, first.agents.get('theme')!.output, 'the same figures: nothing read again');
  // Another connection writes a run: the next estimate sees it.
  const other = new Ledger(openDatabase(db.name));
  other.append([runOf(config, 'theme', { input: 40, output: 100 })]);
  assert.equal(learner.learningFor(config).agents.get('theme')!.runs, 4);
  db.close();
});

test('figures are kept per agent and prompt: a new process reads them without the runs; an agent that ran since is computed again', () => {
  const { config } = load();
  const { file, db } = tempDatabase();
  const ledger = new Ledger(db);
  ledger.append([900, 880, 910].map((output) => runOf(config, 'theme', { input: 40, output })));
  const first = new Learner(ledger).learningFor(config).agents.get('theme')!;
  assert.equal(first.output!.p50, 900);
  const kept = db.prepare('SELECT window_size AS windowSize, last_id AS lastId FROM ledger_learned WHERE agent = ?').all('theme');
  assert.deepEqual(kept, [{ windowSize: 6, lastId: ledger.lastId() }]);
  // The runs themselves are gone (only this test can do that): the next process still has the figures, so it read them.
  db.prepare('DELETE FROM ledger').run();
  ledger.append([
    {
      ...runOf(config, 'venue', { input: 1, output: 1 }),
      usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0, source: 'estimated' },
    },
  ]);
  const other = openDatabase(file);
  const second = new Learner(new Ledger(other)).learningFor(config).agents.get('theme')!;
  assert.deepEqual(second, first);
  // theme runs again: its figures are computed from its runs, which are now only the new one.
  new Ledger(other).append([runOf(config, 'theme', { input: 40, output: 300 })]);
  const third = new Learner(new Ledger(other)).learningFor(config).agents.get('theme')!;
  assert.deepEqual([third.runs, third.window, third.output!.p50], [4, 1, 300]);
  other.close();
  db.close();
});

test('an estimate never waits for the database: while another process writes, the figures are computed and not kept', () => {
  const { config } = load();
  const { file, db } = tempDatabase();
  const ledger = new Ledger(db);
  ledger.append([900, 880, 910].map((output) => runOf(config, 'theme', { input: 40, output })));
  db.pragma('busy_timeout = 5000');
  const other = openDatabase(file);
  other.prepare('BEGIN IMMEDIATE').run();
  try {
    const started = Date.now();
    const learned = new Learner(ledger).learningFor(config).agents.get('theme')!;
    assert.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms, not after the 5 s busy timeout`);
    assert.equal(learned.output!.p50, 900);
  } finally {
    other.prepare('ROLLBACK').run();
  }
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, "the connection's own timeout is back");
  assert.equal((db.prepare('SELECT count(*) AS n FROM ledger_learned').get() as { n: number }).n, 0, 'not kept while the other wrote');
  new Learner(ledger).learningFor(config);
  assert.equal((db.prepare('SELECT count(*) AS n FROM ledger_learned').get() as { n: number }).n, 1, 'kept by the next estimate');
  other.close();
  db.close();
});

test('a changed prompt or model starts afresh for that agent only; its earlier runs are counted and named', () => {
  const { config, prices } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  ledger.append([1, 2, 3, 4].flatMap(() => [runOf(config, 'theme', { input: 40, output: 900 }), runOf(config, 'venue', { input: 300, output: 600 })]));
  const edited = load(configText.replace('Suggest a party theme', 'Propose a party theme')).config;
  const swapped = load(configText.replace('"expectedOutputTokens": 250', '"expectedOutputTokens": 250, "model": "gpt-4.1-mini"')).config;
  const learner = new Learner(ledger);
  const afterEdit = estimate(edited, prices, listPricing, learner.learningFor(edited));
  assert.deepEqual([byName(afterEdit, 'theme').outputTokensSource, byName(afterEdit, 'theme').learning!.earlierRuns], ['configured', 4]);
  assert.match(
    byName(afterEdit, 'theme').learning!.why,
    /^no runs since its prompt or model changed: the configured figures apply; 4 runs under an earlier prompt or model no longer describe it$/,
  );
  assert.equal(byName(afterEdit, 'venue').outputTokensSource, 'learned', 'the venue is as it was');
  const afterSwap = estimate(swapped, prices, listPricing, learner.learningFor(swapped));
  assert.equal(byName(afterSwap, 'venue').outputTokensSource, 'configured', 'another model: its old runs do not describe it');
  assert.equal(byName(afterSwap, 'theme').outputTokensSource, 'learned');
  db.close();
});

test('an approximately counted model is calibrated by billed ÷ counted over its runs; an agent of it with no runs gets the corrected count', () => {
  const { config, prices } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const learner = new Learner(ledger);
  // menu's prompt: we counted 100, Anthropic billed 125, three times; gpt-4o-mini's exact counts are never calibrated.
  ledger.append([1, 2, 3].map(() => runOf(config, 'menu', { input: 125, output: 300, counted: 100 })));
  ledger.append([1, 2, 3].map(() => runOf(config, 'theme', { input: 80, output: 200, counted: 40 })));
  const e = estimate(config, prices, listPricing, learner.learningFor(config));
  const drinks = byName(e, 'drinks');
  const template = templateTokens(config.agents.drinks, 'claude-haiku-4-5').tokens;
  assert.deepEqual(
    [drinks.tokenCount, drinks.inputTokens, drinks.calibration],
    ['calibrated', Math.round(template * 1.25), { model: 'claude-haiku-4-5', factor: 1.25, runs: 3 }],
  );
  assert.equal(byName(e, 'venue').tokenCount, 'counted', 'an exact count stays as counted');
  assert.equal(byName(e, 'venue').calibration, undefined);
  assert.equal(byName(e, 'menu').tokenCount, 'learned', 'an agent with runs of its own uses them');
  db.close();
});

test('bad ledgers: no runs, runs that cost nothing, one cut-off answer; every number is finite and every gap explained', () => {
  const { config, prices } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const learner = new Learner(ledger);
  // theme: nine answers of about 900 tokens and one cut off at 12; menu: runs on a free tier (cost 0).
  ledger.append([900, 910, 890, 905, 895, 12, 900, 880, 920, 900].map((output) => runOf(config, 'theme', { input: 40, output, costUsd: output * 6e-7 })));
  ledger.append([1, 2, 3].map(() => runOf(config, 'menu', { input: 100, output: 300, costUsd: 0 })));
  const report = accuracyReport(config, prices, ledger, learner);
  const finite = (value: unknown): void => {
    if (typeof value === 'number') assert.ok(Number.isFinite(value), `a non-finite number in ${JSON.stringify(report)}`);
    else if (value && typeof value === 'object') Object.values(value).forEach(finite);
  };
  finite(report);
  const theme = report.agents.find((a) => a.agent === 'theme')!;
  assert.equal(theme.outputTokensSource, 'learned');
  assert.match(theme.why, /1 run is far from the rest \(a cut-off or runaway answer\), which the median does not follow; errors are over the other 5$/);
  assert.ok(theme.learnedErrorPercent! < 3, `the median fits the typical runs: ${theme.learnedErrorPercent} %`);
  const menu = report.agents.find((a) => a.agent === 'menu')!;
  assert.deepEqual([menu.configuredErrorPercent, menu.learnedErrorPercent, menu.actualMeanCostUsd], [null, null, 0], 'no percentage of nothing');
  assert.deepEqual(menu.errorTrend, [null, null, null]);
  const drinks = report.agents.find((a) => a.agent === 'drinks')!;
  assert.deepEqual([drinks.runs, drinks.actualMeanCostUsd, drinks.configuredErrorPercent, drinks.driftPercent, drinks.drift], [0, null, null, null, false]);
  assert.match(drinks.why, /^no runs yet/);
  db.close();
});

test('the spend trend: a line through whole days of spend, projected over 30 days; today apart; under two days a rate only', () => {
  const { config } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const now = Date.parse('2026-12-10T15:00:00Z');
  const day = (n: number) => new Date(Date.parse('2026-12-10T00:00:00Z') - n * 86_400_000 + 3_600_000).toISOString();
  assert.deepEqual(spendTrend(ledger, now).why, 'no spend in the ledger yet');
  ledger.append([runOf(config, 'theme', { input: 1, output: 1, costUsd: 0.5, at: day(0) })]);
  assert.match(spendTrend(ledger, now).why, /^runs only today so far/);
  ledger.append([runOf(config, 'theme', { input: 1, output: 1, costUsd: 2, at: day(1) })]);
  const one = spendTrend(ledger, now);
  assert.deepEqual([one.days, one.ratePerMonthUsd, one.trendPerMonthUsd, one.todayUsd], [1, 60, null, 0.5]);
  // Spend of 1, 2, 3, 4, 5 dollars on the five days before today (each split over two runs): 1 + x a day.
  const { db: db2 } = tempDatabase();
  const rising = new Ledger(db2);
  for (let x = 0; x < 5; x++)
    rising.append([0.4, 0.6].map((share) => runOf(config, 'theme', { input: 1, output: 1, costUsd: (x + 1) * share, at: day(5 - x) })));
  const trend = spendTrend(rising, now);
  assert.deepEqual([trend.days, trend.spentUsd, trend.ratePerMonthUsd, trend.slopePerDayUsd, trend.trendPerMonthUsd], [5, 15, 90, 1, 615]);
  db.close();
  db2.close();
});

test('a plan prices its executes at the learned estimate, and the runner records that estimate beside the actual cost', async () => {
  const { db } = tempDatabase();
  const parties = engine(configText.replaceAll(/"provider": "\w+"/g, '"provider": "offline"'), db);
  const { config, prices } = parties;
  parties.store.ledger.append([1, 2, 3].map(() => runOf(config, 'theme', { input: 400, output: 2_000 })));
  const learned = estimate(config, prices, listPricing, parties.learning());
  assert.equal(byName(learned, 'theme').outputTokensSource, 'learned');
  const { party } = parties.create('p', ['jungle theme', 'garden venue']);
  const plan = await parties.plan(party.id);
  assert.equal(plan.agents.find((a) => a.agent === 'theme')!.estimatedCostUsd, byName(learned, 'theme').costPerRunUsd);
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'execute').map((a) => [a.agent, a.learnedFrom]),
    [
      ['theme', 3],
      ['venue', undefined],
      ['menu', undefined],
      ['drinks', undefined],
    ],
    'each execute says whether its cost is learned',
  );
  await parties.run(party.id);
  const recorded = parties.store.ledger
    .report({ party: party.id })
    .executions.filter((e) => e.agent === 'theme')
    .at(-1)!;
  assert.equal(recorded.estimatedCostUsd, byName(learned, 'theme').costPerRunUsd);
  db.close();
});

test('drift is measured at list prices: under a what-if pricing the runs were not billed that way, so none is shown', () => {
  const { config, prices } = load();
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  ledger.append([1, 2].map(() => runOf(config, 'theme', { input: 40, output: 900, costUsd: 0.01 })));
  const learning = new Learner(ledger).learningFor(config);
  const atList = byName(estimate(config, prices, listPricing, learning), 'theme');
  assert.ok(atList.driftPercent! > 25, `two runs at $0.01 against the configured estimate: ${atList.driftPercent} %`);
  assert.equal(byName(estimate(config, prices, { cachedInputShare: 0, batch: true }, learning), 'theme').driftPercent, undefined);
  assert.equal(byName(estimate(config, prices, { cachedInputShare: 0.5, batch: false }, learning), 'theme').driftPercent, undefined);
  db.close();
});

test("runs whose calls were counted (a loop seen in traces) teach the calls per run, and the whole run's tokens", () => {
  const withTools = configText.replace('"theme": { "prompt"', '"theme": { "tools": [{ "name": "search", "resultTokens": 300 }], "expectedCalls": 2, "prompt"');
  const loaded = loadConfigText(withTools, 'partycost.json');
  const config = loaded.config!;
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  const learner = new Learner(ledger);
  let now = Date.now();
  const theme = () => estimate(config, loaded.prices, listPricing, learner.learningFor(config, now)).agents.find((a) => a.agent === 'theme')!;
  assert.deepEqual([theme().callsPerRun.source, theme().callsPerRun.p50], ['configured', 2], 'expectedCalls is the prior');
  // Our own runs (one call each, uncounted) teach tokens, not calls.
  ledger.append([1, 2, 3].map(() => runOf(config, 'theme', { input: 400, output: 300 })));
  assert.deepEqual([theme().callsPerRun.source, theme().outputTokensSource], ['configured', 'learned']);
  // Traced runs of 4, 5, 7 and 5 calls: a row per call, the run's tokens spread over its calls.
  const traced = (run: string, calls: number, input: number, output: number) =>
    Array.from({ length: calls }, () => runOf(config, 'theme', { input: input / calls, output: output / calls, run }));
  ledger.recordTraced([...traced('t1/a', 4, 5000, 600), ...traced('t2/a', 5, 6500, 700), ...traced('t3/a', 7, 9800, 910), ...traced('t4/a', 5, 6100, 650)]);
  // While traces stream in, figures that miss only traced runs are computed again at most every two seconds.
  now += 1_000;
  assert.deepEqual([theme().callsPerRun.source, theme().learning!.runs], ['configured', 7], 'a second later: the runs counted, the figures of a second ago');
  now += 1_001;
  const learned = theme();
  assert.equal(learned.learning!.runs, 7, 'three of ours and four traced runs, each counted once');
  assert.deepEqual([learned.callsPerRun.source, learned.callsPerRun.p50, learned.callsPerRun.p90], ['learned', 5, 7]);
  // The window (6) holds two uncounted runs and four counted: the run's tokens are the window's median, not looped again.
  assert.deepEqual([learned.inputTokens, learned.outputTokens, learned.firstCallInputTokens], [5000, 600, undefined]);
  db.close();
});
