import { setTimeout as delay } from 'node:timers/promises';
import type Redis from 'ioredis';
import type { CacheDriver, Clock } from './driver';
import type { CacheEntry } from '../store/cacheEntries';

/** ioredis, loaded when a Redis tier is first configured: a workspace without Redis never pays its start-up. */
function redisClass(): typeof Redis {
  return (require('ioredis') as typeof import('ioredis')).default;
}

export interface RedisOptions {
  url: string;
  /** Keys are `partycost:<namespace>:<key>`, so one Redis can serve many projects and a team shares a project's. */
  namespace: string;
  now?: Clock;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** The error a command gets while the connection is not ready: a miss, not a hang. */
export class RedisUnavailableError extends Error {}

/** How long a healthy Redis takes at most to answer the PING that proves a new connection (a hung one never does). */
const probeMs = 15;

/**
 * L2: Redis through ioredis, failing fast (no offline queue, no per-request retries, short timeouts) so a dead or hung
 * Redis costs a run nothing; it reconnects by itself when Redis returns. A connection is used once its PING has come
 * back; until then (connecting, down, or hung) every call is a miss that waits for nothing, and a head start
 * (`connected`) waits for the PING at most 15 ms.
 */
export class RedisDriver implements CacheDriver {
  readonly tier = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;
  /** Lease keys live beside the entries, outside their prefix, so a scan of entries never meets one. */
  private readonly leasePrefix: string;
  private readonly now: Clock;
  private healthy = false;
  /** The verdict on the current connection: true once it has proved itself, false when it failed or dropped. */
  private verdict!: { promise: Promise<boolean>; resolve: (ok: boolean) => void; settled: boolean };

  constructor(options: RedisOptions) {
    this.prefix = `partycost:${options.namespace}:`;
    this.leasePrefix = `partycost-lease:${options.namespace}:`;
    this.now = options.now ?? Date.now;
    this.awaitVerdict();
    this.client = new (redisClass())(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 500,
      commandTimeout: options.commandTimeoutMs ?? 250,
      retryStrategy: (times) => Math.min(100 * times, 1000),
      // Our own PING with a short deadline proves the connection; ioredis's ready check would wait on a hung server.
      enableReadyCheck: false,
      // Nor wait on CLIENT SETINFO, which ioredis sends on connect and a hung server never answers (250 ms lost).
      disableClientInfo: true,
      disconnectTimeout: 100,
    });
    // Connection errors surface through commands (counted per tier); the listener keeps them from being unhandled.
    this.client.on('error', () => this.decide(false));
    this.client.on('close', () => {
      this.healthy = false;
      this.decide(false);
      // The next connection is judged afresh.
      this.awaitVerdict();
    });
    this.client.on('ready', () => void this.check());
  }

  /** Starts waiting for the verdict on the next connection (at start, and after one closes). */
  private awaitVerdict(): void {
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.verdict = { promise, resolve, settled: false };
  }

  private decide(ok: boolean): void {
    if (this.verdict.settled) return;
    this.verdict.settled = true;
    this.verdict.resolve(ok);
  }

  /**
   * A PING proves the connection; it is used once the PING comes back. A head start waits for it at most probeMs (a
   * far Redis answers later and is used from then on; a hung one never answers and is never used).
   */
  private async check(): Promise<void> {
    const ping = this.client.ping().then(
      () => true,
      () => false,
    );
    const quick = await Promise.race([ping, delay(probeMs).then(() => undefined)]);
    if (quick === undefined) this.decide(false);
    this.healthy = (quick ?? (await ping)) && this.client.status === 'ready';
    this.decide(this.healthy);
  }

  /**
   * Resolves true once the connection has proved itself, false as soon as it is known not to (refused, dropped,
   * hung) or after `timeoutMs`. Lookups never wait for it; a caller may, to give L2 a head start.
   */
  connected(timeoutMs = 1_000): Promise<boolean> {
    if (this.available()) return Promise.resolve(true);
    // Refused or dropped, and waiting to try again: known not to be there, nothing to wait for.
    if (['reconnecting', 'close', 'end'].includes(this.client.status)) return Promise.resolve(false);
    return Promise.race([this.verdict.promise, delay(timeoutMs).then(() => false)]);
  }

  available(): boolean {
    return this.healthy && this.client.status === 'ready';
  }

  private ready(): void {
    if (this.client.status !== 'ready') throw new RedisUnavailableError(`redis is ${this.client.status}`);
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    this.ready();
    const text = await this.client.get(this.prefix + key);
    if (!text) return undefined;
    const entry = JSON.parse(text) as CacheEntry;
    return entry.expiresAt > this.now() ? entry : undefined;
  }

  async set(entry: CacheEntry): Promise<void> {
    this.ready();
    const ttl = entry.expiresAt - this.now();
    if (ttl <= 0) return;
    await this.client.set(this.prefix + entry.key, JSON.stringify(entry), 'PX', Math.ceil(ttl));
  }

  async delete(key: string): Promise<boolean> {
    this.ready();
    return (await this.client.del(this.prefix + key)) > 0;
  }

  async clear(agent?: string): Promise<number> {
    this.ready();
    let removed = 0;
    for await (const keys of this.client.scanStream({ match: `${this.prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (!keys.length) continue;
      const doomed = agent === undefined ? keys : await this.ofAgent(keys, agent);
      if (doomed.length) removed += await this.client.del(...doomed);
    }
    return removed;
  }

  private async ofAgent(keys: string[], agent: string): Promise<string[]> {
    const values = await this.client.mget(...keys);
    return keys.filter((_, i) => values[i] && (JSON.parse(values[i]!) as CacheEntry).agent === agent);
  }

  async size(): Promise<{ entries: number; bytes: number }> {
    this.ready();
    let entries = 0;
    let bytes = 0;
    for await (const keys of this.client.scanStream({ match: `${this.prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (!keys.length) continue;
      entries += keys.length;
      const lengths = await Promise.all(keys.map((k) => this.client.strlen(k)));
      bytes += lengths.reduce((a, b) => a + b, 0);
    }
    return { entries, bytes };
  }

  /**
   * A lease on producing `key` for a team sharing this Redis (`SET NX PX`): true when this owner holds it now. Not
   * connected: undefined (the caller relies on its local lease alone).
   */
  async lease(key: string, owner: string, ttlMs: number): Promise<boolean | undefined> {
    if (!this.available()) return undefined;
    try {
      const set = await this.client.set(`${this.leasePrefix}${key}`, owner, 'PX', ttlMs, 'NX');
      return set === 'OK' || (await this.client.get(`${this.leasePrefix}${key}`)) === owner;
    } catch {
      return undefined;
    }
  }

  /** Gives a lease up, if this owner still holds it. */
  async unlease(key: string, owner: string): Promise<void> {
    if (!this.available()) return;
    const script = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    await this.client.eval(script, 1, `${this.leasePrefix}${key}`, owner).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
