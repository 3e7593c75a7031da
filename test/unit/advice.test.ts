import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { advise } from '../../sidecar/advice/advise';
import { promptShape, repeatingAgents } from '../../sidecar/advice/promptParts';
import { applyAdvice } from '../../sidecar/shared/adviceEdit';
import type { AdviceReport } from '../../sidecar/contract/advice';
import { sampleConfig } from '../../sidecar/config/sample';
import { priceSheet } from '../../sidecar/cost/catalogue';
import { estimate } from '../../sidecar/estimate/estimate';
import { Ledger } from '../../sidecar/store/ledger';
import { anthropicCacheMinimum, expectedHitRate, geminiCacheMinimum, openaiCachedTokens, openaiExtendedRetention } from '../../sidecar/providers/promptCaching';
import { AnthropicProvider } from '../../sidecar/providers/anthropic';
import { loadConfigText } from '../../sidecar/sources/load';
import { engine, tempDatabase } from '../engine';
import { startAnthropicStandin } from '../standins/anthropic';
import { SqliteStore } from '../../sidecar/store/sqliteStore';
import type { AdviceRecords } from '../../sidecar/advice/adviceFacts';
import type { Db } from '../../sidecar/store/database';

const mixedFile = path.join(__dirname, '..', 'fixtures', 'advice', 'mixed', 'partycost.json');

function load(text: string, file = 'partycost.json') {
  const loaded = loadConfigText(text, file);
  assert.deepEqual(
    loaded.problems.filter((p) => p.severity === 'error'),
    [],
  );
  return loaded as typeof loaded & { config: NonNullable<typeof loaded.config> };
}

/** USD per token from the catalogue's sheet of a model (per 1M tokens there). */
function rates(model: string): { input: number; read: number; write: number; writeHour: number } {
  const loaded = load(JSON.stringify({ agents: {} }));
  const sheet = priceSheet(loaded.prices.model(model)!);
  return {
    input: sheet.inputUsd / 1e6,
    read: (sheet.cacheReadUsd ?? sheet.inputUsd) / 1e6,
    write: (sheet.cacheWriteUsd ?? sheet.inputUsd) / 1e6,
    writeHour: (sheet.cacheWrite1hUsd ?? 2 * sheet.inputUsd) / 1e6,
  };
}

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 0.01 + Math.abs(expected) * 1e-6, `${what}: ${actual} ≠ ${expected}`);

test("the vendors' caching rules: OpenAI's 1,024-token minimum and 128-token steps, Gemini's minimums, extended retention, the hit rate", () => {
  assert.deepEqual([1_023, 1_024, 1_151, 1_152, 5_000].map(openaiCachedTokens), [0, 1_024, 1_024, 1_152, 4_992]);
  assert.deepEqual(
    ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-1.5-pro', 'google/gemini-3-pro-preview'].map(
      geminiCacheMinimum,
    ),
    [1_024, 4_096, 1_024, null, null, 4_096],
  );
  assert.deepEqual(['gpt-5-mini', 'gpt-5.1', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'openai/gpt-5'].map(openaiExtendedRetention), [
    true,
    true,
    true,
    false,
    false,
    true,
  ]);
  // 1,000 runs a month: 0.023 a minute; within 5 minutes of the last one 10.9 % of the time, within an hour 75.1 %.
  assert.equal(expectedHitRate(1_000, 5).toFixed(4), (1 - Math.exp(-(1_000 / 43_200) * 5)).toFixed(4));
  assert.equal(Math.round(expectedHitRate(1_000, 5) * 1000), 109);
  assert.equal(Math.round(expectedHitRate(1_000, 60) * 1000), 751);
  assert.equal(expectedHitRate(0, 60), 0);
});

