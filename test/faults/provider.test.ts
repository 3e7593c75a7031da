import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { partycost, readDatabase } from '../cliProcess';
import { startAnthropicStandin } from '../standins/anthropic';
import { startGeminiStandin } from '../standins/gemini';
import { startOpenAIStandin } from '../standins/openai';
import type { Planned, Standin } from '../standins/standin';

// A vendor that answers 200 with JSON that does not parse, or cuts its stream: the run stops with the cause named,
// the agents that finished are kept (ledger and events), the failed one is in neither, and the next run executes only
// what is missing. Through the real CLI, against local servers speaking each vendor's protocol.

const keys = {
  OPENAI_API_KEY: 'sk-proj-fault0123456789abcdef',
  ANTHROPIC_API_KEY: 'sk-ant-api03-fault0123456789',
  GEMINI_API_KEY: 'AIzaSyfault0123456789abcdefghijkl',
};
const planner = 'Write the final party plan';

async function vendors(t: TestContext): Promise<{ openai: Standin; env: Record<string, string>; dir: string }> {
  const [anthropic, gemini, openai] = await Promise.all([startAnthropicStandin(), startGeminiStandin(), startOpenAIStandin()]);
  t.after(() => Promise.all([anthropic.close(), gemini.close(), openai.close()]));
  const env = { ...keys, ANTHROPIC_BASE_URL: anthropic.baseURL, GOOGLE_GEMINI_BASE_URL: gemini.baseURL, OPENAI_BASE_URL: openai.baseURL };
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-vendor-fault-'));
  copyFileSync(path.resolve('examples/mixed-vendors/partycost.json'), path.join(dir, 'partycost.json'));
  const created = await partycost(dir, ['party', 'create', '--input', 'jungle theme', '--input', '30 kids in the garden', '--input', 'vegan snacks'], env);
  assert.equal(created.code, 0, created.stderr);
  return { openai, env, dir };
}

function recorded(dir: string): { ledger: string[]; completed: string[] } {
  return readDatabase(dir, (db) => ({
    ledger: (db.prepare('SELECT agent FROM ledger ORDER BY agent').all() as { agent: string }[]).map((row) => row.agent),
    completed: (
      db.prepare(`SELECT json_extract(payload, '$.result.agent') AS agent FROM events WHERE type = 'agent_completed' ORDER BY agent`).all() as {
        agent: string;
      }[]
    ).map((row) => row.agent),
  }));
}

const faults: { name: string; answer: Planned; says: RegExp }[] = [
  {
    name: 'an answer that is not JSON',
    answer: { malformed: true },
    says: /agent "planner_final" failed: openai gpt-5: malformed answer: the answer is not valid JSON/,
  },
  { name: 'a stream cut mid-way', answer: { status: 200, cut: true }, says: /agent "planner_final" failed: openai gpt-5: (stream cut|connection): / },
];

for (const fault of faults) {
  test(`${fault.name}: the run stops naming the cause; finished agents kept, the next run executes only the rest`, async (t) => {
    const { openai, env, dir } = await vendors(t);
    // Every attempt (the example allows the OpenAI provider two retries) meets the fault.
    openai.plan(...[1, 2, 3].map(() => ({ ...fault.answer, match: planner }) as Planned));
    const failed = await partycost(dir, ['run', 'P1'], env);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, fault.says);
    assert.match(failed.stderr, /finished agents are kept, run again to retry the rest/);
    assert.doesNotMatch(failed.stderr, /\n\s+at /, 'no stack trace');
    const before = recorded(dir);
    assert.deepEqual(before.ledger, ['budget', 'catering', 'theme', 'venue']);
    assert.deepEqual(before.completed, before.ledger, 'every ledger row has its event, and no more');

    const again = await partycost(dir, ['run', 'P1'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Done: 1 executed/);
    assert.equal(openai.requests.length, 4, 'three failed attempts, then the one execution that was missing');
    assert.deepEqual(recorded(dir).ledger, ['budget', 'catering', 'planner_final', 'theme', 'venue']);
  });
}
