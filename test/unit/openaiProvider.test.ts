import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { applyEdits, modify, parse } from 'jsonc-parser';
import { OpenAIProvider } from '../../sidecar/providers/openai';
import { RunFailedError } from '../../sidecar/service/runner';
import type { AgentConfig } from '../../sidecar/config/schema';
import { sampleConfig } from '../../sidecar/config/sample';
import type { Db } from '../../sidecar/store/database';
import { engine, tempDatabase } from '../engine';
import { startOpenAIStandin } from '../standins/openai';
import type { RecordedRequest, Standin, StandinUsage } from '../standins/standin';

const secret = 'sk-test-SECRET';

/** USD per 1M tokens, as OpenAI lists them: uncached input, cached input, output. */
const listPrices: Record<string, { input: number; cachedInput: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
};

/** The default unit prices of the non-model resources an agent declares (vector queries, compute, cache, SQL). */
const resourceUnitPrices = { vectorQueries: 0.0001, computeSeconds: 0.0001, cacheOps: 0.000001, sqlQueries: 0.000005 };

interface LedgerRow {
  party_id: string;
  agent: string;
  model: string | null;
  input_tokens: number;
  cache_read_tokens: number;
  provider: string;
  estimated_cost_usd: number | null;
  output_tokens: number;
  cost_usd: number;
  source: string;
}

const noSleep = async (): Promise<void> => {};

/** A sleep that records the delays asked for and returns at once. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

async function fakeServer(t: TestContext): Promise<Standin> {
  const server = await startOpenAIStandin();
  t.after(() => server.close());
  return server;
}

function database(t: TestContext): { file: string; db: Db } {
  const temp = tempDatabase();
  t.after(() => {
    if (temp.db.open) temp.db.close();
  });
  return temp;
}

/** The sample configuration with its default provider switched to openai and the provider pointed at `baseURL`. */
function sampleOnOpenAI(baseURL: string): string {
  const formattingOptions = { insertSpaces: true, tabSize: 2 };
  let text = applyEdits(sampleConfig, modify(sampleConfig, ['defaults', 'provider'], 'openai', { formattingOptions }));
  text = applyEdits(text, modify(text, ['provider'], { baseURL }, { formattingOptions }));
  return text;
}

/** A small configuration on the openai provider. */
function openAIConfig(baseURL: string, agents: Record<string, AgentConfig>): string {
  return JSON.stringify({ defaults: { model: 'gpt-4o-mini', provider: 'openai' }, provider: { baseURL }, agents }, null, 2);
}

/** theme takes the inputs that say "theme"; venue follows theme. */
const themeAndVenue: Record<string, AgentConfig> = {
  theme: { prompt: 'Suggest a party theme for: {{inputs}}', handles: { keywords: ['theme'] } },
  venue: { prompt: 'Find a venue for a party with this theme: {{theme}}', dependsOn: ['theme'] },
};

/** One agent that takes part whenever the party has an input. */
const themeOnly: Record<string, AgentConfig> = {
  theme: { prompt: 'Suggest a party theme for: {{inputs}}' },
};

function provider(baseURL: string, apiKey = secret): OpenAIProvider {
  return new OpenAIProvider({ baseURL, apiKey });
}

function ledger(db: Db): LedgerRow[] {
  return db.prepare('SELECT * FROM ledger ORDER BY rowid').all() as LedgerRow[];
}

function requestsFor(server: Standin, promptStart: string): RecordedRequest[] {
  return server.requests.filter((r) => r.userText.startsWith(promptStart));
}

function tokenUsd(model: string, usage: StandinUsage): number {
  const p = listPrices[model];
  const cached = usage.cacheRead ?? 0;
  return ((usage.input - cached) * p.input + cached * p.cachedInput + usage.output * p.output) / 1e6;
}

function resourceUsd(resources: AgentConfig['resources']): number {
  const r = resources ?? {};
  return (
    (r.vectorQueries ?? 0) * resourceUnitPrices.vectorQueries +
    (r.computeSeconds ?? 0) * resourceUnitPrices.computeSeconds +
    (r.cacheOps ?? 0) * resourceUnitPrices.cacheOps +
    (r.sqlQueries ?? 0) * resourceUnitPrices.sqlQueries
  );
}