test("an agent's prompt in the order it is sent: what repeats across parties, its prefix, stable parts first, the breakpoint", () => {
  const loaded = load(
    JSON.stringify({
      defaults: { model: 'gpt-4o-mini' },
      agents: {
        rules: { prompt: 'House rules, the same for every party.', expectedOutputTokens: 300 },
        theme: { prompt: 'Theme for {{inputs}}', expectedOutputTokens: 200, handles: { keywords: ['theme'] } },
        plan: { system: 'You plan parties.', prompt: 'Theme: {{theme}}\nRules: {{rules}}\nFor: {{inputs}}', dependsOn: ['theme', 'rules'] },
      },
    }),
  );
  const repeats = repeatingAgents(loaded.config);
  assert.deepEqual(['rules', 'theme', 'plan'].map(repeats), [true, false, false], 'rules takes no input: its result is the same in every party');
  const shape = promptShape(loaded.config.agents.plan, 'gpt-4o-mini', loaded.config, repeats);
  assert.deepEqual(
    shape.parts.map((p) => [p.kind, p.stable]),
    [
      ['text', true],
      ['text', true], // system: framing, text
      ['text', true],
      ['text', true],
      ['upstream', false],
      ['text', true],
      ['upstream', true],
      ['text', true],
      ['input', false],
    ],
  );
  const upstream = shape.parts.filter((p) => p.kind === 'upstream').map((p) => p.tokens);
  assert.deepEqual(upstream, [200, 300], "upstream parts at their agents' output tokens");
  const before = (i: number): number => shape.parts.slice(0, i).reduce((t, p) => t + p.tokens, 0);
  assert.equal(shape.prefixTokens, before(4), 'the prefix ends where the theme (which changes) comes in');
  assert.equal(
    shape.stableTokens,
    shape.parts.filter((p) => p.stable).reduce((t, p) => t + p.tokens, 0),
  );
  assert.equal(shape.stableFirstTokens, shape.stableTokens, 'the system message is all stable: every stable part can come first');
  assert.deepEqual(shape.breakpoint, { tokens: before(8), repeats: false }, "Anthropic's breakpoint (before the inputs) covers the theme");
});

test("advise on a mixed-vendor configuration: prompt caching by each vendor's rules, priced with writes, ranked with the other changes", () => {
  const text = readFileSync(mixedFile, 'utf8');
  const loaded = load(text, mixedFile);
  const report = advise(loaded.config, loaded.prices, { editable: true });
  const runs = 1_000;
  const row = (agent: string) => report.promptCaching.find((p) => p.agent === agent)!;
  const advice = (agent: string, kind: string) => report.advice.find((a) => a.agent === agent && a.kind === kind);

  // Claude Sonnet 4.5, a 1,259-token stable system prompt: 5 minutes at 1,000 runs a month writes more than it reads.
  const brief = row('brief');
  assert.deepEqual([brief.vendor, brief.minimumTokens, brief.lifetimeMinutes], ['anthropic', anthropicCacheMinimum('claude-sonnet-4-5'), 5]);
  assert.ok(brief.prefixTokens >= 1_024 && brief.cachedTokens === brief.prefixTokens && brief.writtenTokens === brief.prefixTokens);
  const sonnet = rates('anthropic/claude-sonnet-4-5');
  const saving = (h: number, write: number, tokens: number): number => tokens * (h * (sonnet.input - sonnet.read) - (1 - h) * (write - sonnet.input));
  const h5 = expectedHitRate(runs, 5);
  const h60 = expectedHitRate(runs, 60);
  close(brief.savingPerMonthUsd, runs * saving(h5, sonnet.write, brief.prefixTokens), 'brief as sent now');
  assert.ok(brief.savingPerMonthUsd < 0, 'a 5-minute cache at this volume costs more than it saves');
  const hour = advice('brief', 'prompt-cache')!;
  assert.equal(hour.change, 'promptCache "1h"');
  close(
    hour.savingPerMonthUsd,
    runs * (saving(h60, sonnet.writeHour, brief.prefixTokens) - saving(h5, sonnet.write, brief.prefixTokens)),
    'brief with 1-hour breakpoints',
  );
  assert.deepEqual(hour.edit, { path: ['agents', 'brief', 'promptCache'], value: '1h' });

  // Claude Haiku 4.5 (4,096 minimum): the breakpoint before the inputs covers the menu and venues, which change.
  const summary = row('summary');
  assert.deepEqual([summary.minimumTokens, summary.cachedTokens, summary.hitRate], [4_096, 0, 0]);
  assert.ok(summary.writtenTokens >= 4_096);
  const haiku = rates('anthropic/claude-haiku-4-5');
  close(summary.savingPerMonthUsd, -runs * summary.writtenTokens * (haiku.write - haiku.input), 'summary writes on every run');
  const off = advice('summary', 'prompt-cache')!;
  assert.equal(off.change, 'promptCache "off"');
  close(off.savingPerMonthUsd, -summary.savingPerMonthUsd, 'turning it off saves the writes');

  // gpt-5-mini: the inputs come first, so nothing is cached; stable parts first reach 1,024 tokens (and 24 h retention).
  const menu = row('menu');
  assert.deepEqual([menu.vendor, menu.minimumTokens, menu.cachedTokens], ['openai', 1_024, 0]);
  assert.ok(menu.prefixTokens < 1_024 && menu.stableTokens >= 1_024);
  const order = advice('menu', 'prompt-order')!;
  const mini = rates('gpt-5-mini');
  close(
    order.savingPerMonthUsd,
    runs * expectedHitRate(runs, 1_440) * openaiCachedTokens(menu.stableTokens) * (mini.input - mini.read),
    'menu, stable parts first',
  );
  assert.equal(order.edit, undefined, 'a prompt rewrite is made by hand');
  assert.match(order.change, /stable parts first, promptCache "24h"/);

  // Gemini 2.5 Flash: implicit caching of the system prompt, no write charge.
  const venue = row('venue_scout');
  const flash = rates('gemini-2.5-flash');
  assert.deepEqual([venue.vendor, venue.minimumTokens, venue.cachedTokens], ['google', 1_024, venue.prefixTokens]);
  close(venue.savingPerMonthUsd, runs * h5 * venue.prefixTokens * (flash.input - flash.read), 'venue_scout implicit');

  // A vendor without a known rule, and the Batch API for the agent that may wait.
  assert.deepEqual([row('weather').vendor, row('weather').minimumTokens], ['other', null]);
  const batch = advice('invitations', 'batch')!;
  const list = estimate(loaded.config, loaded.prices).agents.find((a) => a.agent === 'invitations')!;
  const atBatch = estimate(loaded.config, loaded.prices, { cachedInputShare: 0, batch: true }).agents.find((a) => a.agent === 'invitations')!;
  close(batch.savingPerMonthUsd, runs * (list.costPerRunUsd - atBatch.costPerRunUsd), 'invitations through the Batch API');
  assert.deepEqual(batch.edit, { path: ['agents', 'invitations', 'batch'], value: true });

  // Ranked by saving; each says why and what it assumes; the total is their sum.
  const savings = report.advice.map((a) => a.savingPerMonthUsd);
  assert.deepEqual(
    savings,
    [...savings].sort((a, b) => b - a),
  );
  assert.deepEqual(
    report.advice.map((a) => a.rank),
    report.advice.map((_, i) => i + 1),
  );
  assert.ok(report.advice.every((a) => a.why.length > 20 && a.assumes.length > 0 && ['high', 'medium', 'low'].includes(a.confidence)));
  close(
    report.totalPerMonthUsd,
    savings.reduce((t, s) => t + s, 0),
    'total',
  );
  assert.ok(
    report.advice.some((a) => a.kind === 'model'),
    'cheaper models are among them',
  );
  assert.deepEqual(report.volume.source, 'configured');
});

