import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../sidecar/store/ledger';
import { learnedFrom } from '../../sidecar/learning/learning';
import type { AgentLearning } from '../../sidecar/contract/cost';
import type { LedgerEntry } from '../../sidecar/store/ledger';
import { openDatabase } from '../../sidecar/store/database';
import { seeded } from '../../bench/measure';
import { engine, tempDatabase } from '../engine';
import { sampleConfig } from '../../sidecar/config/sample';
import { agentDefinition, promptHash } from '../../sidecar/planner/keys';

// The ledger's running totals (what budgets read on every execution) equal a full sum over the table, whoever wrote
// the rows: this connection or another process's, in any order of times.

function entry(at: Date, costUsd: number, prunedTokens: number): LedgerEntry {
  return {
    partyId: 'P1',
    agent: 'theme',
    provider: 'offline',
    model: 'gpt-4o-mini',
    at: at.toISOString(),
    usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0, source: 'estimated' },
    estimatedCostUsd: costUsd,
    actualCostUsd: costUsd,
    parts: null,
    cached: false,
    savedUsd: 0,
    prunedTokens,
  };
}

test('spend and pruned tokens since an instant equal a full sum, with rows added by another connection in between', () => {
  const { file, db } = tempDatabase();
  const other = openDatabase(file);
  const ours = new Ledger(db);
  const theirs = new Ledger(other);
  const random = seeded(7);
  const day = Date.parse('2026-12-01T00:00:00Z');
  const windows = [day - 86_400_000, day, day + 43_200_000];
  for (let round = 0; round < 40; round++) {
    const writer = random(2) ? ours : theirs;
    // Rows come in at any time around the windows' starts, late ones included.
    writer.append(Array.from({ length: 1 + random(3) }, () => entry(new Date(day - 86_400_000 + random(3 * 86_400_000)), random(1_000) / 1e6, random(50))));
    for (const since of windows) {
      const full = db
        .prepare('SELECT coalesce(sum(cost_usd), 0) AS spent, coalesce(sum(pruned_tokens), 0) AS pruned FROM ledger WHERE at >= ?')
        .get(new Date(since).toISOString()) as { spent: number; pruned: number };
      assert.ok(Math.abs(ours.spentSince(since) - full.spent) < 1e-9, `round ${round}, since ${new Date(since).toISOString()}`);
      assert.equal(ours.prunedSince(since), full.pruned);
    }
  }
  other.close();
  db.close();
});

function run(agent: string, promptHash: string | undefined, outputTokens: number, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    partyId: 'P1',
    agent,
    provider: 'openai',
    model: 'gpt-4o-mini',
    at: new Date().toISOString(),
    usage: { inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens, reasoningTokens: 0, source: 'actual' },
    estimatedCostUsd: 0.001,
    actualCostUsd: 0.001,
    parts: null,
    cached: false,
    savedUsd: 0,
    ...(promptHash ? { promptHash } : {}),
    ...fields,
  };
}

