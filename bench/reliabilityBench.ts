import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import * as protocol from '../sidecar/protocol';
import type { HealthResult } from '../sidecar/protocol';
import { figure, report, verdict } from './measure';
import { startRedis } from '../test/redisServer';

const bin = path.resolve('bin/partycost.js');
const folders: string[] = [];

function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `partycost-bench-${prefix}-`));
  folders.push(dir);
  return dir;
}

/** Runs the CLI in `cwd`; resolves with its wall time in ms (rejects on a non-zero exit). */
function timedCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } }, (error, _stdout, stderr) =>
      error ? reject(new Error(`partycost ${args.join(' ')}: ${stderr || error.message}`)) : resolve(performance.now() - started),
    ),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * `partycost run` of a new party (five agents, offline) with Redis up, dead (a closed port) and hung (a socket that
 * accepts and never answers), and with no Redis configured, interleaved round by round (rotating which goes first)
 * so drift and position hit all alike. The goal compares dead and hung with Redis up: with a Redis URL configured,
 * the client library loads (about 30 ms, only then) whether the server answers or not; what must cost nothing is a
 * server that does not answer. Each live run has a namespace of its own, so it finds no earlier run's results.
 */
async function redisWaitBench(): Promise<void> {
  const base = scratch('redis-wait');
  await timedCli(base, ['init']);
  await timedCli(base, ['party', 'create', '--input', 'jungle theme', '--input', '75 guests']);
  const sockets = new Set<Socket>();
  const hung = createServer((socket) => void sockets.add(socket));
  const hungPort = await listen(hung);
  const closed = createServer();
  const deadPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const redis = await startRedis();
  const conditions = {
    none: {},
    live: { PARTYCOST_REDIS_URL: redis.url },
    dead: { PARTYCOST_REDIS_URL: `redis://127.0.0.1:${deadPort}` },
    hung: { PARTYCOST_REDIS_URL: `redis://127.0.0.1:${hungPort}` },
  };
  const times: Record<keyof typeof conditions, number[]> = { none: [], live: [], dead: [], hung: [] };
  try {
    const entries = Object.entries(conditions) as [keyof typeof conditions, Record<string, string>][];
    for (let round = 0; round < 25; round++) {
      // Each round starts with another condition, so no condition always runs first (or after the same one).
      for (const [name, env] of [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)]) {
        const dir = scratch('redis-wait-run');
        cpSync(base, dir, { recursive: true });
        const ms = await timedCli(dir, ['run', 'P1'], { ...env, PARTYCOST_CACHE_NAMESPACE: `wait-${round}` });
        if (round > 0) times[name].push(ms); // the first round warms the file cache
      }
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung.close(resolve));
    await redis.stop();
  }
  const none = median(times.none);
  const live = median(times.live);
  const dead = figure('CLI run, Redis dead / up', median(times.dead) / live, '×', '<= 1.05');
  const hungRatio = figure('CLI run, Redis hung / up', median(times.hung) / live, '×', '<= 1.05');
  const configured = figure('CLI run, Redis up / none configured', live / none, '×');
  console.log('\nA CLI run with Redis unreachable (partycost run of a new party, median of 24 interleaved rounds)');
  report([
    ['no Redis configured', `${none.toFixed(0)} ms`],
    ['Redis up', `${live.toFixed(0)} ms = ${configured.toFixed(2)}× none (the client library loads, the results are written to Redis too)`],
    ['Redis dead (port closed)', `${median(times.dead).toFixed(0)} ms = ${dead.toFixed(2)}× up (${verdict('<= 1.05', dead)})`],
    ['Redis hung (accepts, never answers)', `${median(times.hung).toFixed(0)} ms = ${hungRatio.toFixed(2)}× up (${verdict('<= 1.05', hungRatio)})`],
  ]);
}

