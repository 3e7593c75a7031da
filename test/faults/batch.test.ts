import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { batchWorkspace, keys, openBatches, partycost, staleWorkspace, standins, submittedItems, uploadedItems } from '../batchWorkspace';
import type { SentItem } from '../batchWorkspace';
import type { CliRun } from '../cliProcess';
import { startFaultProxy } from '../standins/faultProxy';
import { startOpenAIBatchStandin } from '../standins/batches';
import type { ImpactReport } from '../../sidecar/contract/impact';
import type { LedgerExecution } from '../../sidecar/contract/ledger';
import type { Usage } from '../../sidecar/contract/party';
import { priceBook } from '../../sidecar/cost/prices';
import { toUsd } from '../../sidecar/cost/money';
import { catalogueReady } from '../../sidecar/cost/catalogue';
import { defaultContent } from '../standins/standin';

// partycost refresh --batch where money leaks, through the real CLI against the batch stand-ins: parties that make
// the same call send it once, and the ledger pays for exactly what the vendors billed; and, with a proxy in front of
// the stand-ins, the vendor in trouble: a batch the vendor no longer knows is ended and its calls run again; a key refused on upload and a
// connection lost while polling stop the refresh with one line naming the vendor and the cause, record nothing
// half-done, and the next refresh goes on from where it stopped. No key is ever printed.

/** The run printed no key, and no stack trace. */
function clean(run: CliRun): void {
  const text = run.stdout + run.stderr;
  assert.ok(!text.includes('CANARY'), 'no key in the output');
  assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');
}

/** The run stopped with exactly one line on stderr, exit 1. */
function stoppedWithOneLine(run: CliRun, line: RegExp): void {
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
  assert.match(run.stderr, line);
  clean(run);
}

async function ledgerOf(dir: string, provider: string): Promise<LedgerExecution[]> {
  const ledger = JSON.parse((await partycost(dir, ['ledger', '--json'])).stdout) as { executions: LedgerExecution[] };
  return ledger.executions.filter((e) => e.provider === provider);
}

async function affected(dir: string): Promise<number> {
  return (JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport).parties.affected;
}

test('refresh --batch: a batch the vendor no longer knows is ended, its calls run again, and later refreshes are not blocked', async () => {
  const s = await standins({ readsBeforeEnd: 1 }, {});
  const proxy = await startFaultProxy(s.openai.baseURL);
  try {
    const dir = await staleWorkspace(proxy, s.anthropic);
    const first = await partycost(dir, ['refresh', '--batch'], { PARTYCOST_BATCH_MAX_POLLS: '0' });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const [lost] = openBatches(dir);
    assert.ok(lost);
    proxy.fail('GET', new RegExp(`^/v1/batches/${lost}$`), {
      status: 404,
      body: { error: { message: `No batch found with id '${lost}'.`, type: 'invalid_request_error', param: null, code: null } },
    });

    const second = await partycost(dir, ['refresh', '--batch']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.stderr, '');
    clean(second);
    assert.match(second.stdout, new RegExp(`openai no longer knows batch ${lost}: it is ended here, and its 3 calls are run again`));
    assert.match(second.stdout, /level 1: openai batch batch_\d+ submitted with 3 calls/);
    assert.match(second.stdout, /^Done: 3 of 3 parties refreshed/m);
    assert.equal(s.openai.batches.size, 2, 'the lost calls sent again once');
    assert.deepEqual(openBatches(dir), []);
    assert.equal(await affected(dir), 0);

    const third = await partycost(dir, ['refresh', '--batch']);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.doesNotMatch(third.stdout, /resuming/);
    assert.equal(s.openai.batches.size, 2, 'nothing submitted');
  } finally {
    await proxy.close();
    await s.close();
  }
});