test('an advice applied to the file (comments kept) is no longer advised, and the estimate follows it', () => {
  const loaded = load(sampleConfig);
  const before = advise(loaded.config, loaded.prices, { editable: true });
  const model = before.advice.find((a) => a.kind === 'model')!;
  assert.ok(model.edit);
  const edited = applyAdvice(sampleConfig, model.edit!);
  assert.match(edited, /\/\/ Party Cost Inspector: the agents of a party planner/, 'comments kept');
  const after = load(edited);
  assert.equal(after.config.agents[model.agent].model, model.edit!.value);
  const again = advise(after.config, after.prices, { editable: true });
  assert.ok(!again.advice.some((a) => a.agent === model.agent && a.change === model.change));
  const was = estimate(loaded.config, loaded.prices).agents.find((a) => a.agent === model.agent)!;
  const now = estimate(after.config, after.prices).agents.find((a) => a.agent === model.agent)!;
  close(was.costPerRunUsd - now.costPerRunUsd, model.savingPerRunUsd, 'the estimate drops by the saving per run');

  const batch = before.advice.find((a) => a.kind === 'batch')!;
  assert.equal(batch.agent, 'vendor', "the sample's one agent that may wait");
  const batched = load(applyAdvice(sampleConfig, batch.edit!));
  const vendor = estimate(batched.config, batched.prices).agents.find((a) => a.agent === 'vendor')!;
  assert.equal(vendor.batch, true);
  close(
    estimate(loaded.config, loaded.prices).agents.find((a) => a.agent === 'vendor')!.costPerRunUsd - vendor.costPerRunUsd,
    batch.savingPerRunUsd,
    'batch pricing in the estimate',
  );
  // The sample's prompts are short: no agent reaches OpenAI's 1,024-token minimum.
  assert.ok(before.promptCaching.every((p) => p.vendor === 'openai' && p.minimumTokens === 1_024 && p.cachedTokens === 0 && p.prefixTokens < 1_024));
  // A crew's configuration is edited by hand.
  assert.ok(advise(loaded.config, loaded.prices).advice.every((a) => a.edit === undefined));
});

