import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OfflineProvider } from '../sidecar/providers/offline';
import type { RunReport } from '../sidecar/contract/plan';
import { loadConfigText } from '../sidecar/sources/load';
import type { LoadedConfig } from '../sidecar/sources/load';
import { sampleConfig } from '../sidecar/config/sample';
import type { PartyConfig } from '../sidecar/config/schema';
import { estimate } from '../sidecar/estimate/estimate';
import { Providers } from '../sidecar/providers/registry';
import { PartyService } from '../sidecar/service/partyService';
import { compileRouter } from '../sidecar/party/routing';
import type { Router } from '../sidecar/party/routing';
import { emptyParty } from '../sidecar/party/state';
import type { PartyEvent, PartyInput, PartyState } from '../sidecar/contract/party';
import { partyGraph } from '../sidecar/planner/partyGraph';
import { planParty } from '../sidecar/planner/plan';
import { openDatabase } from '../sidecar/store/database';
import type { Db } from '../sidecar/store/database';
import { autoSnapshotEvery, PartyStore } from '../sidecar/store/partyStore';
import { generatedConfig } from './generatedConfig';
import { figure, medianMs, report, seeded, verdict } from './measure';

/** Inputs a user might type into the sample party; they route to different agents. */
const pool = [
  'jungle theme',
  'pirate theme',
  '75 guests',
  '40 kids',
  'chocolate cake',
  'vanilla cupcakes',
  'need a balloon artist',
  'a magician please',
  'vegan snacks',
  'garden venue',
  '120 people',
  'DJ for the evening',
];

/** Every temporary folder and database this bench opened, removed at the end. */
const opened: { dir: string; db: Db }[] = [];

function tempDb(): Db {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'partycost-bench-'));
  const db = openDatabase(path.join(dir, 'partycost.db'));
  opened.push({ dir, db });
  return db;
}

function loadSample(): LoadedConfig & { config: PartyConfig } {
  const loaded = loadConfigText(sampleConfig, 'partycost.json');
  if (!loaded.config) throw new Error(`sample configuration is invalid: ${loaded.problems[0]?.message}`);
  return loaded as LoadedConfig & { config: PartyConfig };
}

/** Alternating input_added / input_removed events, as a long edit history leaves them. */
function historyEvents(count: number, router: Router, firstInput: number): PartyEvent[] {
  const random = seeded(count);
  const events: PartyEvent[] = [];
  let next = firstInput;
  while (events.length < count) {
    if (events.length % 2 === 0) {
      const text = pool[random(pool.length)];
      events.push({ type: 'input_added', input: { id: `i${next}`, text, agents: [...router(text)] } });
    } else {
      events.push({ type: 'input_removed', inputId: `i${next++}` });
    }
  }
  return events;
}

/**
 * Appends the events in batches that end where the sequence number reaches a multiple of the snapshot cadence, so
 * the auto snapshots fall exactly where one-event appends (an edit each) would put them; 10,000 events a transaction.
 */