test('refresh --batch: a key refused on upload stops with one line naming the vendor, nothing recorded, and the next run goes on', async () => {
  const s = await standins({}, {});
  const proxy = await startFaultProxy(s.openai.baseURL);
  try {
    const dir = await staleWorkspace(proxy, s.anthropic);
    // OpenAI quotes the key it was sent back in its error.
    proxy.fail('POST', /^\/v1\/files$/, {
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${keys.OPENAI_API_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    });
    const run = await partycost(dir, ['refresh', '--batch']);
    stoppedWithOneLine(
      run,
      /^partycost: refresh --batch stopped: openai batch API: authentication \(401\) while uploading the calls: Incorrect API key provided: \[redacted\]\.; check the API key \(OPENAI_API_KEY\); what finished is kept/,
    );
    assert.equal(s.openai.batches.size, 0, 'nothing submitted');
    assert.deepEqual(openBatches(dir), [], 'no batch recorded');
    assert.deepEqual(await ledgerOf(dir, 'openai'), [], 'nothing recorded as paid');
    assert.equal(await affected(dir), 3);

    proxy.clear();
    const again = await partycost(dir, ['refresh', '--batch']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^Done: 3 of 3 parties refreshed/m);
    assert.equal(s.openai.batches.size, 1);
    assert.equal((await ledgerOf(dir, 'openai')).length, 3);
  } finally {
    await proxy.close();
    await s.close();
  }
});

test('refresh --batch: a connection lost while polling stops with one line, keeps the batch, and the next run collects it', async () => {
  const s = await standins({ readsBeforeEnd: 1 }, {});
  const proxy = await startFaultProxy(s.anthropic.baseURL);
  try {
    const dir = await staleWorkspace(s.openai, proxy);
    // The themes come back from OpenAI; Anthropic's batch of menus is submitted, then its status cannot be read.
    proxy.fail('GET', /^\/v1\/messages\/batches\/[^/]+$/, { drop: true });
    const run = await partycost(dir, ['refresh', '--batch']);
    stoppedWithOneLine(
      run,
      /^partycost: refresh --batch stopped: anthropic batch API: connection while reading batch (msgbatch_\d+): cannot reach the server: .*; batch \1 is kept, and the next "partycost refresh --batch" collects it\n$/,
    );
    assert.ok(proxy.faulted >= 1);
    const kept = [...s.anthropic.batches.keys()];
    assert.deepEqual(openBatches(dir), kept, 'the batch kept open');
    assert.equal((await ledgerOf(dir, 'openai')).length, 3, 'the themes recorded');
    assert.deepEqual(await ledgerOf(dir, 'anthropic'), [], 'no menu recorded');

    proxy.clear();
    const again = await partycost(dir, ['refresh', '--batch']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`resuming anthropic batch ${kept[0]}`));
    assert.match(again.stdout, /^Done: 3 of 3 parties refreshed/m);
    assert.deepEqual([...s.anthropic.batches.keys()], kept, 'collected, not submitted again');
    assert.equal(s.openai.batches.size, 1);
    assert.equal((await ledgerOf(dir, 'anthropic')).length, 3);
    assert.equal(await affected(dir), 0);
  } finally {
    await proxy.close();
    await s.close();
  }
});

/** What the batch stand-ins bill an item (their usage: a quarter of the characters, ten more in), at batch prices. */
function billed(item: SentItem): number {
  const messages = item.body.messages.filter((m) => m.role === 'user');
  const last = messages[messages.length - 1]!.content;
  const text = typeof last === 'string' ? last : (last as { text?: string }[]).map((block) => block.text ?? '').join('');
  const usage: Usage = {
    inputTokens: Math.ceil(text.length / 4) + 10,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: Math.ceil(defaultContent(text).length / 4),
    reasoningTokens: 0,
    source: 'actual',
  };
  const prices = priceBook();
  return toUsd(prices.price(prices.model(item.body.model)!, usage, { batch: true }).total);
}

test('refresh --batch sends a call that parties share once and fans its answer out: the ledger pays what the vendors billed', async () => {
  const s = await standins({}, {});
  try {
    const same = ['jungle theme', 'vegan food'];
    const dir = await staleWorkspace(s.openai, s.anthropic, [same, same, same, ['pirate theme', 'pizza food']]);
    const run = await partycost(dir, ['refresh', '--batch']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^Done: 4 of 4 parties refreshed/m);
    assert.deepEqual(openBatches(dir), []);

    // What the vendors received: the JSONL uploaded to OpenAI, the requests of Anthropic's batch; no two alike.
    await catalogueReady();
    const sent = { openai: uploadedItems(s.openai), anthropic: submittedItems(s.anthropic) };
    const ledger = JSON.parse((await partycost(dir, ['ledger', '--json'])).stdout) as { executions: LedgerExecution[] };
    for (const [vendor, items] of Object.entries(sent)) {
      assert.equal(items.length, 2, `${vendor}: one item per distinct call (P1 and P4), not one per party`);
      assert.equal(new Set(items.map((item) => JSON.stringify(item.body))).size, items.length, `${vendor}: no two items alike`);
      const rows = ledger.executions.filter((e) => e.provider === vendor);
      const executions = rows.filter((e) => !e.cached);
      assert.equal(executions.length, items.length, `${vendor}: one execution per item billed`);
      assert.deepEqual(rows.map((e) => e.party).sort(), ['P1', 'P2', 'P3', 'P4'], `${vendor}: every party has its result`);
      assert.ok(
        rows.filter((e) => e.cached).every((e) => e.actualCostUsd === 0 && e.savedUsd > 0),
        `${vendor}: the other parties' results are cache hits, costing nothing`,
      );
      const paid = executions.reduce((sum, e) => sum + e.actualCostUsd, 0);
      const bill = items.reduce((sum, item) => sum + billed(item), 0);
      assert.ok(Math.abs(paid - bill) < 1e-9, `${vendor}: the ledger paid ${paid}, the vendor billed ${bill}`);
    }
  } finally {
    await s.close();
  }
});

