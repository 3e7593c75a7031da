import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigText } from '../sidecar/sources/load';
import { estimate } from '../sidecar/estimate/estimate';
import { listPricing } from '../sidecar/contract/pricing';
import { Ledger } from '../sidecar/store/ledger';
import type { LedgerEntry } from '../sidecar/store/ledger';
import { Learner, learnedFrom, learningSettings } from '../sidecar/learning/learning';
import { accuracyReport } from '../sidecar/learning/accuracy';
import type { Learning } from '../sidecar/contract/cost';
import { agentDefinition, promptHash } from '../sidecar/planner/keys';
import { openDatabase } from '../sidecar/store/database';
import type { Db } from '../sidecar/store/database';
import type { PartyConfig } from '../sidecar/config/schema';
import { figure, medianMs, report, seeded, verdict } from './measure';
import { generatedConfig } from './generatedConfig';

const executions = 100_000;

/**
 * The learning group: an estimate of the 200-agent configuration that learns from a ledger of 100,000 executions,
 * against the same estimate on an empty ledger, measured side by side, each time with a learner that remembers
 * nothing (the first estimate after a run). Beside them, learning by reading every run of each agent (the scan the
 * indexes and the run-count table avoid).
 */
export function learningBench(): void {
  const text = generatedConfig(200);
  const loaded = loadConfigText(text, 'generated.json');
  if (!loaded.config) throw new Error(`generated configuration is invalid: ${loaded.problems[0]?.message}`);
  const { config, prices } = loaded;
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-learning-bench-'));
  try {
    const emptyDb = openDatabase(path.join(dir, 'empty.db'));
    const empty = new Ledger(emptyDb);
    const db = openDatabase(path.join(dir, 'full.db'));
    const full = new Ledger(db);
    const filled = fill(db, full, config);
    const cold = (ledger: Ledger) => () => estimate(config, prices, listPricing, new Learner(ledger).learningFor(config));
    // Alternating rounds, so drift on a busy machine falls on both sides alike.
    const rounds = Array.from({ length: 5 }, () => [medianMs(cold(full), 11, 2), medianMs(cold(empty), 11, 2)]);
    const withLedger = rounds.map((r) => r[0]).sort((a, b) => a - b)[2];
    const without = rounds.map((r) => r[1]).sort((a, b) => a - b)[2];
    const first = firstComputation(db, () => estimate(config, prices, listPricing, new Learner(full).learningFor(config)));
    const scanning = medianMs(() => estimate(config, prices, listPricing, scanLearning(db, config)), 3, 1);
    const remembered = new Learner(full);
    const warm = medianMs(() => estimate(config, prices, listPricing, remembered.learningFor(config)));
    const accuracy = medianMs(() => accuracyReport(config, prices, full, new Learner(full)), 5, 1);
    console.log(
      `\nLearning: 200 agents; ledger of ${filled.toLocaleString('en-US')} executions (about 500 per agent, some under an earlier prompt, some cache hits)`,
    );
    const ratio = figure('estimate with a 100k-execution ledger / empty ledger', withLedger / without, '×', '<= 1.5');
    figure('estimate, learning from 100k executions', withLedger, 'ms');
    figure('estimate, empty ledger', without, 'ms');
    figure('estimate, learning computed from the runs (nothing kept yet)', first, 'ms');
    figure('estimate, learning by scanning every run (baseline)', scanning, 'ms');
    figure('estimate, learning remembered (ledger unchanged)', warm, 'ms');
    figure('accuracy report, 100k executions', accuracy, 'ms');
    report([
      ['estimate learning from 100k executions', `${withLedger.toFixed(1)} ms`],
      ['estimate on an empty ledger', `${without.toFixed(1)} ms`],
      ['ratio', `${ratio.toFixed(2)}× (${verdict('<= 1.5', ratio)})`],
      ['first estimate, figures computed from the latest runs', `${first.toFixed(1)} ms (then kept)`],
      ['learning by scanning every run (baseline)', `${scanning.toFixed(1)} ms (${(scanning / withLedger).toFixed(1)}× ours)`],
      ['learning remembered, ledger unchanged', `${warm.toFixed(1)} ms`],
      ['partycost accuracy on the same ledger', `${accuracy.toFixed(1)} ms`],
    ]);
    emptyDb.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median time of `estimate` with no figures kept in the database (as after the upgrade): each agent's computed. */
function firstComputation(db: Db, estimateNow: () => unknown): number {
  const times = Array.from({ length: 7 }, () => {
    db.prepare('DELETE FROM ledger_learned').run();
    const start = performance.now();
    estimateNow();
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return times[3];
}

/** 100,000 executions over the 200 agents: most under the current prompt, a tenth under an earlier one, some hits. */
export function fill(db: Db, ledger: Ledger, config: PartyConfig): number {
  const random = seeded(42);
  const names = Object.keys(config.agents);
  const hashes = new Map(names.map((name) => [name, promptHash(agentDefinition(config.agents[name], config))]));
  const at = new Date().toISOString();
  const batch: LedgerEntry[] = [];
  const flush = db.transaction(() => {
    ledger.append(batch);
    batch.length = 0;
  });
  for (let i = 0; i < executions; i++) {
    const agent = names[random(names.length)];
    const earlier = random(10) === 0;
    const cached = random(20) === 0;
    batch.push({
      partyId: `P${random(5_000)}`,
      agent,
      provider: 'openai',
      model: 'gpt-4o-mini',
      at,
      usage: { inputTokens: 300 + random(200), cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 200 + random(600), reasoningTokens: 0, source: 'actual' },
      estimatedCostUsd: 0.0003,
      actualCostUsd: cached ? 0 : 0.0004,
      parts: null,
      cached,
      savedUsd: cached ? 0.0004 : 0,
      promptHash: earlier ? `earlier-${agent}` : hashes.get(agent),
      countedInputTokens: 300,
    });
    if (batch.length === 5_000) flush();
  }
  flush();
  return executions;
}

/** The learning a plain reading of the table gives: every teaching run of each agent, its latest window kept. */
function scanLearning(db: Db, config: PartyConfig): Learning {
  const { window, minRuns } = learningSettings(config);
  const learning: Learning = { agents: new Map(), calibration: new Map() };
  const rows = db.prepare(
    `SELECT input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, estimated_cost_usd AS estimatedCostUsd, NULL AS calls, prompt_hash AS hash FROM ledger NOT INDEXED WHERE agent = ? AND cached = 0 AND source = 'actual' ORDER BY id DESC`,
  );
  for (const [name, agent] of Object.entries(config.agents)) {
    const hash = promptHash(agentDefinition(agent, config));
    const all = rows.all(name) as {
      hash: string;
      inputTokens: number;
      outputTokens: number;
      costUsd: number;
      estimatedCostUsd: number | null;
      calls: number | null;
    }[];
    const current = all.filter((row) => row.hash === hash);
    learning.agents.set(name, learnedFrom(current.slice(0, window), { runs: current.length, earlierRuns: all.length - current.length, minRuns }));
  }
  return learning;
}
