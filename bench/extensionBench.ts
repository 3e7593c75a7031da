// The extension's figures: bundle sizes, sidecar cold start, JSON-RPC round trips and a 50 MB frame, hover latency,
// and activation and hovers in a real VS Code (code-server, through test/vscode/run.mjs in its bench mode).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { createMessageConnection, RequestType, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { SidecarClient } from '../extension/sidecar/sidecarClient';
import { estimateRequest, listPartiesRequest, observationsRequest, validateRequest } from '../sidecar/protocol';
import type { AgentObservation, EstimateResult } from '../sidecar/protocol';
import { largeFrameBench } from './frameBench';
import { generatedConfig } from './generatedConfig';
import { figure, report, verdict } from './measure';

const repoRoot = path.resolve(__dirname, '..');
const sampleConfigFile = path.join(repoRoot, 'examples', 'party-planner', 'partycost.json');

/** Every temporary folder, sidecar client and child process this bench started, undone at the end. */
const tempDirs: string[] = [];
const clients: SidecarClient[] = [];
const children: ChildProcess[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `partycost-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A workspace folder holding `config` as partycost.json. */
function workspaceWith(config: string): string {
  const dir = tempDir('ws');
  writeFileSync(path.join(dir, 'partycost.json'), config);
  return dir;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summarise(times: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const sizeText = (bytes: number): string => `${bytes.toLocaleString('en-US')} B (${kib(bytes)})`;

function sidecarClient(workspace: string): SidecarClient {
  const client = new SidecarClient({
    command: process.execPath,
    args: [path.join(repoRoot, 'bin', 'partycost.js'), 'serve', '--stdio'],
    env: process.env,
    initialize: { workspace },
    log: () => {},
  });
  clients.push(client);
  return client;
}

async function stopClient(client: SidecarClient): Promise<void> {
  await client.stop();
  clients.splice(clients.indexOf(client), 1);
}

// 1. Bundle sizes ------------------------------------------------------------------------------------------------

/** The production bundles, built with the build's own options (esbuild.options.mjs) into a temporary folder. */
async function bundleSizes(): Promise<void> {
  const outDir = tempDir('bundles');
  const { bundles, views } = (await import(pathToFileURL(path.join(repoRoot, 'esbuild.options.mjs')).href)).bundleOptions({
    production: true,
    outDir,
    root: repoRoot,
  }) as { bundles: esbuild.BuildOptions[]; views: string[] };
  const started = performance.now();
  const results = await Promise.all(bundles.map((options) => esbuild.build({ ...options, metafile: true })));
  const buildMs = performance.now() - started;
  // The baseline: the same views importing all of @vscode-elements/elements instead of the components they use.
  await esbuild.build({ ...bundles[3], outdir: path.join(outDir, 'webview-whole-library'), plugins: [wholeElementsLibrary] });
  const size = (file: string): number => statSync(path.join(outDir, file)).size;
  const gzip = (file: string): number => gzipSync(readFileSync(path.join(outDir, file))).length;
  console.log('\nExtension bundles: production build (minified, no source maps), esbuild.mjs options, into a temporary folder');
  const beside = [
    'encodings/o200k_base.js',
    'encodings/cl100k_base.js',
    'vendor/openai.js',
    'vendor/anthropic-sdk.js',
    'vendor/google-genai.js',
    'vendor/genai-prices.js',
    'vendor/yaml.js',
  ];
  report(
    ['extension.js', 'sidecar.js', ...beside.map((file) => `${file} (loaded on first use)`), ...views.map((view) => `webview/${view}.js`)].map((label) => {
      const name = label.split(' ')[0];
      return [label, `${sizeText(size(name))}, gzip ${sizeText(gzip(name))}`];
    }),
  );
  figure('extension.js (production)', size('extension.js') / 1024, 'KiB');
  figure('sidecar.js (production)', size('sidecar.js') / 1024, 'KiB');
  for (const view of views) figure(`webview/${view}.js (production)`, size(`webview/${view}.js`) / 1024, 'KiB');
  const ours = views.reduce((total, view) => total + size(`webview/${view}.js`), 0);
  const whole = views.reduce((total, view) => total + size(`webview-whole-library/${view}.js`), 0);
  const devExtension = path.join(repoRoot, 'dist', 'extension.js');
  report([
    ['largest parts of sidecar.js (minified bytes)', largestParts(results[1].metafile!)],
    ['largest parts of the webview bundles (all views)', largestParts(results[3].metafile!)],
    [
      `${views.length} view bundles, components imported one by one vs the whole @vscode-elements library`,
      `${sizeText(ours)} vs ${sizeText(whole)} (${(whole / ours).toFixed(2)}x smaller)`,
    ],
    ['dist/extension.js (dev build, for comparison)', existsSync(devExtension) ? sizeText(statSync(devExtension).size) : 'not built'],
    [`build time, ${bundles.length} builds in parallel`, `${buildMs.toFixed(0)} ms`],
  ]);
}

/** Resolves the views' shared/elements import to a module that imports every @vscode-elements component. */
const wholeElementsLibrary: esbuild.Plugin = {
  name: 'whole-elements-library',
  setup(build) {
    build.onResolve({ filter: /shared\/elements$/ }, () => ({ path: 'whole-elements', namespace: 'whole-elements' }));
    build.onLoad({ filter: /.*/, namespace: 'whole-elements' }, () => ({ contents: "import '@vscode-elements/elements';", resolveDir: repoRoot }));
  },
};

/** The three packages (or this repository's own code) that contribute most to a bundle. */
function largestParts(metafile: esbuild.Metafile): string {
  const parts = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'own code';
      parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...parts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${kib(bytes)}`)
    .join(', ');
}

