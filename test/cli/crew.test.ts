import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Estimate } from '../../sidecar/contract/cost';

// A CrewAI project through the real CLI: priced per task, its mistakes positioned in its YAML, compared with a git
// revision, and a party created, planned and run on it.

const bin = path.resolve('bin/partycost.js');
const example = path.resolve('examples/crew');
const scratch = mkdtempSync(path.join(tmpdir(), 'partycost-crew-'));
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_') && !['MODEL', 'MODEL_NAME', 'OPENAI_MODEL_NAME'].includes(name)),
  ),
  NO_COLOR: '1',
  GIT_CEILING_DIRECTORIES: scratch,
};

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A copy of the example crew in its own folder. */
function crewCopy(): string {
  const dir = mkdtempSync(path.join(scratch, 'case-'));
  cpSync(example, dir, { recursive: true });
  return dir;
}

const tasksFile = 'src/party_crew/config/tasks.yaml';
const agentsFile = 'src/party_crew/config/agents.yaml';

test('estimate --workspace examples/crew: every task at catalogue prices, keyed by task with its crewAgent, context counted', () => {
  const run = partycost(path.resolve('.'), 'estimate', '--workspace', 'examples/crew', '--json');
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as Estimate;
  assert.deepEqual(
    result.agents.map((a) => [a.agent, a.crewAgent, a.model]),
    [
      ['theme_task', 'planner', 'anthropic/claude-sonnet-4-5'],
      ['venue_task', 'venue_scout', 'openai/gpt-4.1-mini'],
      ['menu_task', 'caterer', 'gemini/gemini-2.5-flash'],
      ['plan_task', 'coordinator', 'gpt-4.1-mini'],
    ],
  );
  const by = Object.fromEntries(result.agents.map((a) => [a.agent, a]));
  // plan_task receives the three earlier outputs (256 tokens each, the default) on top of its own prompt.
  assert.ok(by.plan_task.inputTokens > 3 * 256 + 100, `${by.plan_task.inputTokens}`);
  assert.ok(by.venue_task.inputTokens > 256, "venue_task receives theme_task's output");
  const sum = result.agents.reduce((total, a) => total + a.costPerRunUsd, 0) + result.orchestrationUsd;
  assert.ok(Math.abs(result.perPartyUsd - sum) < 2e-6);
  assert.match(result.prices.source, /genai-prices/);

  const human = partycost(path.resolve('.'), 'estimate', '--workspace', 'examples/crew');
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^Cost estimate for examples\/crew\/src\/party_crew\/config\/tasks\.yaml$/m);
  assert.match(human.stdout, /^task +crew agent +model/m);
  assert.match(human.stdout, /^venue_task +venue_scout +openai\/gpt-4\.1-mini +openai /m);
});

test('a wrong agent name is an error at its YAML line and column with a suggestion; every problem listed; exit 1', () => {
  const dir = crewCopy();
  const file = path.join(dir, tasksFile);
  writeFileSync(file, readFileSync(file, 'utf8').replace('agent: caterer', 'agent: caterr').replace('agent: coordinator', 'agent: cordinator'));
  const run = partycost(dir, 'estimate');
  assert.equal(run.code, 1);
  const lines = run.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(0, 2), [
    `${tasksFile}:25:10: unknown agent "caterr" (did you mean "caterer"?)`,
    `${tasksFile}:35:10: unknown agent "cordinator" (did you mean "coordinator"?)`,
  ]);
  assert.equal(lines.at(-1), `partycost: ${tasksFile} has 2 problems`);
  assert.equal(run.stdout, '');
});

