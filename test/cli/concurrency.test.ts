import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import { bin, databaseOf, partycost, readDatabase, workspace as newWorkspace } from '../cliProcess';
import { RawSidecar } from '../rawSidecar';

// Processes sharing one database: one runner per party, one producer per result, and a SIGKILLed holder never blocks.

const workspace = (...parties: string[][]): Promise<string> => newWorkspace('concurrent', ...parties);

function ledger(dir: string): { executions: number; hits: number; byAgent: Record<string, number> } {
  const rows = readDatabase(dir, (db) => db.prepare('SELECT agent, cached FROM ledger').all() as { agent: string; cached: number }[]);
  const byAgent: Record<string, number> = {};
  for (const row of rows.filter((r) => !r.cached)) byAgent[row.agent] = (byAgent[row.agent] ?? 0) + 1;
  return { executions: rows.filter((r) => !r.cached).length, hits: rows.filter((r) => r.cached).length, byAgent };
}

/** Polls the database until a lease named `name` is held (never sleeping a fixed time). */
async function leaseHeld(dir: string, name: string): Promise<{ pid: number }> {
  for (const deadline = Date.now() + 20_000; ; ) {
    try {
      const db = new Database(databaseOf(dir), sqliteOptions({ readonly: true, fileMustExist: true }));
      const row = db.prepare('SELECT pid FROM leases WHERE name = ?').get(name) as { pid: number } | undefined;
      db.close();
      if (row) return row;
    } catch {
      // the database or its table is not there yet
    }
    assert.ok(Date.now() < deadline, `the lease ${name} was never taken`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const slow = { PARTYCOST_OFFLINE_LATENCY_MS: '400' };

test('four runs of one party started together execute what one run would; the others wait, then reuse', async () => {
  const dir = await workspace(['jungle theme', '75 guests']);
  const runs = await Promise.all([1, 2, 3, 4].map(() => partycost(dir, ['run', 'P1'], slow)));
  assert.deepEqual(
    runs.map((r) => r.code),
    [0, 0, 0, 0],
    runs.map((r) => r.stderr).join('\n'),
  );
  const counts = ledger(dir);
  assert.equal(counts.executions, 5, JSON.stringify(counts.byAgent));
  assert.deepEqual(Object.values(counts.byAgent), [1, 1, 1, 1, 1], 'each agent paid once; planner_final once, not four times');
  assert.ok(
    runs.filter((r) => /is being run by process \d+ since .*; waiting for it to finish/.test(r.stderr)).length >= 1,
    'the others said whom they waited for',
  );
  assert.equal(runs.filter((r) => /Done: 5 executed/.test(r.stdout)).length, 1);
  assert.equal(runs.filter((r) => /Done: 0 executed for \$0; 5 reused/.test(r.stdout)).length, 3);
});

test('two parties needing the same results at once: one process produces each, the other takes it as a cache hit', async () => {
  const dir = await workspace(['jungle theme', '75 guests'], ['JUNGLE party', '80 guests']);
  const [first, second] = await Promise.all([partycost(dir, ['run', 'P1'], slow), partycost(dir, ['run', 'P2'], slow)]);
  assert.deepEqual([first.code, second.code], [0, 0]);
  const counts = ledger(dir);
  assert.deepEqual(counts.byAgent, { theme: 1, venue: 1, catering: 1, budget: 1, planner_final: 1 }, 'each result produced by one process');
  assert.deepEqual([counts.executions, counts.hits], [5, 5]);
});

test('--no-wait refuses at once while another process runs the party; a SIGKILLed holder blocks no one', async () => {
  const dir = await workspace(['jungle theme', '75 guests']);
  const holder = spawn(process.execPath, [bin, 'run', 'P1'], { cwd: dir, env: { ...process.env, PARTYCOST_OFFLINE_LATENCY_MS: '30000' }, stdio: 'ignore' });
  const lease = await leaseHeld(dir, 'party:P1');
  assert.equal(lease.pid, holder.pid);
  const refused = await partycost(dir, ['run', 'P1', '--no-wait']);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(`^partycost: party P1 is being run by process ${holder.pid} since \\d\\d:\\d\\d:\\d\\d UTC; try again when it is done$`, 'm'),
  );
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  const after = await partycost(dir, ['run', 'P1', '--no-wait']);
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /Done: 5 executed/);
});

test('the sidecar waits for a terminal run of the same party, says whom it waits for, and can be cancelled meanwhile', async (t) => {
  const dir = await workspace(['jungle theme', '75 guests']);
  const holder = spawn(process.execPath, [bin, 'run', 'P1'], { cwd: dir, env: { ...process.env, PARTYCOST_OFFLINE_LATENCY_MS: '30000' }, stdio: 'ignore' });
  t.after(() => holder.kill('SIGKILL'));
  await leaseHeld(dir, 'party:P1');
  const side = new RawSidecar();
  t.after(() => side.stop());
  assert.ok((await side.request('session/initialize', { workspace: dir })).result);
  side.frame({ jsonrpc: '2.0', id: 'run-1', method: 'run/start', params: { party: 'P1', runId: 'r1' } });
  for (const deadline = Date.now() + 10_000; !side.notifications.some((n) => n.method === 'run/waiting'); ) {
    assert.ok(Date.now() < deadline, 'the run said it waits');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const waiting = side.notifications.find((n) => n.method === 'run/waiting')!.params as { runId: string; party: string; holder: string };
  assert.deepEqual([waiting.runId, waiting.party], ['r1', 'P1']);
  assert.match(waiting.holder, new RegExp(`^process ${holder.pid} since \\d\\d:\\d\\d:\\d\\d UTC$`));
  side.frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'run-1' } });
  const answer = await side.answerTo('run-1');
  assert.match(answer.error?.message ?? '', /^the run was cancelled/);
  assert.equal(side.notifications.filter((n) => n.method === 'run/progress').length, 0, 'nothing ran');
});
