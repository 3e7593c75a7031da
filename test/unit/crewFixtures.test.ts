import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fillTemplate } from '../../sidecar/config/template';
import { estimate } from '../../sidecar/estimate/estimate';
import { locateConfig } from '../../sidecar/shared/configLocation';
import { labelledEstimate, loadConfig, problemLines } from '../../sidecar/sources/load';
import type { LoadedConfig } from '../../sidecar/sources/load';
import type { AgentConfig } from '../../sidecar/config/schema';

// The eleven CrewAI projects of test/fixtures/crewai, written as CrewAI's users write them, against EXPECTED.md: what
// CrewAI 1.15.17 (and 1.9.2) would send, assembled from CrewAI's source independently of this code. Every exact
// message there must be ours character for character (so token for token), every tools array ours key for key.

const fixtures = path.resolve('test/fixtures/crewai');
const expectedMd = readFileSync(path.join(fixtures, 'EXPECTED.md'), 'utf8');

/** Each JSON block of EXPECTED.md with its fixture and the paragraph before it. */
function expectedBlocks(): { fixture: string; paragraph: string; json: string }[] {
  const blocks: { fixture: string; paragraph: string; json: string }[] = [];
  let fixture = '';
  let paragraph: string[] = [];
  const lines = expectedMd.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^## \d+\. `([^`]+)`/.exec(line);
    if (heading) fixture = heading[1]!;
    if (line.startsWith('```json')) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      blocks.push({ fixture, paragraph: paragraph.join(' '), json: body.join('\n') });
      paragraph = [];
    } else if (line.trim() === '') paragraph = [];
    else paragraph.push(line);
  }
  return blocks;
}

const loaded = new Map<string, LoadedConfig>();
function load(fixture: string): LoadedConfig {
  if (!loaded.has(fixture)) {
    const dir = path.join(fixtures, fixture);
    loaded.set(fixture, loadConfig(locateConfig(dir), { env: {}, display: (file) => path.relative(dir, file) }));
  }
  return loaded.get(fixture)!;
}

const today = new Date().toISOString().slice(0, 10);

/** Our first call of an agent, every placeholder filled: an input with its sample (the year as EXPECTED.md assumes it), an upstream output with EXPECTED.md's stand-in. */
function ourMessages(config: NonNullable<LoadedConfig['config']>, agent: string): { role: string; content: string }[] {
  const a = config.agents[agent];
  assert.ok(a, `no agent ${agent} among ${Object.keys(config.agents).join(', ')}`);
  const samples: Record<string, string> = { ...config.inputs, current_year: '2026' };
  const fill = (text: string): string =>
    fillTemplate(text, (name) => (name.startsWith('input.') ? (samples[name.slice('input.'.length)] ?? '') : `<${name} output (raw)>`));
  return [...(a.system ? [{ role: 'system', content: fill(a.system) }] : []), { role: 'user', content: fill(a.prompt ?? '') }];
}

const blocks = expectedBlocks();

for (const block of blocks.filter((b) => b.json.trimStart().startsWith('{"role"'))) {
  const task = /`([a-z_]+)`/.exec(block.paragraph)?.[1];
  test(`${block.fixture}: ${task}'s first call is CrewAI's, character for character`, () => {
    const config = load(block.fixture).config;
    assert.ok(config, `${block.fixture} loads`);
    const expected = block.json.split('\n').map((line) => JSON.parse(line.replaceAll('{{TODAY}}', today)) as { role: string; content: string });
    const ours = ourMessages(config, task!);
    assert.deepEqual(ours, expected);
    // And so token for token, with the tokenizer CrewAI's OpenAI models bill with.
    assert.equal(encodeChat(ours as never, 'gpt-4o').length, encodeChat(expected as never, 'gpt-4o').length);
  });
}

for (const block of blocks.filter((b) => b.json.trimStart().startsWith('['))) {
  const named =
    /`([a-z_]+_task|research_the_market_for_task|write_a_onepage_launch_task)` API/.exec(block.paragraph)?.[1] ?? /^`([a-z_]+)`/.exec(block.paragraph)?.[1];
  test(`${block.fixture}: the tools ${named ?? 'every task'} sends are CrewAI's`, () => {
    const config = load(block.fixture).config;
    assert.ok(config, `${block.fixture} loads`);
    const expected = (JSON.parse(block.json) as { function: { name: string; description: string; parameters: unknown } }[]).map(({ function: f }) => ({
      name: f.name,
      description: f.description,
      parameters: f.parameters,
    }));
    const agents = named ? [named] : Object.keys(config.agents).filter((name) => config.agents[name]!.tools && !name.endsWith('-delegated'));
    assert.ok(agents.length > 0);
    for (const agent of agents) {
      const tools: NonNullable<AgentConfig['tools']> = config.agents[agent]!.tools ?? [];
      const ours = tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
      const wanted = block.paragraph.includes('last two entries') ? expected.slice(-2) : expected;
      // Key order counts (it is what is sent, and counted): compared as JSON text.
      assert.equal(JSON.stringify(ours), JSON.stringify(wanted), agent);
    }
  });
}

