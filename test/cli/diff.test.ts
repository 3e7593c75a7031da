import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// partycost diff through the built CLI, on git repositories the tests make: commits that change a model, a prompt,
// add an agent (partycost.json), and a crew's crew.py and YAML; each side priced as `estimate` prices it.

const bin = path.resolve('bin/partycost.js');
const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
const scratch = mkdtempSync(path.join(tmpdir(), 'partycost-diff-cmd-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment without git's variables of whatever runs the tests, no repository above the scratch folder, no database. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_') && !name.startsWith('PARTYCOST_') && !/^(OPENAI_)?MODEL(_NAME)?$/.test(name)),
  ),
  NO_COLOR: '1',
  GIT_CEILING_DIRECTORIES: scratch,
};

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A git repository with `files` as its first commit. */
function repository(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(scratch, 'case-'));
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

/** `text` with `from` replaced, failing loudly when the text no longer holds it. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the text no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

// The pull request of the sample: the theme on a dearer model, a longer venue prompt, then a balloon agent the budget
// waits for.
const themeOnGpt4o = edit(sample, '"theme": {\n      "system"', '"theme": {\n      "model": "gpt-4o",\n      "system"');
const longerVenuePrompt = edit(
  themeOnGpt4o,
  'Theme: {{theme}}",\n      "expectedOutputTokens": 250',
  'Theme: {{theme}}. Check accessibility, parking and a plan for rain.",\n      "expectedOutputTokens": 250',
);
const withBalloons = edit(
  edit(
    longerVenuePrompt,
    '    "budget": {',
    `    "balloons": {
      "prompt": "Plan balloon decorations in the theme's colours. Wishes: {{inputs}}. Theme: {{theme}}",
      "expectedOutputTokens": 150,
      "dependsOn": ["theme"],
      "handles": { "keywords": ["balloon", "balloons"] }
    },
    "budget": {`,
  ),
  '"dependsOn": ["venue", "cake", "catering", "vendor"]',
  '"dependsOn": ["venue", "cake", "catering", "vendor", "balloons"]',
);

/** The sample's pull request as three commits after the sample. */
function pullRequest(): string {
  const dir = repository({ 'partycost.json': sample });
  commit(dir, { 'partycost.json': themeOnGpt4o }, 'the theme on gpt-4o');
  commit(dir, { 'partycost.json': longerVenuePrompt }, 'a longer venue prompt');
  commit(dir, { 'partycost.json': withBalloons }, 'a balloon agent');
  return dir;
}

interface EstimateJson {
  agents: Array<{ agent: string; model: string | null; inputTokens: number; outputTokens: number; costPerRunUsd: number }>;
  perPartyUsd: number;
  perMonthUsd: number;
}

