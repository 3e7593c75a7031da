import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { loadConfig, labelledEstimate } from '../../sidecar/sources/load';
import { locateConfig, sourceFiles } from '../../sidecar/shared/configLocation';
import { estimate } from '../../sidecar/estimate/estimate';
import { listPricing } from '../../sidecar/contract/pricing';
import { parseDocstring } from '../../sidecar/sources/agentsSdk/sdkPython';
import { handoffToolName, sdkDefaultModel } from '../../sidecar/sources/agentsSdk/sdkRules';
import { attributor } from '../../sidecar/learning/attribution';

// Expected values are written from the OpenAI Agents SDK's source (openai-agents-python v0.22.0, openai-agents-js
// v0.17.0) and test/fixtures/agents-sdk/EXPECTED.md, not from this program's output.

const fixtures = path.join(__dirname, '..', 'fixtures', 'agents-sdk');
const env = {} as NodeJS.ProcessEnv;
const load = (name: string) => loadConfig(locateConfig(path.join(fixtures, name)), { env });
const emptyParameters = { additionalProperties: false, type: 'object', properties: {}, required: [] };
const o200k = getEncoding('o200k_base');
const tokens = (text: string): number => o200k.encode(text).length;

test('a Python project with handoffs: the starting agent, its handoff tools, the graph and max_turns', () => {
  const loaded = load('handoffs-python');
  assert.equal(loaded.kind, 'agents-sdk');
  assert.deepEqual(
    loaded.problems.filter((p) => p.severity === 'error'),
    [],
  );
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['triage_agent', 'venue_agent', 'cake_agent']);
  const triage = agents.triage_agent!;
  assert.equal(triage.system, 'Route each party request to the agent that handles it.');
  assert.equal(triage.prompt, 'Plan a jungle party for 75 guests.');
  assert.equal(triage.model, 'gpt-4.1');
  // "FAQ Agent"-style names are lower-cased with underscores in Python; the description keeps the raw name and a trailing space without handoff_description.
  assert.deepEqual(triage.tools, [
    {
      name: 'transfer_to_venue_agent',
      description: 'Handoff to the Venue Agent agent to handle the request. Finds a venue for the party.',
      parameters: emptyParameters,
      resultTokens: 10,
    },
    { name: 'transfer_to_cake_agent', description: 'Handoff to the cake_agent agent to handle the request. ', parameters: emptyParameters, resultTokens: 10 },
  ]);
  assert.equal(triage.expectedCalls, 1, 'handoffs alone: one call that answers or hands off');
  assert.equal(triage.maxCalls, 5, 'Runner.run(..., max_turns=5)');
  assert.deepEqual(agents.venue_agent!.dependsOn, ['triage_agent']);
  assert.equal(agents.venue_agent!.prompt, 'Plan a jungle party for 75 guests.\n\n{{triage_agent}}');
  assert.equal(agents.venue_agent!.model, 'gpt-5.6-luna', 'the default of openai-agents 0.22.0');
  assert.equal(agents.venue_agent!.maxCalls, 5);
  assert.deepEqual(loaded.frameworks, [
    {
      name: 'OpenAI Agents SDK',
      version: '0.22.0',
      from: `required by ${path.relative(process.cwd(), path.join(fixtures, 'handoffs-python', 'pyproject.toml'))}`,
    },
  ]);
});

test("the estimate's figures: the prompt, the handoff tools as JSON, the chat overhead, priced at gpt-4.1", () => {
  const loaded = load('handoffs-python');
  const result = labelledEstimate(loaded, estimate(loaded.config!, loaded.prices, listPricing));
  const triage = result.agents.find((a) => a.agent === 'triage_agent')!;
  const system = 'Route each party request to the agent that handles it.';
  const user = 'Plan a jungle party for 75 guests.';
  const toolJson = JSON.stringify([
    {
      name: 'transfer_to_venue_agent',
      description: 'Handoff to the Venue Agent agent to handle the request. Finds a venue for the party.',
      parameters: emptyParameters,
    },
    { name: 'transfer_to_cake_agent', description: 'Handoff to the cake_agent agent to handle the request. ', parameters: emptyParameters },
  ]);
  // Two messages (3 + 1 role token each) and 3 to prime the reply, plus the tools' definitions.
  const input = tokens(system) + tokens(user) + 11 + tokens(toolJson);
  assert.equal(triage.inputTokens, input);
  assert.equal(triage.outputTokens, 256);
  assert.equal(triage.costPerRunUsd, (input * 2 + 256 * 8) / 1e6);
  assert.equal(triage.modelSource, `${path.relative(process.cwd(), path.join(fixtures, 'handoffs-python', 'main.py'))}:19`);
  const venue = result.agents.find((a) => a.agent === 'venue_agent')!;
  assert.equal(venue.modelSource, 'Agents SDK 0.22.0 default (gpt-5.6-luna)');
  assert.deepEqual(venue.dependsOn, ['triage_agent']);
  assert.equal(venue.definedAt?.line, 6);
});

