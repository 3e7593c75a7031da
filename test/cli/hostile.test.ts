import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAnthropicStandin } from '../standins/anthropic';
import { startGeminiStandin } from '../standins/gemini';
import { startOpenAIStandin } from '../standins/openai';
import type { Standin } from '../standins/standin';
import { RawSidecar } from '../rawSidecar';

// Servers that quote the key they were sent, in full, in their errors: the key must still never be printed, logged,
// stored or sent to the extension.

const bin = path.resolve('bin/partycost.js');
const keys = {
  OPENAI_API_KEY: 'sk-proj-ECHOCANARYopenai0123456789abcdef',
  ANTHROPIC_API_KEY: 'sk-ant-api03-ECHOCANARYanthropic0123456789',
  GEMINI_API_KEY: 'AIzaSyECHOCANARYgemini0123456789abcdef',
};

function partycost(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function filesIn(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesIn(file) : [{ file, bytes: readFileSync(file) }];
  });
}

/** Three vendors whose every answer is a 401 quoting the whole key, and a workspace whose agents use all three. */
async function echoingVendors(t: TestContext): Promise<{ dir: string; env: Record<string, string>; standins: Standin[] }> {
  const standins = await Promise.all([startAnthropicStandin(), startGeminiStandin(), startOpenAIStandin()]);
  t.after(() => Promise.all(standins.map((s) => s.close())));
  const [anthropic, gemini, openai] = standins;
  anthropic.plan(...Array.from({ length: 8 }, () => ({ status: 401 as const, message: `invalid x-api-key: ${keys.ANTHROPIC_API_KEY}` })));
  gemini.plan(...Array.from({ length: 8 }, () => ({ status: 401 as const, message: `API key not valid: ${keys.GEMINI_API_KEY}` })));
  openai.plan(...Array.from({ length: 8 }, () => ({ status: 401 as const, message: `Incorrect API key provided: ${keys.OPENAI_API_KEY}.` })));
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-echo-'));
  const agent = (provider: string, model: string, word: string) => ({
    provider,
    model,
    prompt: `Plan the ${word} for: {{inputs}}`,
    handles: { keywords: [word] },
  });
  writeFileSync(
    path.join(dir, 'partycost.json'),
    JSON.stringify({
      agents: {
        theme: agent('anthropic', 'claude-haiku-4-5', 'theme'),
        venue: agent('gemini', 'gemini-2.5-flash', 'venue'),
        food: agent('openai', 'gpt-5', 'food'),
      },
      providers: { anthropic: { maxRetries: 0 }, gemini: { maxRetries: 0 }, openai: { maxRetries: 0 } },
    }),
  );
  const env = { ...keys, ANTHROPIC_BASE_URL: anthropic.baseURL, GOOGLE_GEMINI_BASE_URL: gemini.baseURL, OPENAI_BASE_URL: openai.baseURL };
  return { dir, env, standins };
}

function assertNoKey(where: string, text: string): void {
  for (const key of Object.values(keys)) assert.ok(!text.includes(key), `${key.slice(0, 14)}… in ${where}: ${text.slice(0, 400)}`);
}

test('keys quoted back by every vendor are printed by no command and stored in no file', async (t) => {
  const { dir, env, standins } = await echoingVendors(t);
  await partycost(dir, ['party', 'create', '--input', 'theme, venue and food please'], env);
  const run = await partycost(dir, ['run', 'P1'], env);
  assert.equal(run.code, 1);
  assert.ok(
    standins.every((s) => s.requests.length > 0),
    'every vendor was called and answered with the key',
  );
  assert.match(run.stderr, /failed: (anthropic|gemini|openai) \S+: authentication \((400|401)\): .*\[redacted\]/, 'the cause is kept, the key taken out');
  assertNoKey('run stdout', run.stdout);
  assertNoKey('run stderr', run.stderr);
  for (const command of [
    ['ledger', '--json'],
    ['history', 'P1'],
    ['plan', 'P1'],
    ['cache', 'stats'],
  ]) {
    const output = await partycost(dir, command, env);
    assertNoKey(`${command.join(' ')}`, output.stdout + output.stderr);
  }
  for (const { file, bytes } of filesIn(dir))
    for (const key of Object.values(keys)) assert.ok(!bytes.includes(key) && !bytes.includes(Buffer.from(key, 'utf16le')), `a key in ${file}`);
});

test("over JSON-RPC the error, the progress notifications and the sidecar's log carry no key", async (t) => {
  const { dir, env } = await echoingVendors(t);
  const side = new RawSidecar({ ...process.env, ...env });
  t.after(() => side.stop());
  await side.request('session/initialize', { workspace: dir });
  const created = await side.request('party/create', { inputs: ['theme, venue and food please'] });
  const run = await side.request('run/start', { party: (created.result as { party: string }).party, runId: 'r1' });
  assert.equal(run.error?.code, -32001);
  assert.match(run.error!.message, /\[redacted\]/);
  assertNoKey('the JSON-RPC error', run.error!.message);
  const failed = side.notifications.filter((n) => n.method === 'run/progress' && (n.params as { state: string }).state === 'failed');
  assert.ok(failed.length > 0);
  assertNoKey('progress notifications', JSON.stringify(side.notifications));
  assertNoKey("the sidecar's log", side.stderr);
});

test('cache stats shows the Redis breaker as it is: open while Redis does not answer', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-breaker-'));
  await partycost(dir, ['init']);
  const stats = await partycost(dir, ['cache', 'stats', '--json', '--redis', 'redis://127.0.0.1:9']);
  assert.equal(stats.code, 0, stats.stderr);
  const report = JSON.parse(stats.stdout) as { redis: string; tiers: { tier: string; breaker?: string }[] };
  assert.equal(report.redis, 'unavailable');
  assert.equal(report.tiers.find((tier) => tier.tier === 'redis')?.breaker, 'open');
  const table = await partycost(dir, ['cache', 'stats', '--redis', 'redis://127.0.0.1:9']);
  assert.doesNotMatch(table.stdout, /closed/);
});

test('a file that is not JSON says so; an absurd expectedOutputTokens is refused, not priced', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-notjson-'));
  writeFileSync(path.join(dir, 'partycost.json'), 'xxxx');
  const notJson = await partycost(dir, ['estimate']);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /^partycost\.json:1:1: not JSON: expected an object/m);
  assert.doesNotMatch(notJson.stderr, /empty file/);
  writeFileSync(
    path.join(dir, 'partycost.json'),
    JSON.stringify({ prices: { mine: { input: 1, output: 1 } }, agents: { a: { model: 'mine', prompt: 'x', expectedOutputTokens: 1e12 } } }),
  );
  const absurd = await partycost(dir, ['estimate']);
  assert.equal(absurd.code, 1);
  assert.match(absurd.stderr, /agents\.a\.expectedOutputTokens: must be at most 1000000 \(got 1000000000000\)/);
  assert.doesNotMatch(absurd.stdout, /\$/, 'nothing priced');
});
