import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAnthropicBatchStandin, startOpenAIBatchStandin } from '../standins/batches';
import type { BatchStandin } from '../standins/batches';
import { OpenAIBatchDriver } from '../../sidecar/providers/openaiBatch';
import { AnthropicBatchDriver } from '../../sidecar/providers/anthropicBatch';
import type { BatchDriver, BatchItem, BatchOutcome } from '../../sidecar/providers/batch';
import { batchItemId } from '../../sidecar/service/batchRefresh';

// The batch drivers against stand-ins of OpenAI's Files + Batch API and Anthropic's Message Batches, through the
// official SDKs: submit, status until ended, outcomes by custom id (succeeded with usage, failed, expired).

const items = (model: string): BatchItem[] =>
  ['P1-theme', 'P2-theme', 'P3-theme-fail', 'P4-theme-late'].map((customId) => ({
    customId,
    request: {
      model,
      maxOutputTokens: 256,
      messages: [
        { role: 'system', content: 'You plan parties.' },
        { role: 'user', content: `Suggest a theme for ${customId}` },
      ],
    },
  }));

const plan = {
  readsBeforeEnd: 2,
  items: [
    { match: 'fail', outcome: 'failed' as const },
    { match: 'late', outcome: 'expired' as const },
  ],
};

async function conformance(driver: BatchDriver, standin: BatchStandin, model: string): Promise<BatchOutcome[]> {
  const id = await driver.submit(items(model));
  assert.deepEqual(standin.batches.get(id), ['P1-theme', 'P2-theme', 'P3-theme-fail', 'P4-theme-late'], 'one batch with every item');
  const seen: boolean[] = [];
  for (let read = 0; read < 5; read++) {
    const status = await driver.status(id);
    seen.push(status.ended);
    if (status.ended) break;
  }
  assert.deepEqual(seen, [false, false, true], 'in progress twice, then ended');
  const outcomes = await driver.outcomes(id);
  const by = new Map(outcomes.map((o) => [o.customId, o]));
  assert.equal(outcomes.length, 4);
  const ok = by.get('P1-theme')!;
  assert.ok('completion' in ok);
  assert.equal(ok.completion.output, 'Fake answer to: Suggest a theme for P1-theme');
  assert.deepEqual(ok.completion.usage, {
    inputTokens: Math.ceil('Suggest a theme for P1-theme'.length / 4) + 10,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: Math.ceil(ok.completion.output.length / 4),
    reasoningTokens: 0,
    source: 'actual',
    batch: true,
  });
  const failed = by.get('P3-theme-fail')!;
  assert.ok('failure' in failed && failed.failure === 'failed' && failed.detail.length > 0, JSON.stringify(failed));
  const expired = by.get('P4-theme-late')!;
  assert.ok('failure' in expired && expired.failure === 'expired', JSON.stringify(expired));
  return outcomes;
}

test('OpenAI Batch API: the JSONL uploaded to Files, a batch on /v1/chat/completions, its output and error files read back', async () => {
  const standin = await startOpenAIBatchStandin(plan);
  try {
    await conformance(new OpenAIBatchDriver({ baseURL: standin.baseURL, apiKey: 'sk-proj-BATCHtest0123456789' }), standin, 'gpt-4o-mini');
    const upload = standin.requests.find((r) => r.path === '/v1/files')!;
    assert.match(upload.body, /"custom_id":"P1-theme","method":"POST","url":"\/v1\/chat\/completions"/);
    assert.match(upload.body, /name="purpose"\r\n\r\nbatch/);
  } finally {
    await standin.close();
  }
});

test('OpenAI Batch API: a batch that expires with no answer says so', async () => {
  const standin = await startOpenAIBatchStandin({ readsBeforeEnd: 0, expireAll: true });
  try {
    const driver = new OpenAIBatchDriver({ baseURL: standin.baseURL, apiKey: 'sk-proj-BATCHtest0123456789' });
    const id = await driver.submit(items('gpt-4o-mini').slice(0, 2));
    const status = await driver.status(id);
    assert.deepEqual([status.ended, status.status], [true, 'expired']);
    const outcomes = await driver.outcomes(id);
    assert.deepEqual(
      outcomes.map((o) => ('failure' in o ? o.failure : 'ok')),
      ['expired', 'expired'],
    );
  } finally {
    await standin.close();
  }
});

