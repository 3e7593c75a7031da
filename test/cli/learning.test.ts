import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import type { Estimate } from '../../sidecar/contract/cost';
import type { AccuracyReport } from '../../sidecar/contract/accuracy';
import { startAnthropicStandin } from '../standins/anthropic';
import { startOpenAIStandin } from '../standins/openai';

// Estimates that learn: a party runs ten times against stand-ins of OpenAI and Anthropic whose answers have a known
// size, through the real CLI; the estimate then uses the learned figures and says so, the accuracy report shows the
// error falling, and a changed prompt starts learning afresh while the model's calibration stays.

const bin = path.resolve('bin/partycost.js');
const keys = { OPENAI_API_KEY: 'sk-proj-CANARYlearn0123456789abcdef', ANTHROPIC_API_KEY: 'sk-ant-api03-CANARYlearn0123456789' };

const config = `{
  // theme on OpenAI (counted exactly), menu on Claude (counted approximately, so its count is calibrated).
  "defaults": { "model": "gpt-4o-mini", "provider": "openai" },
  "volume": { "partiesPerMonth": 1000 },
  "agents": {
    "theme": {
      "prompt": "Suggest a party theme for: {{inputs}}",
      "expectedOutputTokens": 200,
      "handles": { "keywords": ["theme"] }
    },
    "menu": {
      "provider": "anthropic",
      "model": "claude-haiku-4-5",
      "prompt": "Plan the menu for: {{inputs}}",
      "expectedOutputTokens": 300,
      "handles": { "keywords": ["food"] }
    }
  }
}
`;

