import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.resolve('bin/partycost.js');
const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
const scratch = mkdtempSync(path.join(tmpdir(), 'partycost-diff-'));

/** The environment without the GIT_* variables of whatever runs the tests, and no repository above the scratch folder. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_'))),
  NO_COLOR: '1',
  GIT_CEILING_DIRECTORIES: scratch,
};

/** Runs the built CLI as a user would, in `cwd`. */
function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function folder(): string {
  return mkdtempSync(path.join(scratch, 'case-'));
}

/** A git repository (user set locally) with `files` committed as its first commit. */
function repository(files: Record<string, string>): string {
  const dir = folder();
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.name', 'Party Cost Test');
  git(dir, 'config', 'user.email', 'test@partycost.invalid');
  commit(dir, files, 'first');
  return dir;
}

function commit(dir: string, files: Record<string, string>, message: string): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

/** The sample with the default model (theme, venue, cake, catering, vendor) switched to gpt-4o. */
const dearer = sample.replace('"defaults": { "model": "gpt-4o-mini"', '"defaults": { "model": "gpt-4o"');
/** The sample with planner_final writing 750 tokens instead of 700: a small rise. */
const slightlyDearer = sample.replace('"expectedOutputTokens": 700', '"expectedOutputTokens": 750');

/** Exact picodollars of an amount the CLI printed in USD. */
const pico = (usd: number): bigint => BigInt(Math.round(usd * 1e12));

interface EstimateJson {
  agents: Array<{ agent: string; model: string | null; inputTokens: number; outputTokens: number; costPerRunUsd: number }>;
  perPartyUsd: number;
  perMonthUsd: number;
}

/** `partycost estimate --json` of a configuration text, in a folder of its own. */
function estimateOf(text: string): EstimateJson {
  const dir = folder();
  writeFileSync(path.join(dir, 'config.json'), text);
  const run = partycost(dir, 'estimate', '--config', 'config.json', '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as EstimateJson;
}

test('sanity: the test edits really change the sample', () => {
  assert.notEqual(dearer, sample);
  assert.notEqual(slightlyDearer, sample);
});

test('estimate --against HEAD~1 --json: before and after per agent and per party, exact', () => {
  const dir = repository({ 'partycost.json': sample });
  commit(dir, { 'partycost.json': dearer }, 'dearer default model');
  const run = partycost(dir, 'estimate', '--against', 'HEAD~1', '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const diff = JSON.parse(run.stdout);
  const before = estimateOf(sample);
  const after = estimateOf(dearer);

  assert.equal(diff.against, 'HEAD~1');
  assert.equal(diff.file, 'partycost.json');
  assert.equal(diff.existedBefore, true);
  assert.deepEqual(diff.limits, { maxPerPartyUsd: null, maxIncreasePercent: null });
  assert.deepEqual(diff.violations, []);
  assert.deepEqual(
    diff.agents.map((a: { agent: string; status: string }) => [a.agent, a.status]),
    [
      ['theme', 'changed'],
      ['venue', 'changed'],
      ['cake', 'changed'],
      ['catering', 'changed'],
      ['vendor', 'changed'],
      ['budget', 'unchanged'],
      ['planner_final', 'unchanged'],
    ],
  );
  for (const agent of diff.agents) {
    const old = before.agents.find((a) => a.agent === agent.agent)!;
    const now = after.agents.find((a) => a.agent === agent.agent)!;
    const side = (a: EstimateJson['agents'][number]) => ({
      model: a.model,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens,
      costPerRunUsd: a.costPerRunUsd,
    });
    assert.deepEqual(agent.before, side(old), agent.agent);
    assert.deepEqual(agent.after, side(now), agent.agent);
    assert.equal(pico(agent.deltaUsd), pico(now.costPerRunUsd) - pico(old.costPerRunUsd), agent.agent);
  }
  const theme = diff.agents[0];
  assert.deepEqual([theme.before.model, theme.after.model], ['gpt-4o-mini', 'gpt-4o']);

  const t = diff.totals;
  assert.equal(t.perPartyBefore, before.perPartyUsd);
  assert.equal(t.perPartyAfter, after.perPartyUsd);
  assert.equal(t.perMonthBefore, before.perMonthUsd);
  assert.equal(t.perMonthAfter, after.perMonthUsd);
  // Exactly after minus before: to the picodollar, with no floating-point residue.
  assert.equal(pico(t.deltaUsd), pico(after.perPartyUsd) - pico(before.perPartyUsd));
  assert.equal(t.deltaUsd, Number(pico(after.perPartyUsd) - pico(before.perPartyUsd)) / 1e12);
  assert.ok(Math.abs(t.deltaPercent - ((after.perPartyUsd - before.perPartyUsd) / before.perPartyUsd) * 100) < 1e-9);
});

test('the human diff: a table of models and per-run costs, then per party and per month before → after', () => {
  const dir = repository({ 'partycost.json': sample });
  commit(dir, { 'partycost.json': slightlyDearer }, 'longer final plan');
  const run = partycost(dir, 'estimate', '--against', 'HEAD~1');
  assert.equal(run.code, 0, run.stderr);
  const before = estimateOf(sample);
  const after = estimateOf(slightlyDearer);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], 'Cost diff for partycost.json: HEAD~1 → working tree');
  assert.match(run.stdout, /^agent +before model +after model +before per run +after per run +change +%$/m);
  assert.match(run.stdout, /^planner_final +gpt-4o +gpt-4o +\$0\.007407 +\$0\.007907 +\+\$0\.000500 +\+6\.8 %$/m);
  assert.match(run.stdout, /^theme +gpt-4o-mini +gpt-4o-mini +\$0\.000127 +\$0\.000127 +– +–$/m);
  assert.match(run.stdout, /^1 agent changed, 0 added, 0 removed, 6 unchanged$/m);
  const percent = (((after.perPartyUsd - before.perPartyUsd) / before.perPartyUsd) * 100).toFixed(1);
  const delta = (after.perPartyUsd - before.perPartyUsd).toFixed(6);
  assert.ok(lines.includes(`Per party: $${before.perPartyUsd.toFixed(6)} → $${after.perPartyUsd.toFixed(6)} (+$${delta}, +${percent} %)`), run.stdout);
  assert.match(run.stdout, /^Per month: \$13\.54 → \$\d+\.\d{2} \(\+\$\d+\.\d{2}, \+\d+\.\d %\)$/m);
  assert.doesNotMatch(run.stdout, /^Limits:/m);
});