function assertClose(actual: number, expected: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${message}: ${actual} is not ${expected} (within 1e-12)`);
}

test('the sample party on the openai provider runs end to end: one call per llm agent, actual usage, priced per model', async (t) => {
  const server = await fakeServer(t);
  const { db } = database(t);
  const configText = sampleOnOpenAI(server.baseURL);
  const sample = parse(configText) as { agents: Record<string, AgentConfig> };

  // Each llm agent gets its own usage (and a cost line the budget agent totals), matched on its prompt.
  const script: Record<string, { prompt: string; model: string; usage: StandinUsage; content: string }> = {
    theme: {
      prompt: 'Suggest a party theme',
      model: 'gpt-4o-mini',
      usage: { input: 1200, cacheRead: 1024, output: 180 },
      content: 'Jungle: green, vines, toy animals.',
    },
    venue: { prompt: 'Find a venue', model: 'gpt-4o-mini', usage: { input: 431, cacheRead: 0, output: 233 }, content: 'Garden hall. Cost: $400' },
    cake: { prompt: 'Design a cake', model: 'gpt-4o-mini', usage: { input: 97, cacheRead: 0, output: 141 }, content: 'Chocolate jungle cake. Cost: $60' },
    catering: {
      prompt: 'Plan food and drinks',
      model: 'gpt-4o-mini',
      usage: { input: 2048, cacheRead: 1536, output: 299 },
      content: 'Vegan snacks for 30 kids. Cost: $250',
    },
    vendor: { prompt: 'Book entertainment', model: 'gpt-4o-mini', usage: { input: 310, cacheRead: 128, output: 77 }, content: 'A magician. Cost: $150' },
    planner_final: {
      prompt: 'Write the final party plan',
      model: 'gpt-4o',
      usage: { input: 3333, cacheRead: 2048, output: 654 },
      content: 'The plan: 14:00 arrive, 15:00 cake.',
    },
  };
  server.plan(...Object.values(script).map((s) => ({ status: 200 as const, match: s.prompt, usage: s.usage, content: s.content })));

  const service = engine(configText, db, provider(server.baseURL));
  const { party } = service.create('Jungle party', ['jungle theme', '30 kids in the garden', 'chocolate cake', 'vegan snacks', 'a magician']);
  const report = await service.run(party.id, { retry: { sleep: noSleep } });

  assert.deepEqual(
    report.agents.map((a) => [a.agent, a.action]).sort(),
    [...Object.keys(script), 'budget'].sort().map((agent) => [agent, 'execute']),
  );
  assert.equal(server.requests.length, 6, 'one request per llm agent; the compute agent "budget" calls no model');
  assert.deepEqual(server.pending(), [], 'every scripted answer was asked for');
  for (const [agent, s] of Object.entries(script)) {
    const requests = requestsFor(server, s.prompt);
    assert.equal(requests.length, 1, `${agent} calls the server once`);
    assert.equal(requests[0].body.model, s.model, `${agent} asks for its model`);
    assert.equal(requests[0].url, '/v1/chat/completions');
  }
  // The budget agent ran locally on the upstream answers, and its total reached the final planner.
  assert.match(requestsFor(server, script.planner_final.prompt)[0].userText, /Total: \$860/);

  const rows = ledger(db);
  assert.deepEqual(rows.map((r) => r.agent).sort(), [...Object.keys(script), 'budget'].sort());
  for (const [agent, s] of Object.entries(script)) {
    const row = rows.find((r) => r.agent === agent)!;
    assert.equal(row.source, 'actual', `${agent}'s usage comes from the response`);
    assert.equal(row.model, s.model);
    assert.deepEqual([row.input_tokens, row.cache_read_tokens, row.output_tokens], [s.usage.input, s.usage.cacheRead, s.usage.output], agent);
    // The ledger charges the model tokens at list price plus the agent's declared non-model resources.
    assertClose(row.cost_usd, tokenUsd(s.model, s.usage) + resourceUsd(sample.agents[agent].resources), `${agent}'s cost`);
    assert.ok(row.cost_usd > resourceUsd(sample.agents[agent].resources), `${agent} pays for its tokens`);
  }
  const budget = rows.find((r) => r.agent === 'budget')!;
  assert.deepEqual([budget.model, budget.input_tokens, budget.cache_read_tokens, budget.output_tokens], [null, 0, 0, 0]);
  assertClose(budget.cost_usd, resourceUsd(sample.agents.budget.resources), 'budget costs its resources only');

  const results = db.prepare('SELECT agent, usage_source, input_tokens FROM results').all() as { agent: string; usage_source: string; input_tokens: number }[];
  assert.equal(results.length, 7);
  for (const r of results) assert.equal(r.usage_source, r.agent === 'budget' ? 'estimated' : 'actual', r.agent);
  assertClose(
    report.costUsd,
    rows.reduce((total, r) => total + r.cost_usd, 0),
    'the report totals the ledger',
  );
});

