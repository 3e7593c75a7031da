import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { at } from '../configProblems';
import { referenceAdded, referenceInputs, referencePlan } from '../referencePlan';

const bin = path.resolve('bin/partycost.js');

/** Runs the built CLI as a user would, in `cwd`. */
function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function workspace(): string {
  return mkdtempSync(path.join(tmpdir(), 'partycost-cli-'));
}

test('init writes the sample and refuses to overwrite it without --force', () => {
  const dir = workspace();
  const first = partycost(dir, 'init');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Wrote partycost\.json: the party-planner sample \(7 agents/);
  const written = readFileSync(path.join(dir, 'partycost.json'), 'utf8');
  assert.equal(written, readFileSync('examples/party-planner/partycost.json', 'utf8'));

  writeFileSync(path.join(dir, 'partycost.json'), '{ "agents": {} }');
  const second = partycost(dir, 'init');
  assert.equal(second.code, 1);
  assert.equal(second.stdout, '');
  assert.equal(second.stderr, 'partycost: partycost.json already exists; pass --force to overwrite it\n');
  assert.equal(readFileSync(path.join(dir, 'partycost.json'), 'utf8'), '{ "agents": {} }', 'the file is untouched');

  const forced = partycost(dir, 'init', '--force');
  assert.equal(forced.code, 0);
  assert.equal(readFileSync(path.join(dir, 'partycost.json'), 'utf8'), written);
});

test('estimate --json prints the documented shape', () => {
  const dir = workspace();
  partycost(dir, 'init');
  const run = partycost(dir, 'estimate', '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const result = JSON.parse(run.stdout);
  for (const key of ['agents', 'orchestrationUsd', 'perPartyUsd', 'perMonthUsd']) assert.ok(key in result, key);
  assert.equal(result.agents.length, 7);
  for (const agent of result.agents) {
    for (const key of ['agent', 'model', 'inputTokens', 'outputTokens', 'costPerRunUsd', 'breakdown']) assert.ok(key in agent, key);
    assert.deepEqual(Object.keys(agent.breakdown), ['llm', 'vector', 'compute', 'cache', 'sql']);
    assert.equal(typeof agent.costPerRunUsd, 'number');
  }
  assert.ok(result.perMonthUsd > result.perPartyUsd);
  assert.match(result.prices.source, /genai-prices/);
  assert.match(result.prices.date, /^\d{4}-\d{2}-\d{2}$/);
});

test('estimate prints a readable table with the price source and the monthly projection', () => {
  const run = partycost(path.resolve('examples/party-planner'), 'estimate');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0], /^Cost estimate for partycost\.json$/);
  assert.match(lines[1], /^Prices: @pydantic\/genai-prices 0\.1\.\d+ \(bundled\).*as of \d{4}-\d{2}-\d{2}$/);
  assert.match(run.stdout, /^agent +model +prices of +in tok +out tok +llm +vector +compute +cache +sql +per run$/m);
  assert.match(run.stdout, /^planner_final +gpt-4o +openai +[\d,]+ +700 +\$0\.\d{6}/m);
  assert.match(run.stdout, /^budget +\(compute\) +– +– +– /m);
  assert.match(run.stdout, /^Per month: \$\d+\.\d{2} \(1,000 parties × 1\.5 runs per party × \$0\.\d{6}\)$/m);
});

test('--workspace and --config choose the configuration', () => {
  const dir = workspace();
  mkdirSync(path.join(dir, 'nested'));
  partycost(dir, 'init', '--workspace', 'nested');
  assert.equal(partycost(dir, 'estimate', '--workspace', 'nested', '--json').code, 0);
  writeFileSync(
    path.join(dir, 'other.json'),
    JSON.stringify({ agents: { a: { model: 'gpt-4o-mini', prompt: 'x', expectedInputTokens: 500, expectedOutputTokens: 300 } } }),
  );
  const run = partycost(dir, 'estimate', '--config', 'other.json', '--json');
  assert.equal(JSON.parse(run.stdout).agents[0].breakdown.llm, 0.000255);
});

test('a broken configuration prints every problem with its position on stderr and exits 1', () => {
  const dir = workspace();
  const text = [
    '{',
    '  "defaults": { "model": "gpt-4o-mni" },',
    '  "agents": {',
    '    "a": { "prompt": "x", "dependsOn": ["b"] },',
    '    "b": { "prompt": "x", "dependsOn": ["a"] }',
    '  }',
    '}',
  ].join('\n');
  writeFileSync(path.join(dir, 'partycost.json'), text);
  const run = partycost(dir, 'estimate');
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.deepEqual(run.stderr.trimEnd().split('\n'), [
    `${at(text, '"gpt-4o-mni"')}: unknown model "gpt-4o-mni" (did you mean "gpt-4o-mini"?); add its prices under "prices" to use it`,
    `${at(text, '"b"]')}: dependency cycle: a → b → a`,
    'partycost: partycost.json has 2 problems',
  ]);
  writeFileSync(path.join(dir, 'partycost.json'), '{ "agents": { ');
  const malformed = partycost(dir, 'estimate', '--json');
  assert.equal(malformed.code, 1);
  assert.equal(malformed.stdout, '');
  assert.match(malformed.stderr, /^partycost\.json:1:15: malformed JSON: expected "}"/);
});