test("estimate --against HEAD on a crew: a longer backstory costs more on exactly the planner's task", () => {
  const dir = crewCopy();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8', env });
  git('init', '-q');
  git('config', 'user.name', 'Party Cost Test');
  git('config', 'user.email', 'test@partycost.invalid');
  git('add', '-A');
  git('commit', '-q', '-m', 'crew');
  const file = path.join(dir, agentsFile);
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'You keep proposals short and concrete.',
      'You keep proposals short and concrete, and you always explain the reasoning behind every choice you make in detail.',
    ),
  );
  const run = partycost(dir, 'estimate', '--against', 'HEAD', '--json');
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as { agents: { agent: string; status: string }[]; totals: { deltaUsd: number } };
  assert.deepEqual(
    diff.agents.filter((a) => a.status !== 'unchanged').map((a) => [a.agent, a.status]),
    [['theme_task', 'changed']],
  );
  assert.ok(diff.totals.deltaUsd > 0);
  // The old crew's own mistakes are named at the revision: REV:path:line:column.
  const tasks = path.join(dir, tasksFile);
  const good = readFileSync(tasks, 'utf8');
  writeFileSync(tasks, good.replace('agent: caterer', 'agent: caterr'));
  git('commit', '-q', '-am', 'broken');
  writeFileSync(tasks, good);
  const broken = partycost(dir, 'estimate', '--against', 'HEAD');
  assert.equal(broken.code, 1);
  assert.deepEqual(broken.stderr.trim().split('\n'), [
    `HEAD:${tasksFile}:25:10: unknown agent "caterr" (did you mean "caterer"?)`,
    `partycost: HEAD:${tasksFile} has 1 problem`,
  ]);
});

test('party create --input destination=Lisbon, run and plan on a crew: a backstory edit re-runs its task, then upstream-changed tasks', () => {
  const dir = crewCopy();
  const created = partycost(dir, 'party', 'create', '--input', 'destination=Lisbon', '--input', 'guests=40', '--json');
  assert.equal(created.code, 0, created.stderr);
  const party = JSON.parse(created.stdout) as { party: string; inputs: { text: string; agents: string[] }[] };
  assert.deepEqual(
    party.inputs.map((i) => [i.text, i.agents]),
    [
      ['destination=Lisbon', ['theme_task', 'venue_task']],
      ['guests=40', ['theme_task', 'venue_task']],
    ],
  );
  const run = partycost(dir, 'run', party.party);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^A CrewAI crew: each task runs as one model call on our offline provider/m);
  assert.match(run.stdout, /Done: 4 executed/);
  assert.match(partycost(dir, 'plan', party.party).stdout, /Execute 0/);

  const file = path.join(dir, agentsFile);
  writeFileSync(file, readFileSync(file, 'utf8').replace('You keep proposals short and concrete.', 'You keep proposals short.'));
  const plan = JSON.parse(partycost(dir, 'plan', party.party, '--json').stdout) as {
    agents: { agent: string; action: string; cause: string; detail: string; conditional?: boolean }[];
  };
  // The planner's backstory is in the system message of its one task; the others wait on that task's new output.
  assert.deepEqual(
    plan.agents.map((a) => [a.agent, a.action, a.cause, a.detail, a.conditional ?? false]),
    [
      ['theme_task', 'execute', 'configuration changed', 'system', false],
      ['venue_task', 'execute', 'upstream changed', 'theme_task', true],
      ['menu_task', 'execute', 'upstream changed', 'theme_task', true],
      ['plan_task', 'execute', 'upstream changed', 'theme_task, venue_task, menu_task', true],
    ],
  );
});

const fixtures = path.resolve('test/fixtures/crewai');

/** `partycost estimate --json` of a fixture crew, run from the repository (paths shown from there). */
function estimateOf(fixture: string, extraEnv: NodeJS.ProcessEnv = {}): { result: Estimate; stderr: string } {
  const run = spawnSync(process.execPath, [bin, 'estimate', '--json', '--workspace', path.join(fixtures, fixture)], {
    cwd: fixtures,
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
  });
  assert.equal(run.status, 0, run.stderr);
  return { result: JSON.parse(run.stdout) as Estimate, stderr: run.stderr };
}