test('--max-increase 10: exit 1 with the violation when the per-party cost rises more, exit 0 when less', () => {
  const dir = repository({ 'partycost.json': sample });
  commit(dir, { 'partycost.json': dearer }, 'dearer');
  const crossed = partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-increase', '10');
  assert.equal(crossed.code, 1);
  assert.match(crossed.stdout, /^Per party: /m, 'the diff is printed as usual');
  assert.match(crossed.stdout, /^Limits: --max-increase 10 % crossed$/m);
  assert.match(crossed.stderr, /^partycost: per-party cost rose by 133\.0 % \(\$0\.0090249 → \$0\.021024\), over the limit of 10 % \(--max-increase\)\n$/);

  const json = partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-increase', '10%', '--json');
  assert.equal(json.code, 1);
  const result = JSON.parse(json.stdout);
  assert.deepEqual(result.limits, { maxPerPartyUsd: null, maxIncreasePercent: 10 });
  assert.equal(result.violations.length, 1);
  assert.equal(result.violations[0].limit, 'maxIncreasePercent');
  assert.equal(result.violations[0].flag, '--max-increase');
  assert.equal(result.violations[0].allowed, 10);
  assert.equal(result.violations[0].actual, result.totals.deltaPercent);
  assert.equal(`partycost: ${result.violations[0].message}\n`, json.stderr);

  const small = repository({ 'partycost.json': sample });
  commit(small, { 'partycost.json': slightlyDearer }, 'slightly dearer');
  const within = partycost(small, 'estimate', '--against', 'HEAD~1', '--max-increase', '10');
  assert.equal(within.code, 0, within.stderr);
  assert.equal(within.stderr, '');
  assert.match(within.stdout, /^Limits: --max-increase 10 % ok$/m);
  // A 6.8 % rise crosses 5 %.
  assert.equal(partycost(small, 'estimate', '--against', 'HEAD~1', '--max-increase', '5').code, 1);
  // A fall never crosses a limit on the increase, not even 0 %.
  const cheaper = partycost(dir, 'estimate', '--against', 'HEAD', '--max-increase', '0');
  assert.equal(cheaper.code, 0, cheaper.stderr);
});

