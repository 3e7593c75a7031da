import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { partycost, readDatabase, workspace } from '../cliProcess';
import type { AdviceReport } from '../../sidecar/contract/advice';

// partycost advise through the real CLI: on the sample and on a mixed-vendor configuration read from disk, ranked
// changes priced per month (prompt caching by each vendor's rules among them); --apply writes one to partycost.json,
// comments kept, records it, and a later report measures it; a crew's advice is applied by hand.

const mixed = path.resolve('test/fixtures/advice/mixed/partycost.json');

test('advise --json on the sample: priced, ranked changes in the documented shape; the prompt-caching rule of each agent', async () => {
  const dir = await workspace('advise');
  const run = await partycost(dir, ['advise', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as AdviceReport;
  assert.ok(report.advice.length >= 2);
  for (const a of report.advice) {
    assert.equal(typeof a.agent, 'string');
    assert.equal(typeof a.change, 'string');
    assert.ok(a.savingPerMonthUsd >= 0.01, JSON.stringify(a));
    assert.ok(['high', 'medium', 'low'].includes(a.confidence));
    assert.ok(a.why.length > 0);
  }
  const savings = report.advice.map((a) => a.savingPerMonthUsd);
  assert.deepEqual(
    savings,
    [...savings].sort((a, b) => b - a),
    'ranked by saving',
  );
  assert.ok(Math.abs(report.totalPerMonthUsd - savings.reduce((t, s) => t + s, 0)) < 1e-6, 'the total is the sum');
  assert.deepEqual(report.advice.find((a) => a.kind === 'batch')?.agent, 'vendor');
  assert.deepEqual(
    report.promptCaching.map((p) => [p.agent, p.vendor, p.minimumTokens, p.cachedTokens]),
    ['theme', 'venue', 'cake', 'catering', 'vendor', 'planner_final'].map((a) => [a, 'openai', 1_024, 0]),
  );
  assert.equal(report.volume.source, 'configured');
  assert.equal(report.volume.partiesPerMonth, 1_000);
});

test('advise on a mixed-vendor configuration: Anthropic, OpenAI and Gemini caching rules, each priced; --apply 1 edits the file and is measured later', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-advise-mixed-'));
  cpSync(mixed, path.join(dir, 'partycost.json'));
  const human = await partycost(dir, ['advise']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Savings advice at 1,000 parties a month × 1 runs each \(the configuration's volume\)/m);
  assert.match(human.stdout, /brief +promptCache "1h" +\$\d+\.\d\d +medium +yes/);
  assert.match(human.stdout, /summary +promptCache "off" +\$\d+\.\d\d +medium +yes/);
  assert.match(human.stdout, /menu +put the stable parts first, promptCache "24h" +\$\d+\.\d\d +low +–/);
  assert.match(human.stdout, /anthropic: Anthropic caches up to a breakpoint of at least 1,024 tokens; writes cost 1\.25× input/);
  assert.match(human.stdout, /openai: OpenAI caches prompts automatically from 1,024 tokens, in 128-token steps/);
  assert.match(human.stdout, /google: Gemini caches implicitly from 1,024 tokens/);
  assert.match(
    human.stdout,
    /^brief +anthropic\/claude-sonnet-4-5 +[\d,]+ \/ [\d,]+ +1,024 +[\d,]+ +11 % +−\$0\.\d\d/m,
    'a 5-minute breakpoint at this volume costs more than it saves',
  );
  assert.match(human.stdout, /Assumes: 1,000 runs a month arriving at random; hit rate 75 % with a 1-hour lifetime/);

  const report = JSON.parse((await partycost(dir, ['advise', '--json'])).stdout) as AdviceReport;
  const first = report.advice[0];
  assert.ok(first.edit, 'the top advice is a configuration edit');
  const applied = await partycost(dir, ['advise', '--apply', '1']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, new RegExp(`^Applied advice 1 to partycost\\.json: ${first.agent}: `, 'm'));
  const config = JSON.parse(readFileSync(path.join(dir, 'partycost.json'), 'utf8')) as { agents: Record<string, Record<string, unknown>> };
  const [field] = first.edit!.path.slice(2) as string[];
  assert.deepEqual(config.agents[first.agent][field], first.edit!.value);
  const after = JSON.parse((await partycost(dir, ['advise', '--json'])).stdout) as AdviceReport;
  assert.ok(!after.advice.some((a) => a.agent === first.agent && a.change === first.change), 'applied advice is not advised again');
  assert.deepEqual(
    after.applied.map((a) => [a.agent, a.change, a.measured]),
    [[first.agent, first.change, null]],
    'kept; measured once runs exist on both sides',
  );
  const rows = readDatabase(dir, (db) => db.prepare('SELECT agent, kind, predicted_per_run_usd AS p FROM advice_applied').all());
  assert.deepEqual(rows, [{ agent: first.agent, kind: first.kind, p: first.savingPerRunUsd }]);

  const missing = await partycost(dir, ['advise', '--apply', '99']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /there is no advice 99 \(\d+ listed\)/);
  const order = after.advice.find((a) => a.kind === 'prompt-order')!;
  const byHand = await partycost(dir, ['advise', '--apply', String(order.rank)]);
  assert.equal(byHand.code, 1);
  assert.match(byHand.stderr, /is an edit of the prompts: make it by hand/);
  assert.equal((await partycost(dir, ['advise', '--apply', 'two'])).code, 2);
});

test('advise on a CrewAI project: priced per task, applied by hand', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-advise-crew-'));
  cpSync(path.resolve('examples/crew'), dir, { recursive: true });
  const report = JSON.parse((await partycost(dir, ['advise', '--json'])).stdout) as AdviceReport;
  assert.ok(report.promptCaching.length === 4, JSON.stringify(report.promptCaching.map((p) => p.agent)));
  assert.ok(report.advice.every((a) => a.edit === undefined));
  if (report.advice.length) {
    const run = await partycost(dir, ['advise', '--apply', '1']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /an edit of the crew's YAML: make it by hand/);
  }
});
