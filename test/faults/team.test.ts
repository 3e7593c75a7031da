import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { databaseOf, partycost as cli, readDatabase } from '../cliProcess';
import type { CliRun } from '../cliProcess';
import { startPostgres } from '../postgresServer';
import type { PostgresServer } from '../postgresServer';
import { startOpenAIStandin } from '../standins/openai';
import type { Standin } from '../standins/standin';
import type { LedgerReport } from '../../sidecar/contract/ledger';
import type { TeamLedgerStatus } from '../../sidecar/contract/budget';

// A team ledger on a real PostgreSQL server (initdb in a temporary folder, on 127.0.0.1), shared by workspaces that
// are each their own folder and their own processes, as two developers' machines are: one ledger, learned figures
// from each other's runs, one limit held under concurrent runs, a server crashed mid-run that loses nothing and
// counts nothing twice, and a password that appears in nothing partycost prints or keeps.

let server: PostgresServer;
let openai: Standin;

before(async () => {
  [server, openai] = await Promise.all([startPostgres(), startOpenAIStandin()]);
});

after(async () => {
  server?.stop();
  await openai?.close();
});

const key = 'sk-proj-CANARYteam0123456789abcdef';
/** Every output of the CLI in this file, to look for the password in. */
const printed: string[] = [];

/** `partycost` in a workspace with the team ledger at `url`, OpenAI at the stand-in. */
async function partycost(dir: string, url: string, args: string[]): Promise<CliRun> {
  const run = await cli(dir, args, { PARTYCOST_LEDGER_URL: url, OPENAI_API_KEY: key, OPENAI_BASE_URL: openai.baseURL });
  printed.push(run.stdout, run.stderr);
  return run;
}

/** A workspace of one OpenAI agent that writes `outputTokens` tokens a run, with a daily limit. */
function workspace(name: string, limits = '"daily": 100'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `partycost-team-${name}-`));
  writeFileSync(
    path.join(dir, 'partycost.json'),
    `{
  "defaults": { "model": "gpt-4o-mini", "provider": "openai" },
  "limits": { ${limits} },
  "learning": { "minRuns": 3 },
  "agents": {
    "muse": { "prompt": "Suggest a party theme for: {{inputs}}", "expectedOutputTokens": 4000, "handles": { "keywords": ["theme"] } }
  }
}
`,
  );
  return dir;
}

async function createParties(dir: string, url: string, count: number, prefix: string): Promise<void> {
  for (let i = 1; i <= count; i++) assert.equal((await partycost(dir, url, ['party', 'create', '--input', `${prefix} theme ${i}`])).code, 0);
}

/** The team ledger's executions, as PostgreSQL holds them. */
async function teamRows(url: string): Promise<{ key: string; agent: string; cost_usd: number; ran_by: string; workspace: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT key, agent, cost_usd, ran_by, workspace FROM executions ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

/**
 * Polls until a command in `dir` has synced with the team ledger (connected, its spool empty): under load a command
 * may not connect within its 50 ms and go on with what it has, which is what the slow-server test checks, not these.
 */
async function synced(dir: string, url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const status = (JSON.parse((await partycost(dir, url, ['budget', '--json'])).stdout) as { ledger: TeamLedgerStatus }).ledger;
    if (status.kind === 'team' && status.reachable && status.spooled === 0) return;
    assert.ok(attempt < 50, `never synced: ${JSON.stringify(status)}`);
    await delay(100);
  }
}

function ledgerOf(run: CliRun): LedgerReport {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as LedgerReport;
}

/**
 * Each run writes 4,000 tokens, as the agent expects: gpt-4o-mini's $0.60 per million, $0.0024 a run. `match` keeps a
 * test's answers its own (one a test leaves unused answers no other test's call).
 */
function planAnswers(count: number, match: string): void {
  for (let i = 0; i < count; i++) openai.plan({ status: 200, match, content: `Theme ${i}`, usage: { input: 40, output: 4000 } });
}