test('--max-per-party: the after cost may equal the limit, not exceed it; with or without --against', () => {
  const dir = repository({ 'partycost.json': sample });
  commit(dir, { 'partycost.json': dearer }, 'dearer');
  const after = estimateOf(dearer).perPartyUsd;
  const before = estimateOf(sample).perPartyUsd;

  const over = partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-per-party', '0.009');
  assert.equal(over.code, 1);
  assert.match(over.stdout, /^Per party: /m);
  assert.equal(over.stderr, `partycost: per-party cost $${after.toFixed(6)} is over the limit of $0.009000 (--max-per-party)\n`);
  assert.equal(partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-per-party', String(after)).code, 0, 'equal to the limit passes');
  assert.equal(partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-per-party', '$0.05').code, 0);

  // Both limits crossed: one line each, in flag order.
  const both = partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-per-party', '0.009', '--max-increase', '10');
  assert.equal(both.code, 1);
  const lines = both.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /--max-per-party\)$/);
  assert.match(lines[1], /--max-increase\)$/);

  // Without --against, the current estimate is checked and printed as usual.
  const alone = partycost(dir, 'estimate', '--max-per-party', '0.02');
  assert.equal(alone.code, 1);
  assert.match(alone.stdout, /^Cost estimate for partycost\.json$/m);
  assert.match(alone.stdout, /^Limits: --max-per-party \$0\.020000 crossed$/m);
  assert.match(alone.stderr, /^partycost: per-party cost \$0\.021024 is over the limit of \$0\.020000 \(--max-per-party\)\n$/);
  const json = partycost(dir, 'estimate', '--max-per-party', '0.03', '--json');
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.perPartyUsd, after);
  assert.deepEqual(result.limits, { maxPerPartyUsd: 0.03, maxIncreasePercent: null });
  assert.deepEqual(result.violations, []);
  git(dir, 'checkout', '-q', 'HEAD~1');
  assert.equal(partycost(dir, 'estimate', '--max-per-party', '0.02').code, 0, `$${before} is within $0.02`);
});

test('the working tree is "after": an uncommitted edit diffed against HEAD', () => {
  const dir = repository({ 'partycost.json': sample });
  writeFileSync(path.join(dir, 'partycost.json'), dearer);
  const run = partycost(dir, 'estimate', '--against', 'HEAD', '--json');
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout);
  assert.equal(diff.totals.perPartyBefore, estimateOf(sample).perPartyUsd);
  assert.equal(diff.totals.perPartyAfter, estimateOf(dearer).perPartyUsd);
  assert.equal(diff.agents.filter((a: { status: string }) => a.status === 'changed').length, 5);

  // No edit: nothing changed.
  git(dir, 'checkout', '--', 'partycost.json');
  const same = partycost(dir, 'estimate', '--against', 'HEAD');
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /^0 agents changed, 0 added, 0 removed, 7 unchanged$/m);
  assert.match(same.stdout, /^Per party: \$0\.009025 → \$0\.009025 \(no change\)$/m);
});

test('added and removed agents, and a configuration in a subdirectory read from outside the repository', () => {
  const config = JSON.parse(
    JSON.stringify({
      defaults: { model: 'gpt-4o-mini' },
      agents: {
        a: { prompt: 'x', expectedInputTokens: 500, expectedOutputTokens: 300 },
        b: { prompt: 'y', expectedInputTokens: 100, expectedOutputTokens: 100 },
      },
    }),
  );
  const dir = repository({ 'configs/party.json': JSON.stringify(config) });
  delete config.agents.b;
  config.agents.c = { model: 'gpt-4o', prompt: 'z', expectedInputTokens: 1000, expectedOutputTokens: 100 };
  writeFileSync(path.join(dir, 'configs/party.json'), JSON.stringify(config));
  const elsewhere = folder();
  const run = partycost(elsewhere, 'estimate', '--config', path.join(dir, 'configs/party.json'), '--against', 'HEAD', '--json');
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout);
  assert.equal(diff.file, 'configs/party.json');
  assert.deepEqual(
    diff.agents.map((a: { agent: string; status: string }) => [a.agent, a.status]),
    [
      ['a', 'unchanged'],
      ['c', 'added'],
      ['b', 'removed'],
    ],
  );
  const [, added, removed] = diff.agents;
  assert.equal(added.before, null);
  assert.equal(added.after.costPerRunUsd, 0.0035); // 1000 × $2.50 + 100 × $10 per 1M tokens
  assert.equal(added.deltaUsd, 0.0035);
  assert.equal(added.deltaPercent, null);
  assert.equal(removed.after, null);
  assert.equal(removed.before.costPerRunUsd, 0.000075); // 100 × $0.15 + 100 × $0.60 per 1M tokens
  assert.equal(removed.deltaUsd, -0.000075);
  assert.equal(removed.deltaPercent, -100);

  const human = partycost(elsewhere, 'estimate', '--config', path.join(dir, 'configs/party.json'), '--against', 'HEAD');
  assert.match(human.stdout, /^c +– +gpt-4o +– +\$0\.003500 +\+\$0\.003500 +new$/m);
  assert.match(human.stdout, /^b +gpt-4o-mini +– +\$0\.000075 +– +-\$0\.000075 +removed$/m);
});