test('from the ledger: a month of runs sets the volume, expired results advise a longer TTL, numbers that do not repeat advise rounding', async () => {
  const config = JSON.stringify({
    defaults: { model: 'gpt-4o-mini' },
    volume: { partiesPerMonth: 5 },
    agents: {
      // Long answers on gpt-4.1 (≈ $0.03 a run): one expired re-run is worth advice.
      guests: { model: 'gpt-4.1', prompt: 'Plan seating for {{inputs}}', expectedOutputTokens: 4_000, cache: { ttl: 0 }, handles: { numbers: ['guests'] } },
    },
  });
  const { db } = tempDatabase();
  const parties = engine(config, db);
  const ids = [];
  for (const count of [70, 75, 80, 100]) {
    const { party } = parties.create(`p${count}`, [`${count} guests`]);
    await parties.run(party.id);
    ids.push(party.id);
  }
  // TTL 0: the stored result has expired by the next run, which executes again with that cause.
  await parties.run(ids[0]);
  const causes = db.prepare('SELECT cause FROM ledger ORDER BY id').all() as { cause: string }[];
  assert.deepEqual(
    causes.map((c) => c.cause),
    ['never ran', 'never ran', 'never ran', 'never ran', 'cache expired'],
  );
  const loaded = load(config);
  let report: AdviceReport = advise(loaded.config, loaded.prices, { records: recordsOf(db), editable: true });
  assert.equal(report.volume.source, 'configured', 'a ledger of minutes is no month');
  const ttl = report.advice.find((a) => a.kind === 'result-cache-ttl')!;
  const expired = db.prepare(`SELECT cost_usd FROM ledger WHERE cause = 'cache expired'`).get() as { cost_usd: number };
  assert.deepEqual([ttl.change, ttl.savingPerMonthUsd], ['cache.ttl "1d"', Math.round(expired.cost_usd * 1e6) / 1e6]);
  const rounding = report.advice.find((a) => a.kind === 'normalize')!;
  assert.equal(rounding.change, 'cache.normalize.roundTo 25');
  // 70, 75 and 80 guests round to 75; 100 stays: 2 distinct of 4, half the runs would share a result.
  assert.match(rounding.why, /4 stored parties have 4 distinct inputs with numbers; rounded to 25 they have 2/);

  // A ledger that covers ten days: the volume is its own, scaled to 30 days.
  const ledger = new Ledger(db);
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
  ledger.append([
    {
      partyId: 'old',
      agent: 'guests',
      provider: 'offline',
      model: 'gpt-4o-mini',
      at: tenDaysAgo,
      usage: { inputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 0, source: 'estimated' },
      estimatedCostUsd: null,
      actualCostUsd: 0.0001,
      parts: null,
      cached: false,
      savedUsd: 0,
    },
  ]);
  report = advise(loaded.config, loaded.prices, { records: recordsOf(db) });
  assert.equal(report.volume.source, 'ledger');
  assert.equal(report.volume.partiesPerMonth, Math.round(5 * 3 * 10) / 10, '5 parties in 10 days: 15 a month');
});

test('advice applied is measured on the ledger: the mean cost of runs before and after it', async () => {
  const { db } = tempDatabase();
  const config = (model: string): string =>
    JSON.stringify({ agents: { theme: { model, prompt: 'Theme for {{inputs}}', expectedOutputTokens: 300, handles: { keywords: ['theme'] } } } });
  const before = engine(config('gpt-4o'), db);
  for (const theme of ['jungle', 'pirate']) await before.run(before.create(theme, [`${theme} theme`]).party.id);
  // Applied after the last run before it: its row is stamped to the millisecond, so the clock must have moved on.
  const last = (db.prepare('SELECT max(at) AS at FROM ledger').get() as { at: string }).at;
  let appliedAt = new Date().toISOString();
  while (appliedAt <= last) appliedAt = new Date().toISOString();
  new SqliteStore(db).applied.record({ agent: 'theme', kind: 'model', change: 'model gpt-4o → gpt-4o-mini', predictedPerRunUsd: 0.002, appliedAt });
  const after = engine(config('gpt-4o-mini'), db);
  for (const theme of ['space', 'ocean', 'circus']) await after.run(after.create(theme, [`${theme} theme`]).party.id);
  const loaded = load(config('gpt-4o-mini'));
  const [applied] = advise(loaded.config, loaded.prices, { records: recordsOf(db) }).applied;
  const mean = (op: string): number => (db.prepare(`SELECT avg(cost_usd) AS m FROM ledger WHERE at ${op} ?`).get(appliedAt) as { m: number }).m;
  assert.equal(applied.change, 'model gpt-4o → gpt-4o-mini');
  assert.deepEqual([applied.measured!.before.runs, applied.measured!.after.runs], [2, 3]);
  close(applied.measured!.savingPerRunUsd, mean('<') - mean('>='), 'measured saving');
  assert.ok(applied.measured!.savingPerRunUsd > 0);
});

