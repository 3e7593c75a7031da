import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import { assertOneLine } from '../cliProcess';

const bin = path.resolve('bin/partycost.js');

function partycost(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; node?: string[]; timeout?: number } = {}) {
  const run = spawnSync(process.execPath, [...(options.node ?? []), bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeout,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A workspace with the sample and one party that has run. */
function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-bad-'));
  partycost(dir, ['init']);
  partycost(dir, ['party', 'create', '--input', 'jungle theme', '--input', '75 guests']);
  assert.equal(partycost(dir, ['run', 'P1']).code, 0);
  return dir;
}

test('unknown party, unknown input, unknown snapshot version, unknown agent: one clear line each', () => {
  const dir = workspace();
  assertOneLine(partycost(dir, ['plan', 'P9']), 'partycost: unknown party "P9"; "partycost party list" shows the parties');
  assertOneLine(partycost(dir, ['input', 'remove', 'P1', 'i22']), 'partycost: party P1 has no input "i22" (did you mean "i2"?); its inputs: i1, i2');
  partycost(dir, ['party', 'create']);
  assertOneLine(
    partycost(dir, ['resume', 'P2', '--version', '7']),
    'partycost: party P2 has no snapshot version 7; its snapshots: none yet ("partycost save" writes one)',
  );
  partycost(dir, ['save', 'P1']);
  assertOneLine(partycost(dir, ['resume', 'P1', '--version', '7']), 'partycost: party P1 has no snapshot version 7; its snapshots: 1 (auto), 2 (draft)');
  assertOneLine(
    partycost(dir, ['run', 'P1', '--force', 'cakes']),
    'partycost: unknown agent "cakes" (did you mean "cake"?); agents: theme, venue, cake, catering, vendor, budget, planner_final',
  );
  assertOneLine(partycost(dir, ['input', 'add', 'P1', '   ']), 'partycost: an input needs some text');
  const usage = partycost(dir, ['resume', 'P1', '--version', 'latest']);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, 'partycost: --version takes a whole number, not "latest"\n');
});

test('a configuration changed in between: the plan says which agents and fields changed', () => {
  const dir = workspace();
  const file = path.join(dir, 'partycost.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('Suggest a party theme', 'Suggest a bold party theme'));
  const plan = JSON.parse(partycost(dir, ['plan', 'P1', '--json']).stdout) as {
    agents: { agent: string; action: string; cause: string; detail?: string; conditional?: boolean }[];
  };
  const theme = plan.agents.find((a) => a.agent === 'theme')!;
  assert.deepEqual([theme.action, theme.cause, theme.detail], ['execute', 'configuration changed', 'prompt']);
  assert.deepEqual(plan.agents.find((a) => a.agent === 'catering')!.action, 'reuse');
  assert.equal(plan.agents.find((a) => a.agent === 'venue')!.conditional, true);
  assert.equal(partycost(dir, ['run', 'P1']).code, 0);
  const history = JSON.parse(partycost(dir, ['history', 'P1', '--json']).stdout) as { events: { event: { type: string } }[] };
  assert.equal(history.events.filter((e) => e.event.type === 'configuration_changed').length, 2, 'created with one, run under another');
});

test('a locked database: a clear error after the busy timeout, and the change is not half-applied', () => {
  const dir = workspace();
  const dbFile = path.join(dir, '.partycost', 'partycost.db');
  const holder = new Database(dbFile, sqliteOptions());
  holder.prepare('BEGIN IMMEDIATE').run();
  try {
    const run = partycost(dir, ['input', 'add', 'P1', 'chocolate cake'], { env: { PARTYCOST_BUSY_TIMEOUT_MS: '200' } });
    assertOneLine(run, 'partycost: .partycost/partycost.db is locked by another process; try again when it is done');
  } finally {
    holder.prepare('ROLLBACK').run();
    holder.close();
  }
  const inputs = JSON.parse(partycost(dir, ['history', 'P1', '--json']).stdout).events.filter(
    (e: { event: { type: string } }) => e.event.type === 'input_added',
  );
  assert.equal(inputs.length, 2);
  assert.equal(partycost(dir, ['input', 'add', 'P1', 'chocolate cake']).code, 0, 'works once the lock is gone');
});

/**
 * Makes a file unwritable and returns how to undo it. File modes do not stop root, so as root the file is made
 * immutable (chattr +i), which stops every user.
 */
function makeReadOnly(file: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(file, 0o444);
    return () => chmodSync(file, 0o644);
  }
  execFileSync('chattr', ['+i', file]);
  return () => execFileSync('chattr', ['-i', file]);
}

test('a read-only database: reading works, writing says so, nothing is lost', () => {
  const dir = workspace();
  const dbFile = path.join(dir, '.partycost', 'partycost.db');
  const before = readFileSync(dbFile);
  const writable = makeReadOnly(dbFile);
  try {
    const write = partycost(dir, ['input', 'add', 'P1', 'chocolate cake']);
    assertOneLine(write, /^partycost: \.partycost\/partycost\.db is read-only; check its permissions/);
    const list = partycost(dir, ['party', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout).parties[0].inputs, 2);
  } finally {
    writable();
  }
  assert.deepEqual(readFileSync(dbFile), before, 'the file is unchanged');
});

test('a corrupt database file: named, left untouched, and the rest of the workspace still works', () => {
  const dir = workspace();
  const bad = path.join(dir, 'bad.db');
  const garbage = Buffer.from('this is not a database, it is a shopping list: balloons, candles, cake\n'.repeat(100));
  writeFileSync(bad, garbage);
  assertOneLine(
    partycost(dir, ['party', 'list', '--db', 'bad.db']),
    /^partycost: bad\.db is not a valid Party Cost Inspector database \(file is not a database\); it was left untouched: move it aside to start afresh$/,
  );
  assert.deepEqual(readFileSync(bad), garbage);
  const viaEnv = partycost(dir, ['party', 'list'], { env: { PARTYCOST_DB: 'bad.db' } });
  assert.equal(viaEnv.code, 1);
  assert.equal(partycost(dir, ['party', 'list']).code, 0, 'the workspace database is unaffected');
});

/** Runs the CLI and answers its peak resident memory in MB. */
