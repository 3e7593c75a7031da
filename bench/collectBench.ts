import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { sampleConfig } from '../sidecar/config/sample';
import { openDatabase } from '../sidecar/store/database';
import { SidecarClient } from '../extension/sidecar/sidecarClient';
import { collectorRequest, estimateRequest, observationsRequest } from '../sidecar/protocol';
import type { EstimateResult } from '../sidecar/protocol';
import { protobufBody, recordSpans } from '../test/otlpPayloads';
import type { SpanSpec } from '../test/otlpPayloads';
import { generatedConfig } from './generatedConfig';
import { figure, report, verdict } from './measure';

// Production traces in: protobuf spans (encoded by the OpenTelemetry SDK) sent by HTTP to `partycost collect`, each
// batch answered once its calls are committed; beside it raw better-sqlite3 inserts of the same rows; and the
// sidecar's share of a hover while 2,000 spans a second arrive, against the same hovers idle.

const repoRoot = path.resolve(__dirname, '..');
const bin = path.join(repoRoot, 'bin', 'partycost.js');
const agents = ['theme', 'venue', 'cake', 'catering', 'vendor', 'planner_final', 'Concierge'];

/** One trace: an agent run of four model calls, of one of `names`. */
function trace(i: number, names: string[]): SpanSpec {
  const agent = names[i % names.length]!;
  return {
    name: `invoke_agent ${agent}`,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent },
    children: Array.from({ length: 4 }, (_, k) => ({
      name: 'chat gpt-4o-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 900 + 150 * k + (i % 37),
        'gen_ai.usage.output_tokens': k === 3 ? 260 : 30,
        'gen_ai.usage.cache_read.input_tokens': k > 0 ? 768 : 0,
      },
    })),
  };
}

/** `count` protobuf bodies of `traces` traces each (five spans a trace) of agents named `names`, every span id new. */
function bodies(count: number, traces: number, names = agents): Uint8Array[] {
  return Array.from({ length: count }, (_, b) => protobufBody(recordSpans(Array.from({ length: traces }, (_, i) => trace(b * traces + i, names)))));
}

const post = (url: string, body: Uint8Array): Promise<Response> =>
  fetch(url, { method: 'POST', body: body as unknown as BodyInit, headers: { 'Content-Type': 'application/x-protobuf' } });

/** `partycost collect` on a sample workspace, once it listens. */
function collector(): Promise<{ url: string; dir: string; stop: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-bench-collect-'));
  writeFileSync(path.join(dir, 'partycost.json'), sampleConfig);
  const child = spawn(process.execPath, [bin, 'collect', '--port', '0', '--json'], { cwd: dir });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = (JSON.parse(line) as { listening?: string }).listening;
      if (listening) resolve({ url: listening, dir, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`collect exited ${code}`)));
  });
}

/**
 * Raw better-sqlite3 inserts of the rows the receiver recorded (read back from its ledger, in its order), into a new
 * database of the same schema, a transaction a batch: rows per second.
 */