test('learned outputs: the latest actual runs of the agent as configured now; cache hits, local counts and older prompts teach nothing', () => {
  const { db } = tempDatabase();
  const ledger = new Ledger(db);
  // Ten runs of prompt A (one of them an answer cut off at 12 tokens), then three of prompt B.
  ledger.append([880, 900, 870, 12, 910, 890, 940, 905, 885, 895].map((tokens) => run('theme', 'A', tokens)));
  ledger.append([400, 420, 410].map((tokens) => run('theme', 'B', tokens)));
  ledger.append([run('theme', 'B', 9_999, { cached: true, actualCostUsd: 0, savedUsd: 0.001 })]);
  ledger.append([
    run('theme', 'B', 9_999, {
      usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 9_999, reasoningTokens: 0, source: 'estimated' },
    }),
  ]);
  ledger.append([run('theme', undefined, 9_999), run('venue', 'A', 300)]);

  const learned = (agent: string, hash: string, window = 20): AgentLearning => {
    const byPrompt = new Map(
      ledger
        .promptRuns(window)
        .filter((row) => row.agent === agent)
        .map((row) => [row.hash, row.runs]),
    );
    const runs = byPrompt.get(hash) ?? 0;
    return learnedFrom(ledger.teachingRuns(agent, hash, window), {
      runs,
      earlierRuns: [...byPrompt.values()].reduce((x, y) => x + y, 0) - runs,
      minRuns: Math.min(5, window),
    });
  };
  const a = learned('theme', 'A');
  assert.deepEqual(
    { runs: a.runs, window: a.window, p50: a.output!.p50, p90: a.output!.p90, outliers: a.outliers, earlier: a.earlierRuns },
    { runs: 10, window: 10, p50: 890, p90: 910, outliers: 1, earlier: 3 },
  );
  assert.ok(a.output!.mean < a.output!.p50, 'the cut-off answer pulls the mean down, not the percentiles');
  assert.match(a.why, /^learned from 10 runs \(output p50 890, p90 910\); 1 run is far from the rest .*; 3 runs under an earlier prompt/);
  const venue = learned('venue', 'V');
  assert.deepEqual(
    { runs: venue.runs, window: venue.window, output: venue.output, cost: venue.actualMeanCostUsd },
    { runs: 0, window: 0, output: null, cost: null },
    'no run of venue as it is configured now',
  );
  assert.match(venue.why, /^no runs since its prompt or model changed: the configured figures apply; 1 run under an earlier prompt/);

  const b = learned('theme', 'B');
  assert.deepEqual({ runs: b.runs, p50: b.output!.p50, p90: b.output!.p90 }, { runs: 3, p50: 410, p90: 420 });
  assert.match(b.why, /^3 runs so far, 5 needed before learned figures replace the configured ones/);

  const newest = learned('theme', 'A', 4);
  assert.deepEqual({ runs: newest.runs, window: newest.window, p50: newest.output!.p50 }, { runs: 10, window: 4, p50: 895 });
  assert.match(newest.why, /^learned from the latest 4 of 10 runs/);
  // The trigger-kept counts equal a count over the table.
  const counted = db
    .prepare(
      `SELECT agent, prompt_hash AS hash, count(*) AS runs FROM ledger WHERE cached = 0 AND source = 'actual' AND prompt_hash IS NOT NULL GROUP BY agent, prompt_hash ORDER BY agent, hash`,
    )
    .all();
  assert.deepEqual(db.prepare('SELECT agent, prompt_hash AS hash, runs FROM ledger_runs ORDER BY agent, hash').all(), counted);
  const newestRuns = db
    .prepare(
      `SELECT agent, prompt_hash AS hash, max(id) AS lastId FROM ledger WHERE cached = 0 AND source = 'actual' AND prompt_hash IS NOT NULL GROUP BY agent, prompt_hash ORDER BY agent, hash`,
    )
    .all();
  assert.deepEqual(db.prepare('SELECT agent, prompt_hash AS hash, last_id AS lastId FROM ledger_runs ORDER BY agent, hash').all(), newestRuns);
  db.close();
});

test('every execution records what its agent sent; a changed prompt gives that agent a new prompt hash, the others keep theirs', async () => {
  const { db } = tempDatabase();
  const hashes = (): Map<string, string> =>
    new Map(
      (db.prepare('SELECT agent, prompt_hash AS hash FROM ledger ORDER BY id').all() as { agent: string; hash: string }[]).map((row) => [row.agent, row.hash]),
    );
  const first = engine(sampleConfig, db);
  const { party } = first.create('p', ['jungle theme', '75 guests']);
  await first.run(party.id);
  const before = hashes();
  for (const [agent, hash] of before) assert.equal(hash, promptHash(agentDefinition(first.config.agents[agent], first.config)), agent);

  const edited = sampleConfig.replace('Suggest a party theme', 'Propose a party theme');
  assert.notEqual(edited, sampleConfig);
  const second = engine(edited, db);
  await second.run(party.id);
  const after = hashes();
  assert.notEqual(after.get('theme'), before.get('theme'), 'theme re-ran with its new prompt');
  assert.equal(after.get('venue'), before.get('venue'));
  db.close();
});