test('a missing configuration, an unknown command and a bad flag each say what to do', () => {
  const dir = workspace();
  const missing = partycost(dir, 'estimate');
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    'partycost: no configuration at partycost.json; run "partycost init" to write the sample, or pass --config FILE (a partycost.json or a CrewAI config directory)\n',
  );
  const unknown = partycost(dir, 'estmate');
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'partycost: unknown command "estmate"; run "partycost --help"\n');
  const flag = partycost(dir, 'estimate', '--jsn');
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--jsn'; run "partycost --help"/);
  const help = partycost(dir, '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: partycost <command> \[options\]$/m);
});

test('schema prints the JSON Schema that the extension contributes', () => {
  const run = partycost(workspace(), 'schema');
  assert.equal(run.code, 0);
  const schema = JSON.parse(run.stdout);
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.deepEqual(schema, JSON.parse(readFileSync('dist/partycost.schema.json', 'utf8')));
});

test('reference scenario through the CLI: plan after adding "Need balloon artist" and removing "chocolate cake"', () => {
  const dir = workspace();
  partycost(dir, 'init');
  const created = JSON.parse(partycost(dir, 'party', 'create', ...referenceInputs.flatMap((text) => ['--input', text]), '--json').stdout);
  assert.equal(created.party, 'P1');
  assert.deepEqual(
    created.inputs.map((i: { agents: string[] }) => i.agents),
    [['theme'], ['venue', 'catering'], ['cake']],
  );
  assert.equal(partycost(dir, 'run', 'P1').code, 0);
  const added = JSON.parse(partycost(dir, 'input', 'add', 'P1', referenceAdded, '--json').stdout);
  assert.deepEqual(added, { id: 'i4', text: referenceAdded, agents: ['vendor'] });
  assert.equal(partycost(dir, 'input', 'remove', 'P1', 'i3').code, 0);
  const plan = JSON.parse(partycost(dir, 'plan', 'P1', '--json').stdout);
  assert.equal(plan.party, 'P1');
  assert.deepEqual(
    plan.agents.map((a: { agent: string; action: string; cause: string }) => [a.agent, a.action, a.cause]),
    referencePlan,
  );
  for (const key of ['executeCostUsd', 'savedCostUsd', 'savedPercent']) assert.equal(typeof plan.totals[key], 'number', key);
  const executeCost = plan.agents.reduce((sum: number, a: { estimatedCostUsd: number }) => sum + a.estimatedCostUsd, 0);
  assert.ok(Math.abs(plan.totals.executeCostUsd - executeCost) < 1e-12);
  assert.ok(plan.totals.savedCostUsd > 0 && plan.totals.savedPercent > 0 && plan.totals.savedPercent < 100);

  const table = partycost(dir, 'plan', 'P1').stdout;
  assert.match(table, /^planner_final +execute\? +upstream changed +\$0\.\d{6} +– +runs only if budget changes$/m);
  const run = partycost(dir, 'run', 'P1');
  assert.match(run.stdout, /✔ vendor executed \(input added\)/);
  assert.match(run.stdout, /^Done: 3 executed for \$0\.\d{6}; 3 reused; 0 from cache; 1 deleted\.$/m);
});

test('demo tells the whole story offline, in a scratch database', () => {
  const dir = workspace();
  const run = partycost(dir, 'demo');
  assert.equal(run.code, 0, run.stderr);
  for (const step of [
    '1. Create a party',
    '2. The first plan',
    '3. Run it',
    '4. Edit',
    '5. The delta plan',
    '6. Run the delta plan',
    '7. Save a draft snapshot',
    '8. Edit again',
    '9. What would cut the bill',
  ]) {
    assert.ok(run.stdout.includes(`── ${step}`), step);
  }
  assert.match(run.stdout, /^cake +delete +input removed/m);
  assert.match(run.stdout, /^Execute 0: nothing to pay; reuse 6; skip 1\. Saved \$0\.\d{6} \(100 % of re-running everything\)\.$/m);
  assert.match(run.stdout, /^ {2}1\. planner_final: model gpt-4o → gpt-4\.1: \$2\.22 a month \(medium confidence\)$/m);
  assert.match(run.stdout, /^ {2}prompt caching: no prompt reaches its vendor's minimum \(theme \d+ of 1,024, /m);
  assert.ok(!existsSync(path.join(dir, '.partycost')), 'the workspace database is left alone');
});