test('estimate --json on crews as their users write them: every row says who runs it, on what model from where, after what, with which tools', () => {
  const game = estimateOf('game_builder_crew').result;
  assert.deepEqual(
    game.agents.map((a) => [a.agent, a.crewAgent, a.model, a.modelSource, a.dependsOn ?? [], a.tools ?? [], a.callsPerRun.source]),
    [
      ['code_task', 'senior_engineer', 'gpt-4o', 'game_builder_crew/.env (MODEL)', [], [], 'one call'],
      ['review_task', 'qa_engineer', 'gpt-4o', 'game_builder_crew/.env (MODEL)', ['code_task'], [], 'one call'],
      [
        'evaluate_task',
        'chief_qa_engineer',
        'gpt-4o',
        'game_builder_crew/.env (MODEL)',
        ['code_task', 'review_task'],
        ['delegate_work_to_coworker', 'ask_question_to_coworker'],
        'assumed',
      ],
    ],
  );
  assert.equal(game.agents[2]!.callsPerRun.max, 26, 'max_iter 25, then the forced answer');
  assert.deepEqual(game.crewai, { version: '1.15.17', from: 'locked in game_builder_crew/uv.lock' });
  // The environment's MODEL wins over .env, as load_dotenv leaves it.
  assert.equal(estimateOf('game_builder_crew', { MODEL: 'gpt-4.1' }).result.agents[0]!.modelSource, 'the environment (MODEL)');

  const leads = estimateOf('lead_qualifier').result;
  assert.deepEqual(
    leads.agents.map((a) => [a.agent, a.model, a.modelSource, a.provider]),
    [
      ['research_lead_task', 'gpt-4o', 'lead_qualifier/src/lead_qualifier/crew.py:36', 'openai'],
      ['score_lead_task', 'anthropic/claude-sonnet-4-5', 'lead_qualifier/src/lead_qualifier/crew.py:45', 'anthropic'],
    ],
  );
  assert.deepEqual(leads.agents[0]!.definedAt, { file: 'lead_qualifier/src/lead_qualifier/crew.py', line: 50, column: 9 });
});

test('a local model costs $0 and says so; a model that cannot be read is a positioned warning, never a silent default', () => {
  const minutes = estimateOf('meeting_minutes').result;
  assert.deepEqual(
    minutes.agents.map((a) => [a.model, a.local, a.costPerRunUsd]),
    [
      ['ollama/llama3.1', true, 0],
      ['ollama/llama3.1', true, 0],
    ],
  );
  assert.ok(
    minutes.agents.every((a) => a.inputTokens > 0),
    'its tokens are still counted',
  );
  const human = spawnSync(process.execPath, [bin, 'estimate', '--workspace', path.join(fixtures, 'meeting_minutes')], { cwd: fixtures, encoding: 'utf8', env });
  assert.match(human.stdout, /^minutes_task +minutes_writer +ollama\/llama3\.1 +local /m);

  const { result, stderr } = estimateOf('support_triage');
  const warning = result.warnings!.find((w) => w.message.includes('cannot be known statically'))!;
  assert.deepEqual([warning.severity, warning.file, warning.line, warning.column], ['warning', 'support_triage/src/support_triage/crew.py', 20, 17]);
  assert.match(
    warning.message,
    /^the model of agent "triage_specialist" cannot be known statically \(.*build_llm\(settings\.provider\).*\): priced at gpt-4\.1-mini/,
  );
  assert.match(stderr, /^support_triage\/src\/support_triage\/crew\.py:20:17: warning: the model of agent "triage_specialist"/m);
  assert.match(result.agents[0]!.modelSource!, /^assumed gpt-4\.1-mini: support_triage\/src\/support_triage\/crew\.py:20 cannot be read$/);
  assert.equal(result.agents[1]!.modelSource, 'CrewAI default (gpt-4.1-mini)');
});

test("a flow: both crews, the second reading the first one's output; a declarative crew from crew.jsonc", () => {
  const flow = estimateOf('newsletter_flow').result;
  assert.deepEqual(
    flow.agents.map((a) => [a.agent, a.dependsOn ?? []]),
    [
      ['planning_task', []],
      ['writing_task', ['planning_task']],
      ['editing_task', ['planning_task', 'writing_task']],
      // {newsletter} is ContentCrew's result: its last task's output, upstream.
      ['subject_lines_task', ['editing_task']],
      ['deliverability_task', ['subject_lines_task']],
    ],
  );
  assert.ok(
    flow.warnings!.some((w) => w.severity === 'warning' && w.line === 50 && /newsletter: self\.state\.newsletter is the output of ContentCrew/.test(w.message)),
  );

  const brief = estimateOf('launch_brief').result;
  assert.deepEqual(
    brief.agents.map((a) => [a.agent, a.crewAgent, a.model]),
    [
      ['research_the_market_for_task', 'market_researcher', 'openai/gpt-4o'],
      ['research_the_market_for_task-memory', 'memory', 'openai/gpt-4o'],
      ['write_a_onepage_launch_task', 'launch_copywriter', 'openai/gpt-4o-mini'],
      ['write_a_onepage_launch_task-memory', 'memory', 'openai/gpt-4o'],
    ],
  );
  assert.deepEqual(brief.agents[0]!.definedAt, { file: 'launch_brief/crew.jsonc', line: 12, column: 7 });
});
