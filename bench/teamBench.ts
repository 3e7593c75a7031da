import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfigText } from '../sidecar/sources/load';
import { estimate } from '../sidecar/estimate/estimate';
import { listPricing } from '../sidecar/contract/pricing';
import { Learner } from '../sidecar/learning/learning';
import { SqliteStore } from '../sidecar/store/sqliteStore';
import type { LedgerEntry } from '../sidecar/store/ledger';
import { TeamLedger } from '../sidecar/service/teamLedger';
import { startPostgres } from '../test/postgresServer';
import { figure, medianMs, report, verdict } from './measure';
import { generatedConfig } from './generatedConfig';
import { fill } from './learningBench';
import type { PartyConfig } from '../sidecar/config/schema';

const appends = 5_000;

/**
 * The team group, against a real PostgreSQL started here: appending executions through the team ledger (each in its
 * own SQLite transaction as a run records it, spooled, then pushed) against raw INSERTs of the same rows with the same
 * client; and the 200-agent estimate on a workspace whose team ledger holds 100,000 executions (pulled into it)
 * against one with an empty team ledger, side by side.
 */
export async function teamBench(): Promise<void> {
  const server = await startPostgres();
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-team-bench-'));
  try {
    await appendFigures(server.url, await server.database('raw'), dir);
    await estimateFigures(await server.database('full'), await server.database('empty'), dir);
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function entry(i: number): LedgerEntry {
  return {
    partyId: `P${i % 500}`,
    agent: `agent${i % 50}`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    at: new Date().toISOString(),
    usage: { inputTokens: 300 + (i % 200), cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 200 + (i % 600), reasoningTokens: 0, source: 'actual' },
    estimatedCostUsd: 0.0003,
    actualCostUsd: 0.0004,
    parts: null,
    cached: false,
    savedUsd: 0,
    promptHash: `hash${i % 50}`,
    countedInputTokens: 300,
  };
}

async function appendFigures(teamUrl: string, rawUrl: string, dir: string): Promise<void> {
  // Ours: a workspace sharing the team ledger, each execution recorded in its own transaction, then pushed.
  const store = SqliteStore.open(path.join(dir, 'append.db'));
  const team = new TeamLedger(store, { url: teamUrl, from: 'PARTYCOST_LEDGER_URL' }, 'bench');
  await team.sync({ waitMs: 10_000 });
  const append = store.db.transaction((e: LedgerEntry) => store.ledger.append([e]));
  // Raw: the same rows, one prepared INSERT each in one transaction, into a table of the same shape.
  const raw = new pg.Client({ connectionString: rawUrl });
  await raw.connect();
  await raw.query(
    'CREATE TABLE executions (id bigserial PRIMARY KEY, key text NOT NULL UNIQUE, at timestamptz NOT NULL, agent text NOT NULL, cost_usd double precision NOT NULL, ran_by text NOT NULL, workspace text NOT NULL, entry jsonb NOT NULL)',
  );
  const rounds: [number, number, number][] = [];
  for (let round = 0; round < 5; round++) {
    const base = round * appends;
    let start = performance.now();
    for (let i = 0; i < appends; i++) append(entry(base + i));
    const recorded = performance.now() - start;
    start = performance.now();
    await team.sync({ waitMs: 10_000, pullMs: 0 });
    const pushed = performance.now() - start;
    start = performance.now();
    await raw.query('BEGIN');
    for (let i = 0; i < appends; i++) {
      const e = entry(base + i);
      await raw.query({
        name: 'raw-insert',
        text: 'INSERT INTO executions (key, at, agent, cost_usd, ran_by, workspace, entry) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        values: [`raw-${base + i}`, e.at, e.agent, e.actualCostUsd, 'bench@here', 'bench', JSON.stringify(e)],
      });
    }
    await raw.query('COMMIT');
    rounds.push([pushed, performance.now() - start, recorded]);
  }
  await raw.end();
  // A run's way in: a call reserves before it is made and settles once recorded (one transaction each).
  const config = { limits: { daily: 1_000_000 } } as PartyConfig;
  const calls = 500;
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    append(entry(10_000_000 + i));
    const reservation = await team.reserve(config, 'agent0', 0.0004);
    if (!reservation || 'refused' in reservation) throw new Error('no reservation');
    await reservation.settle();
  }
  const perCall = ((performance.now() - start) / calls) * 1000;
  await team.close(10_000);
  store.close();
  const median = (i: 0 | 1 | 2): number => rounds.map((r) => r[i]).sort((a, b) => a - b)[2]!;
  const [pushed, rawMs, recorded] = [median(0), median(1), median(2)];
  const per = (ms: number): number => (ms / appends) * 1000;
  console.log(`\nTeam ledger (PostgreSQL on 127.0.0.1): ${appends.toLocaleString('en-US')} executions a round, 5 rounds alternating`);
  const ratio = figure('append to the team ledger (the spool pushed), throughput / raw INSERTs with the same client', rawMs / pushed, '×', '>= 0.5');
  figure('append to the team ledger, per execution', per(pushed), 'µs');
  figure('raw INSERT with the same client, per row (one transaction)', per(rawMs), 'µs');
  figure('recording in the workspace ledger with its spool row, per execution (one SQLite transaction each)', per(recorded), 'µs');
  figure("a call's reservation and settlement, per call", perCall, 'µs');
  report([
    ['append to the team ledger (spool pushed, 500 a statement)', `${per(pushed).toFixed(0)} µs per execution`],
    ['raw INSERTs, same client, one transaction', `${per(rawMs).toFixed(0)} µs per row`],
    ['throughput ratio', `${ratio.toFixed(2)}× (${verdict('>= 0.5', ratio)})`],
    ['recorded in the workspace first (as without a team ledger)', `${per(recorded).toFixed(0)} µs per execution`],
    ["a run's call: reserve, then settle (two transactions)", `${perCall.toFixed(0)} µs per call`],
  ]);
}

async function estimateFigures(fullUrl: string, emptyUrl: string, dir: string): Promise<void> {
  const loaded = loadConfigText(generatedConfig(200), 'generated.json');
  if (!loaded.config) throw new Error('generated configuration is invalid');
  const { config, prices } = loaded;
  // A teammate's workspace records 100,000 executions and pushes them to the team ledger.
  const writer = SqliteStore.open(path.join(dir, 'writer.db'));
  const writerTeam = new TeamLedger(writer, { url: fullUrl, from: 'PARTYCOST_LEDGER_URL' }, 'writer');
  const filled = fill(writer.db, writer.ledger, config);
  await writerTeam.sync({ waitMs: 10_000 });
  await writerTeam.close(60_000);
  writer.close();
  // This workspace pulls them; the other shares an empty team ledger.
  const reader = SqliteStore.open(path.join(dir, 'reader.db'));
  const readerTeam = new TeamLedger(reader, { url: fullUrl, from: 'PARTYCOST_LEDGER_URL' }, 'reader');
  const pullStart = performance.now();
  await readerTeam.sync({ waitMs: 10_000, pullMs: 600_000 });
  const pullMs = performance.now() - pullStart;
  const pulled = (reader.db.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
  const lonely = SqliteStore.open(path.join(dir, 'lonely.db'));
  const lonelyTeam = new TeamLedger(lonely, { url: emptyUrl, from: 'PARTYCOST_LEDGER_URL' }, 'lonely');
  await lonelyTeam.sync({ waitMs: 10_000 });
  const cold = (store: SqliteStore) => () => estimate(config, prices, listPricing, new Learner(store.ledger).learningFor(config));
  const rounds = Array.from({ length: 5 }, () => [medianMs(cold(reader), 11, 2), medianMs(cold(lonely), 11, 2)]);
  const full = rounds.map((r) => r[0]!).sort((a, b) => a - b)[2]!;
  const empty = rounds.map((r) => r[1]!).sort((a, b) => a - b)[2]!;
  await Promise.all([readerTeam.close(10_000), lonelyTeam.close(10_000)]);
  reader.close();
  lonely.close();
  if (pulled !== filled) throw new Error(`pulled ${pulled} of ${filled} executions`);
  const ratio = figure('estimate with a 100k-execution team ledger / empty team ledger', full / empty, '×', '<= 1.5');
  figure('pulling 100k executions from the team ledger, once', pullMs, 'ms');
  report([
    ['estimate, 200 agents, team ledger of 100k executions', `${full.toFixed(1)} ms`],
    ['estimate, empty team ledger', `${empty.toFixed(1)} ms`],
    ['ratio', `${ratio.toFixed(2)}× (${verdict('<= 1.5', ratio)})`],
    ['first pull of the 100k executions into a workspace', `${(pullMs / 1000).toFixed(1)} s`],
  ]);
}
