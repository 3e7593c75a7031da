import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAnthropicBatchStandin, startOpenAIBatchStandin } from '../standins/batches';
import type { BatchPlan, BatchStandin } from '../standins/batches';
import type { ImpactReport } from '../../sidecar/contract/impact';
import type { LedgerExecution } from '../../sidecar/contract/ledger';
import { priceBook } from '../../sidecar/cost/prices';
import { toUsd } from '../../sidecar/cost/money';
import { catalogueReady } from '../../sidecar/cost/catalogue';

// partycost refresh --batch through the real CLI against stand-ins of OpenAI's Batch API and Anthropic's Message
// Batches: a change of providers makes three parties stale; the theme of each goes out in one OpenAI batch, then
// the menus that depend on it in one Anthropic batch; an expired and a failed item are reported, the rest refreshed
// at batch prices; a refresh that stops waiting resumes its batch on the next run instead of submitting it again.

const bin = path.resolve('bin/partycost.js');
const keys = { OPENAI_API_KEY: 'sk-proj-CANARYbatch0123456789abcdef', ANTHROPIC_API_KEY: 'sk-ant-api03-CANARYbatch0123456789' };

function partycost(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, ...keys, PARTYCOST_BATCH_POLL_MS: '5', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const config = (openai: string, anthropic: string, providers: boolean): string => `{
  "defaults": { "model": "gpt-4o-mini" },
  "providers": { "openai": { "baseURL": "${openai}" }, "anthropic": { "baseURL": "${anthropic}" } },
  "agents": {
    "theme": {${providers ? '\n      "provider": "openai",' : ''}
      "prompt": "Suggest a party theme for: {{inputs}}",
      "expectedOutputTokens": 100,
      "handles": { "keywords": ["theme"] }
    },
    "menu": {${providers ? '\n      "provider": "anthropic",' : ''}
      "model": "claude-haiku-4-5",
      "prompt": "Plan the menu for {{inputs}} with the theme: {{theme}}",
      "dependsOn": ["theme"],
      "expectedOutputTokens": 100,
      "handles": { "keywords": ["food"] }
    }
  }
}
`;

/** Three parties run offline, then the agents moved to OpenAI and Anthropic (the stand-ins): all three stale. */
async function staleWorkspace(openai: BatchStandin, anthropic: BatchStandin): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-batch-'));
  writeFileSync(path.join(dir, 'partycost.json'), config(openai.baseURL, anthropic.baseURL, false));
  for (const inputs of [
    ['jungle theme', 'vegan food'],
    ['pirate theme', 'pizza food'],
    ['space theme', 'fruit food'],
  ]) {
    assert.equal((await partycost(dir, ['party', 'create', ...inputs.flatMap((i) => ['--input', i])])).code, 0);
  }
  for (const party of ['P1', 'P2', 'P3']) assert.equal((await partycost(dir, ['run', party])).code, 0);
  writeFileSync(path.join(dir, 'partycost.json'), config(openai.baseURL, anthropic.baseURL, true));
  const impact = JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport;
  assert.deepEqual(impact.parties, { total: 3, affected: 3 });
  return dir;
}

async function standins(openaiPlan: BatchPlan, anthropicPlan: BatchPlan): Promise<{ openai: BatchStandin; anthropic: BatchStandin; close(): Promise<void> }> {
  const openai = await startOpenAIBatchStandin(openaiPlan);
  const anthropic = await startAnthropicBatchStandin(anthropicPlan);
  return { openai, anthropic, close: async () => void (await Promise.all([openai.close(), anthropic.close()])) };
}

test('refresh --batch: one batch per vendor and level; an expired and a failed item reported, the rest recorded at batch prices', async () => {
  const s = await standins({ items: [{ match: 'P2/theme', outcome: 'expired' }] }, { items: [{ match: 'P3/menu', outcome: 'failed' }] });
  try {
    const dir = await staleWorkspace(s.openai, s.anthropic);
    const run = await partycost(dir, ['refresh', '--batch']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    // Level by level: every theme in one OpenAI batch; then the menus whose theme came back, in one Anthropic batch.
    assert.deepEqual([...s.openai.batches.values()], [['P1/theme', 'P2/theme', 'P3/theme']]);
    assert.deepEqual([...s.anthropic.batches.values()], [['P1/menu', 'P3/menu']]);
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