test('launch_brief: the copywriter sends the last two tools of the researcher (the memory tools)', () => {
  const config = load('launch_brief').config!;
  assert.deepEqual(
    config.agents.write_a_onepage_launch_task!.tools!.map((t) => t.name),
    ['search_memory', 'save_to_memory'],
  );
});

/** Each task's row: its CrewAI agent, model, where the model comes from, context and tools, as EXPECTED.md tabulates them. */
function rows(fixture: string): [string, string | undefined, string | null, string | undefined, string[], string[]][] {
  const loaded = load(fixture);
  assert.ok(loaded.config, problemLines(loaded).join('\n'));
  const result = labelledEstimate(loaded, estimate(loaded.config, loaded.prices));
  return result.agents.map((a) => [a.agent, a.crewAgent, a.model, a.modelSource, a.dependsOn ?? [], a.tools ?? []]);
}

test("competitor_watch: the llm of agents.yaml, .env's MODEL, a fixed-URL scraper, a project BaseTool, an unknowable tool, the planner", () => {
  assert.deepEqual(rows('competitor_watch'), [
    [
      'scan_task',
      'market_scout',
      'openai/gpt-4o-mini',
      'src/competitor_watch/config/agents.yaml:10',
      [],
      ['search_the_internet_with_serper', 'read_website_content'],
    ],
    ['pricing_task', 'pricing_analyst', 'gpt-4.1', '.env (MODEL)', ['scan_task'], ['seat_cost_calculator']],
    ['briefing_task', 'strategist', 'gpt-4.1', '.env (MODEL)', ['scan_task', 'pricing_task'], ['create_search_tool']],
    ['crew_planner', 'planner', 'gpt-5.4-mini', 'CrewAI default (gpt-5.4-mini)', [], []],
  ]);
  const config = load('competitor_watch').config!;
  assert.equal(config.agents.pricing_task!.maxCalls, 6, 'max_iter=5, then the forced answer');
  assert.equal(config.agents.scan_task!.maxCalls, 26);
  assert.deepEqual(
    problemLines(load('competitor_watch')).map((line) => line.replace(/: (warning|note): .*/, ': $1')),
    ['src/competitor_watch/crew.py:43:20: warning', 'src/competitor_watch/crew.py:72:13: warning', 'src/competitor_watch/main.py:19:25: note'],
  );
});

test('meeting_minutes: a module-level Ollama LLM is local, priced at $0; markdown=True adds the instruction', () => {
  const loaded = load('meeting_minutes');
  assert.deepEqual(problemLines(loaded), []);
  const result = labelledEstimate(loaded, estimate(loaded.config!, loaded.prices));
  assert.deepEqual(
    result.agents.map((a) => [a.agent, a.model, a.modelSource, a.local, a.costPerRunUsd]),
    [
      ['minutes_task', 'ollama/llama3.1', 'src/meeting_minutes/crew.py:6', true, 0],
      ['action_items_task', 'ollama/llama3.1', 'src/meeting_minutes/crew.py:6', true, 0],
    ],
  );
});

test('lead_qualifier: the schema twice on the tool-less Anthropic task (in the prompt, and as structured output)', () => {
  const config = load('lead_qualifier').config!;
  const score = config.agents.score_lead_task!;
  assert.equal(score.model, 'anthropic/claude-sonnet-4-5');
  assert.deepEqual(Object.keys((score.outputSchema as { properties: object }).properties), ['company', 'score', 'reasons', 'next_step']);
  // The research task has tools: no structured output in its loop (a Converter call may follow).
  assert.equal(config.agents.research_lead_task!.outputSchema, undefined);
});

test('due_diligence: a manager on manager_llm performs every task with the delegation tools; each delegated run on the likeliest coworker', () => {
  assert.deepEqual(
    rows('due_diligence').map(([agent, crewAgent, model, source]) => [agent, crewAgent, model, source]),
    [
      ['financial_review_task', 'manager', 'gpt-4o', 'src/due_diligence/crew.py:60'],
      ['financial_review_task-delegated', 'financial_analyst', 'gpt-4o-mini', '.env (MODEL)'],
      ['legal_review_task', 'manager', 'gpt-4o', 'src/due_diligence/crew.py:60'],
      ['legal_review_task-delegated', 'legal_reviewer', 'gpt-4o-mini', '.env (MODEL)'],
      ['investment_memo_task', 'manager', 'gpt-4o', 'src/due_diligence/crew.py:60'],
      ['investment_memo_task-delegated', 'memo_writer', 'gpt-4o-mini', '.env (MODEL)'],
    ],
  );
  assert.deepEqual(
    problemLines(load('due_diligence')).map((line) => line.slice(0, line.indexOf(': warning'))),
    ['src/due_diligence/crew.py:59:21'],
  );
});