// 2. Sidecar cold start ----------------------------------------------------------------------------------------

async function coldStart(starts = 7): Promise<void> {
  const workspace = workspaceWith(readFileSync(sampleConfigFile, 'utf8'));
  const times: number[] = [];
  for (let i = 0; i < starts; i++) {
    const started = performance.now();
    const client = sidecarClient(workspace);
    await client.ready();
    times.push(performance.now() - started);
    await stopClient(client);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`\nSidecar cold start: new SidecarClient → ready() (spawn node bin/partycost.js serve --stdio, load, session/initialize), sample workspace`);
  const median = figure('sidecar cold start (spawn → ready)', percentile(sorted, 0.5), 'ms', '< 300');
  report([
    [`median of ${starts} starts`, `${median.toFixed(0)} ms (${verdict('< 300', median)})`],
    ['fastest / slowest', `${sorted[0].toFixed(0)} / ${sorted[sorted.length - 1].toFixed(0)} ms (the first start also creates the database)`],
  ]);
}

// 3. RPC round trip ----------------------------------------------------------------------------------------------

/** A bare vscode-jsonrpc server: answers echo/ping with its params, and session/initialize so SidecarClient can drive it. */
const echoServer = `'use strict';
const rpc = require(process.argv[2]);
const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(process.stdin), new rpc.StreamMessageWriter(process.stdout));
connection.onRequest('echo/ping', (params) => params);
connection.onRequest('session/initialize', () => ({ version: 'echo', pid: process.pid, node: process.version }));
connection.onClose(() => process.exit(0));
connection.listen();
`;

/**
 * µs per sequential round trip of each call, after `warmup` each; measured in interleaved rounds, so that drift of
 * the machine (two cores shared with the child processes) does not favour whichever runs first.
 */
async function interleavedMicros(calls: (() => Promise<unknown>)[], count: number, warmup: number, rounds = 4): Promise<number[]> {
  for (const call of calls) for (let i = 0; i < warmup; i++) await call();
  const totals = calls.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [index, call] of calls.entries()) {
      const started = performance.now();
      for (let i = 0; i < count / rounds; i++) await call();
      totals[index] += performance.now() - started;
    }
  }
  return totals.map((ms) => (ms * 1000) / count);
}

