import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, problemLines } from '../../sidecar/sources/load';
import { locateConfig, sourceFiles } from '../../sidecar/shared/configLocation';
import { yamlLayout } from '../../sidecar/shared/configLayout';
import { estimate } from '../../sidecar/estimate/estimate';
import { estimatedInputTokens } from '../../sidecar/context/agentTokens';
import { templateTokens } from '../../sidecar/context/agentTokens';
import { agentMessages } from '../../sidecar/context/prompt';
import { crewInputs } from '../../sidecar/sources/crew/crewInputs';
import { listPricing } from '../../sidecar/contract/pricing';

// A CrewAI project read from its YAML files on disk (examples/crew and test/fixtures/crews): every task an agent of
// ours with the prompt CrewAI sends, its context as upstream, and every mistake positioned in its file.

const example = path.resolve('examples/crew');
const fixtures = path.resolve('test/fixtures/crews');
const noEnv = {};
const load = (dir: string, env: NodeJS.ProcessEnv = noEnv) => loadConfig(locateConfig(dir), { display: (file) => path.relative(dir, file), env });

test("the example crew: each task an agent on its CrewAI agent's model, with the sequential rule for context", () => {
  const loaded = load(example);
  assert.deepEqual(loaded.problems, []);
  assert.equal(loaded.kind, 'crewai');
  assert.equal(loaded.file, 'src/party_crew/config/tasks.yaml');
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['theme_task', 'venue_task', 'menu_task', 'plan_task']);
  assert.deepEqual(Object.fromEntries(Object.entries(agents).map(([name, a]) => [name, [a.model, a.dependsOn ?? []]])), {
    theme_task: ['anthropic/claude-sonnet-4-5', []],
    venue_task: ['openai/gpt-4.1-mini', ['theme_task']],
    menu_task: ['gemini/gemini-2.5-flash', ['theme_task']],
    // No context: every earlier task's output, as a sequential crew passes them; no llm: CrewAI's default model.
    plan_task: ['gpt-4.1-mini', ['theme_task', 'venue_task', 'menu_task']],
  });
  assert.deepEqual(loaded.crew!.tasks, { theme_task: 'planner', venue_task: 'venue_scout', menu_task: 'caterer', plan_task: 'coordinator' });
  assert.deepEqual(loaded.inputs, { destination: 'Lisbon', guests: '40' });
  // Inputs route to the tasks whose text (or whose agent's) uses them, and nowhere else.
  assert.deepEqual(agents.theme_task.handles?.patterns, ['^\\s*(?:destination|guests)\\s*[=:]']);
  assert.equal(agents.menu_task.handles, undefined);
});

test("the prompt is CrewAI's (1.15.17): role, backstory and goal in the system message, the task and its context in the user message", () => {
  const agents = load(example).config!.agents;
  const theme = agents.theme_task!;
  assert.equal(
    theme.system,
    'You are Party concept planner for {{input.destination}}\n. You have planned hundreds of parties in European cities and know which themes work with local venues, food and weather. You keep proposals short and concrete.\n\nYour personal goal is: Choose one party theme that suits {{input.guests}} guests and the city of {{input.destination}}',
  );
  // No tools: the task_no_tools ending, and no ReAct format in the system message (CrewAI 1.9.2 on).
  assert.ok(theme.prompt!.startsWith('\nCurrent Task: Propose a theme for a party of {{input.guests}} guests in {{input.destination}}.'));
  assert.ok(theme.prompt!.endsWith('\n\nProvide your complete response:'));
  assert.ok(theme.prompt!.includes('\nThis is the expected criteria for your final answer: One theme: its name'));
  assert.ok(!theme.prompt!.includes("This is the context you're working with"), 'the first task has no context');
  // A tool on a function-calling model: its schema goes to the API (sanitised name, strict parameters), the prompt
  // ends at the task.
  const venue = agents.venue_task!;
  assert.ok(!venue.system!.includes('Tool Name'));
  assert.ok(!venue.prompt!.includes('Provide your complete response'));
  assert.deepEqual(venue.tools, [
    {
      name: 'venue_search',
      description: 'Searches event venues by city, capacity and date; returns name, capacity and price per head.',
      parameters: {
        properties: {
          city: { description: 'The city to search in.', type: 'string' },
          guests: { description: 'How many guests the venue must hold.', type: 'integer' },
          date: { description: "The party's date, YYYY-MM-DD.", type: 'string' },
        },
        required: ['city', 'guests', 'date'],
        type: 'object',
        additionalProperties: false,
      },
      resultTokens: 500,
    },
  ]);
  assert.equal(venue.maxCalls, 26, "max_iter's default 25 rounds, then the forced answer");
  const plan = agents.plan_task!.prompt!;
  assert.ok(
    plan.includes("This is the context you're working with:\n{{theme_task}}\n\n----------\n\n{{venue_task}}\n\n----------\n\n{{menu_task}}\n\nProvide"),
    plan,
  );
  // Filled for a party: named inputs by name (normalised, as every input is), upstream results at their place.
  const [system, user] = agentMessages(venue, ['destination=lisbon', 'guests=40'], { theme_task: 'Azulejo night' });
  assert.ok(system!.content.startsWith('You are Venue scout in lisbon\n.'));
  assert.ok(user!.content.includes('Find three venues in lisbon for 40 guests'));
  assert.ok(user!.content.endsWith("This is the context you're working with:\nAzulejo night"));
});