test('a configuration that did not exist at the revision: no agents before, every agent added', () => {
  const dir = repository({ 'README.md': 'a party\n' });
  commit(dir, { 'partycost.json': sample }, 'add the configuration');
  const after = estimateOf(sample);

  const run = partycost(dir, 'estimate', '--against', 'HEAD~1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout);
  assert.equal(diff.existedBefore, false);
  assert.equal(diff.agents.length, 7);
  assert.ok(diff.agents.every((a: { status: string; before: unknown }) => a.status === 'added' && a.before === null));
  assert.equal(diff.totals.perPartyBefore, 0);
  assert.equal(diff.totals.perMonthBefore, 0);
  assert.equal(diff.totals.perPartyAfter, after.perPartyUsd);
  assert.equal(diff.totals.deltaUsd, after.perPartyUsd);
  assert.equal(diff.totals.deltaPercent, null);

  const human = partycost(dir, 'estimate', '--against', 'HEAD~1');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^HEAD~1:partycost\.json does not exist: the configuration is new, every agent is added\.$/m);
  assert.match(human.stdout, /^Per party: \$0 → \$0\.009025 \(\+\$0\.009025, new\)$/m);

  // A rise from $0 is more than any percentage.
  const guarded = partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-increase', '1000');
  assert.equal(guarded.code, 1);
  assert.equal(guarded.stderr, 'partycost: per-party cost rose from $0 to $0.0090249, over the limit of 1000 % (--max-increase)\n');
  // --max-per-party still judges the new configuration on its own.
  assert.equal(partycost(dir, 'estimate', '--against', 'HEAD~1', '--max-per-party', '0.01').code, 0);
});

test('an unknown revision, a folder outside git, and an old configuration with problems: exit 1, one clear message', () => {
  const dir = repository({ 'partycost.json': sample });
  const unknown = partycost(dir, 'estimate', '--against', 'no-such-branch');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.match(
    unknown.stderr,
    /^partycost: unknown git revision "no-such-branch"; in a shallow clone, fetch it first \(actions\/checkout: fetch-depth: 0\)\n$/,
  );
  assert.equal(partycost(dir, 'estimate', '--against', 'HEAD~5').code, 1, 'before the first commit');

  const plain = folder();
  writeFileSync(path.join(plain, 'partycost.json'), sample);
  const outside = partycost(plain, 'estimate', '--against', 'HEAD');
  assert.equal(outside.code, 1);
  assert.equal(outside.stdout, '');
  assert.match(outside.stderr, /^partycost: --against needs a git repository, and .+ is not in one\n$/);

  const broken = repository({ 'partycost.json': '{\n  "agents": {\n    "a": { "model": "gpt-4o-mini", "prompt": 42 }\n  }\n}\n' });
  commit(broken, { 'partycost.json': sample }, 'fixed');
  const old = partycost(broken, 'estimate', '--against', 'HEAD~1');
  assert.equal(old.code, 1);
  assert.equal(old.stdout, '');
  const lines = old.stderr.trimEnd().split('\n');
  assert.match(lines[0], /^HEAD~1:partycost\.json:3:\d+: /);
  assert.equal(lines.at(-1), 'partycost: HEAD~1:partycost.json has 1 problem');

  // The current configuration is judged first, as without --against.
  writeFileSync(path.join(dir, 'partycost.json'), '{ "agents": ');
  const current = partycost(dir, 'estimate', '--against', 'HEAD');
  assert.equal(current.code, 1);
  assert.match(current.stderr, /^partycost: partycost\.json has \d+ problems?$/m);
});

test('wrong values for the new flags are usage errors (exit 2), before any work', () => {
  const dir = repository({ 'partycost.json': sample });
  const cases: Array<[string[], RegExp]> = [
    [['--max-per-party=-1'], /^partycost: --max-per-party takes a non-negative amount in USD \(e\.g\. 0\.01\), not "-1"$/],
    // Node's parseArgs refuses a value that starts with a dash unless written with "=".
    [['--max-per-party', '-1'], /--max-per-party/],
    [['--against', '-x'], /--against/],
    [['--max-per-party', 'lots'], /--max-per-party takes a non-negative amount/],
    [['--max-per-party', ''], /--max-per-party takes a non-negative amount/],
    [['--against', 'HEAD', '--max-increase', 'ten'], /^partycost: --max-increase takes a non-negative percentage \(e\.g\. 10\), not "ten"$/],
    [['--against', 'HEAD', '--max-increase=-5'], /--max-increase takes a non-negative percentage/],
    [['--max-increase', '10'], /^partycost: --max-increase needs --against REV, the revision to compare with$/],
    [['--against=--output=x'], /^partycost: --against takes a git revision/],
    [['--against='], /^partycost: --against takes a git revision/],
  ];
  for (const [args, message] of cases) {
    const run = partycost(dir, 'estimate', ...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    assert.match(run.stderr.trimEnd(), message, args.join(' '));
  }
  assert.equal(partycost(dir, 'plan', 'P1', '--against', 'HEAD').code, 2, 'only estimate knows --against');
});
