import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A real `redis-server` child process owned by the test process. It has no persistence (no RDB, no AOF), so a
 * restarted server starts empty.
 */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`; stays the same across `restart()`. */
  readonly url: string;
  /** The pid of the current redis-server process (a new one after `restart()`). */
  readonly pid: number;
  /** SIGTERM, wait for the process to exit (SIGKILL after a deadline). Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash, and wait for the process to exit. Idempotent. */
  kill(): Promise<void>;
  /** Start again on the same port (stopping the current process first if it still runs) and wait until it answers. */
  restart(): Promise<void>;
}

const host = '127.0.0.1';
/** How long a server may take to answer PING after it is spawned (and, on restart, to get its port back). */
const readyTimeoutMs = 5_000;
/** How long a SIGTERMed server may take to exit before it is SIGKILLed. */
const stopTimeoutMs = 3_000;
const pollIntervalMs = 20;
/** Free ports picked for a new server that may be taken by someone else before redis binds them. */
const portAttempts = 5;
/** The redis-server output kept for error messages. */
const outputLimit = 16_384;

/** One spawned redis-server process. */
interface Proc {
  child: ChildProcess;
  pid: number;
  /** The server's fresh, empty working directory (removed once it exited). */
  dir: string;
  /** Resolves when the process has exited (or failed to spawn); never rejects. */
  exited: Promise<void>;
  hasExited: () => boolean;
  /** Recent stdout/stderr (redis logs to stdout with `--logfile ''`), plus any spawn error. */
  output: () => string;
}

/** Every redis-server this module started that has not exited yet. */
const running = new Set<Proc>();
let cleanupInstalled = false;

function killAllSync(): void {
  for (const proc of running) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(proc.dir, { recursive: true, force: true });
  }
  running.clear();
}

/** Make sure no redis-server outlives this process: on exit, and on the signals a test runner may send. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (die by the signal) unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function spawnRedis(port: number): Proc {
  installCleanup();
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-test-'));
  // Never `--daemonize yes`: this process must own the server to stop it by pid.
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const append = (chunk: Buffer | string): void => {
    output = (output + chunk.toString()).slice(-outputLimit);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let done = false;
  let proc: Proc;
  const exited = new Promise<void>((resolve) => {
    const finish = (): void => {
      if (done) return;
      done = true;
      running.delete(proc);
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    child.once('exit', (code, signal) => {
      append(`\n[redis-server exited: ${signal ?? `code ${code}`}]`);
      finish();
    });
    child.once('error', (error) => {
      append(`\n[redis-server failed to start: ${error.message}]`);
      // A spawn failure emits no 'exit'; a kill failure on a running child must not count as an exit.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) finish();
    });
  });
  proc = { child, pid: child.pid ?? -1, dir, exited, hasExited: () => done, output: () => output.trim() };
  if (child.pid !== undefined) running.add(proc);

  // Don't let a server a test forgot to stop keep the test process alive; the 'exit' handler kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref?.();
  return proc;
}

/**
 * Ask whatever listens on the port for PING and its process id. Resolves with the pid of a redis that answered
 * `+PONG`, or undefined if nothing (or something else) answered in time.
 */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = createConnection({ host, port });
    const settle = (pid: number | undefined): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(250, () => settle(undefined));
    socket.once('error', () => settle(undefined));
    socket.once('close', () => settle(undefined));
    socket.once('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n') && !reply.startsWith('+PONG\r\n')) return settle(undefined); // -LOADING, -ERR, not redis...
      const pid = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (pid) settle(Number(pid[1]));
    });
  });
}

type Outcome = 'ready' | 'exited' | 'timeout';

/** Poll until the process answers PING on the port (and it is this process answering, not another redis). */
async function waitReady(proc: Proc, port: number, deadline: number): Promise<Outcome> {
  for (;;) {
    if (proc.hasExited()) return 'exited';
    const pid = await probe(port);
    if (proc.hasExited()) return 'exited';
    if (pid === proc.pid) return 'ready';
    if (Date.now() >= deadline) return 'timeout';
    await Promise.race([delay(pollIntervalMs), proc.exited]);
  }
}

const isBindError = (output: string): boolean => /Address already in use|Failed listening on port/i.test(output);

async function signalAndWait(proc: Proc, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  if (proc.hasExited()) return true;
  try {
    proc.child.kill(signal);
  } catch {
    // exited in between
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([proc.exited.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer); // don't keep the event loop alive after the process exited
  }
}

async function terminate(proc: Proc): Promise<void> {
  if (await signalAndWait(proc, 'SIGTERM', stopTimeoutMs)) return;
  if (!(await signalAndWait(proc, 'SIGKILL', stopTimeoutMs))) {
    throw new Error(`redis-server pid ${proc.pid} did not exit after SIGKILL`);
  }
}

/**
 * Spawn redis on `port` and wait until it answers. With `retryBindUntilDeadline`, a process that exits because the
 * port is still taken (e.g. just after a kill) is spawned again until the deadline. Throws `BindError` when it
 * cannot get the port (and retrying is off or timed out), or an Error for any other failure.
 */
async function launch(port: number, retryBindUntilDeadline: boolean): Promise<Proc> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const proc = spawnRedis(port);
    const outcome = await waitReady(proc, port, deadline);
    if (outcome === 'ready') return proc;
    if (outcome === 'timeout') {
      await terminate(proc).catch(() => undefined);
      throw new Error(`redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms. Output:\n${proc.output()}`);
    }
    await proc.exited;
    const bind = isBindError(proc.output());
    if (bind && retryBindUntilDeadline && Date.now() < deadline) {
      await delay(pollIntervalMs);
      continue;
    }
    const message = `redis-server on port ${port} exited before it was ready. Output:\n${proc.output()}`;
    throw bind ? new BindError(message) : new Error(message);
  }
}

class BindError extends Error {}

/**
 * Start a real redis-server on 127.0.0.1 for a test. Without `options.port` a free port is picked (and another one
 * if that gets taken before redis binds it); with `options.port` that port is used or the start fails.
 */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  let proc: Proc | undefined;
  let port = options.port ?? 0;
  if (options.port !== undefined) {
    proc = await launch(options.port, false);
  } else {
    for (let attempt = 1; !proc; attempt++) {
      port = await freePort();
      try {
        proc = await launch(port, false);
      } catch (error) {
        if (!(error instanceof BindError) || attempt >= portAttempts) throw error;
      }
    }
  }

  let current: Proc = proc;
  const server: RedisServer = {
    port,
    url: `redis://${host}:${port}`,
    get pid() {
      return current.pid;
    },
    stop: () => terminate(current),
    kill: async () => {
      if (!(await signalAndWait(current, 'SIGKILL', stopTimeoutMs))) {
        throw new Error(`redis-server pid ${current.pid} did not exit after SIGKILL`);
      }
    },
    restart: async () => {
      await terminate(current);
      current = await launch(port, true);
    },
  };
  return server;
}
