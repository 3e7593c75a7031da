import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import { migrations } from '../../sidecar/store/migrations';
import { openDatabase } from '../../sidecar/store/database';
import type { Db } from '../../sidecar/store/database';
import { engine } from '../engine';
import { usageOf } from '../../sidecar/party/usage';

// A database written by each released schema (test/fixtures/databases, see its README) opens after every later
// migration with its parties, events, snapshots, results, ledger and cache entries intact, and plans nothing anew
// (results of an older key version re-run, named as such).

/** The first schema whose release keyed results as this one does (the key version went up with context budgets). */
const currentKeysSince = 3;

const fixtures = path.resolve('test/fixtures/databases');
const versions = readdirSync(fixtures)
  .map((file) => /^schema-(\d+)\.db$/.exec(file)?.[1])
  .filter((v): v is string => v !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

/** What must survive, read the same way before and after: rows by their lasting columns, in a fixed order. */
function contents(db: Db): Record<string, unknown[]> {
  const has = (table: string): boolean => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
  const rows = (sql: string): unknown[] => db.prepare(sql).all();
  return {
    parties: rows('SELECT id, name, status, last_seq, next_input, has_run, config_hash FROM parties ORDER BY id'),
    events: rows('SELECT party_id, seq, type, payload, at FROM events ORDER BY party_id, seq'),
    snapshots: rows('SELECT party_id, version, type, seq, state FROM snapshots ORDER BY party_id, version'),
    inputs: rows('SELECT party_id, id, text, position FROM inputs ORDER BY party_id, id'),
    results: rows('SELECT party_id, agent, key, result_hash, output FROM results ORDER BY party_id, agent'),
    ledger: rows('SELECT id, party_id, agent, model, input_tokens, output_tokens, cost_usd FROM ledger ORDER BY id'),
    cache: has('cache_entries') ? cacheEntries(db) : [],
  };
}

/** The cache entries in today's shape, whether stored as one JSON text (schemas 2–6) or in columns (7 on). */
function cacheEntries(db: Db): unknown[] {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('cache_entries')`).all() as { name: string }[]).map((c) => c.name);
  if (columns.includes('entry')) {
    return (
      db.prepare('SELECT key, agent, entry, expires_at FROM cache_entries ORDER BY key').all() as {
        key: string;
        agent: string;
        entry: string;
        expires_at: number;
      }[]
    ).map((row) => {
      const entry = JSON.parse(row.entry) as Record<string, unknown> & { usage: Parameters<typeof usageOf>[0] };
      return {
        key: row.key,
        agent: row.agent,
        expiresAt: row.expires_at,
        output: entry.output,
        resultHash: entry.resultHash,
        model: entry.model,
        usage: usageOf(entry.usage),
        durationMs: entry.durationMs,
        createdAt: entry.createdAt,
        context: entry.context ?? null,
      };
    });
  }
  type Row = Record<string, string | number | null>;
  return (db.prepare('SELECT * FROM cache_entries ORDER BY key').all() as Row[]).map((row) => ({
    key: row.key,
    agent: row.agent,
    expiresAt: row.expires_at,
    output: row.output,
    resultHash: row.result_hash,
    model: row.model,
    usage: {
      inputTokens: row.input_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      outputTokens: row.output_tokens,
      reasoningTokens: row.reasoning_tokens,
      source: row.usage_source,
    },
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    context: row.context === null ? null : JSON.parse(row.context as string),
  }));
}

test('a fixture database is kept for every schema version up to the current one', () => {
  assert.deepEqual(
    versions,
    migrations.map((_, i) => i + 1),
    'write one with test/fixtures/databases/write.sh when a migration is added',
  );
});

for (const version of versions) {
  test(`a schema-${version} database opens after every later migration with all its data, and plans no needless re-run`, async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), `partycost-upgrade-${version}-`)), 'partycost.db');
    copyFileSync(path.join(fixtures, `schema-${version}.db`), file);
    const original = new Database(file, sqliteOptions({ readonly: true }));
    assert.equal(original.pragma('user_version', { simple: true }), version);
    const before = contents(original);
    original.close();
    assert.ok(before.events.length > 0 && before.ledger.length > 0 && before.results.length > 0, 'the fixture has data');

    const db = openDatabase(file);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(contents(db), before);

      // The engine reads it as it reads its own: each party's state, its ledger, and a plan that reuses everything.
      const config = readFileSync(path.join(fixtures, `schema-${version}.partycost.json`), 'utf8');
      const parties = engine(config, db);
      const listed = parties.list();
      assert.deepEqual(
        listed.map((party) => party.id),
        ['P1', 'P2'],
      );
      for (const party of listed) {
        const plan = await parties.plan(party.id);
        const executes = plan.agents.filter((a) => a.action === 'execute');
        if (version >= currentKeysSince) {
          assert.deepEqual(
            executes.map((a) => `${a.agent} (${a.cause})`),
            [],
            `${party.id} reuses every result`,
          );
          assert.ok(plan.totals.reuse >= 5);
        } else {
          // Keys of an older key version: each result re-runs, and says why, not "upstream changed".
          assert.ok(executes.length >= 5);
          assert.deepEqual([...new Set(executes.map((a) => a.cause))], ['engine changed']);
        }
      }
      const resumed = await parties.resume('P1');
      if (version >= currentKeysSince) assert.equal(resumed.plan.totals.execute, 0, 'resuming the final snapshot restores its results, not a re-run');
      const spent = parties.store.ledger.report().totals.actualCostUsd;
      const recorded = (before.ledger as { cost_usd: number }[]).reduce((sum, row) => sum + row.cost_usd, 0);
      assert.ok(Math.abs(spent - recorded) < 1e-9, `the ledger reports what was recorded: ${spent} vs ${recorded}`);
    } finally {
      db.close();
    }
  });
}
