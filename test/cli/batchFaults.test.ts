import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys, openBatches, partycost, staleWorkspace, standins } from '../batchWorkspace';
import type { CliRun } from '../cliProcess';
import { startFaultProxy } from '../standins/faultProxy';
import type { ImpactReport } from '../../sidecar/contract/impact';
import type { LedgerExecution } from '../../sidecar/contract/ledger';

// partycost refresh --batch when the vendor is in trouble, through the real CLI and a proxy in front of the batch
// stand-ins: a batch the vendor no longer knows is ended and its calls run again; a key refused on upload and a
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