test('the API key goes to the server as a bearer token and nowhere into the database', async (t) => {
  const server = await fakeServer(t);
  const { file, db } = database(t);
  const config = openAIConfig(server.baseURL, themeAndVenue);
  const service = engine(config, db, provider(server.baseURL));
  const { party } = service.create('Key party', ['a pirate theme']);
  await service.run(party.id, { retry: { sleep: noSleep } });

  assert.equal(server.requests.length, 2);
  for (const request of server.requests) assert.equal(request.headers.authorization, `Bearer ${secret}`);
  const keys = (db.prepare('SELECT key FROM results ORDER BY agent').all() as { key: string }[]).map((r) => r.key);
  assert.equal(keys.length, 2);
  for (const key of keys) assert.ok(!key.includes(secret), 'no result key contains the API key');

  // The cache keys do not depend on the key either: the same party with another key gets the same ones.
  const other = database(t);
  const otherService = engine(config, other.db, provider(server.baseURL, 'sk-other-key'));
  const otherParty = otherService.create('Key party', ['a pirate theme']).party;
  await otherService.run(otherParty.id, { retry: { sleep: noSleep } });
  assert.deepEqual(
    (other.db.prepare('SELECT key FROM results ORDER BY agent').all() as { key: string }[]).map((r) => r.key),
    keys,
  );
  assert.equal(server.requests[2].headers.authorization, 'Bearer sk-other-key');

  db.close();
  const files = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));
  const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
  // The read sees what the run stored (so the absence below means something) ...
  assert.ok(bytes.includes('Fake answer to: Suggest a party theme for: a pirate theme'), 'the stored output is in the file');
  // ... and the key is in none of it.
  assert.ok(!bytes.includes(secret), 'the API key is not in the database file or its WAL');
  assert.ok(!bytes.includes(Buffer.from(secret, 'utf16le')), 'nor in UTF-16');
});

test('a 429 with retry-after: 0 is retried at once and the run succeeds with one ledger row', async (t) => {
  const server = await fakeServer(t);
  const { db } = database(t);
  server.plan({ status: 429, retryAfterSeconds: 0 }, { status: 200, usage: { input: 50, cacheRead: 0, output: 20 }, content: 'Space theme.' });
  const { delays, sleep } = recordingSleep();
  const service = engine(openAIConfig(server.baseURL, themeOnly), db, provider(server.baseURL));
  const { party } = service.create('Retry party', ['something with planets']);

  const report = await service.run(party.id, { retry: { sleep } });

  assert.deepEqual(
    report.agents.map((a) => [a.agent, a.action]),
    [['theme', 'execute']],
  );
  assert.equal(requestsFor(server, 'Suggest a party theme').length, 2, 'the rate-limited request and its retry');
  assert.deepEqual(delays, [0], 'the client waited what retry-after asked for, once');
  const rows = ledger(db);
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].agent, rows[0].source, rows[0].input_tokens, rows[0].output_tokens], ['theme', 'actual', 50, 20]);
  assert.equal(service.store.load(party.id).results.theme.output, 'Space theme.');
});

