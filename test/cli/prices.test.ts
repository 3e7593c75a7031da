import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundledCatalogue, catalogueProviders, catalogueReady } from '../../sidecar/cost/catalogue';

const bin = path.resolve('bin/partycost.js');

/** Runs the built CLI without blocking this process, so a server here can answer it. */
function partycost(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function workspace(): string {
  return mkdtempSync(path.join(tmpdir(), 'partycost-prices-'));
}

/** A local server in place of the catalogue's address: answers with `body` (status 200) or `status`. */
async function catalogueServer(t: { after: (fn: () => void) => void }, answer: () => { status: number; body: string }): Promise<string> {
  const server = createServer((_request, response) => {
    const { status, body } = answer();
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.json`;
}

/** The bundled catalogue with gpt-5 at new prices, as a newer release of the data would carry them. */
async function newerData(): Promise<string> {
  await catalogueReady();
  const providers = structuredClone(catalogueProviders()) as unknown as { id: string; models: { id: string; prices: unknown }[] }[];
  const gpt5 = providers.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-5')!;
  gpt5.prices = { input_mtok: 1, cache_read_mtok: 0.1, output_mtok: 8 };
  return JSON.stringify(providers);
}

test('prices PATTERN lists each model under its own vendor with every price part; --json has the documented shape', async () => {
  const dir = workspace();
  const table = await partycost(dir, ['prices', 'claude-sonnet-4']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^Prices: @pydantic\/genai-prices 0\.1\.\d+ \(bundled\).*as of 2026-09-23$/m);
  assert.match(table.stdout, /^anthropic +claude-sonnet-4-5 +\$3 +\$0\.3 +\$3\.75 +\$15 +200,000 +above 200,000: \$6 \/ \$22\.5$/m);
  assert.doesNotMatch(table.stdout, /^(google|aws|openrouter) /m, 'resellers only with --all');

  const json = JSON.parse((await partycost(dir, ['prices', 'claude', '--json'])).stdout);
  assert.equal(json.date, bundledCatalogue.released);
  const sonnet = json.models.find((m: { model: string }) => m.model === 'claude-sonnet-4-5');
  assert.deepEqual(sonnet, {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    inputUsd: 3,
    outputUsd: 15,
    cacheReadUsd: 0.3,
    cacheWriteUsd: 3.75,
    cacheWrite1hUsd: 6,
    tiers: [{ aboveInputTokens: 200_000, inputUsd: 6, outputUsd: 22.5 }],
    contextWindow: 200_000,
  });
  assert.ok(json.models.every((m: { provider: string }) => m.provider === 'anthropic'));
  const all = JSON.parse((await partycost(dir, ['prices', 'claude-sonnet-4-5', '--all', '--json'])).stdout);
  assert.ok(
    ['anthropic', 'google', 'aws'].every((p) => all.models.some((m: { provider: string }) => m.provider === p)),
    'with --all, every provider that sells it',
  );
  const qualified = JSON.parse((await partycost(dir, ['prices', 'groq/llama', '--json'])).stdout);
  assert.ok(qualified.models.length > 0 && qualified.models.every((m: { provider: string }) => m.provider === 'groq'));
});

test('prices --update fetches newer data, keeps it in .partycost/ with its date, and every command prices with it', async (t) => {
  const dir = workspace();
  const data = await newerData();
  const url = await catalogueServer(t, () => ({ status: 200, body: data }));
  const update = await partycost(dir, ['prices', '--update'], { PARTYCOST_PRICES_URL: url });
  assert.equal(update.code, 0, update.stderr);
  assert.match(update.stdout, /^Prices updated: \d+ providers, [\d,]+ models, fetched \d{4}-\d{2}-\d{2}T[\d:.]+Z; kept in \.partycost\/prices\.json\.$/m);
  const stored = JSON.parse(readFileSync(path.join(dir, '.partycost', 'prices.json'), 'utf8'));
  assert.equal(stored.url, url);

  const today = new Date().toISOString().slice(0, 10);
  const listed = JSON.parse((await partycost(dir, ['prices', 'gpt-5', '--json'])).stdout);
  assert.equal(listed.date, today);
  assert.match(listed.source, /data fetched/);
  assert.deepEqual(
    listed.models.find((m: { model: string }) => m.model === 'gpt-5'),
    { provider: 'openai', model: 'gpt-5', inputUsd: 1, outputUsd: 8, cacheReadUsd: 0.1, contextWindow: 400_000 },
  );

  await partycost(dir, ['init']);
  const estimate = JSON.parse((await partycost(dir, ['estimate', '--json'])).stdout);
  assert.equal(estimate.prices.date, today);
  assert.equal(estimate.prices.fetchedAt, stored.fetchedAt);
});

test('a failed update says so, exits 1 and keeps the prices it had', async (t) => {
  const dir = workspace();
  const down = await catalogueServer(t, () => ({ status: 503, body: '{}' }));
  const failed = await partycost(dir, ['prices', '--update'], { PARTYCOST_PRICES_URL: down });
  assert.equal(failed.code, 1);
  assert.equal(
    failed.stderr,
    `partycost: could not fetch prices from ${down}: the server answered 503 Service Unavailable; keeping the prices of ${bundledCatalogue.released}\n`,
  );
  assert.equal(existsSync(path.join(dir, '.partycost', 'prices.json')), false);

  const garbage = await catalogueServer(t, () => ({ status: 200, body: '{"not": "a catalogue"}' }));
  const refused = await partycost(dir, ['prices', '--update'], { PARTYCOST_PRICES_URL: garbage });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is not a price catalogue \(not a list of providers with models\); keeping the prices of 2026-09-23/);

  // An update that worked, then one that fails: the updated prices stay in force.
  const data = await newerData();
  const good = await catalogueServer(t, () => ({ status: 200, body: data }));
  assert.equal((await partycost(dir, ['prices', '--update'], { PARTYCOST_PRICES_URL: good })).code, 0);
  const again = await partycost(dir, ['prices', '--update'], { PARTYCOST_PRICES_URL: 'http://127.0.0.1:9/data.json' });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /could not fetch prices from http:\/\/127\.0\.0\.1:9\/data\.json: fetch failed \(.*\); keeping the prices of \d{4}-\d{2}-\d{2}/);
  const listed = JSON.parse((await partycost(dir, ['prices', 'gpt-5', '--json'])).stdout);
  assert.equal(listed.models.find((m: { model: string }) => m.model === 'gpt-5').inputUsd, 1);
});

test('an unreadable stored update is named on stderr and the bundled prices are used', async () => {
  const dir = workspace();
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(path.join(dir, '.partycost'));
  writeFileSync(path.join(dir, '.partycost', 'prices.json'), 'xxxx');
  const run = await partycost(dir, ['prices', 'gpt-5', '--json']);
  assert.equal(run.code, 0);
  assert.match(run.stderr, /prices\.json is not readable price data .*; using the bundled prices/);
  assert.equal(JSON.parse(run.stdout).date, bundledCatalogue.released);
});