test("an estimate counts each task's context: its template plus every upstream task's expected output", () => {
  const loaded = load(example);
  const config = loaded.config!;
  const plan = config.agents.plan_task;
  const counted = estimatedInputTokens('plan_task', plan, plan.model!, config);
  assert.equal(counted.tokens, templateTokens(plan, plan.model!).tokens + 3 * 256);
  const result = estimate(config, loaded.prices, listPricing);
  assert.deepEqual(
    result.agents.map((a) => a.agent),
    ['theme_task', 'venue_task', 'menu_task', 'plan_task'],
  );
  assert.ok(
    result.agents.every((a) => a.costPerRunUsd > 0 && a.provider !== null),
    'every task priced from the catalogue',
  );
  assert.equal(result.agents[0].provider, 'anthropic');
  assert.equal(result.agents[2].provider, 'google');
});

test('mistakes in a crew are errors and warnings at their YAML line and column, all of them', () => {
  const loaded = load(path.join(fixtures, 'typos'));
  assert.equal(loaded.config, undefined);
  // In file order: tasks.yaml (the main file) first, then agents.yaml.
  assert.deepEqual(problemLines(loaded), [
    'src/trip/config/tasks.yaml:9:10: unknown agent "plannr" (did you mean "planner"?)',
    'src/trip/config/tasks.yaml:11:7: task "plan_task" has unknown context task "reserch_task" (did you mean "research_task"?)',
    "src/trip/config/agents.yaml:4:50: warning: {budget} is not among the crew's inputs (main.py's inputs); a party needs the input budget=…",
    'src/trip/config/agents.yaml:12:8: unknown model "openai/gpt-9-ultra" (did you mean "openai/gpt-6-luna"?); add its prices under "prices" in partycost.json to use it',
  ]);
});

test('a context cycle and a context on a later task are errors at the context item; context: [] means none', () => {
  const loaded = load(path.join(fixtures, 'cycle'));
  assert.deepEqual(problemLines(loaded), [
    'config/tasks.yaml:5:13: dependency cycle: outline → draft → outline',
    'config/tasks.yaml:17:13: task "intro" has context "summary", which comes later: CrewAI runs tasks in file order',
  ]);
});

test('malformed YAML is an error at its place, and nothing else is guessed from the broken file', () => {
  const loaded = load(path.join(fixtures, 'malformed'));
  assert.deepEqual(problemLines(loaded), [
    'config/tasks.yaml:4:3: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  assert.equal(loaded.config, undefined);
});

test('partycost.json pointing at a crew adds prices, volume, sample inputs, a default output and per-task overrides', () => {
  const dir = path.join(fixtures, 'overlay');
  const loaded = load(dir);
  assert.deepEqual(problemLines(loaded), []);
  assert.equal(loaded.kind, 'partycost');
  const config = loaded.config!;
  assert.equal(config.agents.size_task.model, 'acme/analyst-1');
  assert.equal(config.agents.size_task.expectedOutputTokens, 900, 'the override');
  assert.equal(config.agents.edit_task.expectedOutputTokens, 400, 'defaults.expectedOutputTokens');
  assert.equal(config.agents.edit_task.model, 'claude-haiku-4-5', "defaults.model stands in for CrewAI's default");
  assert.equal(config.agents.edit_task.dependsOn, undefined, 'context: [] receives nothing');
  const result = estimate(config, loaded.prices, listPricing);
  assert.equal(result.volume.partiesPerMonth, 5000);
  const size = result.agents.find((a) => a.agent === 'size_task')!;
  assert.equal(size.costPerRunUsd, Number(((size.inputTokens * 2 + 900 * 8) / 1e6).toFixed(6)));
  // The environment's MODEL wins over defaults.model, as CrewAI reads it first.
  assert.equal(load(dir, { MODEL: 'gpt-4o' }).config!.agents.edit_task.model, 'gpt-4o');
  // A crew run on disk with its files listed for watchers: partycost.json first.
  assert.deepEqual(
    sourceFiles(locateConfig(dir)).map((file) => path.relative(dir, file)),
    ['partycost.json', 'crew/tasks.yaml', 'crew/agents.yaml'],
  );
});

test('an override of a task the crew lacks is an error in partycost.json, with a suggestion', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-crew-'));
  cpSync(path.join(fixtures, 'overlay'), dir, { recursive: true });
  const file = path.join(dir, 'partycost.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"size_task": {', '"sizetask": {'));
  assert.deepEqual(problemLines(load(dir)), [
    'partycost.json:9:5: no task "sizetask" in the crew (did you mean "size_task"?): "agents" of a crew override its tasks by name',
  ]);
});

