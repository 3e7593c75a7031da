import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import { assertOneLine, bin, databaseOf, partycost, readDatabase, workspace } from '../cliProcess';
import { migrations } from '../../sidecar/store/migrations';
import type { CliRun } from '../cliProcess';

// The database failing under a run: the disk full (a file-size limit reached mid-run), another process holding a
// write transaction, a file written by a newer release. The user gets one sentence with the cause; what finished is
// kept, nothing is committed half, and a file this release does not understand is not touched at all.

interface Recorded {
  integrity: string;
  /** Every party's event sequence numbers are 1..n, no gap, no repeat. */
  contiguous: boolean;
  completed: string[];
  ledger: string[];
}

/** Agents a run's closing line counts as executed now or taken from the cache (not reused from the party). */
function producedNow(stdout: string): number {
  const done = /Done: (\d+) executed for \$[\d.]+; \d+ reused; (\d+) from cache/.exec(stdout);
  assert.ok(done, stdout);
  return Number(done[1]) + Number(done[2]);
}

function recorded(dir: string): Recorded {
  return readDatabase(dir, (db) => {
    const sequences = db
      .prepare('SELECT party_id, count(*) AS n, max(seq) AS last, count(DISTINCT seq) AS distinct_seq FROM events GROUP BY party_id')
      .all() as { n: number; last: number; distinct_seq: number }[];
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      contiguous: sequences.every((row) => row.n === row.last && row.n === row.distinct_seq),
      completed: (
        db.prepare(`SELECT json_extract(payload, '$.result.agent') AS agent FROM events WHERE type = 'agent_completed' ORDER BY agent`).all() as {
          agent: string;
        }[]
      ).map((row) => row.agent),
      ledger: (db.prepare('SELECT agent FROM ledger ORDER BY agent').all() as { agent: string }[]).map((row) => row.agent),
    };
  });
}

/** `partycost run P1` with the process's file-size limit at `limitKb` (SIGXFSZ ignored, so a write past it fails). */
function runWithFileLimit(dir: string, limitKb: number): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `ulimit -f ${limitKb}; trap '' XFSZ; exec "${process.execPath}" "${bin}" run P1`],
      { cwd: dir, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the file-size limit reached mid-run: a clear error, the agents that finished kept, nothing half-committed', async () => {
  const base = await workspace('disk-full', ['jungle theme', '75 guests']);
  // The limit that lets some agents commit and stops a later one depends on page layout: find it from the file's size
  // upwards, as a full disk would be met at any point.
  const startKb = Math.ceil(statSync(databaseOf(base)).size / 1024);
  let found: { dir: string; run: CliRun } | undefined;
  for (let limitKb = startKb; limitKb < startKb + 1024 && !found; limitKb += 32) {
    const dir = mkdtempSync(path.join(tmpdir(), 'partycost-disk-full-try-'));
    cpSync(base, dir, { recursive: true });
    const run = await runWithFileLimit(dir, limitKb);
    if (run.code !== 0 && /✔/.test(run.stdout)) found = { dir, run };
  }
  assert.ok(found, 'some file-size limit stops the run after an agent finished');
  const { dir, run } = found;
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^partycost: agent "\w+" failed: cannot write the database: the disk is full, the file reached its size limit, or the device failed \(.*SQLITE_IOERR_WRITE\); what failed to write was not saved, everything before it was; finished agents are kept, run again to retry the rest$/m,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');

  const after = recorded(dir);
  assert.equal(after.integrity, 'ok');
  assert.ok(after.contiguous, 'events contiguous');
  const printedDone = [...run.stdout.matchAll(/✔ (\w+) executed/g)].map((m) => m[1]).sort();
  assert.deepEqual(after.completed, printedDone, 'every agent printed as done was committed, no other');
  assert.deepEqual(after.ledger, printedDone, 'each with its ledger row');

  // Room again: the next run produces exactly the agents that are missing (a result stored in the cache before the
  // failed write is a hit: paid once).
  const again = await partycost(dir, ['run', 'P1']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(producedNow(again.stdout), 5 - printedDone.length);
  assert.equal(recorded(dir).ledger.length, 5);
});

test('another process holds a write transaction mid-run: a bounded wait, then the lock named; finished agents kept', async () => {
  const dir = await workspace('busy', ['jungle theme', '75 guests']);
  const runner = spawn(process.execPath, [bin, 'run', 'P1'], {
    cwd: dir,
    env: { ...process.env, PARTYCOST_OFFLINE_LATENCY_MS: '300', PARTYCOST_BUSY_TIMEOUT_MS: '200' },
  });
  let stdout = '';
  let stderr = '';
  runner.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => runner.on('exit', resolve));

  // Once the first agent has committed, take the write lock and keep it until the runner gives up.
  const holder = new Database(databaseOf(dir), sqliteOptions());
  for (const deadline = Date.now() + 20_000; !(holder.prepare(`SELECT count(*) AS n FROM events WHERE type = 'agent_completed'`).get() as { n: number }).n; ) {
    assert.ok(Date.now() < deadline, 'an agent completes');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  holder.exec('BEGIN IMMEDIATE');
  const code = await exited;
  holder.exec('ROLLBACK');
  holder.close();

  assert.equal(code, 1, stdout + stderr);
  assert.match(
    stderr,
    /^partycost: agent "\w+" failed: the database is locked by another process; try again when it is done; finished agents are kept, run again to retry the rest$/m,
  );
  const after = recorded(dir);
  assert.equal(after.integrity, 'ok');
  assert.ok(after.contiguous);
  assert.ok(after.completed.length >= 1 && after.completed.length < 5, after.completed.join());
  assert.deepEqual(after.ledger, after.completed);
  const again = await partycost(dir, ['run', 'P1']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(producedNow(again.stdout), 5 - after.completed.length);
});

test('a database from a newer release: every command refuses it in one line and leaves every byte of it alone', async () => {
  const dir = await workspace('newer', ['jungle theme', '75 guests']);
  assert.equal((await partycost(dir, ['run', 'P1'])).code, 0);
  const dbFile = databaseOf(dir);
  // In the rollback journal mode, so that a command switching it to WAL before refusing shows in its header.
  const db = new Database(dbFile, sqliteOptions());
  db.pragma('journal_mode = DELETE');
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();
  const hash = (): string => createHash('sha256').update(readFileSync(dbFile)).digest('hex');
  const before = hash();
  const refusal = `partycost: .partycost/partycost.db: schema version ${migrations.length + 1} is newer than this Party Cost Inspector understands (${migrations.length}); update it`;
  for (const command of [['estimate'], ['impact'], ['accuracy'], ['advise'], ['plan', 'P1'], ['ledger'], ['party', 'list', '--json'], ['run', 'P1']]) {
    assertOneLine(await partycost(dir, command), refusal);
    assert.equal(hash(), before, `partycost ${command.join(' ')} left the file as it was`);
    assert.deepEqual(readdirSync(path.dirname(dbFile)), ['partycost.db'], `partycost ${command.join(' ')} added no -wal, -shm or -journal`);
  }
});
