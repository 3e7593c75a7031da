import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenCost, toUsd, unitCost } from '../../sidecar/cost/money';
import type { LedgerReport } from '../../sidecar/contract/ledger';
import { filesIn, keys, mixedVendorsWorkspace, vendorStandins } from '../vendorWorkspace';
import { partycost } from '../cliProcess';
import type { CliRun } from '../cliProcess';

// A party whose agents run on Claude, Gemini and OpenAI (each against a local server speaking its vendor's protocol),
// through the real CLI: exact usage and actual cost per part in the ledger, and canary keys nowhere in what the
// product writes or prints.

test("a party on Claude, Gemini and OpenAI records each execution's exact usage and actual cost by part; no key anywhere", async (t) => {
  const { anthropic, gemini, openai, env } = await vendorStandins(t);
  anthropic.plan({
    status: 200,
    match: 'Suggest a party theme',
    content: 'Jungle: green, vines, toy animals.',
    usage: { input: 5_000, cacheRead: 4_200, output: 300 },
  });
  gemini.plan(
    { status: 200, match: 'Find a venue', content: 'Garden hall. Cost: $400', usage: { input: 1_200, cacheRead: 1_024, output: 500, reasoning: 320 } },
    { status: 200, match: 'Plan food and drinks', content: 'Vegan snacks. Cost: $250', usage: { input: 800, output: 250 } },
  );
  openai.plan({
    status: 200,
    match: 'Write the final party plan',
    content: 'The plan: 14:00 arrive.',
    usage: { input: 2_000, cacheRead: 1_536, output: 900, reasoning: 640 },
  });
  const dir = mixedVendorsWorkspace('vendors');
  const outputs: CliRun[] = [];
  const cli = async (...args: string[]): Promise<CliRun> => {
    const run = await partycost(dir, args, env);
    outputs.push(run);
    return run;
  };

  assert.equal((await cli('party', 'create', '--input', 'jungle theme', '--input', '30 kids in the garden', '--input', 'vegan snacks')).code, 0);
  const run = await cli('run', 'P1');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual([anthropic.requests.length, gemini.requests.length, openai.requests.length], [1, 2, 1], 'each agent called its own vendor once');
  assert.equal(anthropic.requests[0].body.model, 'claude-haiku-4-5');
  assert.ok(anthropic.requests[0].streamed && gemini.requests.every((r) => r.streamed), 'Claude and Gemini answers are streamed');
  assert.match(openai.requests[0].userText, /Total: \$650/, 'the budget totalled the Gemini answers for the planner');

  const ledger = JSON.parse((await cli('ledger', '--json')).stdout) as LedgerReport;
  const row = (agent: string) => ledger.executions.find((e) => e.agent === agent)!;
  assert.deepEqual(ledger.executions.map((e) => [e.agent, e.provider, e.model]).sort(), [
    ['budget', 'builtin', null],
    ['catering', 'gemini', 'gemini-2.5-flash'],
    ['planner_final', 'openai', 'gpt-5'],
    ['theme', 'anthropic', 'claude-haiku-4-5'],
    ['venue', 'gemini', 'gemini-2.5-flash'],
  ]);
  assert.deepEqual(row('theme').usage, {
    inputTokens: 5_000,
    cacheReadTokens: 4_200,
    cacheWriteTokens: 0,
    outputTokens: 300,
    reasoningTokens: 0,
    source: 'actual',
  });
  assert.deepEqual(row('venue').usage, {
    inputTokens: 1_200,
    cacheReadTokens: 1_024,
    cacheWriteTokens: 0,
    outputTokens: 500,
    reasoningTokens: 320,
    source: 'actual',
  });
  assert.deepEqual(row('planner_final').usage, {
    inputTokens: 2_000,
    cacheReadTokens: 1_536,
    cacheWriteTokens: 0,
    outputTokens: 900,
    reasoningTokens: 640,
    source: 'actual',
  });
  // The vendors' published prices per 1M tokens: Claude Haiku 4.5 $1 in, $0.10 cache read, $5 out; Gemini 2.5 Flash
  // $0.30 in, $0.03 cached, $2.50 out (thoughts too); gpt-5 $1.25 in, $0.125 cached, $10 out (reasoning too).
  const expected = {
    theme: { inputUsd: toUsd(tokenCost(800, 1)), cacheReadUsd: toUsd(tokenCost(4_200, 0.1)), outputUsd: toUsd(tokenCost(300, 5)), reasoningUsd: 0 },
    venue: {
      inputUsd: toUsd(tokenCost(176, 0.3)),
      cacheReadUsd: toUsd(tokenCost(1_024, 0.03)),
      outputUsd: toUsd(tokenCost(180, 2.5)),
      reasoningUsd: toUsd(tokenCost(320, 2.5)),
    },
    planner_final: {
      inputUsd: toUsd(tokenCost(464, 1.25)),
      cacheReadUsd: toUsd(tokenCost(1_536, 0.125)),
      outputUsd: toUsd(tokenCost(260, 10)),
      reasoningUsd: toUsd(tokenCost(640, 10)),
    },
  };
  for (const [agent, parts] of Object.entries(expected)) {
    const e = row(agent);
    assert.deepEqual(e.parts, { ...parts, cacheWriteUsd: 0, resourcesUsd: 0 }, agent);
    assert.equal(e.actualCostUsd, toUsd(Object.values(parts).reduce((sum, usd) => sum + BigInt(Math.round(usd * 1e12)), 0n)), agent);
    assert.ok(e.estimatedCostUsd !== null && e.estimatedCostUsd > 0, `${agent} has its estimate beside the actual cost`);
  }
  assert.equal(row('budget').actualCostUsd, toUsd(unitCost(0.05, 0.0001)));
  assert.equal(ledger.totals.executions, 5);
  assert.equal(ledger.totals.usage.cacheReadTokens, 4_200 + 1_024 + 1_536);

  const table = await cli('ledger', 'P1');
  assert.match(table.stdout, /^\S+ \S+ +P1 +theme +anthropic +claude-haiku-4-5 +5,000 +4,200 +0 +300 +0 +\$0\.\d{6} +\$0\.002720$/m);

  // The canary keys reached their vendors, and nothing else: not the database, its WAL, the cache, any output.
  assert.equal(openai.requests[0].headers.authorization, `Bearer ${keys.OPENAI_API_KEY}`);
  assert.equal(gemini.requests[0].headers['x-goog-api-key'], keys.GEMINI_API_KEY);
  const written = filesIn(dir);
  assert.ok(
    written.some((f) => f.file.endsWith('partycost.db')) && written.some((f) => f.bytes.includes('Garden hall. Cost: $400')),
    'the read sees what the run stored',
  );
  for (const key of Object.values(keys)) {
    for (const { file, bytes } of written) {
      assert.ok(!bytes.includes(key) && !bytes.includes(Buffer.from(key, 'utf16le')), `${key.slice(0, 12)}… is in ${file}`);
    }
    for (const output of outputs) assert.ok(!output.stdout.includes(key) && !output.stderr.includes(key), `${key.slice(0, 12)}… was printed`);
  }
});

test("a provider's rate limit is retried after the delay it asked for; a bad key fails at once, naming the provider and model", async (t) => {
  const { anthropic, gemini, openai, env } = await vendorStandins(t);
  const dir = mixedVendorsWorkspace('vendors');
  anthropic.plan({ status: 429, retryAfterSeconds: 0 }, { status: 529 }, { status: 200 });
  gemini.plan({ status: 401 });
  await partycost(dir, ['party', 'create', '--input', 'jungle theme', '--input', '30 kids'], env);
  const run = await partycost(dir, ['run', 'P1'], env);
  assert.equal(run.code, 1);
  assert.equal(anthropic.requests.length, 3, 'a rate limit and an overload, each retried');
  assert.match(
    run.stderr,
    /agent "(venue|catering)" failed: gemini gemini-2\.5-flash: authentication \(400\): API key not valid\. Please pass a valid API key\.; check the API key \(GEMINI_API_KEY or GOOGLE_API_KEY/,
  );
  assert.equal(gemini.requests.length, 1, 'a bad key is not retried');
  assert.equal(openai.requests.length, 0, 'the planner never ran');
  for (const key of Object.values(keys)) assert.ok(!run.stderr.includes(key) && !run.stdout.includes(key));
});