test('where a configuration is found: partycost.json first, then a CrewAI project or layout; --config may name the directory', () => {
  // A CrewAI project (pyproject.toml with [tool.crewai]): every crew of it.
  assert.deepEqual(locateConfig(example), { kind: 'crewai', dir: example });
  assert.deepEqual(locateConfig(path.join(fixtures, 'overlay')), { kind: 'partycost', file: path.join(fixtures, 'overlay/partycost.json') });
  assert.deepEqual(locateConfig('/nowhere', path.join(fixtures, 'cycle/config')), { kind: 'crewai', dir: path.join(fixtures, 'cycle/config') });
  assert.deepEqual(locateConfig('/nowhere', path.join(fixtures, 'cycle/config/tasks.yaml')), { kind: 'crewai', dir: path.join(fixtures, 'cycle/config') });
  // The editor's default partycost.json, missing, gives way to a crew in the workspace.
  assert.deepEqual(locateConfig(example, path.join(example, 'partycost.json'), true).kind, 'crewai');
  assert.deepEqual(locateConfig(example, path.join(example, 'partycost.json'), false).kind, 'partycost');
});

test("main.py's inputs are read as crewai create crew writes them; the layout finds each top-level key", () => {
  const main = path.join(fixtures, 'typos/src/trip/main.py');
  const env = { get: () => undefined, origin: () => '.env' };
  assert.deepEqual(
    [...crewInputs(readFileSync(main, 'utf8'), main, undefined, () => undefined, env).inputs].map(([name, input]) => [name, input.value]),
    [
      ['destination', 'Lisbon'],
      ['days', '3'],
    ],
  );
  const text = readFileSync(path.join(example, 'src/party_crew/config/tasks.yaml'), 'utf8');
  const layout = yamlLayout(text);
  assert.deepEqual(
    layout.agents.map((a) => a.agent),
    ['theme_task', 'venue_task', 'menu_task', 'plan_task'],
  );
  const venue = layout.agents[1];
  assert.equal(text.slice(venue.offset, venue.offset + venue.length), 'venue_task');
  assert.ok(layout.entries.get('venue_task')!.includes('- theme_task'));
});

test('hostile or missing crew files: an alias bomb is refused, a crew directory without tasks.yaml is named at "crew"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-crew-'));
  cpSync(path.join(fixtures, 'cycle'), dir, { recursive: true });
  // Each alias list nine times the one before: twelve levels expand to 9^12 items unless aliases are limited.
  const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++)
    levels.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  writeFileSync(path.join(dir, 'config/tasks.yaml'), `${levels.join('\n')}\nbomb:\n  description: x\n  expected_output: y\n  agent: writer\n  context: *a11\n`);
  assert.deepEqual(problemLines(load(dir)), ['config/tasks.yaml:1:1: YAML: Excessive alias count indicates a resource exhaustion attack']);

  const pointing = mkdtempSync(path.join(tmpdir(), 'partycost-crew-'));
  writeFileSync(path.join(pointing, 'partycost.json'), '{\n  "crew": "src/nowhere/config"\n}\n');
  const loaded = load(pointing);
  assert.equal(loaded.config, undefined);
  assert.deepEqual(problemLines(loaded), [
    'partycost.json:2:11: no agents.yaml in src/nowhere/config: a CrewAI config directory holds agents.yaml and tasks.yaml',
    'partycost.json:2:11: no tasks.yaml in src/nowhere/config: a CrewAI config directory holds agents.yaml and tasks.yaml',
  ]);
});

test('a partycost.json holding only {"crew": …} prices the crew it points at (a project folder or a config directory)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-crew-'));
  cpSync(path.resolve('test/fixtures/crewai/research_crew'), dir, { recursive: true });
  for (const crew of ['.', 'src/research_crew/config']) {
    writeFileSync(path.join(dir, 'partycost.json'), `{ "crew": "${crew}" }\n`);
    const loaded = load(dir);
    assert.deepEqual(
      loaded.problems.filter((p) => p.severity === 'error'),
      [],
      crew,
    );
    assert.deepEqual(Object.keys(loaded.config!.agents), ['research_task', 'reporting_task'], crew);
  }
});
