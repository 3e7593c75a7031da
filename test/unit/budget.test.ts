import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetState, levelOf } from '../../sidecar/budget/budget';
import { localMidnight, windowStarts } from '../../sidecar/budget/windows';
import type { PartyConfig } from '../../sidecar/config/schema';
import { sampleConfig } from '../../sidecar/config/sample';
import { engine, tempDatabase } from '../engine';
import { OfflineProvider } from '../../sidecar/providers/offline';
import { ResultCache } from '../../sidecar/cache/resultCache';
import { SqliteStore } from '../../sidecar/store/sqliteStore';

const at = (iso: string): number => Date.parse(iso);

test('windows: local midnight, Monday and the first of the month, in UTC and across daylight saving', () => {
  // Wednesday 2026-03-11 15:00 UTC.
  const utc = windowStarts(at('2026-03-11T15:00:00Z'), 'UTC');
  assert.equal(new Date(utc.day).toISOString(), '2026-03-11T00:00:00.000Z');
  assert.equal(new Date(utc.week).toISOString(), '2026-03-09T00:00:00.000Z');
  assert.equal(new Date(utc.month).toISOString(), '2026-03-01T00:00:00.000Z');
  // New York switched to daylight time on Sunday 2026-03-08: midnight there is 05:00 UTC before, 04:00 UTC after.
  const ny = windowStarts(at('2026-03-11T03:30:00Z'), 'America/New_York'); // 23:30 on Tuesday the 10th in New York
  assert.equal(new Date(ny.day).toISOString(), '2026-03-10T04:00:00.000Z');
  assert.equal(new Date(ny.week).toISOString(), '2026-03-09T04:00:00.000Z');
  assert.equal(new Date(ny.month).toISOString(), '2026-03-01T05:00:00.000Z');
  assert.equal(new Date(localMidnight(2026, 1, 1, 'Asia/Kolkata')).toISOString(), '2025-12-31T18:30:00.000Z');
});

test('levels: warn, cheaper models, defer, refuse at the thresholds, inclusive', () => {
  const thresholds = [0.5, 0.8, 0.9, 1.0];
  assert.deepEqual(
    [0, 0.49, 0.5, 0.79, 0.8, 0.9, 0.999, 1, 3].map((f) => levelOf(f, thresholds)),
    ['ok', 'ok', 'warn', 'warn', 'cheaper', 'defer', 'defer', 'refuse', 'refuse'],
  );
});

test('threshold transitions on an injected clock across day, week and month boundaries', () => {
  const config = { agents: {}, limits: { daily: 10, weekly: 30, monthly: 50, timeZone: 'UTC' } } as unknown as PartyConfig;
  const ledger: [string, number][] = [
    ['2026-01-30T12:00:00Z', 20], // Friday, January
    ['2026-02-01T09:00:00Z', 6], // Sunday: same ISO week as the Friday, new month
    ['2026-02-02T08:00:00Z', 5], // Monday: new week
    ['2026-02-02T22:00:00Z', 4.5],
  ];
  const spent = (now: number) => (since: number) => ledger.filter(([t]) => at(t) >= since && at(t) <= now).reduce((sum, [, usd]) => sum + usd, 0);
  const state = (iso: string) => budgetState(config, spent(at(iso)), at(iso));
  const fractions = (iso: string) => Object.fromEntries(state(iso).limits.map((l) => [l.limit, Number(l.fraction.toFixed(3))]));

  assert.deepEqual(fractions('2026-01-30T23:59:59Z'), { daily: 2, weekly: 0.667, monthly: 0.4 });
  assert.equal(state('2026-01-30T23:59:59Z').level, 'refuse');
  assert.equal(state('2026-01-30T23:59:59Z').binding!.limit, 'daily');
  assert.deepEqual(fractions('2026-01-31T00:00:01Z'), { daily: 0, weekly: 0.667, monthly: 0.4 }, 'a new day');
  assert.equal(state('2026-01-31T00:00:01Z').level, 'warn');
  assert.deepEqual(fractions('2026-02-01T10:00:00Z'), { daily: 0.6, weekly: 0.867, monthly: 0.12 }, 'a new month, the same week');
  assert.equal(state('2026-02-01T10:00:00Z').level, 'cheaper');
  assert.deepEqual(fractions('2026-02-02T08:30:00Z'), { daily: 0.5, weekly: 0.167, monthly: 0.22 }, 'a new week');
  assert.equal(state('2026-02-02T23:00:00Z').level, 'defer', '9.5 of 10 today');
  assert.match(state('2026-02-02T23:00:00Z').message, /^daily limit \$10\.00: \$9\.500000 spent \(95\.0 %\): non-essential agents deferred$/);
  const noLimits = budgetState({ agents: {} } as unknown as PartyConfig, () => 100);
  assert.deepEqual([noLimits.level, noLimits.binding, noLimits.message], ['ok', null, 'no spend limits configured']);
});

