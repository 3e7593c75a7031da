import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countTokens, encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { fillTemplate } from '../../sidecar/config/template';
import { templateTokens } from '../../sidecar/context/agentTokens';
import { estimate } from '../../sidecar/estimate/estimate';
import { locateConfig } from '../../sidecar/shared/configLocation';
import { labelledEstimate, loadConfig } from '../../sidecar/sources/load';
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

void countTokens;
void templateTokens;
void labelledEstimate;
void estimate;
