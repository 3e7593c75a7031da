import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { partycost, readDatabase, workspace } from '../cliProcess';
import type { ImpactReport } from '../../sidecar/contract/impact';

// partycost impact through the real CLI, on parties that ran: an unchanged configuration affects none; an edited
// prompt re-runs exactly its agent (and, conditionally, what depends on it) in every party that has it; --against
// compares with a git revision; a configuration that no longer parses is refused with its problems, nothing lost.

async function ranWorkspace(): Promise<string> {
  const dir = await workspace('impact', ['jungle theme', '75 guests', 'chocolate cake'], ['pirate theme', '40 kids'], ['garden party', '30 guests']);
  for (const party of ['P1', 'P2', 'P3']) assert.equal((await partycost(dir, ['run', party])).code, 0);
  return dir;
}

const edit = (dir: string, from: string, to: string): void => {
  const file = path.join(dir, 'partycost.json');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), from);
  writeFileSync(file, text.replace(from, to));
};

test('impact: none for the configuration the parties ran with; a prompt edit re-runs its agent in each party that has it', async () => {
  const dir = await ranWorkspace();
  const unchanged = await partycost(dir, ['impact', '--json']);
  assert.equal(unchanged.code, 0, unchanged.stderr);
  const none = JSON.parse(unchanged.stdout) as ImpactReport;
  assert.deepEqual([none.parties, none.agents, none.totals.executions], [{ total: 3, affected: 0 }, [], 0]);

  edit(dir, 'Suggest a party theme', 'Suggest a bold party theme');
  const run = await partycost(dir, ['impact', '--json', '--by-party']);
  const report = JSON.parse(run.stdout) as ImpactReport;
  // The garden party has no theme: only P1 and P2 are affected.
  assert.deepEqual(report.parties, { total: 3, affected: 2 });
  assert.deepEqual(report.agents[0], {
    agent: 'theme',
    cause: 'configuration changed',
    detail: 'prompt',
    action: 'execute',
    parties: 2,
    conditional: false,
    executeCostUsd: report.agents[0].executeCostUsd,
    batchCostUsd: report.agents[0].batchCostUsd,
  });
  assert.ok(
    report.agents.slice(1).every((a) => a.conditional && a.cause === 'upstream changed'),
    JSON.stringify(report.agents),
  );
  assert.deepEqual(
    report.byParty!.map((p) => p.party),
    ['P1', 'P2'],
  );
  assert.ok(report.totals.bestCaseCostUsd < report.totals.executeCostUsd && report.totals.batchCostUsd < report.totals.executeCostUsd);

  const human = await partycost(dir, ['impact']);
  assert.match(human.stdout, /^re-runs \d agents in 2 parties · \$\d+\.\d+ \(\$\d+\.\d+ batch\)$/m);
  assert.match(human.stdout, /^theme +execute +configuration changed: prompt +2 /m);

  // The plan of a party says the same as its line of the impact.
  const plan = JSON.parse((await partycost(dir, ['plan', 'P1', '--json'])).stdout) as { agents: { agent: string; action: string }[] };
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'execute').map((a) => a.agent),
    report.byParty![0].agents.map((a) => a.agent),
  );
});

test('impact --against REV compares two configurations; a configuration that no longer parses is refused with its problems', async () => {
  const dir = await ranWorkspace();
  const results = (): number => readDatabase(dir, (db) => (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n);
  const stored = results();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) },
    });
  git('init', '-q');
  git('config', 'user.name', 'Party Cost Test');
  git('config', 'user.email', 'test@partycost.invalid');
  git('add', 'partycost.json');
  git('commit', '-q', '-m', 'sample');
  edit(dir, '"model": "gpt-4o"', '"model": "gpt-4.1"');
  const against = JSON.parse((await partycost(dir, ['impact', '--against', 'HEAD', '--json'])).stdout) as ImpactReport;
  assert.equal(against.against, 'HEAD');
  assert.deepEqual(
    against.agents.map((a) => [a.agent, a.cause, a.detail, a.parties]),
    [['planner_final', 'configuration changed', 'model', 3]],
  );

  // A revision whose configuration no longer parses is named at its place, REV:path:line:column.
  edit(dir, '"agents": {', '"agents": {,');
  git('commit', '-q', '-am', 'broken');
  edit(dir, '"agents": {,', '"agents": {');
  const old = await partycost(dir, ['impact', '--against', 'HEAD']);
  assert.equal(old.code, 1);
  assert.match(old.stderr, /^HEAD:partycost\.json:\d+:\d+: malformed JSON/m);

  edit(dir, '"agents": {', '"agents": {,');
  const broken = await partycost(dir, ['impact']);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^partycost\.json:\d+:\d+: malformed JSON/m);
  // Nothing lost: the parties' results are as they were.
  assert.ok(stored > 10);
  assert.equal(results(), stored);
});

test('refresh brings every affected party up to date, after which nothing is affected; an unknown party is refused', async () => {
  const dir = await ranWorkspace();
  edit(dir, 'Design a cake', 'Design a tall cake');
  const before = JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport;
  assert.deepEqual([before.parties.affected, before.agents[0].agent], [1, 'cake']);
  const refreshed = await partycost(dir, ['refresh', '--json']);
  assert.equal(refreshed.code, 0, refreshed.stderr);
  const result = JSON.parse(refreshed.stdout) as { parties: { party: string; executed: number }[]; executed: number; failed: number };
  assert.deepEqual(
    result.parties.map((p) => p.party),
    ['P1'],
  );
  assert.ok(result.executed >= 1 && result.failed === 0);
  const after = JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport;
  assert.deepEqual(after.parties, { total: 3, affected: 0 });
  const unknown = await partycost(dir, ['refresh', '--parties', 'P1,P9']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'partycost: no party P9; "partycost party list" shows them\n');
});
