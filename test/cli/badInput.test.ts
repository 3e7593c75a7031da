import { test } from 'node:test';
import { peakRecorder } from '../peakMemory';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../../sidecar/store/migrations';

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

function expectError(run: ReturnType<typeof partycost>, message: string | RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  if (typeof message === 'string') assert.equal(lines[0], message);
  else assert.match(lines[0], message);
}

test('unknown party, unknown input, unknown snapshot version, unknown agent: one clear line each', () => {
  const dir = workspace();
  expectError(partycost(dir, ['plan', 'P9']), 'partycost: unknown party "P9"; "partycost party list" shows the parties');
  expectError(partycost(dir, ['input', 'remove', 'P1', 'i22']), 'partycost: party P1 has no input "i22" (did you mean "i2"?); its inputs: i1, i2');
  partycost(dir, ['party', 'create']);
  expectError(
    partycost(dir, ['resume', 'P2', '--version', '7']),
    'partycost: party P2 has no snapshot version 7; its snapshots: none yet ("partycost save" writes one)',
  );
  partycost(dir, ['save', 'P1']);
  expectError(partycost(dir, ['resume', 'P1', '--version', '7']), 'partycost: party P1 has no snapshot version 7; its snapshots: 1 (auto), 2 (draft)');
  expectError(
    partycost(dir, ['run', 'P1', '--force', 'cakes']),
    'partycost: unknown agent "cakes" (did you mean "cake"?); agents: theme, venue, cake, catering, vendor, budget, planner_final',
  );
  expectError(partycost(dir, ['input', 'add', 'P1', '   ']), 'partycost: an input needs some text');
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
  const holder = new Database(dbFile);
  holder.prepare('BEGIN IMMEDIATE').run();
  try {
    const run = partycost(dir, ['input', 'add', 'P1', 'chocolate cake'], { env: { PARTYCOST_BUSY_TIMEOUT_MS: '200' } });
    expectError(run, 'partycost: .partycost/partycost.db is locked by another process; try again when it is done');
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
    expectError(write, /^partycost: \.partycost\/partycost\.db is read-only; check its permissions/);
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
  expectError(
    partycost(dir, ['party', 'list', '--db', 'bad.db']),
    /^partycost: bad\.db is not a valid Party Cost Inspector database \(file is not a database\); it was left untouched: move it aside to start afresh$/,
  );
  assert.deepEqual(readFileSync(bad), garbage);
  const viaEnv = partycost(dir, ['party', 'list'], { env: { PARTYCOST_DB: 'bad.db' } });
  assert.equal(viaEnv.code, 1);
  assert.equal(partycost(dir, ['party', 'list']).code, 0, 'the workspace database is unaffected');
});

/** Runs the CLI and answers its peak resident memory in MB. */
function peakMemory(cwd: string, args: string[]): { run: ReturnType<typeof partycost>; peakMb: number } {
  const recorder = peakRecorder();
  const run = partycost(cwd, args, { node: recorder.node, timeout: 60_000 });
  return { run, peakMb: recorder.peakMb() };
}

test('a configuration file too large, or not a file at all: one line, exit 1, and never read whole', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-bad-config-'));
  partycost(dir, ['init']);
  const limit = 'a configuration file is at most 10 MB';
  expectError(partycost(dir, ['estimate', '--config', '/dev/zero']), `partycost: /dev/zero is a character device: a configuration file must be a regular file`);
  // A FIFO with no writer: opening it would wait for ever.
  execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
  expectError(
    partycost(dir, ['estimate', '--config', 'pipe.json'], { timeout: 30_000 }),
    'partycost: pipe.json is a FIFO (named pipe): a configuration file must be a regular file',
  );
  // 1 GB that takes no disk (a sparse file): read whole, it took 1.1 GB of memory.
  truncateSync(path.join(dir, 'partycost.json'), 1e9);
  const { run, peakMb } = peakMemory(dir, ['estimate']);
  expectError(run, `partycost: partycost.json is 1.0 GB: ${limit}`);
  assert.ok(peakMb < 250, `peak memory ${peakMb.toFixed(0)} MB`);
  // A crew's YAML, through the crew's own reading.
  mkdirSync(path.join(dir, 'config'));
  writeFileSync(path.join(dir, 'config', 'agents.yaml'), 'writer:\n  role: Writer\n  goal: write\n  backstory: writes\n');
  writeFileSync(path.join(dir, 'config', 'tasks.yaml'), '');
  truncateSync(path.join(dir, 'config', 'tasks.yaml'), 11e6);
  expectError(partycost(dir, ['estimate', '--config', 'config/tasks.yaml']), `partycost: config/tasks.yaml is 11 MB: ${limit}`);
});

test('a database from a newer release: every command refuses it in one line and leaves every byte of it alone', () => {
  const dir = workspace();
  const dbFile = path.join(dir, '.partycost', 'partycost.db');
  // In the rollback journal mode, so that a command switching it to WAL before refusing shows in its header.
  const db = new Database(dbFile);
  db.pragma('journal_mode = DELETE');
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();
  const hash = (): string => createHash('sha256').update(readFileSync(dbFile)).digest('hex');
  const before = hash();
  const refusal = `partycost: .partycost/partycost.db: schema version ${migrations.length + 1} is newer than this Party Cost Inspector understands (${migrations.length}); update it`;
  for (const command of [['estimate'], ['impact'], ['accuracy'], ['advise'], ['plan', 'P1'], ['ledger'], ['party', 'list', '--json']]) {
    expectError(partycost(dir, command), refusal);
    assert.equal(hash(), before, `partycost ${command.join(' ')} left the file as it was`);
    assert.deepEqual(readdirSync(path.dirname(dbFile)), ['partycost.db'], `partycost ${command.join(' ')} added no -wal, -shm or -journal`);
  }
});