test('@function_tool: the docstring, Annotated and Args descriptions, and the strict schema of function_schema()', () => {
  const loaded = load('tools-python');
  const planner = loaded.config!.agents.outdoor_planner!;
  assert.deepEqual(planner.tools, [
    {
      name: 'get_weather',
      description: 'Get the current weather information for a specified city.',
      parameters: {
        properties: { city: { description: 'The city to get the weather for', title: 'City', type: 'string' } },
        required: ['city'],
        title: 'get_weather_args',
        type: 'object',
        additionalProperties: false,
      },
    },
    {
      name: 'find_venues',
      description: 'Search party venues in a city.',
      parameters: {
        properties: {
          city: { description: 'The city to search in.', title: 'City', type: 'string' },
          guests: { default: 50, description: 'How many guests the venue must hold.', title: 'Guests', type: 'integer' },
        },
        // Strict: every property required, those with defaults too.
        required: ['city', 'guests'],
        title: 'search_venues_args',
        type: 'object',
        additionalProperties: false,
      },
    },
  ]);
  assert.equal(planner.expectedCalls, undefined, 'function tools: the assumed loop');
  assert.equal(planner.maxCalls, 10, 'DEFAULT_MAX_TURNS');
  assert.equal(loaded.frameworks?.[0]?.version, '0.15.3');
});

test('a model from OPENAI_DEFAULT_MODEL in .env, a structured output, and instructions built by a function', () => {
  const loaded = load('structured-env-python');
  const agents = loaded.config!.agents;
  assert.equal(agents.host_agent!.model, 'gpt-4o-mini');
  assert.equal(agents.budget_agent!.model, 'gpt-4o-mini');
  assert.deepEqual(agents.budget_agent!.outputSchema, {
    properties: {
      total: { title: 'Total', type: 'number' },
      items: { items: { type: 'string' }, title: 'Items', type: 'array' },
      notes: { anyOf: [{ type: 'string' }, { type: 'null' }], title: 'Notes' },
    },
    required: ['total', 'items', 'notes'],
    title: 'Budget',
    type: 'object',
    additionalProperties: false,
  });
  const warning = loaded.problems.find((p) => p.severity === 'warning' && /instructions/.test(p.message))!;
  assert.match(warning.message, /guest_instructions\(\) builds them at run time.*200 words/);
  const text = readFixture('structured-env-python/agents_app.py');
  assert.equal(text.slice(warning.offset, warning.offset + warning.length), 'guest_instructions');
  assert.equal(agents.host_agent!.system, Array.from({ length: 200 }, () => 'word').join(' '));
  const result = labelledEstimate(loaded, estimate(loaded.config!, loaded.prices, listPricing));
  assert.match(result.agents[0]!.modelSource!, /\.env \(OPENAI_DEFAULT_MODEL\)$/);
  // The environment wins over .env.
  const fromEnv = loadConfig(locateConfig(path.join(fixtures, 'structured-env-python')), { env: { OPENAI_DEFAULT_MODEL: 'gpt-4.1' } });
  assert.equal(fromEnv.config!.agents.host_agent!.model, 'gpt-4.1');
});

