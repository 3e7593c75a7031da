import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../sidecar/sources/load';
import { locateConfig } from '../../sidecar/shared/configLocation';
import { identityText, transferText } from '../../sidecar/sources/adk/adkRules';

// Expected texts are written from adk-python's source (identity.py, agent_transfer.py, transfer_to_agent_tool.py,
// exit_loop_tool.py, function_tool.py; v2.1.0, v1.34.1 and v1.4.2) and test/fixtures/adk/EXPECTED.md.

const fixtures = path.join(__dirname, '..', 'fixtures', 'adk');
const load = (name: string, env: NodeJS.ProcessEnv = {}) => loadConfig(locateConfig(path.join(fixtures, name)), { env });

const transferDescriptionV2 =
  "Transfer the question to another agent.\n\nThis tool hands off control to another agent when it's more suitable to\nanswer the user's question according to the agent's description.\n\nNote:\n  For most use cases, you should use TransferToAgentTool instead of this\n  function directly. TransferToAgentTool provides additional enum constraints\n  that prevent LLMs from hallucinating invalid agent names.\n\nArgs:\n  agent_name: the agent name to transfer to.";

test('Agent Config YAML: sub-agents by config_path, the system instruction as ADK 2.1 assembles it', () => {
  const loaded = load('config-basic');
  assert.equal(loaded.kind, 'adk');
  assert.deepEqual(
    loaded.problems.filter((p) => p.severity === 'error'),
    [],
  );
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['root_agent', 'code_tutor_agent', 'math_tutor_agent']);
  const root = agents.root_agent!;
  assert.equal(
    root.system,
    'You are a learning assistant that helps students with coding and math questions.\nDelegate coding questions to code_tutor_agent and math questions to math_tutor_agent.\n' +
      '\n\nYou are an agent. Your internal name is "root_agent". The description about you is "Learning assistant that provides tutoring in code and math.".' +
      '\n\n\nYou have a list of other agents to transfer to:\n\n' +
      '\nAgent name: code_tutor_agent\nAgent description: Coding tutor that helps students learn programming concepts.\n' +
      '\n' +
      '\nAgent name: math_tutor_agent\nAgent description: Math tutor for algebra and geometry.\n' +
      '\n\nIf you are the best to answer the question according to your description,\nyou can answer it.\n\nIf another agent is better for answering the question according to its\ndescription, call `transfer_to_agent` function to transfer the question to that\nagent. When transferring, do not generate any text other than the function\ncall.\n\n**NOTE**: the only available agents for `transfer_to_agent` function are\n`code_tutor_agent`, `math_tutor_agent`.\n',
  );
  assert.deepEqual(root.tools, [
    {
      name: 'transfer_to_agent',
      description: transferDescriptionV2,
      parameters: {
        properties: { agent_name: { title: 'Agent Name', type: 'string', enum: ['code_tutor_agent', 'math_tutor_agent'] } },
        required: ['agent_name'],
        title: 'transfer_to_agentParams',
        type: 'object',
      },
      resultTokens: 10,
    },
  ]);
  assert.equal(root.expectedCalls, 1);
  const code = agents.code_tutor_agent!;
  assert.equal(code.model, 'gemini-2.5-flash', 'inherited from root_agent (LlmAgent.canonical_model)');
  assert.deepEqual(code.dependsOn, ['root_agent']);
  assert.equal(code.prompt, '{{inputs}}\n\nFor context:\n[root_agent] said: {{root_agent}}');
  // Targets: no sub-agents; the parent, then the peer. The NOTE lists them sorted; the parent suffix follows.
  assert.ok(
    code.system!.endsWith(
      '`math_tutor_agent`, `root_agent`.\n\nIf neither you nor the other agents are best for the question, transfer to your parent agent root_agent.\n',
    ),
  );
  assert.ok(
    code.system!.includes(
      '\nAgent name: root_agent\nAgent description: Learning assistant that provides tutoring in code and math.\n\n\nAgent name: math_tutor_agent',
    ),
  );
  assert.equal(agents.math_tutor_agent!.model, 'gemini-2.5-pro');
});