/** The sample with a daily limit, its thresholds as given. */
function sampleWithLimit(daily: number): string {
  return sampleConfig.replace(/"limits": \{[^}]*\}/, `"limits": { "daily": ${daily} }`);
}

test('at 100 % executions are refused with the limit and the spend named; reuse and cache hits go on', async () => {
  const { db } = tempDatabase();
  const cache = new ResultCache({ tables: new SqliteStore(db).cache, namespace: 'budget' });
  const parties = engine(sampleWithLimit(0.005), db, new OfflineProvider(), cache);
  const first = parties.create('first', ['jungle theme', '75 guests']);
  await parties.run(first.party.id); // spends about $0.008: over the $0.005 limit
  assert.equal(parties.budget().level, 'refuse');

  parties.addInput(first.party.id, 'Need balloon artist');
  const plan = await parties.plan(first.party.id);
  const actions = Object.fromEntries(plan.agents.map((a) => [a.agent, `${a.action}: ${a.cause}`]));
  assert.equal(actions.vendor, 'blocked: over budget');
  // The blocked vendor keeps the result it has (none), so the budget's upstream is unchanged: it is reused.
  assert.equal(actions.budget, 'reuse: unchanged');
  assert.equal(actions.theme, 'reuse: unchanged');
  assert.equal(plan.totals.blocked, 1);
  assert.match(
    plan.budget!.message,
    /^daily limit \$0\.005: \$0\.00\d{4} spent \(\d+\.\d %\): executions refused; reuse and cache hits go on; cheaper models that would do: .*planner_final → gpt-4\.1/,
  );

  const ledgerBefore = (db.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
  const report = await parties.run(first.party.id);
  assert.equal(report.executed, 0);
  assert.match(report.refused!, /^refused by the budget: daily limit \$0\.005: /);
  assert.ok(report.agents.some((a) => a.agent === 'theme' && a.action === 'reuse'));
  assert.equal((db.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n, ledgerBefore, 'nothing new spent');
  assert.equal(parties.store.load(first.party.id).results.vendor, undefined);

  const twin = parties.create('twin', ['JUNGLE party', '80 guests']);
  const hits = await parties.run(twin.party.id);
  assert.equal(hits.agents.filter((a) => a.action === 'cache_hit').length, 5, 'cache hits are not spend');
  assert.equal(hits.refused, undefined);
  await cache.close();
});

test('at the defer threshold only non-essential agents wait', async () => {
  const { db } = tempDatabase();
  const parties = engine(sampleWithLimit(0.009), db);
  const first = parties.create('first', ['jungle theme', '75 guests']);
  await parties.run(first.party.id); // about $0.0083 of $0.009: over 90 %, under 100 %
  assert.equal(parties.budget().level, 'defer');
  const second = parties.create('second', ['pirate theme', 'Need balloon artist']);
  const plan = await parties.plan(second.party.id);
  const vendor = plan.agents.find((a) => a.agent === 'vendor')!;
  assert.deepEqual([vendor.action, vendor.cause], ['blocked', 'deferred by budget']);
  assert.equal(plan.agents.find((a) => a.agent === 'theme')!.action, 'execute', 'essential agents still run');
});

test('at the second threshold cheaper models are suggested, and applied when configured', async () => {
  const limited = sampleWithLimit(0.01).replace('"limits": { "daily": 0.01 }', '"limits": { "daily": 0.01, "applyCheaperModels": APPLY }');
  for (const apply of [false, true]) {
    const { db } = tempDatabase();
    const parties = engine(limited.replace('APPLY', String(apply)), db);
    const first = parties.create('first', ['jungle theme', '75 guests']);
    await parties.run(first.party.id); // about $0.0083 of $0.01: the "cheaper" level
    assert.equal(parties.budget().level, 'cheaper');
    const second = parties.create('second', ['pirate theme', '40 kids']);
    const plan = await parties.plan(second.party.id);
    assert.match(
      plan.budget!.message,
      apply ? /; cheaper models applied: .*planner_final → gpt-4\.1 \(saves \$0\.\d{6}\/run\)$/ : /; cheaper models that would do: .*planner_final → gpt-4\.1/,
    );
    await parties.run(second.party.id);
    const model = parties.store.load(second.party.id).results.planner_final.model;
    assert.equal(model, apply ? 'gpt-4.1' : 'gpt-4o');
  }
});