function appendAll(store: PartyStore, partyId: string, events: PartyEvent[], perTransaction = 10_000): void {
  const firstSeq = store.events(partyId).at(-1)!.seq + 1;
  for (let start = 0; start < events.length; start += perTransaction) {
    store.transaction(() => {
      let batch: PartyEvent[] = [];
      for (let i = start; i < Math.min(start + perTransaction, events.length); i++) {
        batch.push(events[i]);
        if ((firstSeq + i) % autoSnapshotEvery === 0) {
          store.append(partyId, batch);
          batch = [];
        }
      }
      if (batch.length) store.append(partyId, batch);
    });
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function resumeBench(): void {
  const { config } = loadSample();
  const router = compileRouter(config);
  const store = new PartyStore(tempDb());
  const short = store.createParty('short history');
  const long = store.createParty('long history');
  const counts = { short: 100, long: 100_000 };
  const started = performance.now();
  appendAll(store, short.id, historyEvents(counts.short, router, 1));
  const shortBuilt = performance.now();
  appendAll(store, long.id, historyEvents(counts.long, router, 1));
  const longBuilt = performance.now();
  const shortReplay = store.replayLatest(short.id);
  const longReplay = store.replayLatest(long.id);
  const shortMs = medianMs(() => store.replayLatest(short.id), 25, 5);
  const longMs = medianMs(() => store.replayLatest(long.id), 25, 5);
  console.log(
    `\nResume (replayLatest: latest snapshot + later events); history appended in batches of up to ${autoSnapshotEvery} (snapshots where single-event appends put them), 10,000 events per transaction`,
  );
  figure(`resume with ${counts.short} events of history`, shortMs, 'ms');
  figure(`resume with ${counts.long.toLocaleString('en')} events of history`, longMs, 'ms');
  figure('resume, long history / short', longMs / shortMs, '×', '<= 2');
  report([
    [`build ${counts.short} events`, `${(shortBuilt - started).toFixed(0)} ms`],
    [
      `build ${counts.long.toLocaleString('en')} events`,
      `${seconds(longBuilt - shortBuilt)} (${Math.round(counts.long / ((longBuilt - shortBuilt) / 1000)).toLocaleString('en')} events/s)`,
    ],
    [
      `resume, ${counts.short} events of history`,
      `${shortMs.toFixed(3)} ms (median of 25; snapshot v${shortReplay.fromVersion} + ${shortReplay.eventsReplayed} events)`,
    ],
    [
      `resume, ${counts.long.toLocaleString('en')} events of history`,
      `${longMs.toFixed(3)} ms (median of 25; snapshot v${longReplay.fromVersion} + ${longReplay.eventsReplayed} events)`,
    ],
    ['ratio long / short', `${(longMs / shortMs).toFixed(2)}×`],
  ]);
}

export function planBenchOnly(): void {
  planBench();
}

export function partyBenchAppendOnly(): void {
  appendBench();
}

function appendBench(): void {
  const { config } = loadSample();
  const router = compileRouter(config);
  const n = 20_000;
  const events = historyEvents(n, router, 1);

  const store = new PartyStore(tempDb());
  const tenth = n / 10;
  let firstRate = 0;
  let lastRate = 0;
  const oursOnce = (name: string): number => {
    const party = store.createParty(name);
    const marks: number[] = [];
    const begin = performance.now();
    store.transaction(() => {
      events.forEach((event, i) => {
        if (i % tenth === 0) marks.push(performance.now());
        store.append(party.id, [event]);
      });
    });
    const ms = performance.now() - begin;
    marks.push(begin + ms);
    firstRate = tenth / ((marks[1] - marks[0]) / 1000);
    lastRate = tenth / ((marks[10] - marks[9]) / 1000);
    return ms;
  };

  const raw = tempDb();
  raw.exec('CREATE TABLE raw (party_id TEXT, seq INTEGER, type TEXT, payload TEXT, at TEXT, PRIMARY KEY (party_id, seq)) WITHOUT ROWID');
  const insert = raw.prepare('INSERT INTO raw (party_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)');
  const rawOnce = (partyId: string): number => {
    const begin = performance.now();
    raw
      .transaction(() => {
        events.forEach((event, i) => insert.run(partyId, i + 2, event.type, JSON.stringify(event), new Date().toISOString()));
      })
      .immediate();
    return performance.now() - begin;
  };
  // Side by side: a warm-up of each, then five rounds alternating, the median of each.
  oursOnce('warmup');
  rawOnce('warmup');
  const oursRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    oursRuns.push(oursOnce(`throughput ${i}`));
    rawRuns.push(rawOnce(`R${i}`));
  }
  const median = (runs: number[]): number => runs.sort((a, b) => a - b)[2];
  const oursMs = median(oursRuns);
  const rawMs = median(rawRuns);
  const ours = n / (oursMs / 1000);
  const floor = n / (rawMs / 1000);
  console.log(`\nEvent append: N = ${n.toLocaleString('en')} events in one transaction (one append call per event)`);
  figure('PartyStore.append', ours, 'events/s');
  figure('raw better-sqlite3 INSERT', floor, 'events/s');
  figure('PartyStore.append / raw INSERT throughput', ours / floor, '×', '>= 0.5');
  report([
    ['PartyStore.append (events, projection, auto snapshots)', `${Math.round(ours).toLocaleString('en')} events/s (${oursMs.toFixed(0)} ms, median of 5)`],
    [
      `  first ${tenth.toLocaleString('en')} / last ${tenth.toLocaleString('en')} events (last round)`,
      `${Math.round(firstRate).toLocaleString('en')} / ${Math.round(lastRate).toLocaleString('en')} events/s`,
    ],
    ['raw better-sqlite3 prepared INSERT (floor)', `${Math.round(floor).toLocaleString('en')} events/s (${rawMs.toFixed(0)} ms, median of 5)`],
    ['ratio ours / raw throughput', `${(ours / floor).toFixed(3)} (raw is ${(floor / ours).toFixed(1)}× faster; ${verdict('>= 0.5', ours / floor)})`],
  ]);
}

/** A party state held in memory, its inputs routed as addInput routes them. */
function stateWith(id: string, texts: string[], router: Router): PartyState {
  const inputs: PartyInput[] = texts.map((text, i) => ({ id: `i${i + 1}`, text, agents: [...router(text)] }));
  return { ...emptyParty(id), name: id, inputs, nextInput: inputs.length + 1 };
}

function planBench(): void {
  const sample = loadSample();
  const sampleState = stateWith('sample', ['jungle theme', '75 guests', 'chocolate cake', 'need a balloon artist'], compileRouter(sample.config));
  const sampleMs = medianMs(
    () => planParty({ config: sample.config, prices: sample.prices, state: sampleState, estimate: estimate(sample.config, sample.prices) }),
    51,
    5,
  );

  const text = generatedConfig(500);
  const big = loadConfigText(text, 'generated.json');
  const errors = big.problems.filter((p) => p.severity === 'error');
  if (!big.config || errors.length) throw new Error(`generated configuration is invalid: ${errors[0]?.message}`);
  const random = seeded(500);
  const templates = [
    (n: number) => `${n} guests`,
    () => 'jungle theme',
    () => 'chocolate cake with candles',
    () => 'need a balloon artist',
    (n: number) => `music and games for ${n} kids`,
    () => 'garden venue near the park',
    (n: number) => `catering budget of ${n} dollars`,
    () => 'decorations in gold',
    (n: number) => `timeline: start at ${1 + (n % 12)} pm`,
    () => 'vegan snacks',
  ];
  const inputCount = 10_000;
  const texts = Array.from({ length: inputCount }, () => templates[random(templates.length)](5 + random(200)));
  const router = compileRouter(big.config);
  const bigState = stateWith('big', texts, router);
  const routes = bigState.inputs.reduce((total, input) => total + input.agents.length, 0);
  const bigConfig = big.config;
  // Cold: a configuration just loaded, its router compiled and every distinct text routed during the plan (each run on
  // a copy of its own). Warm: a re-plan after an edit, the routes of texts seen before remembered.
  const copies = Array.from({ length: 4 }, () => structuredClone(bigConfig));
  const coldMs = medianMs(
    () => {
      const config = copies.pop()!;
      return planParty({ config, prices: big.prices, state: bigState, estimate: estimate(config, big.prices) });
    },
    3,
    1,
  );
  const bigMs = medianMs(() => planParty({ config: bigConfig, prices: big.prices, state: bigState, estimate: estimate(bigConfig, big.prices) }), 5, 1);
  const plan = planParty({ config: bigConfig, prices: big.prices, state: bigState, estimate: estimate(bigConfig, big.prices) });
  console.log('\nPlanning (planParty, state in memory, no stored results)');
  figure('plan, sample (7 agents, 4 inputs)', sampleMs, 'ms', '< 1');
  figure(`plan, 500 agents × ${inputCount.toLocaleString('en')} inputs`, bigMs, 'ms', '< 50');
  figure(`plan, 500 agents × ${inputCount.toLocaleString('en')} inputs, configuration just loaded`, coldMs, 'ms');
  report([
    ['sample (7 agents), 4 inputs', `${sampleMs.toFixed(3)} ms (median of 51; ${verdict('< 1', sampleMs)})`],
    [
      `generated 500 agents, ${inputCount.toLocaleString('en')} inputs`,
      `${bigMs.toFixed(0)} ms (${verdict('< 50', bigMs)}; median of 5; ${routes.toLocaleString('en')} input→agent routes, ${plan.totals.execute} agents execute)`,
    ],
    [
      '  the same, configuration just loaded',
      `${coldMs.toFixed(0)} ms (median of 3; router compiled, ${new Set(texts).size.toLocaleString('en')} distinct texts routed)`,
    ],
  ]);
}

interface Edit {
  op: 'add' | 'remove';
  text: string;
}

/** The seeded edit session: three starting inputs, then 30 single-input additions or removals. */
function editSession(): { initial: string[]; edits: Edit[] } {
  const random = seeded(2024);
  const initial = ['jungle theme', '75 guests', 'chocolate cake'];
  const current = [...initial];
  const edits: Edit[] = [];
  while (edits.length < 30) {
    const absent = pool.filter((text) => !current.includes(text));
    if (current.length > 1 && (random(2) === 0 || absent.length === 0)) {
      const [text] = current.splice(random(current.length), 1);
      edits.push({ op: 'remove', text });
    } else {
      const text = absent[random(absent.length)];
      current.push(text);
      edits.push({ op: 'add', text });
    }
  }
  return { initial, edits };
}

interface SessionTotals {
  executions: number;
  costUsd: number;
  estimatedUsd: number;
  final: Record<string, string>;
  /** Per run (the initial one first), the agents it executed. */
  executed: string[][];
}

async function replaySession(force: boolean, perRun: Map<string, number>): Promise<SessionTotals> {
  const loaded = loadSample();
  const service = new PartyService(
    loaded.config,
    loaded.prices,
    new PartyStore(tempDb()),
    new Providers(loaded.config, process.env, { offline: new OfflineProvider() }),
  );
  const { initial, edits } = editSession();
  const options = force ? { force: Object.keys(loaded.config.agents) } : {};
  const { party } = service.create('edit session', initial);
  const totals: SessionTotals = { executions: 0, costUsd: 0, estimatedUsd: 0, final: {}, executed: [] };
  const tally = (run: RunReport): void => {
    const executed = run.agents.filter((a) => a.action === 'execute').map((a) => a.agent);
    totals.executions += run.executed;
    totals.costUsd += run.costUsd;
    totals.estimatedUsd += executed.reduce((sum, agent) => sum + (perRun.get(agent) ?? 0), 0);
    totals.executed.push(executed);
  };
  tally(await service.run(party.id, options));
  for (const edit of edits) {
    if (edit.op === 'add') service.addInput(party.id, edit.text);
    else service.removeInput(party.id, service.store.load(party.id).inputs.find((input) => input.text === edit.text)!.id);
    tally(await service.run(party.id, options));
  }
  const results = service.store.load(party.id).results;
  totals.final = Object.fromEntries(Object.entries(results).map(([agent, result]) => [agent, result.resultHash]));
  return totals;
}

/** The one-level cascade model: an edit re-runs the agents its input routes to and their direct dependents. */
function oneLevelCascade(perRun: Map<string, number>): { executions: number; estimatedUsd: number; sets: Set<string>[] } {
  const { config } = loadSample();
  const router = compileRouter(config);
  const { initial, edits } = editSession();
  let texts = [...initial];
  const active = (): string[] =>
    partyGraph(config, stateWith('cascade', texts, router))
      .filter((f) => f.active)
      .map((f) => f.name);
  const first = active();
  let executions = first.length;
  let estimatedUsd = first.reduce((sum, agent) => sum + (perRun.get(agent) ?? 0), 0);
  const sets: Set<string>[] = [];
  for (const edit of edits) {
    texts = edit.op === 'add' ? [...texts, edit.text] : texts.filter((text) => text !== edit.text);
    const routed = router(edit.text);
    const dependents = Object.entries(config.agents)
      .filter(([, agent]) => (agent.dependsOn ?? []).some((dep) => routed.includes(dep)))
      .map(([name]) => name);
    const reach = new Set([...routed, ...dependents]);
    sets.push(reach);
    const run = active().filter((agent) => reach.has(agent));
    executions += run.length;
    estimatedUsd += run.reduce((sum, agent) => sum + (perRun.get(agent) ?? 0), 0);
  }
  return { executions, estimatedUsd, sets };
}

async function sessionBench(): Promise<void> {
  const loaded = loadSample();
  const perRun = new Map(estimate(loaded.config, loaded.prices).agents.map((a) => [a.agent, a.costPerRunUsd]));
  const started = performance.now();
  const ours = await replaySession(false, perRun);
  const everything = await replaySession(true, perRun);
  const cascade = oneLevelCascade(perRun);
  const elapsed = performance.now() - started;
  const { edits } = editSession();
  const usd = (value: number): string => `$${value.toFixed(6)}`;
  const rows = [
    ['strategy', 'executions', 'actual cost', 'at estimate prices'],
    ['(a) ours: delta plan + early cutoff', String(ours.executions), usd(ours.costUsd), usd(ours.estimatedUsd)],
    ['(b) re-run everything (force all)', String(everything.executions), usd(everything.costUsd), usd(everything.estimatedUsd)],
    ['(c) one-level cascade (model)', String(cascade.executions), 'n/a', usd(cascade.estimatedUsd)],
  ];
  figure('edit session, executions: delta plan', ours.executions, 'executions');
  figure('edit session, executions: re-run everything', everything.executions, 'executions');
  figure('edit session, cost: delta plan / re-run everything', ours.costUsd / everything.costUsd, '×', '<= 1');
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const adds = edits.filter((e) => e.op === 'add').length;
  console.log(
    `\nReplayed edit session on the sample: 3 inputs, a run, then ${edits.length} edits (${adds} additions, ${edits.length - adds} removals) each followed by a run; offline provider, ${(elapsed / 1000).toFixed(1)} s`,
  );
  for (const row of rows)
    console.log(`  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`);
  const same = JSON.stringify(Object.entries(ours.final).sort()) === JSON.stringify(Object.entries(everything.final).sort());
  // Edits where ours executed an agent outside the one-level set: work the cascade skips, leaving a stale result.
  const beyond = cascade.sets.map((reach, i) => ours.executed[i + 1].filter((agent) => !reach.has(agent)));
  const missed = beyond.filter((agents) => agents.length > 0).length;
  const missedAgents = [...new Set(beyond.flat())].sort().join(', ');
  report([
    ['final results of (a) and (b)', same ? 'identical result hashes' : 'DIFFER'],
    [
      'note',
      `one-level cascade is not correct in general: it misses transitive dependents (in ${missed} of ${edits.length} edits (a) had to execute agents outside the one-level set: ${missedAgents || 'none'})`,
    ],
  ]);
}

/** Resume, append throughput, planning and an edit session, measured side by side. */
export async function partyBench(): Promise<void> {
  try {
    resumeBench();
    appendBench();
    planBench();
    await sessionBench();
  } finally {
    for (const { dir, db } of opened.splice(0)) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