/** A traced call of `agent` in `run`, its span `span`, started at `startMs`. */
function tracedCall(agent: string, run: string, span: string, startMs: number, costUsd = 0.001): LedgerEntry {
  return {
    partyId: '',
    agent,
    provider: 'openai',
    model: 'gpt-4o-mini',
    at: new Date(startMs).toISOString(),
    usage: { inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 10, reasoningTokens: 0, source: 'actual' },
    estimatedCostUsd: null,
    actualCostUsd: costUsd,
    parts: null,
    cached: false,
    savedUsd: 0,
    promptHash: 'hash-of-theme',
    origin: 'collected',
    run,
    span,
    spanStartMs: startMs,
  };
}

test('a traced span is kept once, even when its key collides with other spans; a run split over batches counts once', () => {
  const { db } = tempDatabase();
  // Every span hashes alike, all in one millisecond: each key collides, and probing must still tell the spans apart.
  const ledger = new Ledger(db, () => 7);
  const start = Date.parse('2026-12-07T10:00:00Z');
  const first = [tracedCall('theme', 't1/r1', 't1/s1', start), tracedCall('theme', 't1/r1', 't1/s2', start)];
  assert.equal(ledger.recordTraced(first), 2);
  // The exporter sends s2 again, then the rest of run r1 and a new run r2.
  const second = [tracedCall('theme', 't1/r1', 't1/s2', start), tracedCall('theme', 't1/r1', 't1/s3', start), tracedCall('theme', 't2/r2', 't2/s4', start)];
  assert.equal(ledger.recordTraced(second), 2, 's2 was recorded before; s3 and s4 are new');
  assert.equal(ledger.recordTraced([...first, ...second]), 0, 'everything again: nothing new');
  const keys = db.prepare('SELECT span_id AS span, span_key AS key FROM ledger ORDER BY id').safeIntegers(true).all() as { span: string; key: bigint }[];
  assert.deepEqual(
    keys.map((k) => k.span),
    ['t1/s1', 't1/s2', 't1/s3', 't2/s4'],
  );
  assert.equal(new Set(keys.map((k) => String(k.key))).size, 4, 'probed to four keys');
  const counted = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(counted("SELECT runs AS n FROM ledger_runs WHERE agent = 'theme'"), 2, 'r1 once, though its calls came in two batches');
  assert.equal(counted("SELECT runs AS n FROM ledger_production_runs WHERE agent = 'theme'"), 2);
  assert.equal(counted('SELECT sum(first_of_run) AS n FROM ledger'), 2);
  assert.deepEqual(ledger.productionSince(new Date(start - 1000).toISOString()), { costUsd: 0.004, runs: 2, calls: 4 });
  assert.deepEqual(ledger.executionsByAgent(), [{ agent: 'theme', executions: 2, cost: 0.004 }]);
  const production = ledger.production(20).get('theme')!;
  assert.deepEqual([production.runs, production.window, production.calls.p50, production.calls.p90], [2, 2, 1, 3]);
  db.close();
});

test('per-agent executions kept running: rows of another connection are added, calls mapped to an agent are counted again', () => {
  const { file, db } = tempDatabase();
  const ledger = new Ledger(db);
  const start = Date.parse('2026-12-07T10:00:00Z');
  ledger.append([entry(new Date(start), 0.002, 0)]);
  ledger.recordTraced([{ ...tracedCall('Theme Designer', 't1/r1', 't1/s1', start), attributed: false }]);
  assert.deepEqual(
    ledger.executionsByAgent().sort((a, b) => (a.agent < b.agent ? -1 : 1)),
    [
      { agent: 'Theme Designer', executions: 1, cost: 0.001 },
      { agent: 'theme', executions: 1, cost: 0.002 },
    ],
  );
  const other = new Ledger(openDatabase(file));
  other.recordTraced([{ ...tracedCall('Theme Designer', 't1/r1', 't1/s2', start), attributed: false }]);
  other.alias('Theme Designer', 'theme', 'hash-of-theme', new Date(start).toISOString());
  // Mapped in another process: this one counts again, the run once, its calls the agent's.
  assert.deepEqual(ledger.executionsByAgent(), [{ agent: 'theme', executions: 2, cost: 0.004 }]);
  assert.equal((db.prepare("SELECT runs FROM ledger_production_runs WHERE agent = 'theme'").get() as { runs: number }).runs, 1);
  db.close();
});