async function rpcRoundTrip(count = 2000, warmup = 200): Promise<void> {
  const script = path.join(tempDir('echo'), 'echo-server.cjs');
  writeFileSync(script, echoServer);
  const jsonrpcPath = createRequire(path.join(repoRoot, 'package.json')).resolve('vscode-jsonrpc/node');
  const kilobyte = { text: 'x'.repeat(1000) }; // ~1 KB each way
  const ping = new RequestType<{ text?: string }, { text?: string }, void>('echo/ping');

  // A raw connection to the echo process.
  const child = spawn(process.execPath, [script, jsonrpcPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const raw: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  raw.listen();
  // SidecarClient to another echo process: the client's own overhead (cancellation source, timeout timer, race).
  const echoClient = new SidecarClient({
    command: process.execPath,
    args: [script, jsonrpcPath],
    env: process.env,
    initialize: { workspace: os.tmpdir() },
    log: () => {},
  });
  clients.push(echoClient);
  // SidecarClient to the real sidecar, for its cheapest handlers, on an empty database.
  const sidecar = sidecarClient(workspaceWith(readFileSync(sampleConfigFile, 'utf8')));
  await Promise.all([echoClient.ready(), sidecar.ready()]);

  const [rawKb, rawTiny, clientKb, list, validate] = await interleavedMicros(
    [
      () => raw.sendRequest(ping, kilobyte),
      () => raw.sendRequest(ping, {}),
      () => echoClient.request(ping, kilobyte),
      () => sidecar.request(listPartiesRequest, {}),
      () => sidecar.request(validateRequest, { text: '{}' }),
    ],
    count,
    warmup,
  );
  raw.dispose();
  child.stdin!.end();
  await Promise.all([
    new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
    stopClient(echoClient),
    stopClient(sidecar),
  ]);

  const cheapest = list <= validate ? { name: 'party/list', us: list } : { name: 'config/validate "{}"', us: validate };
  figure('JSON-RPC echo round trip, {}', rawTiny, 'µs');
  figure('JSON-RPC echo round trip, ~1 KB', rawKb, 'µs');
  figure('cheapest sidecar request / {} echo', cheapest.us / rawTiny, '×');
  console.log(
    `\nJSON-RPC round trip: ${count.toLocaleString('en-US')} sequential requests each (after ${warmup} warm-up, 4 interleaved rounds), µs per round trip`,
  );
  report([
    ['bare vscode-jsonrpc echo, raw connection, ~1 KB each way', `${rawKb.toFixed(0)} µs`],
    ['bare vscode-jsonrpc echo, raw connection, {} each way', `${rawTiny.toFixed(0)} µs`],
    ['same echo (~1 KB) through SidecarClient.request', `${clientKb.toFixed(0)} µs (${(clientKb / rawKb).toFixed(2)}× raw)`],
    ['sidecar party/list (empty database) through SidecarClient', `${list.toFixed(0)} µs`],
    ['sidecar config/validate of "{}" through SidecarClient', `${validate.toFixed(0)} µs`],
    [
      `cheapest sidecar request (${cheapest.name}) ÷ raw echo`,
      `${(cheapest.us / rawKb).toFixed(2)}× the ~1 KB echo, ${(cheapest.us / rawTiny).toFixed(2)}× the {} echo`,
    ],
  ]);
}

// 4. Hover latency through SidecarClient ---------------------------------------------------------------------------

/** What AgentCosts.load asks for when a document version is not cached: the estimate of its text, and observations. */
async function hoverRequests(client: SidecarClient, text: string): Promise<number> {
  const [result] = await Promise.all([
    client.request(estimateRequest, { text }) as Promise<EstimateResult>,
    client.request(observationsRequest, {}).catch(() => ({ agents: [] as AgentObservation[] })),
  ]);
  if (!result.estimate) throw new Error(`the generated configuration has problems: ${result.problems[0]?.message}`);
  return result.estimate.agents.length;
}

/** The configuration with one agent's prompt edited (agent i mod 50), as a keystroke in a prompt would. */
function promptEdited(config: string, i: number): string {
  let seen = 0;
  return config.replace(/"prompt": "/g, (found) => (seen++ === i % 50 ? `${found}edit ${i} ` : found));
}

async function hoverLatency(iterations = 200, warmup = 10): Promise<void> {
  const config = generatedConfig(50);
  // The file on disk is the 50-agent configuration too, so observations cover its 50 agents, as in the editor.
  const client = sidecarClient(workspaceWith(config));
  await client.ready();
  let started = performance.now();
  const agents = await hoverRequests(client, `${config}\n// first`);
  const firstMs = performance.now() - started;
  for (let i = 0; i < warmup; i++) await hoverRequests(client, `${config}\n// warm-up ${i}`);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const text = promptEdited(config, i); // a new text each time, as each edit makes a new document version
    started = performance.now();
    await hoverRequests(client, text);
    times.push(performance.now() - started);
  }
  await stopClient(client);
  const { p50, p95, mean } = summarise(times);
  console.log(
    `\nHover on a changed document, ${agents}-agent configuration (${kib(config.length)}), one agent's prompt edited each time: config/estimate of the text + agents/observations, in parallel, through SidecarClient`,
  );
  figure('hover work on a changed 50-agent configuration, sidecar p50', p50, 'ms');
  // The goal is the hover in VS Code (below); this is the sidecar's share when every version is estimated in full.
  figure('hover work on a changed 50-agent configuration, sidecar p95', p95, 'ms');
  report([
    [`p50 / p95 of ${iterations} (after ${warmup} warm-up)`, `${p50.toFixed(2)} / ${p95.toFixed(2)} ms (mean ${mean.toFixed(2)} ms)`],
    ['first one after the sidecar started (cold code paths)', `${firstMs.toFixed(1)} ms`],
    ['unchanged document version', 'no request: AgentCosts returns its cached Promise<Map> (uri + version compare, then Map.get); measured in VS Code below'],
  ]);
}

// 5. Activation and hovers in a real VS Code ---------------------------------------------------------------------

/** What test/vscode/bench/latency.bench.ts writes. */
interface VscodeBench {
  vscodeVersion: string;
  alreadyActive: boolean;
  activateCallMs: number;
  hostMarks: { loadCodeMs: number; activateMs: number } | null;
  sidecarSpawnedBeforeFirstHover: boolean;
  firstHover: { ms: number; attempts: number; sinceActivatedMs: number | null };
  changedHovers: { count: number; p50: number; p95: number; mean: number };
  /** Our provider's share of each of those hovers, from VS Code's call to the answer. */
  ourChangedHovers: { count: number; p50: number; p95: number; mean: number };
  /** How many of those our provider answered from the version before the edit (the edit was elsewhere). */
  fromPrevious: number;
  cachedHovers: { count: number; p50: number; p95: number; mean: number };
  killedSidecarHoverMs: number | null;
}

function runVscodeBench(timeoutS: number): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { ...process.env, PARTYCOST_VSCODE_SUITE: 'bench', VSCODE_TEST_TIMEOUT_S: String(timeoutS) };
    const child = spawn(process.execPath, [path.join(repoRoot, 'test', 'vscode', 'run.mjs')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    // run.mjs keeps its own deadline on the tests and stops code-server and Chromium; this is the backstop (SIGTERM: it
    // cleans up), with room for a first run's install of code-server and Chromium before the tests start.
    const backstop = setTimeout(() => child.kill('SIGTERM'), (timeoutS + 600) * 1000);
    child.once('exit', (code) => {
      clearTimeout(backstop);
      resolve({ code, output, ms: performance.now() - started });
    });
  });
}

async function vscodeLatency(): Promise<void> {
  const resultFile = path.join(repoRoot, '.test-results', 'vscode-bench', 'bench.json');
  rmSync(resultFile, { force: true });
  const run = await runVscodeBench(60);
  const header = (version: string): string =>
    `\nIn a real VS Code (${version} as code-server, headless Chromium; PARTYCOST_VSCODE_SUITE=bench node test/vscode/run.mjs, ${(run.ms / 1000).toFixed(1)} s in all)`;
  const lastLines = (): string =>
    run.output
      .trim()
      .split('\n')
      .slice(-8)
      .map((line) => `    ${line}`)
      .join('\n');
  if (!existsSync(resultFile)) {
    console.log(header('code-server'));
    console.log(`  skipped: the VS Code bench run failed (exit code ${run.code}); its last lines:`);
    console.log(lastLines());
    return;
  }
  const b = JSON.parse(readFileSync(resultFile, 'utf8')) as VscodeBench;
  console.log(header(`VS Code ${b.vscodeVersion}`));
  // The latency bench finished and wrote its figures; another one (the webviews') may not have: said, not hidden.
  if (run.code !== 0)
    console.log(`  (a VS Code bench failed, exit code ${run.code}; the figures of those that finished follow; its last lines:)\n${lastLines()}`);
  if (b.hostMarks) figure('VS Code: activate()', b.hostMarks.activateMs, 'ms', '< 50');
  if (b.hostMarks) figure('VS Code: loading dist/extension.js', b.hostMarks.loadCodeMs, 'ms');
  figure('VS Code: first hover', b.firstHover.ms, 'ms');
  figure('VS Code: hover after a one-character edit, p50', b.changedHovers.p50, 'ms');
  figure('VS Code: hover after a one-character edit, p95', b.changedHovers.p95, 'ms');
  figure('VS Code: our hover provider after a one-character edit, p95', b.ourChangedHovers.p95, 'ms', '< 10');
  figure("VS Code: hover on an unchanged version (VS Code's own round trip), p95", b.cachedHovers.p95, 'ms');
  if (b.killedSidecarHoverMs !== null) figure('VS Code: sidecar killed → hover answered', b.killedSidecarHoverMs, 'ms');
  const stats = (s: VscodeBench['changedHovers']): string => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} ms (mean ${s.mean.toFixed(1)} ms)`;
  report([
    [
      'activate() in the extension host (its own marks, 1 ms resolution)',
      b.hostMarks ? `${b.hostMarks.activateMs} ms, plus ${b.hostMarks.loadCodeMs} ms loading dist/extension.js (dev build)` : 'marks unavailable',
    ],
    [`getExtension().activate() call to return (already active: ${b.alreadyActive ? 'yes' : 'no'})`, `${b.activateCallMs.toFixed(2)} ms`],
    [
      `first hover on "theme" (sidecar spawned before it: ${b.sidecarSpawnedBeforeFirstHover ? 'yes, by the status bar at activation' : 'no'})`,
      `${b.firstHover.ms.toFixed(0)} ms, ${b.firstHover.attempts} attempt${b.firstHover.attempts === 1 ? '' : 's'}`,
    ],
    [
      '  activation done → that first hover result (includes mocha start-up)',
      b.firstHover.sinceActivatedMs === null ? 'marks unavailable' : `${b.firstHover.sinceActivatedMs} ms`,
    ],
    [`hover after a one-character edit, 50-agent configuration, p50 / p95 of ${b.changedHovers.count}`, stats(b.changedHovers)],
    [
      "  of which our hover provider (VS Code's call → our answer: estimate and observations from the sidecar)",
      `${stats(b.ourChangedHovers)} (${verdict('< 10', b.ourChangedHovers.p95)})`,
    ],
    [
      '  answered from the version before the edit (the edit in another agent, the new estimate not ready in time)',
      `${b.fromPrevious} of ${b.ourChangedHovers.count}, each saying so`,
    ],
    [`hover on an unchanged version (cached: no work of ours; VS Code's own round trip), p50 / p95 of ${b.cachedHovers.count}`, stats(b.cachedHovers)],
    [
      'sidecar SIGKILLed → respawn + initialize → hover on a new version',
      b.killedSidecarHoverMs === null ? 'not measured' : `${b.killedSidecarHoverMs.toFixed(0)} ms`,
    ],
  ]);
  webviewPaints(path.join(path.dirname(resultFile), 'bench-webviews.json'));
}