test('a 500 on every try fails the run naming the agent; the finished agents are kept and reused once the server recovers', async (t) => {
  const server = await fakeServer(t);
  const { db } = database(t);
  const service = engine(openAIConfig(server.baseURL, themeAndVenue), db, provider(server.baseURL));
  const { party } = service.create('Flaky party', ['a circus theme']);
  server.plan({ status: 500, match: 'Find a venue' }, { status: 500, match: 'Find a venue' }, { status: 500, match: 'Find a venue' });

  await assert.rejects(service.run(party.id, { retry: { retries: 2, sleep: noSleep } }), (error: unknown) => {
    assert.ok(error instanceof RunFailedError, `a RunFailedError, not ${String(error)}`);
    assert.equal(error.agent, 'venue');
    assert.match(error.message, /venue/);
    assert.match(error.message, /500/);
    assert.match(error.message, /after 3 tries/);
    assert.deepEqual(
      error.report.agents.map((a) => [a.agent, a.action]),
      [['theme', 'execute']],
    );
    return true;
  });
  assert.equal(requestsFor(server, 'Suggest a party theme').length, 1);
  assert.equal(requestsFor(server, 'Find a venue').length, 3, 'the first try and two retries');
  assert.deepEqual(server.pending(), []);
  assert.deepEqual(
    (db.prepare('SELECT agent FROM results').all() as { agent: string }[]).map((r) => r.agent),
    ['theme'],
  );
  assert.deepEqual(
    ledger(db).map((r) => r.agent),
    ['theme'],
    'failed tries are not charged',
  );

  // The server answers again: only venue runs; theme's stored result is reused.
  const report = await service.run(party.id, { retry: { retries: 2, sleep: noSleep } });
  assert.deepEqual(
    report.agents.map((a) => [a.agent, a.action]),
    [
      ['theme', 'reuse'],
      ['venue', 'execute'],
    ],
  );
  assert.equal(report.executed, 1);
  assert.equal(requestsFor(server, 'Suggest a party theme').length, 1, 'theme did not call the server again');
  assert.equal(requestsFor(server, 'Find a venue').length, 4);
  assert.match(requestsFor(server, 'Find a venue')[3].userText, /Fake answer to: Suggest a party theme for: a circus theme/, "venue got theme's stored output");
  assert.deepEqual(
    ledger(db).map((r) => r.agent),
    ['theme', 'venue'],
  );
  assert.deepEqual(Object.keys(service.store.load(party.id).results).sort(), ['theme', 'venue']);
});

test('a request that never gets an answer times out after timeoutMs', async (t) => {
  const server = await fakeServer(t);
  const { db } = database(t);
  server.plan({ hang: true });
  const service = engine(openAIConfig(server.baseURL, themeOnly), db, provider(server.baseURL));
  const { party } = service.create('Slow party', ['anything']);

  const started = performance.now();
  await assert.rejects(service.run(party.id, { timeoutMs: 200, retry: { retries: 0, sleep: noSleep } }), (error: unknown) => {
    assert.ok(error instanceof RunFailedError, `a RunFailedError, not ${String(error)}`);
    assert.equal(error.agent, 'theme');
    assert.match(error.message, /timed out/);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 150, `the run waited for the timeout (${elapsed} ms)`);
  assert.ok(elapsed < 1000, `the run gave up soon after the timeout (${elapsed} ms)`);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(ledger(db), []);
  assert.deepEqual(service.store.load(party.id).results, {});
});

test('a 401 fails at once, without retries, pointing at OPENAI_API_KEY without showing the key', async (t) => {
  const server = await fakeServer(t);
  const { db } = database(t);
  server.plan({ status: 401 });
  const { delays, sleep } = recordingSleep();
  const service = engine(openAIConfig(server.baseURL, themeOnly), db, provider(server.baseURL));
  const { party } = service.create('Locked party', ['anything']);

  await assert.rejects(service.run(party.id, { retry: { sleep } }), (error: unknown) => {
    assert.ok(error instanceof RunFailedError, `a RunFailedError, not ${String(error)}`);
    assert.equal(error.agent, 'theme');
    assert.match(error.message, /401/);
    assert.match(error.message, /OPENAI_API_KEY/);
    assert.ok(!error.message.includes(secret), `the message shows the key: ${error.message}`);
    assert.ok(!error.message.includes('SECRET'), `the message shows part of the key: ${error.message}`);
    return true;
  });
  assert.equal(server.requests.length, 1, 'no retry');
  assert.deepEqual(delays, []);
  assert.equal(server.requests[0].headers.authorization, `Bearer ${secret}`);
  assert.deepEqual(ledger(db), []);
});