function rawInserts(source: string, rowsPerBatch: number): number {
  const read = new Database(source, { readonly: true });
  read.defaultSafeIntegers(true);
  const rows = read.prepare("SELECT * FROM ledger WHERE origin = 'collected' ORDER BY id").all() as Record<string, unknown>[];
  read.close();
  const columns = Object.keys(rows[0]!).filter((column) => column !== 'id');
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'partycost-bench-raw-')), 'raw.db'));
  const insert = db.prepare(`INSERT INTO ledger (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const values = rows.map((row) => columns.map((c) => row[c]));
  const started = performance.now();
  for (let b = 0; b < values.length; b += rowsPerBatch) {
    db.transaction(() => {
      for (let r = b; r < Math.min(values.length, b + rowsPerBatch); r++) insert.run(values[r]);
    })();
  }
  const rate = rows.length / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/** Ingestion through the receiver: spans and calls recorded per second, batches sent one after another. */
async function ingestion(): Promise<void> {
  const traces = 100;
  const senders = 4;
  const batches = bodies(80, traces);
  const spans = batches.length * traces * 5;
  const calls = batches.length * traces * 4;
  const { url, dir, stop } = await collector();
  try {
    for (const body of bodies(3, traces)) await post(url, body); // warm-up: its own spans, then the measured ones
    // Four batches in flight at a time, as a Collector's exporter (its sending queue's consumers) or several services'
    // exporters send them: the receiver is never idle waiting for the next request.
    const started = performance.now();
    let next = 0;
    const sender = async (): Promise<void> => {
      while (next < batches.length) {
        const answer = await post(url, batches[next++]!);
        if (answer.status !== 200) throw new Error(`the receiver answered ${answer.status}: ${await answer.text()}`);
        await answer.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: senders }, sender));
    const seconds = (performance.now() - started) / 1000;
    const spansPerSecond = spans / seconds;
    const callsPerSecond = calls / seconds;
    const raw = Math.max(...[0, 1, 2].map(() => rawInserts(path.join(dir, '.partycost', 'partycost.db'), traces * 4)));
    console.log(
      `\nTrace ingestion: ${batches.length} OTLP/HTTP protobuf batches of ${traces} agent runs (${traces * 5} spans, ${traces * 4} model calls) sent to partycost collect, ${senders} at a time`,
    );
    const rate = figure('spans ingested into the ledger per second', spansPerSecond, 'spans/s', '>= 20000');
    const ratio = figure('ledger rows per second: ours / raw better-sqlite3 inserts', callsPerSecond / raw, '×', '>= 0.3');
    report([
      ['spans per second (decode, map, attribute, price, commit, answer)', `${Math.round(rate).toLocaleString('en-US')} (${verdict('>= 20000', rate)})`],
      ['model calls (ledger rows) per second', Math.round(callsPerSecond).toLocaleString('en-US')],
      ['raw better-sqlite3 INSERTs of the same rows, a transaction a batch (best of 3)', `${Math.round(raw).toLocaleString('en-US')} rows/s`],
      ['ratio ours / raw', `${ratio.toFixed(2)}× (${verdict('>= 0.3', ratio)})`],
    ]);
  } finally {
    stop();
  }
}

/** A thread that posts `bodies` to `url`, one every 100 ms, until told to stop; then says how many it sent. */
const senderThread = `
  const http = require('node:http');
  const { parentPort, workerData } = require('node:worker_threads');
  const { url, bodies, first } = workerData;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body) => new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (answer) => {
      answer.resume();
      answer.on('end', () => (answer.statusCode === 200 ? resolve() : reject(new Error('the receiver answered ' + answer.statusCode))));
    });
    request.on('error', reject);
    request.end(body);
  });
  let sending = true;
  parentPort.on('message', () => { sending = false; });
  (async () => {
    const start = performance.now();
    let i = 0;
    for (; sending; i++) {
      await post(bodies[(first + i) % bodies.length]);
      if (i === 0) parentPort.postMessage('started');
      const next = start + (i + 1) * 100 - performance.now();
      if (next > 0) await new Promise((resolve) => setTimeout(resolve, next));
    }
    agent.destroy();
    parentPort.postMessage(i);
    parentPort.close();
  })();
`;

/** A thread with an HTTP server that answers 200 to anything and keeps nothing: the load's cost without ingestion. */
const discardThread = `
  const http = require('node:http');
  const { parentPort } = require('node:worker_threads');
  const server = http.createServer((request, answer) => { request.resume(); request.on('end', () => { answer.writeHead(200); answer.end(); }); });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  parentPort.on('message', () => server.close(() => parentPort.close()));
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The sidecar's share of hovers (an estimate of an edited text, and observations): the times of `count`. */
async function hoverTimes(client: SidecarClient, config: string, count: number, offset: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    let seen = 0;
    const text = config.replace(/"prompt": "/g, (found) => (seen++ === (offset + i) % 50 ? `${found}edit ${offset + i} ` : found));
    const started = performance.now();
    const [result] = await Promise.all([client.request(estimateRequest, { text }) as Promise<EstimateResult>, client.request(observationsRequest, {})]);
    times.push(performance.now() - started);
    if (!result.estimate) throw new Error('the configuration has problems');
  }
  return times;
}

