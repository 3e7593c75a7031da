import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.resolve('bin/partycost.js');

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A workspace with the sample and a daily limit of $0.005 (one run of the sample spends about $0.008). */
function limitedWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-budget-'));
  partycost(dir, 'init');
  const file = path.join(dir, 'partycost.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/"limits": \{[^}]*\}/, '"limits": { "daily": 0.005, "weekly": 1, "timeZone": "Europe/Paris" }'));
  return dir;
}

test('partycost budget --json: spend per window against the limits and the level', () => {
  const dir = limitedWorkspace();
  const before = JSON.parse(partycost(dir, 'budget', '--json').stdout);
  assert.equal(before.level, 'ok');
  assert.equal(before.timeZone, 'Europe/Paris');
  assert.deepEqual(
    before.limits.map((l: { limit: string; spentUsd: number }) => [l.limit, l.spentUsd]),
    [
      ['daily', 0],
      ['weekly', 0],
    ],
  );
  partycost(dir, 'party', 'create', '--input', 'jungle theme', '--input', '75 guests');
  assert.equal(partycost(dir, 'run', 'P1').code, 0, 'the run that crosses the limit was allowed when it started');
  const after = JSON.parse(partycost(dir, 'budget', '--json').stdout);
  assert.equal(after.level, 'refuse');
  assert.equal(after.binding.limit, 'daily');
  assert.ok(after.limits[0].spentUsd > 0.005 && after.limits[1].level === 'ok');
  const table = partycost(dir, 'budget').stdout;
  assert.match(table, /^daily +\$0\.00\d{4} +\$0\.005 +\d+\.\d % +refuse /m);
  assert.match(table, /^Level: refuse\. daily limit \$0\.005: \$0\.00\d{4} spent \(\d+\.\d %\): executions refused; reuse and cache hits go on$/m);
});

test('a run refused at 100 %: blocked agents shown, the limit and spend named, exit 1; reuse goes on', () => {
  const dir = limitedWorkspace();
  partycost(dir, 'party', 'create', '--input', 'jungle theme', '--input', '75 guests');
  partycost(dir, 'run', 'P1');
  partycost(dir, 'input', 'add', 'P1', 'Need balloon artist');
  const plan = partycost(dir, 'plan', 'P1');
  assert.match(plan.stdout, /^vendor +blocked +over budget .*the budget keeps it as it is$/m);
  assert.match(plan.stdout, /^Budget: daily limit \$0\.005: /m);
  const run = partycost(dir, 'run', 'P1');
  assert.equal(run.code, 1);
  assert.match(run.stdout, /⏸ vendor blocked \(over budget\)/);
  assert.match(run.stdout, /^Done: 0 executed for \$0; 5 reused; 0 from cache; 0 deleted; 1 blocked\.$/m);
  assert.match(
    run.stderr,
    /^partycost: refused by the budget: daily limit \$0\.005: \$0\.00\d{4} spent \(\d+\.\d %\): executions refused; reuse and cache hits go on$/m,
  );
});
