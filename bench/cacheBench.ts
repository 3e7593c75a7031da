import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { OfflineProvider } from '../sidecar/providers/offline';
import type { AgentOutcome } from '../sidecar/contract/plan';
import { CircuitBreaker } from '../sidecar/cache/breaker';
import type { CacheDriver } from '../sidecar/cache/driver';
import type { CacheEntry } from '../sidecar/store/cacheEntries';
import type { TierName } from '../sidecar/contract/cache';
import { MemoryDriver } from '../sidecar/cache/memoryDriver';
import { RedisDriver } from '../sidecar/cache/redisDriver';
import { ResultCache } from '../sidecar/cache/resultCache';
import { SqliteDriver, entryBytes } from '../sidecar/store/cacheEntries';
import { CacheStats } from '../sidecar/cache/stats';
import { TieredCache } from '../sidecar/cache/tieredCache';
import { loadConfigText } from '../sidecar/sources/load';
import { sampleConfig } from '../sidecar/config/sample';
import { Providers } from '../sidecar/providers/registry';
import { PartyService } from '../sidecar/service/partyService';
import { sha256 } from '../sidecar/hashing/hash';
import { openDatabase } from '../sidecar/store/database';
import type { Db } from '../sidecar/store/database';
import { PartyStore } from '../sidecar/store/partyStore';
import { startRedis } from '../test/redisServer';
import type { RedisServer } from '../test/redisServer';
import { figure, report, seeded, verdict } from './measure';
import type { Goal } from './measure';
import { SqliteStore } from '../sidecar/store/sqliteStore';

/** An entry's serialised size, as the SQLite tier stores it. */

/** Every temporary folder and database this bench opened, and every client to close, undone at the end. */
const opened: { dir: string; db: Db }[] = [];
const closers: (() => Promise<unknown> | unknown)[] = [];

function tempDb(): Db {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'partycost-bench-'));
  const db = openDatabase(path.join(dir, 'partycost.db'));
  opened.push({ dir, db });
  return db;
}

const hour = 3600 * 1000;

const words =
  'plan guests arrive welcome table colours garden music games lights balloons cake candles menu snacks drinks timeline setup cleanup photos gifts invitations theme decorations seating stage host schedule budget vendor'.split(
    ' ',
  );