/** `partycost estimate --json` of a configuration text, in a folder of its own. */
function estimateOf(text: string): EstimateJson {
  const dir = mkdtempSync(path.join(scratch, 'estimate-'));
  writeFileSync(path.join(dir, 'config.json'), text);
  const run = partycost(dir, 'estimate', '--config', 'config.json', '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as EstimateJson;
}

const pico = (usd: number): bigint => BigInt(Math.round(usd * 1e12));

interface ReviewJson {
  base: string;
  head: string | null;
  file: string;
  kind: string;
  existedBefore: boolean;
  affectsCost: boolean;
  agents: Array<{
    agent: string;
    crewAgent?: string;
    status: string;
    changes: Array<{ what: string; detail?: string }>;
    before: { model: string | null; inputTokens: number; outputTokens: number; costPerRunUsd: number; perMonthUsd: number } | null;
    after: { model: string | null; inputTokens: number; outputTokens: number; costPerRunUsd: number; perMonthUsd: number } | null;
    deltaUsd: number;
    perMonthDeltaUsd: number;
  }>;
  totals: {
    perPartyBefore: number;
    perPartyAfter: number;
    perMonthBefore: number;
    perMonthAfter: number;
    perMonthDeltaUsd: number;
    perMonthDeltaPercent: number;
  };
  impact: { parties: { total: number; affected: number }; summary: string } | null;
  violations: Array<{ limit: string; message: string }>;
}

function review(dir: string, ...args: string[]): ReviewJson {
  const run = partycost(dir, 'diff', ...args, '--format', 'json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as ReviewJson;
}

test('diff --json: per agent before → after, per run and per month, and what changed: a model, a prompt, an added agent', () => {
  const dir = pullRequest();
  const diff = review(dir, '--base', 'HEAD~3');
  assert.deepEqual(
    [diff.base, diff.head, diff.file, diff.kind, diff.existedBefore, diff.affectsCost],
    ['HEAD~3', null, 'partycost.json', 'partycost', true, true],
  );
  const byName = new Map(diff.agents.map((a) => [a.agent, a]));
  assert.deepEqual(
    diff.agents.map((a) => [a.agent, a.status, a.changes]),
    [
      ['theme', 'changed', [{ what: 'model' }]],
      ['venue', 'changed', [{ what: 'prompt' }]],
      ['cake', 'unchanged', []],
      ['catering', 'unchanged', []],
      ['vendor', 'unchanged', []],
      ['balloons', 'added', []],
      // A new dependency changes no cost of a compute agent, but it changed.
      ['budget', 'changed', [{ what: 'dependencies', detail: '+balloons' }]],
      ['planner_final', 'unchanged', []],
    ],
  );
  const before = estimateOf(sample);
  const after = estimateOf(withBalloons);
  // The sample plans 1,000 parties a month, each run 1.5 times.
  const runsPerMonth = 1500n;
  for (const agent of diff.agents) {
    const old = before.agents.find((a) => a.agent === agent.agent);
    const now = after.agents.find((a) => a.agent === agent.agent)!;
    assert.equal(agent.after!.costPerRunUsd, now.costPerRunUsd, agent.agent);
    assert.equal(pico(agent.after!.perMonthUsd), pico(now.costPerRunUsd) * runsPerMonth, agent.agent);
    if (old) assert.equal(pico(agent.before!.perMonthUsd), pico(old.costPerRunUsd) * runsPerMonth, agent.agent);
    assert.equal(pico(agent.perMonthDeltaUsd), (pico(now.costPerRunUsd) - pico(old?.costPerRunUsd ?? 0)) * runsPerMonth, agent.agent);
  }
  assert.deepEqual([byName.get('theme')!.before!.model, byName.get('theme')!.after!.model], ['gpt-4o-mini', 'gpt-4o']);
  assert.ok(byName.get('venue')!.after!.inputTokens > byName.get('venue')!.before!.inputTokens, 'the longer prompt counts more tokens');
  assert.equal(byName.get('balloons')!.before, null);
  assert.deepEqual(
    [diff.totals.perPartyBefore, diff.totals.perPartyAfter, diff.totals.perMonthBefore, diff.totals.perMonthAfter],
    [before.perPartyUsd, after.perPartyUsd, before.perMonthUsd, after.perMonthUsd],
  );
  assert.equal(pico(diff.totals.perMonthDeltaUsd), pico(after.perMonthUsd) - pico(before.perMonthUsd));
  assert.equal(diff.impact, null, 'no database, no stored parties');

  // --head reads the configuration at a revision: the prompt commit alone changes only the venue.
  const prompt = review(dir, '--base', 'HEAD~2', '--head', 'HEAD~1');
  assert.equal(prompt.head, 'HEAD~1');
  assert.deepEqual(
    prompt.agents.filter((a) => a.status !== 'unchanged').map((a) => [a.agent, a.changes]),
    [['venue', [{ what: 'prompt' }]]],
  );
  assert.equal(prompt.totals.perPartyAfter, estimateOf(longerVenuePrompt).perPartyUsd);
});

const expectedMarkdown = `**Agent cost: +$3.13 a month (+23.2 %)**, $13.54 → $16.67 · changed: theme (model), venue (prompt) · added: balloons

<details><summary>Per agent: partycost.json, HEAD~3 → working tree</summary>

| agent | what changed | model | tokens in | tokens out | per run | per month |
| --- | --- | --- | --: | --: | --: | --: |
| theme | model | gpt-4o-mini → gpt-4o | 36 | 200 | $0.0001274 → $0.002092 | $0.1911 → $3.14 (+$2.95) |
| balloons | added | gpt-4o-mini | 222 | 150 | $0.0001233 | +$0.185 |
| venue | prompt | gpt-4o-mini | 222 → 232 | 250 | $0.0004903 → $0.0004918 | $0.7355 → $0.7377 (+$0.00225) |
| budget | dependencies +balloons | (compute) | – | – | $0.000027 | $0.0405 |
| **per party** | | | | | **$0.009025 → $0.01111** | **$13.54 → $16.67 (+$3.13)** |

Unchanged: cake, catering, vendor, planner_final.

Monthly figures: 1,000 parties a month × 1.5 runs each. Prices: @pydantic/genai-prices 0.1.8 (bundled), USD per 1M tokens; Batch API 50 % off where offered; as of 2026-09-23. Estimated from the configuration, before any run.

</details>
`;

test('diff --format markdown: one summary line, then the changed agents folded in a table, amounts rounded for people', () => {
  const dir = pullRequest();
  const run = partycost(dir, 'diff', '--base', 'HEAD~3', '--format', 'markdown');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, expectedMarkdown);
  // docs/cli.md shows this very text.
  assert.ok(readFileSync('docs/cli.md', 'utf8').includes(`\`\`\`text\n${expectedMarkdown}\`\`\``), 'docs/cli.md shows the markdown diff as the CLI prints it');
});

test('diff (table): every agent with its change, model, tokens, per run and per month; then totals; a removed agent', () => {
  const dir = pullRequest();
  // Uncommitted: the cake agent is gone from the working tree (and from the budget's dependencies).
  const cut = withBalloons.slice(0, withBalloons.indexOf('    "cake": {')) + withBalloons.slice(withBalloons.indexOf('    "catering": {'));
  writeFileSync(path.join(dir, 'partycost.json'), edit(cut, '"dependsOn": ["venue", "cake", "catering"', '"dependsOn": ["venue", "catering"'));
  const run = partycost(dir, 'diff', '--base', 'HEAD~3');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], 'Cost diff for partycost.json: HEAD~3 → working tree');
  assert.match(lines[1], /^Prices: @pydantic\/genai-prices .+; as of \d{4}-\d{2}-\d{2}$/);
  assert.match(run.stdout, /^agent +what changed +model +in tok +out tok +per run +per month +month Δ$/m);
  assert.match(run.stdout, /^theme +model +gpt-4o-mini → gpt-4o +36 +200 +\$0\.000127 → \$0\.002092 +\$0\.19 → \$3\.14 +\+\$2\.95$/m);
  assert.match(run.stdout, /^venue +prompt +gpt-4o-mini +222 → 232 +250 +\$0\.000490 → \$0\.000492 +\$0\.74 → \$0\.74 +\+\$0\.00225$/m);
  assert.match(run.stdout, /^balloons +added +gpt-4o-mini +222 +150 +\$0\.000123 +\$0\.18 +\+\$0\.185$/m);
  assert.match(run.stdout, /^cake +removed +gpt-4o-mini +217 +150 +\$0\.000125 +\$0\.19 +-\$0\.1868$/m);
  assert.match(run.stdout, /^budget +dependencies \+balloons -cake +\(compute\) +– +– +\$0\.000027 +\$0\.04 +–$/m);
  assert.match(run.stdout, /^planner_final +– +gpt-4o +160 +700 +\$0\.007407 +\$11\.11 +–$/m);
  assert.match(run.stdout, /^3 agents changed, 1 added, 1 removed, 3 unchanged$/m);
  assert.match(run.stdout, /^Per party: \$0\.009025 → \$0\.010990 \(\+\$0\.001965, \+21\.8 %\)$/m);
  assert.match(run.stdout, /^Per month: \$13\.54 → \$16\.48 \(\+\$2\.95, \+21\.8 %\) at 1,000 parties a month × 1\.5 runs each$/m);
  assert.doesNotMatch(run.stdout, /^Stored parties|^Limits/m);
});

