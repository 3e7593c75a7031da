import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseOf, partycost } from '../cliProcess';
import type { LedgerReport } from '../../sidecar/contract/ledger';
import { filesIn, keys, mixedVendorsWorkspace, vendorStandins } from '../vendorWorkspace';

// Where a user's API key may go, and what may come back: a cloned repository's partycost.json naming a server gets
// no key until the user trusts the workspace (kept outside it); plain http never leaves this machine; a vendor that
// echoes the key back (masked as Google does, cut short, percent-encoded in a URL) never gets it into what
// partycost prints or keeps. Real CLI processes against local servers speaking each vendor's protocol.

test("a workspace's own endpoint gets a key only once trusted (partycost trust, kept outside it), then wins over the environment's; a missing key fails that agent, naming what to set", async (t) => {
  const { anthropic, env: vendors } = await vendorStandins(t);
  // The user's own configuration folder, where trust is kept: never the workspace.
  const home = mkdtempSync(path.join(tmpdir(), 'partycost-home-'));
  const env = { ...vendors, XDG_CONFIG_HOME: home };
  const dir = mixedVendorsWorkspace('trust');
  const unreachable = 'http://127.0.0.1:9';
  const config = readFileSync(path.join(dir, 'partycost.json'), 'utf8').replace(
    '"anthropic": { "timeoutMs": 90000, "maxRetries": 3 }',
    `"anthropic": { "baseURL": "${anthropic.baseURL}", "maxRetries": 0 }`,
  );
  writeFileSync(path.join(dir, 'partycost.json'), config);
  await partycost(dir, ['party', 'create', '--input', 'pirate theme', '--input', '30 kids'], env);
  // A cloned repository's partycost.json naming a server: the key is not sent there.
  const refused = await partycost(dir, ['run', 'P1'], { ...env, ANTHROPIC_BASE_URL: unreachable });
  assert.equal(refused.code, 1);
  assert.equal(anthropic.requests.length, 0, 'no request, so no key, reached the endpoint the workspace named');
  assert.match(
    refused.stderr,
    /agent "theme" failed: this workspace's configuration sends anthropic calls to http:\/\/127\.0\.0\.1:\d+ \(providers\.anthropic\.baseURL\), which would receive your ANTHROPIC_API_KEY: run "partycost trust"/,
  );
  const trusted = await partycost(dir, ['trust'], env);
  assert.match(trusted.stdout, /^Trusted with API keys here: http:\/\/127\.0\.0\.1:\d+/);
  assert.ok(existsSync(path.join(home, 'partycost', 'trust.json')), "kept in the user's configuration folder");
  assert.deepEqual(
    filesIn(dir).filter(({ file }) => path.relative(dir, file).includes('trust')),
    [],
    'nothing of it in the workspace',
  );
  const run = await partycost(dir, ['run', 'P1'], { ...env, ANTHROPIC_BASE_URL: unreachable, GEMINI_API_KEY: '', GOOGLE_API_KEY: '' });
  assert.equal(anthropic.requests.length, 1, `the configured base URL, not the environment's: ${run.stdout}${run.stderr}`);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /agent "(venue|catering)" failed: the gemini provider needs an API key: set GEMINI_API_KEY or GOOGLE_API_KEY \(or, in VS Code, run "Party Cost: Set API Key"\)/,
  );
  const ledger = JSON.parse((await partycost(dir, ['ledger', '--json'], env)).stdout) as LedgerReport;
  assert.deepEqual(
    ledger.executions.filter((e) => e.provider === 'anthropic').map((e) => e.agent),
    ['theme'],
    'the agent that finished is kept (the refused run sent it nothing)',
  );
});

test('plain http carries no key off this machine, trusted or not; the refusal names the setting and nothing is sent', async (t) => {
  const { env: vendors } = await vendorStandins(t);
  const home = mkdtempSync(path.join(tmpdir(), 'partycost-home-'));
  const env = { ...vendors, XDG_CONFIG_HOME: home };
  const dir = mixedVendorsWorkspace('trust');
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine answers there, and the check comes before any connection.
  const config = readFileSync(path.join(dir, 'partycost.json'), 'utf8').replace(
    '"anthropic": { "timeoutMs": 90000, "maxRetries": 3 }',
    '"anthropic": { "baseURL": "http://192.0.2.1:8080", "maxRetries": 0 }',
  );
  writeFileSync(path.join(dir, 'partycost.json'), config);
  await partycost(dir, ['party', 'create', '--input', 'pirate theme', '--input', '30 kids'], env);
  assert.equal((await partycost(dir, ['trust'], env)).code, 0);
  const run = await partycost(dir, ['run', 'P1'], env);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /agent "theme" failed: the anthropic endpoint http:\/\/192\.0\.2\.1:8080 is plain http: ANTHROPIC_API_KEY would cross the network unencrypted; use https/,
  );
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
});

test('a key the vendor echoes back, masked, cut short or percent-encoded, reaches no output, no file and no database', async (t) => {
  const { gemini, env } = await vendorStandins(t);
  const key = keys.GEMINI_API_KEY;
  const forms = {
    whole: key,
    masked: `${key.slice(0, 8)}${'*'.repeat(10)}${key.slice(-4)}`,
    cut: key.slice(0, 14),
    percentEncoded: [...key].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
  };
  gemini.plan({
    status: 401,
    message: `API key not valid: ${forms.masked} (starts ${forms.cut}); see https://example.invalid/keys?key=${forms.percentEncoded}`,
  });
  const dir = mixedVendorsWorkspace('trust');
  await partycost(dir, ['party', 'create', '--input', 'jungle theme', '--input', '30 kids'], env);
  const run = await partycost(dir, ['run', 'P1'], env);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /agent "(venue|catering)" failed: gemini gemini-2\.5-flash: authentication \(400\): API key not valid: /);
  assert.equal(gemini.requests.length, 1, 'the echo came back');
  const seen = [
    { where: 'run', text: run.stdout + run.stderr },
    { where: 'ledger', text: (await partycost(dir, ['ledger', '--json'], env)).stdout },
    { where: 'history', text: (await partycost(dir, ['history', 'P1', '--json'], env)).stdout },
    ...filesIn(dir).map(({ file, bytes }) => ({ where: path.relative(dir, file), text: bytes.toString('latin1') })),
  ];
  assert.ok(
    seen.some(({ where }) => where === path.relative(dir, databaseOf(dir))),
    'the database was looked at',
  );
  for (const { where, text } of seen) for (const [form, value] of Object.entries(forms)) assert.ok(!text.includes(value), `the key, ${form}, in ${where}`);
});
