import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../sidecar/store/sqliteBinding';

/** The CLI as a user runs it: the built bin, its own process. */
export const bin = path.resolve('bin/partycost.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `partycost ARGS` in `cwd` with extra environment, resolving (never rejecting) with its exit code and output;
 * `node` are options for Node itself (a preloaded script), `timeout` ends a process that would wait for ever.
 */
export function partycost(cwd: string, args: string[], env: Record<string, string> = {}, options: { node?: string[]; timeout?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.node ?? []), bin, ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: options.timeout, maxBuffer: 256 * 2 ** 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A fresh workspace with the sample configuration and one party per list of inputs (P1, P2, ...). */
export async function workspace(prefix: string, ...parties: string[][]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `partycost-${prefix}-`));
  await partycost(dir, ['init']);
  for (const inputs of parties) await partycost(dir, ['party', 'create', ...inputs.flatMap((input) => ['--input', input])]);
  return dir;
}

/** The workspace's database file. */
export function databaseOf(dir: string): string {
  return path.join(dir, '.partycost', 'partycost.db');
}

/** Reads the workspace's database (read-only) and closes it. */
export function readDatabase<T>(dir: string, read: (db: Database.Database) => T): T {
  const db = new Database(databaseOf(dir), sqliteOptions({ readonly: true, fileMustExist: true }));
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The command failed as a user error should: exit 1, nothing on stdout, exactly one line on stderr, this one. */
export function assertOneLine(run: { code: number | null; stdout: string; stderr: string }, message: string | RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  if (typeof message === 'string') assert.equal(lines[0], message);
  else assert.match(lines[0]!, message);
}
