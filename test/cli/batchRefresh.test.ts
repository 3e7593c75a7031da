import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { batchWorkspace, openBatches, partycost, staleWorkspace, standins, submittedItems, uploadedItems } from '../batchWorkspace';
import type { SentItem } from '../batchWorkspace';
import type { ImpactReport } from '../../sidecar/contract/impact';
import type { LedgerExecution } from '../../sidecar/contract/ledger';
import type { Usage } from '../../sidecar/contract/party';
import { priceBook } from '../../sidecar/cost/prices';
import { toUsd } from '../../sidecar/cost/money';
import { catalogueReady } from '../../sidecar/cost/catalogue';
import { defaultContent } from '../standins/standin';

// partycost refresh --batch through the real CLI against stand-ins of OpenAI's Batch API and Anthropic's Message
// Batches: a change of providers makes three parties stale; the theme of each goes out in one OpenAI batch, then
// the menus that depend on it in one Anthropic batch; an expired and a failed item are reported, the rest refreshed
// at batch prices; a refresh that stops waiting resumes its batch on the next run instead of submitting it again;
// parties that make the same call send it once, and the ledger pays for exactly what the vendors billed.

test('refresh --batch: one batch per vendor and level; an expired and a failed item reported, the rest recorded at batch prices', async () => {
  const s = await standins({ items: [{ match: 'P2-theme', outcome: 'expired' }] }, { items: [{ match: 'P3-menu', outcome: 'failed' }] });
  try {
    const dir = await staleWorkspace(s.openai, s.anthropic);
    const run = await partycost(dir, ['refresh', '--batch']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    // Level by level: every theme in one OpenAI batch; then the menus whose theme came back, in one Anthropic batch.
    assert.deepEqual([...s.openai.batches.values()], [['P1-theme', 'P2-theme', 'P3-theme']]);
    assert.deepEqual([...s.anthropic.batches.values()], [['P1-menu', 'P3-menu']]);
    assert.match(run.stdout, /openai batch batch_\d+ ended: 2 answered, 0 failed, 1 expired/);
    assert.match(run.stdout, /anthropic batch msgbatch_\d+ ended: 1 answered, 1 failed, 0 expired/);
    assert.match(run.stdout, /^Done: 1 of 3 parties refreshed/m);
    assert.match(run.stdout, /P2 not refreshed: theme: its openai batch call expired/);
    assert.match(run.stdout, /P3 not refreshed: menu: its anthropic batch call failed: max_tokens/);
    assert.equal(run.stderr, 'partycost: 2 parties failed to refresh: P2, P3; their finished agents are kept\n');
    for (const text of [run.stdout, run.stderr]) assert.ok(!text.includes('CANARY'), 'no key in the output');

    // P1's results are ordinary results, billed at the batch discount.
    await catalogueReady();
    const ledger = JSON.parse((await partycost(dir, ['ledger', 'P1', '--json'])).stdout) as { executions: LedgerExecution[] };
    const latest = ledger.executions.filter((e) => e.provider !== 'offline');
    assert.deepEqual(latest.map((e) => [e.agent, e.provider]).sort(), [
      ['menu', 'anthropic'],
      ['theme', 'openai'],
    ]);
    const prices = priceBook();
    for (const e of latest) {
      const model = prices.model(e.model!)!;
      assert.equal(e.actualCostUsd, toUsd(prices.price(model, e.usage, { batch: true }).total), `${e.agent} at batch prices`);
      assert.ok(e.actualCostUsd < toUsd(prices.price(model, e.usage).total), `${e.agent} below list price`);
    }
    const after = JSON.parse((await partycost(dir, ['impact', '--json', '--by-party'])).stdout) as ImpactReport;
    assert.deepEqual(
      after.byParty!.map((p) => p.party),
      ['P2', 'P3'],
      'only the parties that failed are still stale',
    );
  } finally {
    await s.close();
  }
});

test('refresh --batch that stops waiting resumes its batch on the next run, submitting nothing twice', async () => {
  const s = await standins({ readsBeforeEnd: 1 }, {});
  try {
    const dir = await staleWorkspace(s.openai, s.anthropic);
    const first = await partycost(dir, ['refresh', '--batch'], { PARTYCOST_BATCH_MAX_POLLS: '0' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /openai batch (batch_\d+) is in_progress; run the refresh again to collect it/);
    assert.equal(s.openai.batches.size, 1);
    const second = await partycost(dir, ['refresh', '--batch']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /resuming openai batch batch_\d+/);
    assert.equal(s.openai.batches.size, 1, 'the open batch collected, not submitted again');
    assert.equal(s.anthropic.batches.size, 1);
    assert.match(second.stdout, /^Done: 3 of 3 parties refreshed/m);
    const after = JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport;
    assert.equal(after.parties.affected, 0);
    assert.ok(readFileSync(path.join(dir, 'partycost.json'), 'utf8').includes('"provider": "openai"'));
  } finally {
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