/** The real sidecar over stdio, as the extension speaks to it. */
async function startSidecar(workspace: string): Promise<{ connection: MessageConnection; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'serve', '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest(protocol.initializeRequest.method, { workspace });
  return {
    connection,
    stop: async () => {
      connection.dispose();
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    },
  };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const count = (resources: Record<string, number>): number => Object.values(resources).reduce((a, b) => a + b, 0);

/**
 * 10,000 runs through one sidecar (20 parties in turn, each run after an input is added or removed): RSS after a
 * warm-up of 1,000 runs against the end, and the handles, listeners and descriptors a leak would grow.
 */
async function soakBench(): Promise<void> {
  const total = Number(process.env.PARTYCOST_SOAK_RUNS) || 10_000;
  const warmUp = Math.min(1_000, Math.floor(total / 10));
  const workspace = scratch('soak');
  await timedCli(workspace, ['init']);
  const sidecar = await startSidecar(workspace);
  const { connection } = sidecar;
  const health = (): Promise<HealthResult> => connection.sendRequest(protocol.healthRequest.method, {});
  try {
    const parties: { id: string; extra?: string }[] = [];
    const themes = ['jungle', 'pirate', 'space', 'unicorn', 'circus'];
    for (let i = 0; i < 20; i++) {
      const created = (await connection.sendRequest(protocol.createPartyRequest.method, { inputs: [`${themes[i % 5]} theme`, `${30 + 5 * i} guests`] })) as {
        party: string;
      };
      parties.push({ id: created.party });
    }
    let atWarmUp: HealthResult | undefined;
    const samples: number[] = [];
    const rates: number[] = [];
    const started = performance.now();
    let lap = started;
    for (let i = 0; i < total; i++) {
      const party = parties[i % parties.length];
      if (party.extra) {
        await connection.sendRequest(protocol.removeInputRequest.method, { party: party.id, input: party.extra });
        party.extra = undefined;
      } else {
        party.extra = ((await connection.sendRequest(protocol.addInputRequest.method, { party: party.id, text: 'need a magician' })) as { id: string }).id;
      }
      await connection.sendRequest(protocol.runRequest.method, { party: party.id, runId: `soak-${i}` });
      if (i + 1 === warmUp) atWarmUp = await health();
      if ((i + 1) % 1_000 === 0) {
        samples.push((await health()).rssBytes);
        rates.push(1_000 / ((performance.now() - lap) / 1000));
        lap = performance.now();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const end = await health();
    const start = atWarmUp!;
    // The heap breathes between collections: growth is the mean of the last three samples against the first three.
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const first = mean(samples.slice(0, 3));
    const growth = (100 * (mean(samples.slice(-3)) - first)) / first;
    figure('soak, RSS growth over 10,000 runs', growth, '%', '< 10');
    figure('soak, runs per second', total / seconds, 'runs/s');
    figure('soak, active resources added', count(end.resources) - count(start.resources), 'resources', '<= 0');
    figure('soak, listeners added', end.listeners - start.listeners, 'listeners', '<= 0');
    console.log(
      `\nSoak: ${total.toLocaleString('en-US')} runs through one sidecar (an input added or removed, then a run), ${(total / seconds).toFixed(0)} runs/s`,
    );
    report([
      [
        'RSS growth (mean of the last 3 samples vs the first 3)',
        `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % (${verdict('< 10', growth)}); at ${warmUp.toLocaleString('en-US')} runs ${mib(start.rssBytes)}, at the end ${mib(end.rssBytes)}, at most ${mib(Math.max(...samples))}`,
      ],
      ['RSS every 1,000 runs', samples.map(mib).join(', ')],
      ['runs/s, each 1,000 runs', rates.map((rate) => rate.toFixed(0)).join(', ')],
      ['heap used / held', `${mib(start.heapUsedBytes)} / ${mib(start.heapTotalBytes)} → ${mib(end.heapUsedBytes)} / ${mib(end.heapTotalBytes)}`],
      ['active resources', `${count(start.resources)} → ${count(end.resources)} (${JSON.stringify(end.resources)})`],
      ['listeners (process, stdio)', `${start.listeners} → ${end.listeners}`],
      ['open file descriptors', `${start.fds ?? '?'} → ${end.fds ?? '?'}`],
    ]);
  } finally {
    await sidecar.stop();
  }
}

export async function reliabilityBench(): Promise<void> {
  try {
    if (!process.env.PARTYCOST_SOAK_ONLY) await redisWaitBench();
    await soakBench();
  } finally {
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