const p95 = (times: number[]): number =>
  percentile(
    [...times].sort((a, b) => a - b),
    0.95,
  );

/** Hovers while 2,000 spans a second arrive at the sidecar's own receiver, against the same hovers idle. */
async function hoverUnderLoad(): Promise<void> {
  const config = generatedConfig(50);
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-bench-hover-'));
  writeFileSync(path.join(dir, 'partycost.json'), config);
  const client = new SidecarClient({
    command: process.execPath,
    args: [bin, 'serve', '--stdio'],
    env: process.env,
    initialize: { workspace: dir },
    log: () => {},
  });
  await client.ready();
  try {
    const status = await client.request(collectorRequest, { port: 0 });
    const url = status.collector!.url;
    // 2,000 spans a second: a 200-span batch (40 runs) every 100 ms, as an exporter's batch processor sends them.
    // Runs of the configured agents (the generated configuration's), so hovers learn from them as they arrive.
    const load = bodies(
      150,
      40,
      Array.from({ length: 50 }, (_, i) => `agent${i}`),
    );
    await hoverTimes(client, config, 30, 0); // warm-up
    let sent = 0;
    /** Hovers while the traces come from elsewhere (to `target`): a thread of their own sends them, so this one only measures. */
    const whileSending = async (target: string, hovers: number, offset: number): Promise<number[]> => {
      const loader = new Worker(senderThread, { eval: true, workerData: { url: target, bodies: load, first: sent } });
      await once(loader, 'message'); // its first batch is answered
      const times = await hoverTimes(client, config, hovers, offset);
      loader.postMessage('stop');
      const [count] = (await once(loader, 'message')) as [number];
      if (target === url) sent += count;
      return times;
    };
    // The floor: the same load sent to a server that discards it (on this machine's two cores, sending and receiving
    // 2,000 spans/s already slows the sidecar's thread a little).
    const discard = new Worker(discardThread, { eval: true });
    const [discardPort] = (await once(discard, 'message')) as [number];
    const nowhere = `http://127.0.0.1:${discardPort}/v1/traces`;
    // Warm-up under load too: the first traced runs of each agent are learned from once, not in every round.
    await whileSending(url, 50, 100);
    // Rounds of idle, discarded and received load in turn (the machine's drift falls on all), each p95 over its rounds.
    const idleTimes: number[] = [];
    const floorTimes: number[] = [];
    const loadedTimes: number[] = [];
    for (let round = 0; round < 5; round++) {
      idleTimes.push(...(await hoverTimes(client, config, 100, 1000 * round)));
      floorTimes.push(...(await whileSending(nowhere, 100, 1000 * round + 300)));
      loadedTimes.push(...(await whileSending(url, 100, 1000 * round + 600)));
    }
    discard.postMessage('stop');
    await once(discard, 'exit');
    const idle = p95(idleTimes);
    const floor = p95(floorTimes);
    const loaded = p95(loadedTimes);
    console.log('\nHover while traces arrive: the sidecar receives 2,000 spans a second (a 200-span batch every 100 ms) on its own receiver');
    figure('hover work p95 while 2,000 spans/s arrive', loaded, 'ms');
    figure('hover work p95, 2,000 spans/s discarded / idle', floor / idle, '×');
    const ratio = figure('hover work p95, 2,000 spans/s / idle', loaded / idle, '×', '<= 1.2');
    report([
      ['sidecar hover work p95, idle (5 rounds of 100)', `${idle.toFixed(2)} ms`],
      ['the same while 2,000 spans/s go to a server that discards them', `${floor.toFixed(2)} ms (${(floor / idle).toFixed(2)}×)`],
      ['the same while 2,000 spans/s arrive at the sidecar, recorded', `${loaded.toFixed(2)} ms`],
      ['ratio', `${ratio.toFixed(2)}× (${verdict('<= 1.2', ratio)})`],
    ]);
  } finally {
    await client.stop();
  }
}

export async function collectBench(): Promise<void> {
  await ingestion();
  await hoverUnderLoad();
}