test('policy_helpdesk: memory tools on every agent, the knowledge retrieved into each prompt, the rewrite and extraction calls', () => {
  const config = load('policy_helpdesk').config!;
  assert.deepEqual(Object.keys(config.agents), [
    'answer_task',
    'answer_task-knowledge_query',
    'answer_task-memory',
    'review_task',
    'review_task-knowledge_query',
    'review_task-memory',
  ]);
  // The StringKnowledgeSource's content (one chunk: it is short) ends the user message, after "Additional Information: ".
  assert.ok(config.agents.answer_task!.prompt!.includes('Additional Information: Returns: items can be returned within 30 days'));
  assert.ok(config.agents['answer_task-knowledge_query']!.prompt!.startsWith('The original query is: '));
  assert.deepEqual(config.agents['answer_task-memory']!.dependsOn, ['answer_task'], 'the extraction reads the result');
  assert.deepEqual(
    problemLines(load('policy_helpdesk')).map((line) => line.slice(0, line.indexOf(': warning'))),
    ['src/policy_helpdesk/crew.py:67:13', 'src/policy_helpdesk/crew.py:68:13'],
  );
});

test("news_digest: CrewAI 1.9.2's rules, from uv.lock", () => {
  assert.deepEqual(load('news_digest').crewai, { version: '1.9.2', from: 'locked in uv.lock' });
  assert.deepEqual(load('research_crew').crewai, { version: '1.15.17', from: 'locked in uv.lock' });
});

test("a model without function calling (o1) gets CrewAI's text tools: the ReAct format in the system message, as CrewAI 1.15.17 writes it", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-react-'));
  cpSync(path.join(fixtures, 'research_crew'), dir, { recursive: true });
  const crew = path.join(dir, 'src/research_crew/crew.py');
  writeFileSync(
    crew,
    readFileSync(crew, 'utf8')
      .replace('from crewai import', 'from crewai_tools import SerperDevTool\nfrom crewai import')
      .replace(
        "config=self.agents_config['researcher'], # type: ignore[index]",
        "config=self.agents_config['researcher'], # type: ignore[index]\n            llm='o1', tools=[SerperDevTool()],",
      ),
  );
  const loaded = loadConfig(locateConfig(dir), { env: {}, display: (file) => path.relative(dir, file) });
  assert.deepEqual(problemLines(loaded), [
    `src/research_crew/main.py:18:25: note: input current_year: computed at run time (the current year); ${new Date().getUTCFullYear()} assumed`,
  ]);
  const research = loaded.config!.agents.research_task!;
  assert.equal(research.toolsInPrompt, true);
  // research/crewai.md §2.7, assembled from CrewAI's source: the system message of this agent with SerperDevTool on a non-function-calling model.
  const [system, user] = ourMessages(loaded.config!, 'research_task');
  assert.equal(system!.content, reactSystem);
  assert.ok(
    user!.content.endsWith(
      '\n\nBegin! This is VERY important to you, use the tools available and give your best Final Answer, your job depends on it!\n\nThought:',
    ),
  );
  assert.deepEqual(research.tools, [{ name: 'search_the_internet_with_serper', resultTokens: research.tools![0]!.resultTokens }]);
});

/** research/crewai.md §2.7: the template's researcher with SerperDevTool on a model without function calling, as CrewAI 1.15.17 assembles it. */
const reactSystem =
  'You are AI LLMs Senior Data Researcher\n. You\'re a seasoned researcher with a knack for uncovering the latest developments in AI LLMs. Known for your ability to find the most relevant information and present it in a clear and concise manner.\n\nYour personal goal is: Uncover cutting-edge developments in AI LLMs\n\nYou ONLY have access to the following tools, and should NEVER make up tools that are not listed here:\n\nTool Name: search_the_internet_with_serper\nTool Arguments: {\n  "description": "Input for SerperDevTool.",\n  "properties": {\n    "search_query": {\n      "description": "Mandatory search query you want to use to search the internet",\n      "title": "Search Query",\n      "type": "string"\n    }\n  },\n  "required": [\n    "search_query"\n  ],\n  "title": "SerperDevToolSchema",\n  "type": "object",\n  "additionalProperties": false\n}\nTool Description: A tool that can be used to search the internet with a search_query. Supports different search types: \'search\' (default), \'news\'\n\nIMPORTANT: Use the following format in your response:\n\n```\nThought: you should always think about what to do\nAction: the action to take, only one name of [search_the_internet_with_serper], just the name, exactly as it\'s written.\nAction Input: the input to the action, just a simple JSON object, enclosed in curly braces, using " to wrap keys and values.\nObservation: the result of the action\n```\n\nOnce all necessary information is gathered, return the following format:\n\n```\nThought: I now know the final answer\nFinal Answer: the final answer to the original input question\n```';

test("the template's tasks are priced at CrewAI's prompt token for token: the estimate's input is the exact messages' count", () => {
  const loaded = load('research_crew');
  const result = estimate(loaded.config!, loaded.prices);
  const year = String(new Date().getUTCFullYear());
  const block = blocks.find((b) => b.fixture === 'research_crew' && b.paragraph.startsWith('`research_task`'))!;
  const messages = block.json.split('\n').map((line) => JSON.parse(line.replaceAll('2026', year)) as { role: string; content: string });
  const research = result.agents.find((a) => a.agent === 'research_task')!;
  assert.equal(research.tokenCount, 'counted');
  assert.equal(research.inputTokens, encodeChat(messages as never, 'gpt-4o').length);
});
