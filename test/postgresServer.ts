import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

/**
 * A real PostgreSQL server owned by the test process: Debian's `postgresql` binaries, a cluster made by `initdb` in
 * a fresh temporary folder, on a free port of 127.0.0.1, with a password (scram-sha-256) so URLs carry one as users'
 * do. As root it runs as the `postgres` user (initdb refuses root). Stopped, and its folder removed, at exit.
 */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://partycost:PASSWORD@127.0.0.1:PORT/DB` for a database of its own (`database(name)` makes more). */
  readonly url: string;
  readonly password: string;
  /** A new empty database; its URL. */
  database(name: string): Promise<string>;
  /** The postmaster's pid now. */
  pid(): number;
  /** As a crash: immediate shutdown, no checkpoint (recovery runs on the next start). */
  crash(): void;
  /** Start again on the same port, and wait until it accepts a connection. */
  start(): Promise<void>;
  /** Freeze (SIGSTOP) and thaw (SIGCONT) the postmaster: a server that accepts nothing and answers nothing. */
  freeze(): void;
  thaw(): void;
  stop(): void;
}

const binDir = (): string => {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql); .ci/run installs it');
  return path.join(root, version, 'bin');
};

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as the user the cluster belongs to. */
function run(program: string, args: string[]): string {
  const command = asRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', program, ...args] : [program, ...args];
  const done = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', cwd: '/' });
  if (done.status !== 0) throw new Error(`${path.basename(program)} failed (${done.status}): ${done.stderr || done.stdout}`);
  return done.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const started = new Set<() => void>();
process.once('exit', () => {
  for (const stop of started) stop();
});

/** Polls until the server accepts a connection with the password (pg_ctl -w says only that it is up). */
async function ready(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept a connection within ${timeoutMs} ms: ${(error as Error).message}`);
      await delay(50);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-pg-'));
  if (asRoot)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const data = path.join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const pwfile = path.join(dir, 'password');
  run('/bin/sh', ['-c', `umask 077 && printf '%s' '${password}' > '${pwfile}'`]);
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'partycost', '--pwfile', pwfile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // fsync off: a test never crashes the machine, only the server (an immediate shutdown keeps what the OS was
  // given). Commits stay synchronous, as on a real server: a commit a client saw is never lost to the crash.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async (): Promise<void> => {
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', options, 'start']);
    await ready(`postgres://partycost:${password}@127.0.0.1:${port}/postgres`);
  };
  const pid = (): number => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let running = false;
  const stop = (): void => {
    if (!running) return;
    running = false;
    try {
      process.kill(pid(), 'SIGCONT');
    } catch {}
    try {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {}
  };
  const cleanup = (): void => {
    stop();
    rmSync(dir, { recursive: true, force: true });
  };
  started.add(cleanup);
  await start();
  running = true;
  const admin = `postgres://partycost:${password}@127.0.0.1:${port}/postgres`;
  const server: PostgresServer = {
    port,
    password,
    url: '',
    async database(name) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://partycost:${password}@127.0.0.1:${port}/${name}`;
    },
    pid,
    crash() {
      running = false;
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    },
    async start() {
      await start();
      running = true;
    },
    freeze() {
      process.kill(pid(), 'SIGSTOP');
    },
    thaw() {
      process.kill(pid(), 'SIGCONT');
    },
    stop: () => {
      cleanup();
      started.delete(cleanup);
    },
  };
  (server as { url: string }).url = await server.database('partycost');
  return server;
}