function partycost(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

test("after ten runs the estimate is learned (within 15 % of the answers' size), labelled, and the accuracy report shows the error falling", async (t) => {
  const [openai, anthropic] = await Promise.all([startOpenAIStandin(), startAnthropicStandin()]);
  t.after(() => Promise.all([openai.close(), anthropic.close()]));
  const env = { ...keys, OPENAI_BASE_URL: openai.baseURL, ANTHROPIC_BASE_URL: anthropic.baseURL };
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-learning-'));
  writeFileSync(path.join(dir, 'partycost.json'), config);
  const cli = async (...args: string[]) => {
    const run = await partycost(dir, env, ...args);
    assert.equal(run.code, 0, `partycost ${args.join(' ')}: ${run.stderr}`);
    return run;
  };
  const estimate = async (): Promise<Estimate> => JSON.parse((await cli('estimate', '--json')).stdout) as Estimate;
  const agent = (e: Estimate, name: string) => e.agents.find((a) => a.agent === name)!;

  const fresh = agent(await estimate(), 'theme');
  assert.deepEqual([fresh.outputTokensSource, fresh.learnedFrom, fresh.outputTokens, fresh.tokenCount], ['configured', 0, 200, 'counted']);
  assert.equal(fresh.learning, undefined, 'no database yet: nothing to learn from, nothing created');
  assert.deepEqual(JSON.parse((await cli('accuracy', '--json')).stdout), { agents: [], projection: null, learning: null });
  assert.match((await cli('accuracy')).stdout, /^No ledger yet: "partycost run PARTY" records what each execution costs/);
  assert.ok(!existsSync(path.join(dir, '.partycost')), 'estimate and accuracy created no database');

  await cli('party', 'create', '--input', 'jungle theme and food for 20 kids');
  const answers = [870, 890, 905, 880, 860, 900, 885, 875, 895, 880];
  for (const [i, output] of answers.entries()) {
    openai.plan({ status: 200, match: 'Suggest a party theme', content: `Theme ${i}: jungle.`, usage: { input: 120 + i, output } });
    anthropic.plan({ status: 200, match: 'Plan the menu', content: `Menu ${i}: fruit.`, usage: { input: 500, output: 400 } });
    await cli('run', 'P1', '--force', 'theme', '--force', 'menu');
    if (i === 2) {
      // Three runs: too few to learn from, but the drift from the configured figures already shows.
      const early = agent(await estimate(), 'theme');
      assert.equal(early.outputTokensSource, 'configured');
      assert.match(early.learning!.why, /^3 runs so far, 5 needed/);
      assert.ok(early.driftPercent! > 100, `the runs cost far more than 200 output tokens: ${early.driftPercent} %`);
      assert.match((await cli('estimate')).stdout, /theme: 3 runs so far.*DRIFT: runs cost \+\d+(\.\d)? % against this estimate/);
    }
  }
  assert.equal(openai.pending().length + anthropic.pending().length, 0, 'every planned answer was taken');

  const learned = await estimate();
  const theme = agent(learned, 'theme');
  assert.deepEqual([theme.outputTokensSource, theme.learnedFrom, theme.tokenCount], ['learned', 10, 'learned']);
  assert.ok(Math.abs(theme.outputTokens - 880) / 880 <= 0.15, `learned ${theme.outputTokens} output tokens against answers of about 880`);
  assert.equal(theme.outputTokens, 880, 'the median of the ten answers');
  assert.equal(theme.inputTokens, 124, 'the median billed prompt');
  assert.equal(theme.learning!.output!.p90, 900);
  assert.match(theme.learning!.why, /^learned from 10 runs \(output p50 880, p90 900\)$/);
  assert.ok(Math.abs(theme.driftPercent!) < 5, `the learned estimate is close to what runs cost: ${theme.driftPercent} %`);
  assert.ok(theme.costPerRunP90Usd! > theme.costPerRunUsd);
  const text = (await cli('estimate')).stdout;
  assert.match(text, /^theme +gpt-4o-mini +openai +‡124 +‡880 /m);
  assert.match(text, /theme: learned from 10 runs \(output p50 880, p90 900\)$/m);

  const plan = (await cli('plan', 'P1', '--force', 'theme')).stdout;
  assert.match(plan, /^theme +execute +forced +‡\$0\.\d{6} /m);
  assert.match(plan, /^‡ priced with tokens learned from the agent's runs/m);

  const report = JSON.parse((await cli('accuracy', '--json')).stdout) as AccuracyReport;
  const a = report.agents.find((row) => row.agent === 'theme')!;
  assert.deepEqual([a.runs, a.window, a.outputTokensSource, a.drift], [10, 10, 'learned', false]);
  assert.ok(a.configuredErrorPercent! > 50 && a.learnedErrorPercent! < 5, `configured ${a.configuredErrorPercent} %, learned ${a.learnedErrorPercent} %`);
  assert.equal(a.learnedCostUsd, theme.costPerRunUsd);
  assert.ok(a.actualMeanCostUsd! > a.configuredCostUsd);
  // The estimate in force at each run, as the ledger kept it: configured for the first five, learned after.
  assert.equal(a.errorTrend.length, 10);
  assert.ok(
    a.errorTrend.slice(0, 5).every((e) => e! > 50),
    `configured at the time: ${a.errorTrend.join(', ')}`,
  );
  assert.ok(
    a.errorTrend.slice(5).every((e) => e! < 10),
    `learned at the time: ${a.errorTrend.join(', ')}`,
  );
  assert.equal(report.projection.actual.days, 0, 'all runs today: no whole day to project from');
  assert.ok(report.projection.learnedPerMonthUsd > report.projection.configuredPerMonthUsd);
  const table = (await cli('accuracy')).stdout;
  assert.match(table, /^theme +gpt-4o-mini +10 +\$0\.\d{6} +\$0\.\d{6} +\$0\.\d{6} +\d+\.\d % +\d\.\d % +[-+]?\d\.\d %$/m);

  // A changed prompt starts afresh for menu; the model's calibration (billed ÷ counted) still corrects its count.
  const db = new Database(path.join(dir, '.partycost/partycost.db'), sqliteOptions({ readonly: true }));
  const counted = db.prepare(`SELECT DISTINCT counted_input_tokens AS n FROM ledger WHERE agent = 'menu'`).all() as { n: number }[];
  db.close();
  assert.equal(counted.length, 1, 'the same prompt each time');
  const factor = Math.round((500 / counted[0].n) * 1000) / 1000;
  writeFileSync(path.join(dir, 'partycost.json'), config.replace('Plan the menu for', 'Plan a healthy menu, with drinks, for'));
  const edited = agent(await estimate(), 'menu');
  assert.deepEqual([edited.outputTokensSource, edited.outputTokens, edited.tokenCount, edited.learning!.earlierRuns], ['configured', 300, 'calibrated', 10]);
  assert.deepEqual(edited.calibration, { model: 'claude-haiku-4-5', factor, runs: 10 });
  assert.match(edited.learning!.why, /^no runs since its prompt or model changed: the configured figures apply; 10 runs under an earlier prompt or model/);
  assert.ok(!readFileSync(path.join(dir, '.partycost/partycost.db')).includes(keys.OPENAI_API_KEY), 'no key in the database');
});
