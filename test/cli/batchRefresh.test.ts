import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { partycost, staleWorkspace, standins } from '../batchWorkspace';
import type { ImpactReport } from '../../sidecar/contract/impact';
import type { LedgerExecution } from '../../sidecar/contract/ledger';
import { priceBook } from '../../sidecar/cost/prices';
import { toUsd } from '../../sidecar/cost/money';
import { catalogueReady } from '../../sidecar/cost/catalogue';

// partycost refresh --batch through the real CLI against stand-ins of OpenAI's Batch API and Anthropic's Message
// Batches: a change of providers makes three parties stale; the theme of each goes out in one OpenAI batch, then
// the menus that depend on it in one Anthropic batch; an expired and a failed item are reported, the rest refreshed
// at batch prices; a refresh that stops waiting resumes its batch on the next run instead of submitting it again.
// Calls that parties share, and a vendor in trouble: test/faults/batch.test.ts.

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