/** About 1.5 KB of offline-provider-like text. */
function outputText(seed: number): string {
  const random = seeded(seed);
  const parts = [`venue plan (offline ${seed.toString(16).padStart(8, '0')})`, `Cost: $${50 + random(1950)}`];
  let length = parts.join('\n').length;
  while (length < 1500) {
    const word = words[random(words.length)];
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

/** A realistic cache entry: a sha256 key, a ~1.5 KB output, usage as the offline provider reports it. */
function makeEntry(index: number, output: string): CacheEntry {
  const now = Date.now();
  return {
    key: sha256(`bench-key-${index}`),
    agent: 'venue',
    output,
    resultHash: sha256(output),
    model: 'gpt-4o-mini',
    usage: { inputTokens: 180, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 250, reasoningTokens: 0, source: 'estimated' },
    durationMs: 812.5,
    createdAt: now,
    expiresAt: now + hour,
  };
}

/** The floor's INSERT: every column of the table, values taken as they are (no context in these entries). */
const rawInsertSql = `INSERT OR REPLACE INTO cache_entries (key, agent, output, result_hash, model, input_tokens, cache_read_tokens,
  cache_write_tokens, output_tokens, reasoning_tokens, usage_source, duration_ms, context, bytes, created_at, expires_at, last_access)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function rawRow(e: CacheEntry, bytes: number): unknown[] {
  const u = e.usage;
  return [
    e.key,
    e.agent,
    e.output,
    e.resultHash,
    e.model,
    u.inputTokens,
    u.cacheReadTokens,
    u.cacheWriteTokens,
    u.outputTokens,
    u.reasoningTokens,
    u.source,
    e.durationMs,
    null,
    bytes,
    e.createdAt,
    e.expiresAt,
    Date.now(),
  ];
}

/** The client options RedisDriver uses, for a floor client that behaves the same. */
function driverClientOptions(): RedisOptions {
  return {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout: 250,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    enableReadyCheck: true,
    disconnectTimeout: 100,
  };
}

async function readyClient(url: string, options: RedisOptions): Promise<Redis> {
  const client = new Redis(url, options);
  client.on('error', () => {});
  closers.push(() => client.disconnect());
  if (client.status !== 'ready') await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}

/** RedisDriver connects in its constructor and fails fast until ready: wait until a command goes through. */
async function untilReady(driver: CacheDriver): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await driver.get('ready-probe');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(10);
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Microseconds per operation of `n` sequential calls (awaited when they return a promise). */
async function usPerOp(n: number, op: (i: number) => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const result = op(i);
    if (result instanceof Promise) await result;
  }
  return ((performance.now() - start) * 1000) / n;
}

interface Pair {
  ours: (i: number) => unknown;
  floor: (i: number) => unknown;
}

/** Alternates ours and the floor for `rounds` rounds (after one warm-up round); the median µs/op of each. */
async function comparePair(pair: Pair, n: number, rounds: number): Promise<{ ours: number; floor: number }> {
  await usPerOp(n, pair.ours);
  await usPerOp(n, pair.floor);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(await usPerOp(n, pair.ours));
    floor.push(await usPerOp(n, pair.floor));
  }
  return { ours: median(ours), floor: median(floor) };
}

function us(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

async function tierBench(server: RedisServer): Promise<void> {
  const n = 2_000;
  const rounds = 5;
  const output = outputText(7);
  const entries = Array.from({ length: n }, (_, i) => makeEntry(i, output));
  const texts = entries.map((entry) => JSON.stringify(entry));
  const keys = entries.map((entry) => entry.key);
  const averageBytes = texts.reduce((sum, text) => sum + text.length, 0) / n;

  // Memory: MemoryDriver against a bare LRUCache with the same entry bound, holding the same objects.
  const memory = new MemoryDriver({ maxEntries: 5_000 });
  const lru = new LRUCache<string, CacheEntry>({ max: 5_000 });
  // Sub-microsecond calls: 10 passes over the 2,000 keys per round, so a round is long enough to time.
  const memoryOps = 10 * n;
  const memorySet = await comparePair({ ours: (i) => memory.set(entries[i % n]), floor: (i) => lru.set(keys[i % n], entries[i % n]) }, memoryOps, rounds);
  const memoryGet = await comparePair({ ours: (i) => memory.get(keys[i % n]), floor: (i) => lru.get(keys[i % n]) }, memoryOps, rounds);

  // Redis: RedisDriver against one bare ioredis command on its own client with the driver's options, same full keys.
  const namespace = 'tierbench';
  const redis = new RedisDriver({ url: server.url, namespace });
  closers.push(() => redis.close());
  await untilReady(redis);
  const floorClient = await readyClient(server.url, driverClientOptions());
  const redisKeys = keys.map((key) => `partycost:${namespace}:${key}`);
  const redisSet = await comparePair({ ours: (i) => redis.set(entries[i]), floor: (i) => floorClient.set(redisKeys[i], texts[i], 'PX', hour) }, n, rounds);
  const redisGet = await comparePair({ ours: (i) => redis.get(keys[i]), floor: (i) => floorClient.get(redisKeys[i]) }, n, rounds);

  // SQLite: SqliteDriver against one prepared statement on the same database and table.
  const db = tempDb();
  const sqlite = new SqliteDriver(db);
  const select = db.prepare('SELECT * FROM cache_entries WHERE key = ?').raw(true);
  const insert = db.prepare(rawInsertSql);
  const sizes = entries.map((entry) => entryBytes(entry));
  const rawInsert = (i: number): unknown => insert.run(...rawRow(entries[i], sizes[i]));
  const sqliteSet = await comparePair({ ours: (i) => sqlite.set(entries[i]), floor: rawInsert }, n, rounds);
  const sqliteGet = await comparePair({ ours: (i) => sqlite.get(keys[i]), floor: (i) => select.get(keys[i]) }, n, rounds);

  // How SqliteDriver.set scales with the table: the same call with 20,000 other entries stored.
  const bigDb = tempDb();
  const bigSqlite = new SqliteDriver(bigDb);
  const bigInsert = bigDb.prepare(rawInsertSql);
  const bigSelect = bigDb.prepare('SELECT * FROM cache_entries WHERE key = ?').raw(true);
  const filler = 20_000;
  bigDb.transaction(() => {
    for (let i = 0; i < filler; i++) {
      const e = makeEntry(n + i, output);
      bigInsert.run(...rawRow(e, entryBytes(e)));
    }
  })();
  const bigN = 200;
  const bigRawInsert = (i: number): unknown => bigInsert.run(...rawRow(entries[i], sizes[i]));
  const bigSet = await comparePair({ ours: (i) => bigSqlite.set(entries[i]), floor: bigRawInsert }, bigN, 3);
  const bigGet = await comparePair({ ours: (i) => bigSqlite.get(keys[i]), floor: (i) => bigSelect.get(keys[i]) }, bigN, 3);

  // Goals: L1 get within 2× lru-cache, L3 get within 1.5× a prepared SELECT; the other ratios are reported as they are.
  const goals: Record<string, Goal> = { 'MemoryDriver.get': '<= 2', 'SqliteDriver.get': '<= 1.5' };
  const row = (label: string, m: { ours: number; floor: number }): [string, string] => {
    const name = label.split(' ')[0];
    const goal = goals[name];
    figure(`${label.replace(/\s+/g, ' ')}: ours / floor`, m.ours / m.floor, '×', goal);
    figure(`${name}`.concat(label.includes('rows;') ? ' (22,000 rows)' : '', ' µs per op'), m.ours, 'µs');
    return [
      label,
      `${us(m.ours).padStart(7)} µs vs ${us(m.floor).padStart(7)} µs  ratio ${(m.ours / m.floor).toFixed(2)}×${goal ? ` (${verdict(goal, m.ours / m.floor)})` : ''}`,
    ];
  };
  console.log(
    `\nCache tiers: µs per op, ours vs the raw library call it wraps (floor); ${n.toLocaleString('en')} keys, ${n.toLocaleString('en')} sequential awaited ops per round (memory: ${memoryOps.toLocaleString('en')}), median of ${rounds} alternating rounds after a warm-up;` +
      ` entries of ${Math.round(averageBytes).toLocaleString('en')} B serialised (${output.length.toLocaleString('en')} B output), every get a hit`,
  );
  report([
    [
      'floors',
      "LRUCache({ max: 5000 }) get/set (synchronous, not awaited); ioredis GET / SET PX on its own client with the driver's options; prepared better-sqlite3 SELECT * in raw mode (rows as arrays, its fastest) / INSERT OR REPLACE of every column on the same table",
    ],
    [
      'values',
      'the floors take the entry pre-serialised for Redis and pre-sized for SQLite (JSON.stringify/parse, size calculation, expiry checks, building the entry from a row are counted as ours)',
    ],
    row('MemoryDriver.get    vs LRUCache.get', memoryGet),
    row('MemoryDriver.set    vs LRUCache.set', memorySet),
    row('RedisDriver.get     vs ioredis GET', redisGet),
    row('RedisDriver.set     vs ioredis SET PX', redisSet),
    row(`SqliteDriver.get    vs SELECT (${n.toLocaleString('en')} rows)`, sqliteGet),
    row(`SqliteDriver.set    vs INSERT OR REPLACE (${n.toLocaleString('en')} rows)`, sqliteSet),
    row(`SqliteDriver.get    vs SELECT (${(filler + n).toLocaleString('en')} rows; ${bigN} ops, median of 3)`, bigGet),
    row(`SqliteDriver.set    vs INSERT OR REPLACE (${(filler + n).toLocaleString('en')} rows; ${bigN} ops, median of 3)`, bigSet),
  ]);
}

/** Zipf(s = 1) ranks over `keys`, seeded: a few keys are read very often, most rarely. */
function zipfWorkload(keys: number, reads: number, seed: number): number[] {
  const cdf: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= keys; rank++) cdf.push((total += 1 / rank));
  const random = seeded(seed);
  const scale = 2 ** 30;
  return Array.from({ length: reads }, () => {
    const u = (random(scale) / scale) * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

interface TieredRound {
  ms: number;
  produced: number;
  byTier?: Record<string, number>;
}

async function tieredBench(server: RedisServer): Promise<void> {
  const keyCount = 5_000;
  const reads = 20_000;
  const l1Entries = 1_000;
  const rounds = 3;
  const workload = zipfWorkload(keyCount, reads, 42);
  const distinct = new Set(workload).size;
  const output = outputText(11);
  const keys = Array.from({ length: keyCount }, (_, i) => sha256(`tiered-${i}`));
  // The cheap synchronous producer both caches call on a miss.
  const produce = (i: number): CacheEntry => {
    const now = Date.now();
    return {
      key: keys[i],
      agent: 'venue',
      output,
      resultHash: 'r',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 180, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 250, reasoningTokens: 0, source: 'estimated' },
      durationMs: 1,
      createdAt: now,
      expiresAt: now + hour,
    };
  };
  const admin = await readyClient(server.url, {});

  const oursRound = async (round: number): Promise<TieredRound> => {
    await admin.flushdb();
    const redis = new RedisDriver({ url: server.url, namespace: `tiered${round}` });
    const tiered = new TieredCache(
      [{ driver: new MemoryDriver({ maxEntries: l1Entries }) }, { driver: redis, breaker: new CircuitBreaker() }],
      new CacheStats(),
    );
    try {
      await untilReady(redis);
      let produced = 0;
      const byTier: Record<string, number> = { memory: 0, redis: 0, produced: 0 };
      const start = performance.now();
      for (const i of workload) {
        const { tier } = await tiered.getOrProduce(keys[i], async () => {
          produced++;
          return produce(i);
        });
        byTier[tier ?? 'produced']++;
      }
      return { ms: performance.now() - start, produced, byTier };
    } finally {
      await tiered.close();
    }
  };

  const bentoRound = async (round: number): Promise<TieredRound> => {
    await admin.flushdb();
    const bento = new BentoCache({
      default: 'tiered',
      ttl: hour,
      stores: {
        tiered: bentostore()
          .useL1Layer(memoryDriver({ maxItems: l1Entries }))
          .useL2Layer(redisDriver({ connection: { host: '127.0.0.1', port: server.port } })),
      },
      prefix: `bento${round}`,
    });
    try {
      let produced = 0;
      await bento.get({ key: 'warm-connection' });
      const start = performance.now();
      for (const i of workload)
        await bento.getOrSet({
          key: keys[i],
          factory: () => {
            produced++;
            return produce(i);
          },
        });
      return { ms: performance.now() - start, produced };
    } finally {
      await bento.disconnectAll();
    }
  };

  const ours: TieredRound[] = [];
  const theirs: TieredRound[] = [];
  // A first, unmeasured round of each warms the JIT and the connections.
  await oursRound(0);
  await bentoRound(0);
  for (let r = 1; r <= rounds; r++) {
    ours.push(await oursRound(r));
    theirs.push(await bentoRound(r));
  }
  const oursMs = median(ours.map((r) => r.ms));
  const theirsMs = median(theirs.map((r) => r.ms));
  const rate = (ms: number): string => `${Math.round(reads / (ms / 1000)).toLocaleString('en')} ops/s`;
  const tiers = ours[0].byTier!;
  const pct = (k: number): string => `${((100 * k) / reads).toFixed(1)} %`;
  console.log(
    `\nTiered memory + Redis getOrProduce vs bentocache 1.6.1 getOrSet: ${keyCount.toLocaleString('en')} keys, ${reads.toLocaleString('en')} sequential reads, Zipf(s = 1) seeded` +
      ` (${distinct.toLocaleString('en')} distinct keys read), a miss produces a ~${(output.length / 1024).toFixed(1)} KB entry synchronously and stores it; median of ${rounds} alternating rounds after a warm-up, Redis flushed before each`,
  );
  report([
    [
      'configured',
      `ours: TieredCache([MemoryDriver({ maxEntries: ${l1Entries} }), RedisDriver + CircuitBreaker], CacheStats), no SQLite tier; bentocache: bentostore().useL1Layer(memoryDriver({ maxItems: ${l1Entries} })).useL2Layer(redisDriver({ connection: { host: '127.0.0.1', port } })), ttl 1 h, no bus, L1 serialize left at its default (true: values kept as JSON strings); both L1s bounded at ${l1Entries.toLocaleString('en')} entries`,
    ],
    [
      'ours: TieredCache.getOrProduce',
      `${rate(oursMs)} (${oursMs.toFixed(0)} ms; served by memory ${pct(tiers.memory)}, redis ${pct(tiers.redis)}, produced ${pct(tiers.produced)})`,
    ],
    ['bentocache: getOrSet', `${rate(theirsMs)} (${theirsMs.toFixed(0)} ms)`],
    ['factory calls ours / bentocache', `${ours[0].produced.toLocaleString('en')} / ${theirs[0].produced.toLocaleString('en')}`],
    [
      'ratio ours / bentocache throughput',
      `${figure('tiered memory + Redis, ours / bentocache throughput', theirsMs / oursMs, '×', '>= 1').toFixed(2)}× (above 1: ours is faster)`,
    ],
  ]);
}

/** Input wording pools: repetition with the case and phrasing variants users type. */
const themes = ['jungle', 'pirate', 'princess', 'space', 'superhero', 'unicorn', 'dinosaur', 'safari', 'ocean', 'circus'];
const themeWordings = [
  (t: string) => `${t} theme`,
  (t: string) => `${t.toUpperCase()} party`,
  (t: string) => `${t[0].toUpperCase()}${t.slice(1)} Theme please`,
  (t: string) => `a ${t} birthday`,
];
const flavours = ['chocolate', 'vanilla', 'strawberry', 'lemon', 'carrot', 'red velvet'];
const cakeWordings = [(f: string) => `${f} cake`, (f: string) => `${f[0].toUpperCase()}${f.slice(1)} cupcakes`, (f: string) => `a ${f} cake please`];
const vendors = ['need a balloon artist', 'a magician please', 'DJ for the evening', 'a photographer', 'Need a Balloon Artist'];
const caterings = ['vegan snacks', 'vegetarian menu', 'drinks for the adults', 'finger food'];

/** A popularity-skewed pick: index k with weight 1 / (k + 1). */
function skewed(random: (n: number) => number, length: number): number {
  const weights = Array.from({ length }, (_, k) => 1 / (k + 1));
  let u = (random(2 ** 30) / 2 ** 30) * weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < length; k++) if ((u -= weights[k]) < 0) return k;
  return length - 1;
}

function partyInputs(random: (n: number) => number): string[] {
  const inputs = [themeWordings[random(themeWordings.length)](themes[skewed(random, themes.length)])];
  const guests = 10 + random(191);
  inputs.push(random(10) < 7 ? `${guests} guests` : `${guests} kids`);
  inputs.push(cakeWordings[random(cakeWordings.length)](flavours[skewed(random, flavours.length)]));
  if (random(2) === 0) inputs.push(vendors[random(vendors.length)]);
  if (random(10) < 4) inputs.push(caterings[random(caterings.length)]);
  return inputs;
}

async function replayBench(): Promise<void> {
  const budgetMs = 60_000;
  const target = 1_000;
  const loaded = loadConfigText(sampleConfig, 'partycost.json');
  if (!loaded.config) throw new Error(`sample configuration is invalid: ${loaded.problems[0]?.message}`);
  const db = tempDb();
  const cache = new ResultCache({ tables: new SqliteStore(db).cache, namespace: 'bench' });
  closers.push(() => cache.close());
  const provider = new OfflineProvider();
  const service = new PartyService(loaded.config, loaded.prices, new PartyStore(db), new Providers(loaded.config, process.env, { offline: provider }), cache);
  const random = seeded(1000);
  const totals = { parties: 0, executions: 0, hits: 0, costUsd: 0, savedUsd: 0, reuses: 0, byTier: {} as Partial<Record<TierName, number>> };
  const byAgent = new Map<string, { executions: number; hits: number; costUsd: number; savedUsd: number }>();
  const started = performance.now();
  for (let p = 0; p < target; p++) {
    if (performance.now() - started > budgetMs) break;
    const { party } = service.create(`party ${p + 1}`, partyInputs(random));
    const run = await service.run(party.id);
    totals.parties++;
    for (const outcome of run.agents as AgentOutcome[]) {
      const agent = byAgent.get(outcome.agent) ?? { executions: 0, hits: 0, costUsd: 0, savedUsd: 0 };
      byAgent.set(outcome.agent, agent);
      if (outcome.action === 'execute') {
        totals.executions++;
        agent.executions++;
      } else if (outcome.action === 'cache_hit') {
        totals.hits++;
        agent.hits++;
        agent.savedUsd += outcome.savedCostUsd;
        totals.savedUsd += outcome.savedCostUsd;
        totals.byTier[outcome.tier!] = (totals.byTier[outcome.tier!] ?? 0) + 1;
      } else if (outcome.action === 'reuse') totals.reuses++;
      totals.costUsd += outcome.costUsd;
      agent.costUsd += outcome.costUsd;
    }
  }
  const elapsed = performance.now() - started;
  const cacheReport = await cache.report();
  const usd = (value: number): string => `$${value.toFixed(6)}`;
  const wouldHaveCost = totals.costUsd + totals.savedUsd;
  const tierText = Object.entries(totals.byTier)
    .map(([tier, count]) => `${tier} ${count}`)
    .join(', ');
  console.log(
    `\nResult cache on a replay of ${totals.parties.toLocaleString('en')} generated parties (N = ${totals.parties.toLocaleString('en')}${totals.parties < target ? ` of ${target.toLocaleString('en')}: time budget` : ''}), sample configuration,` +
      ` offline provider, ResultCache memory + SQLite; each party created with 3–5 seeded inputs and run once; ${(elapsed / 1000).toFixed(1)} s`,
  );
  report([
    [
      'inputs',
      `theme from ${themes.length} themes × ${themeWordings.length} wordings, guests 10–200 (“N guests” / “N kids”), cake from ${flavours.length} flavours × ${cakeWordings.length} wordings, vendor request 50 %, catering request 40 % (popularity-skewed, seed 1000)`,
    ],
    ['agent executions', totals.executions.toLocaleString('en')],
    ['cache hits', `${totals.hits.toLocaleString('en')} (${tierText || 'none'})`],
    [
      'hit rate hits / (hits + executions)',
      `${figure('replay of generated parties, hit rate', (100 * totals.hits) / (totals.hits + totals.executions), '%').toFixed(1)} %`,
    ],
    ['actual cost spent', usd(totals.costUsd)],
    [
      'saved (sum of savedCostUsd of cache hits)',
      `${usd(totals.savedUsd)} (${figure('replay of generated parties, saved', (100 * totals.savedUsd) / wouldHaveCost, '%').toFixed(1)} % of the ${usd(wouldHaveCost)} it would have cost without the cache)`,
    ],
    [
      'resultCache.report() savings',
      `${usd(cacheReport.savings.savedUsd)} over ${cacheReport.savings.hits.toLocaleString('en')} hits (${Math.abs(cacheReport.savings.savedUsd - totals.savedUsd) < 1e-9 && cacheReport.savings.hits === totals.hits ? 'matches the run reports' : 'DIFFERS from the run reports'})`,
    ],
    ...[...byAgent.entries()].map(([agent, a]): [string, string] => [
      `  ${agent}`,
      `${a.executions} executions, ${a.hits} hits (${((100 * a.hits) / Math.max(1, a.hits + a.executions)).toFixed(1)} %), spent ${usd(a.costUsd)}, saved ${usd(a.savedUsd)}`,
    ]),
  ]);
}

/** Cache tiers against their raw libraries, the tiered path against bentocache, and hit rate / savings on a replay. */
export async function cacheBench(): Promise<void> {
  let server: RedisServer | undefined;
  try {
    server = await startRedis();
    await tierBench(server);
    await tieredBench(server);
    await replayBench();
  } finally {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        console.error('cacheBench cleanup:', error);
      }
    }
    for (const { dir, db } of opened.splice(0)) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await server?.stop();
  }
}
