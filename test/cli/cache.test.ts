import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis } from '../redisServer';

const bin = path.resolve('bin/partycost.js');

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PARTYCOST_REDIS_URL: '' } });
  assert.equal(run.status, 0, `partycost ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-cache-'));
  partycost(dir, 'init');
  return dir;
}

type Stats = {
  redis: string;
  tiers: {
    tier: string;
    hits: number;
    misses: number;
    writes: number;
    errors: number;
    entries: number | null;
    breaker?: string;
    latencyUs: { p50: number | null };
  }[];
  savings: { hits: number; savedUsd: number; byAgent: { agent: string; hits: number }[] };
};

test('cache stats after runs in separate processes: per-tier figures and savings from the shared SQLite tier', () => {
  const dir = workspace();
  partycost(dir, 'party', 'create', '--input', 'jungle theme', '--input', '75 guests');
  partycost(dir, 'run', 'P1');
  partycost(dir, 'party', 'create', '--input', 'JUNGLE party', '--input', '70 guests');
  const plan = JSON.parse(partycost(dir, 'plan', 'P2', '--json')) as { agents: { agent: string; action: string; tier?: string }[] };
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'cache_hit').map((a) => `${a.agent}:${a.tier}`),
    ['theme:sqlite', 'venue:sqlite', 'catering:sqlite', 'budget:sqlite', 'planner_final:sqlite'],
  );
  const run = partycost(dir, 'run', 'P2');
  assert.match(run, /✔ theme from the sqlite cache/);
  assert.match(run, /^Done: 0 executed for \$0; 0 reused; 5 from cache; 0 deleted\.$/m);

  const stats = JSON.parse(partycost(dir, 'cache', 'stats', '--json')) as Stats;
  assert.equal(stats.redis, 'not configured');
  const sqlite = stats.tiers.find((t) => t.tier === 'sqlite')!;
  assert.equal(sqlite.hits, 5);
  assert.equal(sqlite.writes, 5, 'the first party wrote its five results');
  assert.equal(sqlite.entries, 5);
  assert.ok(sqlite.latencyUs.p50 !== null);
  assert.equal(stats.savings.hits, 5);
  assert.ok(stats.savings.savedUsd > 0);
  assert.deepEqual(stats.savings.byAgent.map((a) => a.agent).sort(), ['budget', 'catering', 'planner_final', 'theme', 'venue']);
  const table = partycost(dir, 'cache', 'stats');
  assert.match(table, /^sqlite +5 +\d+ +[\d.]+ % +5 /m);
  assert.match(table, /^Saved by cache hits: \$0\.\d{6}/m);
});

test('cache clear by agent, by party, and all', () => {
  const dir = workspace();
  partycost(dir, 'party', 'create', '--input', 'jungle theme', '--input', '75 guests');
  partycost(dir, 'run', 'P1');
  assert.equal(partycost(dir, 'cache', 'clear', '--agent', 'theme'), 'Cleared 1 cache entry (agent theme) from every tier\n');
  const entries = (): number => (JSON.parse(partycost(dir, 'cache', 'stats', '--json')) as Stats).tiers.find((t) => t.tier === 'sqlite')!.entries!;
  assert.equal(entries(), 4);
  partycost(dir, 'party', 'create', '--input', 'pirate theme');
  partycost(dir, 'run', 'P2');
  assert.equal(entries(), 5, 'P2 runs only its theme (nothing else has inputs)');
  partycost(dir, 'cache', 'clear', '--party', 'P2');
  assert.equal(entries(), 4, 'only the entries of P2 results went');
  partycost(dir, 'cache', 'clear');
  assert.equal(entries(), 0);
  const unknown = spawnSync(process.execPath, [bin, 'cache', 'clear', '--agent', 'themes'], { cwd: dir, encoding: 'utf8' });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown agent "themes" \(did you mean "theme"\?\)/);
});

test('--redis: results written by one workspace are hits from Redis in another', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const mine = workspace();
  const theirs = workspace();
  const env = ['--redis', redis.url];
  process.env.PARTYCOST_CACHE_NAMESPACE = 'shared-project';
  t.after(() => delete process.env.PARTYCOST_CACHE_NAMESPACE);
  partycost(mine, 'party', 'create', '--input', 'space theme', '--input', '50 guests');
  partycost(mine, 'run', 'P1', ...env);
  partycost(theirs, 'party', 'create', '--input', 'SPACE party', '--input', '55 guests');
  const plan = JSON.parse(partycost(theirs, 'plan', 'P1', '--json', ...env)) as { agents: { action: string; tier?: string }[] };
  assert.deepEqual(
    plan.agents.filter((a) => a.action === 'cache_hit').map((a) => a.tier),
    ['redis', 'redis', 'redis', 'redis', 'redis'],
  );
  partycost(theirs, 'run', 'P1', ...env);
  const stats = JSON.parse(partycost(theirs, 'cache', 'stats', '--json', ...env)) as Stats;
  assert.equal(stats.redis, 'connected');
  const redisTier = stats.tiers.find((tier) => tier.tier === 'redis')!;
  assert.equal(redisTier.hits, 5);
  assert.equal(redisTier.breaker, 'closed');
  assert.equal(redisTier.entries, 5);
});