test("two workspaces with one ledger URL see one ledger, each execution once with who ran it, and learn from each other's runs", async () => {
  const url = await server.database('shared');
  const [a, b] = [workspace('a'), workspace('b')];
  await createParties(a, url, 3, 'jungle');
  planAnswers(3, 'jungle theme');
  for (const party of ['P1', 'P2', 'P3']) assert.equal((await partycost(a, url, ['run', party])).code, 0);

  // B has run nothing: its ledger is A's three executions, each with who ran it, its party not B's to show.
  await synced(b, url);
  const seen = ledgerOf(await partycost(b, url, ['ledger', '--json']));
  assert.equal(seen.executions.length, 3);
  assert.ok(seen.executions.every((e) => e.agent === 'muse' && e.party === '' && /^.+@.+$/.test(e.ranBy ?? '')));
  assert.equal(seen.totals.actualCostUsd, ledgerOf(await partycost(a, url, ['ledger', '--json'])).totals.actualCostUsd);
  const rows = await teamRows(url);
  assert.equal(rows.length, 3, 'each execution once in the team ledger');
  assert.equal(new Set(rows.map((r) => r.key)).size, 3);
  assert.deepEqual(new Set(rows.map((r) => r.workspace)), new Set([path.basename(a)]));

  // B's estimate learned A's answer size (4,000 tokens, where the configuration says 4,000 too: the source says so).
  const estimate = JSON.parse((await partycost(b, url, ['estimate', '--json'])).stdout) as {
    agents: { agent: string; learning?: { runs: number; output: { p50: number } | null } }[];
  };
  assert.equal(estimate.agents[0]!.learning?.runs, 3, JSON.stringify(estimate.agents[0]));
  assert.equal(estimate.agents[0]!.learning?.output?.p50, 4000);

  // The budget counts the team's spend, and says whose.
  const budget = JSON.parse((await partycost(b, url, ['budget', '--json'])).stdout) as { limits: { spentUsd: number }[]; ledger: TeamLedgerStatus };
  assert.equal(budget.ledger.kind, 'team');
  assert.ok(budget.ledger.kind === 'team' && budget.ledger.reachable && budget.ledger.spooled === 0);
  assert.ok(Math.abs(budget.limits[0]!.spentUsd - seen.totals.actualCostUsd) < 1e-9);
});

test('a limit the team shares holds under concurrent runs from two workspaces: the spend passes it by at most one call', async () => {
  const url = await server.database('limit');
  const limitUsd = 0.01;
  const [a, b] = [workspace('la', `"daily": ${limitUsd}`), workspace('lb', `"daily": ${limitUsd}`)];
  await Promise.all([createParties(a, url, 6, 'pirate'), createParties(b, url, 6, 'space')]);
  planAnswers(6, 'pirate theme');
  planAnswers(6, 'space theme');
  const runs = async (dir: string): Promise<CliRun[]> => {
    const done: CliRun[] = [];
    for (let i = 1; i <= 6; i++) done.push(await partycost(dir, url, ['run', `P${i}`]));
    return done;
  };
  const all = (await Promise.all([runs(a), runs(b)])).flat();
  for (const dir of [a, b]) await synced(dir, url);
  const rows = await teamRows(url);
  const spent = rows.reduce((sum, r) => sum + r.cost_usd, 0);
  const call = Math.max(...rows.map((r) => r.cost_usd));
  assert.ok(rows.length >= 4 && rows.length < 12, `${rows.length} executions: some ran, the rest were refused`);
  assert.ok(spent >= limitUsd - call, `$${spent} spent: the limit was used`);
  assert.ok(spent <= limitUsd + call + 1e-9, `$${spent} spent against a limit of $${limitUsd}: over by more than one call ($${call})`);
  assert.ok(
    all.some((run) => /refused by the (team's daily limit|budget)/.test(run.stdout + run.stderr)),
    'a run was refused, saying why',
  );
  // Each workspace's own ledger holds the same team spend.
  for (const dir of [a, b]) assert.ok(Math.abs(ledgerOf(await partycost(dir, url, ['ledger', '--json'])).totals.actualCostUsd - spent) < 1e-9);
});

test('PostgreSQL crashed mid-run and restarted: the run finishes, its executions wait in the spool, then reach the team ledger once', async () => {
  const url = await server.database('crash');
  const dir = workspace('crash');
  await createParties(dir, url, 4, 'ocean');
  planAnswers(3, 'ocean theme');
  assert.equal((await partycost(dir, url, ['run', 'P1'])).code, 0);
  assert.equal((await teamRows(url)).length, 1);

  // The server crashes once the run has made its call: before or while it settles.
  const running = partycost(dir, url, ['run', 'P2']);
  for (let waited = 0; openai.requests.filter((r) => /ocean theme 2/.test(r.userText)).length === 0; waited += 20) {
    assert.ok(waited < 30_000, 'the run reached the model');
    await delay(20);
  }
  server.crash();
  const run = await running;
  printed.push(run.stdout, run.stderr);
  const during = await partycost(dir, url, ['run', 'P3']);
  assert.equal(during.code, 0, during.stderr);
  const status = JSON.parse((await partycost(dir, url, ['budget', '--json'])).stdout) as { ledger: TeamLedgerStatus };
  assert.ok(status.ledger.kind === 'team' && !status.ledger.reachable && status.ledger.spooled >= 1, JSON.stringify(status.ledger));

  await server.start();
  await synced(dir, url);
  const local = ledgerOf(await partycost(dir, url, ['ledger', '--json']));
  const rows = await teamRows(url);
  assert.equal(rows.length, local.executions.length, 'every execution reached the team ledger');
  assert.equal(new Set(rows.map((r) => r.key)).size, rows.length, 'none twice');
  const spool = readDatabase(dir, (db) => (db.prepare('SELECT count(*) AS n FROM team_spool').get() as { n: number }).n);
  assert.equal(spool, 0);
  // Pushed again (a push that landed unseen is sent again): still once.
  await partycost(dir, url, ['ledger', '--json']);
  assert.equal((await teamRows(url)).length, rows.length);
});

test('a slow or hung team ledger costs a command at most its 50 ms wait, and the command goes on', async () => {
  const url = await server.database('hung');
  const dir = workspace('hung');
  await createParties(dir, url, 1, 'desert');
  server.freeze();
  try {
    const started = performance.now();
    const run = await partycost(dir, url, ['budget', '--json']);
    const took = performance.now() - started;
    assert.equal(run.code, 0, run.stderr);
    const status = (JSON.parse(run.stdout) as { ledger: TeamLedgerStatus }).ledger;
    assert.ok(status.kind === 'team' && !status.reachable, JSON.stringify(status));
    assert.match(status.problem ?? '', /no answer within 50 ms/);
    // Not a timing assertion: the command is bounded by what it waits for, not by PostgreSQL's 10 s connect timeout.
    assert.ok(took < 10_000, `${took} ms`);
  } finally {
    server.thaw();
  }
});

test("a team ledger's schema: made on an empty database, and one newer than this release is left as it is, the command going on", async () => {
  const url = await server.database('schema');
  const dir = workspace('schema');
  assert.equal((await partycost(dir, url, ['budget'])).code, 0);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    assert.deepEqual((await client.query('SELECT version FROM partycost_team_schema')).rows, [{ version: 1 }]);
    await client.query('UPDATE partycost_team_schema SET version = 99');
    await client.query('DROP TABLE reservations');
    const run = await partycost(dir, url, ['budget']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /unreachable: its schema version 99 is newer than this Party Cost Inspector understands \(1\); update it/);
    const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.tablename);
    assert.deepEqual(tables, ['executions', 'partycost_team_schema'], 'nothing made or changed');
  } finally {
    await client.end();
  }
});