test('SequentialAgent and LoopAgent: each after the previous, max_iterations multiplies the calls (ADK 1.34.1 pinned)', () => {
  const loaded = load('workflow-yaml');
  assert.deepEqual(loaded.frameworks?.[0]?.version, '1.34.1');
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['initial_writer', 'critic', 'refiner']);
  // A SequentialAgent's children have no LlmAgent parent: no transfer instructions.
  assert.equal(
    agents.initial_writer!.system,
    'Write a short first draft of a party invitation about {topic}.\n\nYou are an agent. Your internal name is "initial_writer". The description about you is "Writes the first draft.".',
  );
  assert.equal(agents.initial_writer!.tools, undefined);
  assert.deepEqual(agents.critic!.dependsOn, ['initial_writer']);
  assert.equal(agents.critic!.expectedCalls, 3, 'no tools, 3 iterations');
  assert.deepEqual(agents.refiner!.dependsOn, ['critic']);
  assert.deepEqual(agents.refiner!.expectedCalls, { p50: 9, p90: 18 }, 'the assumed loop (3, p90 6) three times');
  // v1.x declares functions on the legacy path: the raw docstring, a Gemini Schema.
  assert.deepEqual(agents.refiner!.tools, [
    {
      name: 'exit_loop',
      description: 'Exits the loop.\n\n  Call this function only when you are instructed to do so.\n  ',
      parameters: { type: 'OBJECT', properties: {} },
    },
  ]);
});

test('Python: function tools declared from the signature and the whole cleaned docstring (v2), a LiteLlm model', () => {
  const loaded = load('python-tools');
  const agent = loaded.config!.agents.weather_time_agent!;
  assert.equal(agent.model, 'openai/gpt-4o');
  assert.deepEqual(agent.tools, [
    {
      name: 'get_weather',
      description:
        'Retrieves the current weather report for a specified city.\n\nArgs:\n    city (str): The name of the city for which to retrieve the weather report.\n\nReturns:\n    dict: status and result or error msg.',
      parameters: { properties: { city: { title: 'City', type: 'string' } }, required: ['city'], title: 'get_weatherParams', type: 'object' },
    },
    {
      name: 'get_current_time',
      description: 'Returns the current time in a specified city.',
      parameters: {
        properties: { city: { title: 'City', type: 'string' }, utc: { default: false, title: 'Utc', type: 'boolean' } },
        required: ['city'],
        title: 'get_current_timeParams',
        type: 'object',
      },
    },
  ]);
  assert.equal(
    agent.system,
    'You are a helpful agent who can answer user questions about the time and weather in a city.\n\nYou are an agent. Your internal name is "weather_time_agent". The description about you is "Agent to answer questions about the time and weather in a city.".',
  );
});

test("Python: a model from the agent folder's .env, ParallelAgent branches, an instruction built by a function", () => {
  const loaded = load('python-env');
  const agents = loaded.config!.agents;
  assert.deepEqual(Object.keys(agents), ['theme_agent', 'venue_agent', 'cake_agent', 'planner_agent']);
  for (const agent of Object.values(agents)) assert.equal(agent.model, 'gemini-2.0-flash');
  assert.deepEqual(agents.venue_agent!.dependsOn, ['theme_agent']);
  assert.deepEqual(agents.cake_agent!.dependsOn, ['theme_agent']);
  assert.deepEqual(agents.planner_agent!.dependsOn, ['venue_agent', 'cake_agent']);
  const warning = loaded.problems.find((p) => /instruction cannot be read statically/.test(p.message));
  assert.ok(warning, 'the function instruction is a positioned warning');
  assert.match(loaded.files.find((f) => f.name.endsWith('agent.py'))!.text.slice(warning.offset, warning.offset + warning.length), /^theme_instruction$/);
  assert.equal(load('python-env', { PARTY_MODEL: 'gemini-2.5-pro' }).config!.agents.theme_agent!.model, 'gemini-2.5-pro');
});

test('older releases: the v1.4.2 texts, and no default model before 1.22', () => {
  assert.equal(identityText('1.4.2', 'a', 'D'), 'You are an agent. Your internal name is "a".\n\n The description about you is "D"');
  assert.ok(
    transferText('1.4.2', [{ name: 'b', description: 'B' }], 'p').endsWith(
      '\nYour parent agent is p. If neither the other agents nor\nyou are best for answering the question according to the descriptions, transfer\nto your parent agent.\n',
    ),
  );
});