test('prompt caching measured on real runs: what Claude read and wrote, against what the advisor predicted', async (t) => {
  const standin = await startAnthropicStandin();
  t.after(() => standin.close());
  const text = JSON.stringify({
    defaults: { model: 'claude-sonnet-4-5', provider: 'anthropic' },
    agents: { theme: { system: 'House rules. '.repeat(700), prompt: 'Suggest a theme for: {{inputs}}', handles: { keywords: ['jungle', 'pirate'] } } },
  });
  const { db } = tempDatabase();
  const parties = engine(text, db, new AnthropicProvider({ baseURL: standin.baseURL, apiKey: 'sk-ant-test' }));
  standin.plan(
    { status: 200, usage: { input: 1_500, cacheWrite: 1_420, output: 100 } },
    { status: 200, usage: { input: 1_500, cacheRead: 1_420, output: 100 } },
  );
  await parties.run(parties.create('first', ['jungle']).party.id);
  await parties.run(parties.create('second', ['pirate']).party.id);
  const loaded = load(text);
  const row = advise(loaded.config, loaded.prices, { records: recordsOf(db) }).promptCaching[0];
  const sonnet = rates('claude-sonnet-4-5');
  assert.deepEqual([row.measured!.runs, row.measured!.hitRate], [2, 0.5]);
  close(row.measured!.savingPerRunUsd, (1_420 * (sonnet.input - sonnet.read) - 1_420 * (sonnet.write - sonnet.input)) / 2, 'measured');
  assert.ok(row.measured!.predictedPerRunUsd < 0, 'predicted at 1,000 parties a month with 5-minute breakpoints: a loss');
});

test('small agents on one model with the same upstream: merged, their stable parts together reach the minimum', () => {
  const rules = (topic: string): string => Array.from({ length: 40 }, (_, i) => `${topic} rule ${i + 1}: keep it short, safe and kind.`).join('\n');
  const loaded = load(
    JSON.stringify({
      defaults: { model: 'gpt-4.1-mini' },
      agents: {
        theme: { prompt: 'Theme for {{inputs}}', handles: { keywords: ['theme'] } },
        games: { prompt: `${rules('Games')}\nTheme: {{theme}}`, dependsOn: ['theme'] },
        crafts: { prompt: `${rules('Crafts')}\nTheme: {{theme}}`, dependsOn: ['theme'] },
      },
    }),
  );
  const report = advise(loaded.config, loaded.prices, { editable: true });
  const rows = report.promptCaching.filter((p) => p.agent !== 'theme');
  assert.ok(
    rows.every((p) => p.prefixTokens < 1_024 && p.cachedTokens === 0),
    "each alone is below OpenAI's minimum",
  );
  const stable = rows.reduce((t, p) => t + p.stableTokens, 0);
  assert.ok(stable >= 1_024, `together ${stable}`);
  const merge = report.advice.find((a) => a.kind === 'merge-agents')!;
  assert.equal(merge.agent, 'games + crafts');
  const mini = rates('gpt-4.1-mini');
  close(merge.savingPerMonthUsd, 1_000 * expectedHitRate(1_000, 5) * openaiCachedTokens(stable) * (mini.input - mini.read), 'merged prefix cached');
  assert.equal(merge.confidence, 'low');
  assert.equal(merge.edit, undefined);
});

test('a context budget where upstream results fill the prompt: summaries instead of whole results', () => {
  const loaded = load(readFileSync(mixedFile, 'utf8'), mixedFile);
  const report = advise(loaded.config, loaded.prices, { editable: true });
  const budget = report.advice.find((a) => a.agent === 'summary' && a.kind === 'context-budget')!;
  const row = report.promptCaching.find((p) => p.agent === 'summary')!;
  const value = budget.edit!.value as number;
  assert.equal(value % 100, 0);
  assert.ok(value < row.promptTokens && value > 2_500 / 2, `budget ${value}`);
  const haiku = rates('anthropic/claude-haiku-4-5');
  close(budget.savingPerMonthUsd, 1_000 * (row.promptTokens - value) * haiku.input, 'pruned tokens at the input price');
  assert.deepEqual(budget.edit!.path, ['agents', 'summary', 'contextBudget']);
});

/** What the advisor reads of a database, as the workspace gives it. */
function recordsOf(db: Db): AdviceRecords {
  const store = new SqliteStore(db);
  return { ledger: store.ledger, results: store.results, applied: store.applied };
}
