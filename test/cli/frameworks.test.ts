import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Estimate } from '../../sidecar/contract/cost';

// OpenAI Agents SDK and Google ADK projects through the built CLI: priced per agent with where each figure comes
// from, found by --config as a file or a folder, several frameworks in one workspace, compared with a git revision.

const bin = path.resolve('bin/partycost.js');
const fixtures = path.resolve('test/fixtures');
const scratch = mkdtempSync(path.join(tmpdir(), 'partycost-frameworks-'));
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_') && !['OPENAI_DEFAULT_MODEL', 'PARTY_MODEL'].includes(name))),
  NO_COLOR: '1',
  GIT_CEILING_DIRECTORIES: scratch,
};

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function estimateOf(dir: string, ...more: string[]): Estimate {
  const run = partycost(scratch, 'estimate', '--workspace', dir, '--json', ...more);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Estimate;
}

const projects = {
  'agents-sdk': {
    'handoffs-python': ['triage_agent', 'venue_agent', 'cake_agent'],
    'tools-python': ['outdoor_planner'],
    'structured-env-python': ['host_agent', 'budget_agent'],
    typescript: ['host', 'catering_agent'],
  },
  adk: {
    'config-basic': ['root_agent', 'code_tutor_agent', 'math_tutor_agent'],
    'workflow-yaml': ['initial_writer', 'critic', 'refiner'],
    'python-tools': ['weather_time_agent'],
    'python-env': ['theme_agent', 'venue_agent', 'cake_agent', 'planner_agent'],
  },
} as const;

for (const [framework, list] of Object.entries(projects)) {
  for (const [name, agents] of Object.entries(list)) {
    test(`estimate --workspace ${framework}/${name}: every agent priced, with its model's source and its definition`, () => {
      const result = estimateOf(path.join(fixtures, framework, name));
      assert.deepEqual(
        result.agents.map((a) => a.agent),
        agents,
      );
      for (const agent of result.agents) {
        assert.ok(agent.modelSource, `${agent.agent} says where its model comes from`);
        assert.ok(agent.definedAt && agent.definedAt.line > 0, `${agent.agent} says where it is defined`);
        assert.ok(agent.costPerRunUsd > 0);
      }
      assert.equal(result.frameworks?.[0]?.name, framework === 'adk' ? 'Google ADK' : 'OpenAI Agents SDK');
    });
  }
}

test('the handoffs project in figures (EXPECTED.md): 123, 289 and 287 input tokens; $0.0031236 a party', () => {
  const result = estimateOf(path.join(fixtures, 'agents-sdk', 'handoffs-python'));
  assert.deepEqual(
    result.agents.map((a) => [a.agent, a.model, a.inputTokens, a.outputTokens, a.costPerRunUsd]),
    [
      ['triage_agent', 'gpt-4.1', 123, 256, 0.002294],
      ['venue_agent', 'gpt-5.6-luna', 289, 256, 0.000365],
      ['cake_agent', 'gpt-5.6-luna', 287, 256, 0.0003646],
    ],
  );
  assert.equal(result.perPartyUsd, 0.0031236);
});

test('the ADK tutor in figures (EXPECTED.md): root_agent 371 input tokens (approximate, o200k), $0.0007513 a run', () => {
  const result = estimateOf(path.join(fixtures, 'adk', 'config-basic'));
  const root = result.agents.find((a) => a.agent === 'root_agent')!;
  assert.deepEqual(
    [root.model, root.inputTokens, root.tokenCount, root.outputTokens, root.costPerRunUsd],
    ['gemini-2.5-flash', 371, 'approximate', 256, 0.0007513],
  );
});

test('--config names a file of each kind: a root_agent.yaml, an agent.py, a TypeScript file', () => {
  const yaml = estimateOf(scratch, '--config', path.join(fixtures, 'adk', 'config-basic', 'tutor', 'root_agent.yaml'));
  assert.equal(yaml.agents.length, 3);
  const python = estimateOf(scratch, '--config', path.join(fixtures, 'adk', 'python-tools', 'weather_agent', 'agent.py'));
  assert.deepEqual(
    python.agents.map((a) => a.agent),
    ['weather_time_agent'],
  );
  const script = estimateOf(scratch, '--config', path.join(fixtures, 'agents-sdk', 'typescript', 'src', 'agents.ts'));
  assert.deepEqual(
    script.agents.map((a) => a.model),
    ['gpt-5.6-luna', 'gpt-4.1-mini'],
  );
});

test('a workspace with two frameworks prices both, and says so', () => {
  const dir = mkdtempSync(path.join(scratch, 'mixed-'));
  cpSync(path.join(fixtures, 'agents-sdk', 'handoffs-python'), path.join(dir, 'sdk'), { recursive: true });
  cpSync(path.join(fixtures, 'adk', 'config-basic'), path.join(dir, 'adk'), { recursive: true });
  const result = estimateOf(dir);
  assert.deepEqual(
    result.agents.map((a) => a.agent),
    ['triage_agent', 'venue_agent', 'cake_agent', 'root_agent', 'code_tutor_agent', 'math_tutor_agent'],
  );
  assert.deepEqual(
    result.frameworks?.map((f) => f.name),
    ['OpenAI Agents SDK', 'Google ADK'],
  );
  assert.ok(result.warnings?.some((w) => /2 agent frameworks/.test(w.message)));
});

test('an unknown model is an error at its line; an unreadable instruction a warning at its line', () => {
  const dir = mkdtempSync(path.join(scratch, 'broken-'));
  cpSync(path.join(fixtures, 'agents-sdk', 'handoffs-python'), dir, { recursive: true });
  const main = path.join(dir, 'main.py');
  writeFileSync(main, readFileSync(main, 'utf8').replace('model="gpt-4.1"', 'model="gpt-4.1-mnii"'));
  const run = partycost(dir, 'estimate');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /main\.py:19:11: unknown model "gpt-4\.1-mnii" \(did you mean "gpt-4\.1-mini"\?\)/);
  const warned = partycost(scratch, 'estimate', '--workspace', path.join(fixtures, 'agents-sdk', 'structured-env-python'));
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /agents_app\.py:24:18: warning: instructions cannot be read statically/);
});

test('estimate --against HEAD: an agent whose model changed since the commit, before and after', () => {
  const dir = mkdtempSync(path.join(scratch, 'git-'));
  cpSync(path.join(fixtures, 'adk', 'python-tools'), dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
  const agent = path.join(dir, 'weather_agent', 'agent.py');
  writeFileSync(agent, readFileSync(agent, 'utf8').replace('openai/gpt-4o', 'openai/gpt-4o-mini'));
  const run = partycost(dir, 'estimate', '--against', 'HEAD', '--json');
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as { agents: { agent: string; before: { model: string } | null; after: { model: string } | null }[] };
  const row = diff.agents.find((a) => a.agent === 'weather_time_agent')!;
  assert.equal(row.before?.model, 'openai/gpt-4o');
  assert.equal(row.after?.model, 'openai/gpt-4o-mini');
});