test("Anthropic Message Batches: create with each request's params, status until ended, results by custom id", async () => {
  const standin = await startAnthropicBatchStandin(plan);
  try {
    await conformance(new AnthropicBatchDriver({ baseURL: standin.baseURL, apiKey: 'sk-ant-api03-BATCHtest0123456789' }), standin, 'claude-haiku-4-5');
    const create = JSON.parse(standin.requests.find((r) => r.method === 'POST')!.body) as {
      requests: { custom_id: string; params: { system: { text: string }[]; max_tokens: number } }[];
    };
    assert.deepEqual(
      [create.requests[0].custom_id, create.requests[0].params.max_tokens, create.requests[0].params.system[0].text],
      ['P1-theme', 256, 'You plan parties.'],
    );
    assert.ok(
      standin.requests.some((r) => r.path.endsWith('/results')),
      'results read from the results URL',
    );
  } finally {
    await standin.close();
  }
});

test("an agent marked batch: true runs through the vendor's batch API in an ordinary run, billed at the batch price", async () => {
  const { PartyService } = await import('../../sidecar/service/partyService');
  const { PartyStore } = await import('../../sidecar/store/partyStore');
  const { Providers } = await import('../../sidecar/providers/registry');
  const { loadConfigText } = await import('../../sidecar/sources/load');
  const { executionCost } = await import('../../sidecar/cost/usageCost');
  const { toUsd } = await import('../../sidecar/cost/money');
  const { tempDatabase } = await import('../engine');
  const standin = await startOpenAIBatchStandin({ readsBeforeEnd: 2 });
  try {
    const text = JSON.stringify({
      providers: { openai: { baseURL: standin.baseURL } },
      agents: { theme: { model: 'gpt-4o-mini', provider: 'openai', batch: true, prompt: 'Suggest a theme for: {{inputs}}', handles: { keywords: ['theme'] } } },
    });
    const loaded = loadConfigText(text, 'partycost.json');
    const env = { OPENAI_API_KEY: 'sk-proj-BATCHtest0123456789', PARTYCOST_BATCH_POLL_MS: '5' };
    const { db } = tempDatabase();
    // The endpoint is the test's own, named in the configuration: trusted, as `partycost trust` would record it.
    const parties = new PartyService(loaded.config!, loaded.prices, new PartyStore(db), new Providers(loaded.config!, env, {}, () => true));
    const { party } = parties.create('jungle', ['jungle theme']);
    const report = await parties.run(party.id);
    assert.equal(report.executed, 1);
    assert.deepEqual([...standin.batches.values()], [['theme']], "one batch, one item: the agent's call");
    assert.equal(standin.requests.filter((r) => r.path === '/v1/chat/completions').length, 0, 'no direct call');
    assert.equal(standin.requests.filter((r) => r.method === 'GET' && /^\/v1\/batches\//.test(r.path)).length >= 3, true, 'its status read until it ended');
    const result = parties.store.load(party.id).results.theme;
    const list = toUsd(executionCost(loaded.config!.agents.theme, result.model, { ...result.usage, batch: undefined }, loaded.prices));
    const batch = toUsd(executionCost(loaded.config!.agents.theme, result.model, { ...result.usage, batch: true }, loaded.prices));
    assert.equal(result.costUsd, batch, 'recorded at the batch price');
    assert.ok(batch < list);
    const ledger = db.prepare('SELECT cost_usd FROM ledger').get() as { cost_usd: number };
    assert.equal(ledger.cost_usd, batch);
  } finally {
    await standin.close();
  }
});

test("a batch item's custom id is one Anthropic accepts, whatever the agent is called, and unique in its pass", () => {
  const taken = new Set<string>();
  const ids = ['theme', 'Venue Finder', 'venue/finder', 'Venue_Finder', 'ménu', 'x'.repeat(80), 'x'.repeat(90)].map((agent) => {
    const id = batchItemId('P12', agent, taken);
    taken.add(id);
    return id;
  });
  for (const id of ids) assert.match(id, /^[a-zA-Z0-9_-]{1,64}$/);
  assert.equal(new Set(ids).size, ids.length, 'no two alike');
  assert.deepEqual(ids.slice(0, 4), ['P12-theme', 'P12-Venue_Finder', 'P12-venue_finder', 'P12-Venue_Finder-2']);
});