test('refresh --batch: two agents that send the same call (their keys differ) share one item; the second result costs nothing', async () => {
  const s = await standins({}, {});
  try {
    // The same prompt and model; expected sizes that differ only in the key (both take the model's answer limit).
    const agent = (expected: number): string =>
      `{ "provider": "openai", "prompt": "Suggest a party theme for: {{inputs}}", "expectedOutputTokens": ${expected}, "handles": { "keywords": ["theme"] } }`;
    const dir = batchWorkspace(
      s.openai,
      s.anthropic,
      `{ "defaults": { "model": "gpt-4o-mini" }, "providers": { "openai": { "baseURL": "${s.openai.baseURL}" } }, "agents": { "theme": ${agent(100)}, "motto": ${agent(120)} } }`,
    );
    assert.equal((await partycost(dir, ['party', 'create', '--input', 'jungle theme'])).code, 0);
    const run = await partycost(dir, ['refresh', '--batch', '--parties', 'P1']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /level 1: openai batch batch_\d+ submitted with 1 call$/m);
    await catalogueReady();
    const sent = uploadedItems(s.openai);
    assert.equal(sent.length, 1);
    const ledger = JSON.parse((await partycost(dir, ['ledger', '--json'])).stdout) as { executions: LedgerExecution[] };
    const rows = ledger.executions.filter((e) => e.provider === 'openai');
    assert.deepEqual(rows.map((e) => e.agent).sort(), ['motto', 'theme'], 'both agents have their result');
    assert.equal(rows.filter((e) => e.actualCostUsd > 0).length, 1, 'one paid');
    const paid = rows.reduce((sum, e) => sum + e.actualCostUsd, 0);
    assert.ok(Math.abs(paid - billed(sent[0]!)) < 1e-9, `the ledger paid ${paid}, the vendor billed ${billed(sent[0]!)}`);
  } finally {
    await s.close();
  }
});

test('refresh --batch: a batch is collected where it was submitted after the configuration names another endpoint, never paid again there', async () => {
  const s = await standins({ readsBeforeEnd: 1 }, {});
  const moved = await startOpenAIBatchStandin({});
  try {
    const dir = await staleWorkspace(s.openai, s.anthropic);
    const first = await partycost(dir, ['refresh', '--batch'], { PARTYCOST_BATCH_MAX_POLLS: '0' });
    assert.equal(first.code, 0, first.stderr);
    const [id] = openBatches(dir);
    assert.ok(id, 'an OpenAI batch left open');
    // The workspace now sends OpenAI's calls elsewhere (trusted by the user); the environment still names the first.
    const file = path.join(dir, 'partycost.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(s.openai.baseURL, moved.baseURL));
    const home = mkdtempSync(path.join(tmpdir(), 'partycost-home-'));
    assert.equal((await partycost(dir, ['trust'], { XDG_CONFIG_HOME: home })).code, 0);
    const second = await partycost(dir, ['refresh', '--batch'], { XDG_CONFIG_HOME: home });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, new RegExp(`resuming openai batch ${id} at ${s.openai.baseURL.replace(/[.]/g, '\\.')}, where it was submitted`));
    assert.match(second.stdout, /^Done: 3 of 3 parties refreshed/m);
    assert.deepEqual(moved.requests, [], 'the new endpoint was asked nothing: no batch it does not know, no call paid again');
    assert.equal(s.openai.batches.size, 1, 'the first endpoint kept its one batch');
    assert.deepEqual(openBatches(dir), []);
    clean(second);
  } finally {
    await Promise.all([s.close(), moved.close()]);
  }
});