test('the password of a ledger URL is in nothing printed or kept: outputs, a wrong password, the database, the team ledger', async () => {
  const url = await server.database('secret');
  const wrong = url.replace(server.password, 'not-the-password-at-all');
  const dir = workspace('secret');
  await createParties(dir, url, 1, 'forest');
  planAnswers(1, 'forest theme');
  assert.equal((await partycost(dir, url, ['run', 'P1'])).code, 0);
  const run = await partycost(dir, wrong, ['budget']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /postgres:\/\/partycost:\*\*\*@127\.0\.0\.1:\d+\/secret \(PARTYCOST_LEDGER_URL\) is unreachable: password authentication failed/);
  for (const text of printed) {
    assert.ok(!text.includes(server.password), 'the password in an output');
    assert.ok(!text.includes('not-the-password-at-all'), 'the wrong password in an output');
  }
  const files = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => (statSync(path.join(folder, name)).isDirectory() ? files(path.join(folder, name)) : [path.join(folder, name)]));
  for (const file of files(path.dirname(databaseOf(dir)))) {
    const bytes = readFileSync(file);
    assert.ok(!bytes.includes(server.password) && !bytes.includes('not-the-password-at-all'), file);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const everything = JSON.stringify((await client.query('SELECT * FROM executions')).rows);
    assert.ok(everything.includes('forest theme') || everything.includes('muse'), 'the rows were read');
    assert.ok(!everything.includes(server.password));
  } finally {
    await client.end();
  }
});

test("partycost.json's ledger.url works as the environment's does, and is sent only its own password, never PGPASSWORD", async () => {
  const url = await server.database('configured');
  const dir = workspace('configured');
  const file = path.join(dir, 'partycost.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/"learning":/, `"ledger": { "url": "${url}" },\n  "learning":`));
  const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: openai.baseURL };
  const shared = await cli(dir, ['budget', '--json'], env);
  printed.push(shared.stdout, shared.stderr);
  const status = (JSON.parse(shared.stdout) as { ledger: TeamLedgerStatus }).ledger;
  assert.ok(status.kind === 'team' && status.reachable && status.from === 'ledger.url', JSON.stringify(status));
  // The same URL without its password, and the user's PGPASSWORD holding it: not sent to a server the workspace names.
  const other = workspace('configured-nopass');
  const otherFile = path.join(other, 'partycost.json');
  writeFileSync(
    otherFile,
    readFileSync(otherFile, 'utf8').replace(/"learning":/, `"ledger": { "url": "${url.replace(`:${server.password}@`, '@')}" },\n  "learning":`),
  );
  const refused = await cli(other, ['budget', '--json'], { ...env, PGPASSWORD: server.password });
  printed.push(refused.stdout, refused.stderr);
  const without = (JSON.parse(refused.stdout) as { ledger: TeamLedgerStatus }).ledger;
  assert.ok(without.kind === 'team' && !without.reachable, JSON.stringify(without));
  assert.match(without.problem ?? '', /ledger\.url has no password, and your PGPASSWORD or ~\/\.pgpass is sent only to a team ledger you name/);
});