test('the working tree is the head by default; no change is said as such, in every format', () => {
  const dir = repository({ 'partycost.json': sample });
  const same = partycost(dir, 'diff', '--base', 'HEAD', '--format', 'markdown');
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout.split('\n')[0], '**Agent cost: no change**, $13.54 a month');
  assert.equal(review(dir, '--base', 'HEAD').affectsCost, false);
  assert.match(partycost(dir, 'diff', '--base', 'HEAD').stdout, /^0 agents changed, 0 added, 0 removed, 7 unchanged$/m);

  writeFileSync(path.join(dir, 'partycost.json'), themeOnGpt4o);
  const edited = review(dir, '--base', 'HEAD');
  assert.equal(edited.affectsCost, true);
  assert.deepEqual(
    edited.agents.filter((a) => a.status === 'changed').map((a) => a.agent),
    ['theme'],
  );
  // --json is --format json.
  assert.deepEqual(JSON.parse(partycost(dir, 'diff', '--base', 'HEAD', '--json').stdout), edited);
});

test('a CrewAI project: crew.py gives an agent tools and another a model, then a new agent and task; diffed from git', () => {
  const dir = mkdtempSync(path.join(scratch, 'crew-'));
  cpSync(path.resolve('test/fixtures/crewai/research_crew'), dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.name', 'Party Cost Test');
  git(dir, 'config', 'user.email', 'test@partycost.invalid');
  commit(dir, {}, 'the research crew');
  const crewPy = 'src/research_crew/crew.py';
  let crew = readFileSync(path.join(dir, crewPy), 'utf8');
  crew = edit(
    crew,
    'from crewai.agents.agent_builder.base_agent import BaseAgent',
    'from crewai.agents.agent_builder.base_agent import BaseAgent\nfrom crewai_tools import SerperDevTool',
  );
  crew = edit(
    crew,
    "config=self.agents_config['researcher'], # type: ignore[index]\n",
    "config=self.agents_config['researcher'], # type: ignore[index]\n            tools=[SerperDevTool()],\n",
  );
  crew = edit(
    crew,
    "config=self.agents_config['reporting_analyst'], # type: ignore[index]\n",
    "config=self.agents_config['reporting_analyst'], # type: ignore[index]\n            llm='gpt-4o',\n",
  );
  commit(dir, { [crewPy]: crew }, 'crew.py: a search tool for the researcher, gpt-4o for the analyst');

  const tools = review(dir, '--base', 'HEAD~1');
  assert.deepEqual([tools.kind, tools.file], ['crewai', 'src/research_crew/config/tasks.yaml']);
  assert.deepEqual(
    tools.agents.map((a) => [a.agent, a.crewAgent, a.status, a.changes.map((c) => c.what)]),
    [
      ['research_task', 'researcher', 'changed', ['prompt', 'tools']],
      ['reporting_task', 'reporting_analyst', 'changed', ['model']],
    ],
  );
  const research = tools.agents[0];
  assert.equal(research.changes[1].detail, '+search_the_internet_with_serper');
  assert.ok(research.after!.inputTokens > research.before!.inputTokens, 'the tool loop sends more');
  assert.deepEqual([tools.agents[1].before!.model, tools.agents[1].after!.model], ['gpt-4.1-mini', 'gpt-4o']);

  // A third agent and its task: in the YAML and in crew.py.
  // At the top of each file: the last entry of each ends the file without a line end, which an append would change.
  const agents = `editor:\n  role: >\n    {topic} Editor\n  goal: >\n    Make the report short and clear\n  backstory: >\n    You edit reports for busy readers.\n\n${readFileSync(path.join(dir, 'src/research_crew/config/agents.yaml'), 'utf8')}`;
  const tasks = `editing_task:\n  description: >\n    Edit the report down to one page.\n  expected_output: >\n    The report, one page long.\n  agent: editor\n\n${readFileSync(path.join(dir, 'src/research_crew/config/tasks.yaml'), 'utf8')}`;
  crew = edit(
    crew,
    '    @task\n    def research_task',
    "    @agent\n    def editor(self) -> Agent:\n        return Agent(config=self.agents_config['editor'])\n\n    @task\n    def research_task",
  );
  crew = edit(
    crew,
    '    @crew\n',
    "    @task\n    def editing_task(self) -> Task:\n        return Task(config=self.tasks_config['editing_task'])\n\n    @crew\n",
  );
  commit(dir, { 'src/research_crew/config/agents.yaml': agents, 'src/research_crew/config/tasks.yaml': tasks, [crewPy]: crew }, 'an editor');
  const editor = review(dir, '--base', 'HEAD~1', '--head', 'HEAD');
  assert.deepEqual(
    editor.agents.map((a) => [a.agent, a.status]),
    [
      ['research_task', 'unchanged'],
      ['reporting_task', 'unchanged'],
      ['editing_task', 'added'],
    ],
  );
  assert.equal(editor.agents[2].crewAgent, 'editor');
  const markdown = partycost(dir, 'diff', '--base', 'HEAD~2', '--format', 'markdown');
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(
    markdown.stdout,
    /^\*\*Agent cost: \+\$\d+\.\d\d a month \(\+\d+\.\d %\)\*\*, \$1\.16 → \$\d+\.\d\d · changed: reporting_task \(model\), research_task \(prompt, tools \+search_the_internet_with_serper\) · added: editing_task\n/,
  );
  assert.match(
    markdown.stdout,
    /^\| reporting_task \(reporting_analyst\) \| model \| gpt-4\.1-mini → gpt-4o \| 437 \| 256 \| \$0\.0005844 → \$0\.003652 \| \$0\.5844 → \$3\.65 \(\+\$3\.07\) \|$/m,
  );
});

test('limits: the diff is printed, then one line per crossed limit on stderr, exit 1; within them, exit 0', () => {
  const dir = pullRequest();
  const crossed = partycost(dir, 'diff', '--base', 'HEAD~3', '--max-increase', '10', '--max-per-party', '0.01');
  assert.equal(crossed.code, 1);
  assert.match(crossed.stdout, /^Per month: \$13\.54 → \$16\.67/m);
  assert.match(crossed.stdout, /^Limits: --max-per-party \$0\.010000 crossed; --max-increase 10 % crossed$/m);
  assert.deepEqual(crossed.stderr.trimEnd().split('\n'), [
    'partycost: per-party cost $0.0111143 is over the limit of $0.010000 (--max-per-party)',
    'partycost: per-party cost rose by 23.2 % ($0.0090249 → $0.0111143), over the limit of 10 % (--max-increase)',
  ]);
  const markdown = partycost(dir, 'diff', '--base', 'HEAD~3', '--max-increase', '10', '--format', 'markdown');
  assert.equal(markdown.code, 1);
  const lines = markdown.stdout.split('\n');
  assert.match(lines[0], /^\*\*Agent cost: \+\$3\.13 a month/);
  assert.equal(lines[1], '> **Limit crossed:** per-party cost rose by 23.2 % ($0.0090249 → $0.0111143), over the limit of 10 % (--max-increase)');
  const json = partycost(dir, 'diff', '--base', 'HEAD~3', '--max-increase', '10', '--json');
  assert.equal(json.code, 1);
  assert.deepEqual(
    (JSON.parse(json.stdout) as ReviewJson).violations.map((v) => v.limit),
    ['maxIncreasePercent'],
  );
  const within = partycost(dir, 'diff', '--base', 'HEAD~3', '--max-increase', '25', '--max-per-party', '$0.02');
  assert.equal(within.code, 0, within.stderr);
  assert.equal(within.stderr, '');
  assert.match(within.stdout, /^Limits: --max-per-party \$0\.020000 ok; --max-increase 25 % ok$/m);
});

test('with stored parties in the workspace database: what the change re-runs across them', () => {
  const dir = repository({ 'partycost.json': sample, '.gitignore': '.partycost/\n' });
  for (const inputs of [
    ['jungle theme', '75 guests'],
    ['pirate theme', '40 kids'],
  ]) {
    assert.equal(partycost(dir, 'party', 'create', ...inputs.flatMap((input) => ['--input', input])).code, 0);
  }
  for (const party of ['P1', 'P2']) assert.equal(partycost(dir, 'run', party).code, 0);
  writeFileSync(path.join(dir, 'partycost.json'), themeOnGpt4o);
  const diff = review(dir, '--base', 'HEAD');
  assert.deepEqual(diff.impact!.parties, { total: 2, affected: 2 });
  const impact = partycost(dir, 'impact', '--against', 'HEAD');
  assert.equal(impact.code, 0, impact.stderr);
  assert.equal(diff.impact!.summary, impact.stdout.split('\n')[1], 'the same summary as partycost impact --against');
  assert.match(diff.impact!.summary, /^re-runs \d agents in 2 parties · \$/);
  const table = partycost(dir, 'diff', '--base', 'HEAD');
  assert.ok(table.stdout.includes(`\nStored parties: ${diff.impact!.summary} (partycost impact --against HEAD lists them)\n`), table.stdout);
  const markdown = partycost(dir, 'diff', '--base', 'HEAD', '--format', 'markdown');
  assert.ok(markdown.stdout.includes(`\nStored parties in this workspace's database: ${diff.impact!.summary}.\n`), markdown.stdout);
  rmSync(path.join(dir, '.partycost'), { recursive: true });
  assert.equal(review(dir, '--base', 'HEAD').impact, null);
});

test('wrong command lines exit 2; git problems exit 1 with one line; a new configuration is all added', () => {
  const dir = repository({ 'README.md': 'a party\n' });
  const usage: Array<[string[], RegExp]> = [
    [[], /^partycost: --base REV is required: the revision to compare with \(e\.g\. origin\/main\)$/],
    [['--base', 'HEAD', '--format', 'xml'], /^partycost: --format takes table, json or markdown, not "xml"$/],
    [['--base', 'HEAD', '--format', 'markdown', '--json'], /^partycost: --json and --format markdown ask for two formats; give one$/],
    [['--base=-x'], /^partycost: --base takes a git revision/],
    [['--base', 'HEAD', '--head='], /^partycost: --head takes a git revision/],
    [['--base', 'HEAD', '--max-increase', 'ten'], /^partycost: --max-increase takes a non-negative percentage/],
    [['--base', 'HEAD', 'extra'], /^partycost: usage: partycost diff --base REV/],
  ];
  for (const [args, message] of usage) {
    const run = partycost(dir, 'diff', ...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    assert.match(run.stderr.trimEnd(), message, args.join(' '));
  }
  writeFileSync(path.join(dir, 'partycost.json'), sample);
  const unknown = partycost(dir, 'diff', '--base', 'no-such-branch');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'partycost: unknown git revision "no-such-branch"; in a shallow clone, fetch it first (actions/checkout: fetch-depth: 0)\n');
  const noHead = partycost(dir, 'diff', '--base', 'HEAD', '--head', 'HEAD');
  assert.equal(noHead.code, 1);
  assert.equal(noHead.stderr, 'partycost: HEAD:partycost.json does not exist: no configuration at the head revision\n');

  const created = review(dir, '--base', 'HEAD');
  assert.equal(created.existedBefore, false);
  assert.ok(created.agents.every((a) => a.status === 'added'));
  const markdown = partycost(dir, 'diff', '--base', 'HEAD', '--format', 'markdown').stdout;
  assert.match(markdown, /^\*\*Agent cost: \+\$13\.54 a month \(new configuration\)\*\*, \$0 → \$13\.54 · 7 agents added\n/);
  assert.match(markdown, /^partycost\.json is new: it did not exist at HEAD\.$/m);
});