/** What test/vscode/bench/webviews.bench.ts writes: per view, command → first paint and view created → first paint. */
interface WebviewBench {
  results: Record<string, { commandToPaintMs: number; hostToPaintMs: number }>;
  /** A bare panel with a one-line local script, created → script ran: the floor of any webview's first paint. */
  bareWebviewMs: number | null;
}

function webviewPaints(file: string): void {
  if (!existsSync(file)) {
    console.log('  webview paints: not measured (bench-webviews.json missing)');
    return;
  }
  const b = JSON.parse(readFileSync(file, 'utf8')) as WebviewBench;
  const floor = b.bareWebviewMs;
  for (const [view, r] of Object.entries(b.results)) figure(`VS Code: ${view} view, command → first paint`, r.commandToPaintMs, 'ms');
  if (floor !== null) figure('VS Code: bare webview, created → script ran', floor, 'ms');
  report([
    ...Object.entries(b.results).map(([view, r]): [string, string] => [
      `${view} view: command → first paint (one cold open)`,
      `${r.commandToPaintMs.toFixed(0)} ms, of which view created → painted ${r.hostToPaintMs.toFixed(0)} ms${floor ? ` (${(r.hostToPaintMs / floor).toFixed(2)}× a bare webview)` : ''}`,
    ]),
    ['a bare webview (one-line local script), created → script ran', floor === null ? 'did not load' : `${floor.toFixed(0)} ms`],
  ]);
}

/** Bundles, the sidecar's start, its round trips and hover work, in plain Node. */
export async function extensionBench(): Promise<void> {
  const started = performance.now();
  try {
    await bundleSizes();
    await coldStart();
    await rpcRoundTrip();
    largeFrameBench();
    await hoverLatency();
  } finally {
    await cleanUp();
  }
  console.log(`  (extension bench: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/** Activation, hovers and webview paints in a real VS Code (code-server and headless Chromium). */
export async function vscodeBench(): Promise<void> {
  const started = performance.now();
  try {
    await vscodeLatency();
  } finally {
    await cleanUp();
  }
  console.log(`  (VS Code bench: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function cleanUp(): Promise<void> {
  await Promise.all([...clients].map((client) => client.stop()));
  clients.splice(0);
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