test('TypeScript: new Agent, Agent.create, tool() with a zod schema, outputType, run(…, { maxTurns })', () => {
  const loaded = load('typescript');
  assert.deepEqual(
    loaded.problems.filter((p) => p.severity === 'error'),
    [],
  );
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['host', 'catering_agent']);
  assert.deepEqual(agents.host!.tools, [
    {
      // JS keeps the case: toFunctionToolName.
      name: 'transfer_to_Catering_Agent',
      description: 'Handoff to the Catering Agent agent to handle the request. Plans the menu and books a caterer.',
      parameters: emptyParameters,
      resultTokens: 10,
    },
  ]);
  assert.equal(agents.host!.model, 'gpt-5.6-luna', 'the default of @openai/agents 0.17.0');
  assert.deepEqual(agents.catering_agent!.tools, [
    {
      name: 'find_caterer',
      description: 'Find caterers that serve a cuisine.',
      parameters: {
        type: 'object',
        properties: { cuisine: { type: 'string', description: 'The cuisine, e.g. Thai' }, guests: { type: 'integer' } },
        required: ['cuisine', 'guests'],
        additionalProperties: false,
      },
    },
  ]);
  assert.deepEqual(agents.catering_agent!.outputSchema, {
    type: 'object',
    properties: { dishes: { type: 'array', items: { type: 'string' } }, caterer: { type: 'string' } },
    required: ['dishes', 'caterer'],
    additionalProperties: false,
  });
  assert.equal(agents.catering_agent!.maxCalls, 4);
  assert.deepEqual(agents.catering_agent!.dependsOn, ['host']);
});

test('--config names one file; sourceFiles lists the definitions and the project files', () => {
  const file = path.join(fixtures, 'typescript', 'src', 'agents.ts');
  const location = locateConfig(fixtures, file);
  assert.deepEqual(location, { kind: 'agents-sdk', dir: path.dirname(file), file });
  const files = sourceFiles(locateConfig(path.join(fixtures, 'handoffs-python')));
  assert.deepEqual(
    files.map((f) => path.basename(f)),
    ['main.py', 'pyproject.toml'],
  );
});

test('the default model by release, and docstring sections', () => {
  assert.equal(sdkDefaultModel('python', '0.2.8'), 'gpt-4o');
  assert.equal(sdkDefaultModel('python', '0.2.9'), 'gpt-4.1');
  assert.equal(sdkDefaultModel('python', '0.16.0'), 'gpt-5.4-mini');
  assert.equal(sdkDefaultModel('python', '0.20.0'), 'gpt-5.6-luna');
  assert.equal(sdkDefaultModel('typescript', '0.9.0'), 'gpt-4.1');
  assert.equal(sdkDefaultModel('typescript', '0.15.0'), 'gpt-5.6-luna');
  assert.equal(handoffToolName('python', 'FAQ Agent'), 'transfer_to_faq_agent');
  assert.equal(handoffToolName('typescript', 'FAQ Agent'), 'transfer_to_FAQ_Agent');
  const doc = parseDocstring(
    'Books a seat.\n\nMore text.\n\nArgs:\n    seat (str): The seat.\n    when: The day,\n        in ISO form.\n\nReturns:\n    Nothing.',
  );
  assert.equal(doc.description, 'Books a seat.\n\nMore text.');
  assert.deepEqual(
    [...doc.params],
    [
      ['seat', 'The seat.'],
      ['when', 'The day,\nin ISO form.'],
    ],
  );
});

function readFixture(name: string): string {
  return require('node:fs').readFileSync(path.join(fixtures, name), 'utf8') as string;
}

test('traces name agents as the SDK does (gen_ai.agent.name): they find our agents', () => {
  const loaded = load('handoffs-python');
  const attribute = attributor(loaded.config!, undefined, new Map());
  assert.deepEqual(attribute({ agentName: 'Venue Agent' }), { agent: 'venue_agent', via: 'name' });
  assert.deepEqual(attribute({ agentName: 'triage_agent' }), { agent: 'triage_agent', via: 'name' });
});

test('Python and TypeScript in one project: each agent priced at its own SDK release, and says which', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-sdk-both-'));
  cpSync(path.join(fixtures, 'handoffs-python'), dir, { recursive: true });
  cpSync(path.join(fixtures, 'typescript'), dir, { recursive: true });
  const loaded = loadConfig(locateConfig(dir), { env });
  assert.ok(loaded.config, JSON.stringify(loaded.problems));
  const estimated = labelledEstimate(loaded, estimate(loaded.config!, loaded.prices, listPricing));
  const source = (agent: string): string | undefined => estimated.agents.find((a) => a.agent === agent)?.modelSource;
  assert.equal(source('venue_agent'), 'Agents SDK 0.22.0 default (gpt-5.6-luna)');
  assert.equal(source('host'), '@openai/agents 0.17.0 default (gpt-5.6-luna)');
});
