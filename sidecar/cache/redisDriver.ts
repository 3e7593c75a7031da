import Redis from 'ioredis';
import type { CacheDriver, CacheEntry, Clock } from './driver';

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

/**
 * L2: Redis through ioredis, failing fast (no offline queue, no per-request retries, short timeouts) so a dead Redis
 * costs a run nothing; it reconnects by itself when Redis returns.
 */
export class RedisDriver implements CacheDriver {
  readonly tier = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly now: Clock;

  constructor(options: RedisOptions) {
    this.prefix = `partycost:${options.namespace}:`;
    this.now = options.now ?? Date.now;
    this.client = new Redis(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 500,
      commandTimeout: options.commandTimeoutMs ?? 250,
      retryStrategy: (times) => Math.min(100 * times, 1000),
      enableReadyCheck: true,
      // A disconnect from a dead server otherwise waits 2 s, keeping a CLI command alive.
      disconnectTimeout: 100,
    });
    // Connection errors surface through commands (counted per tier); the listener keeps them from being unhandled.
    this.client.on('error', () => {});
  }

  /** Resolves true once connected, false if the connection does not come up within the connect timeout. */
  connected(timeoutMs = 1_000): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.once('ready', onReady);
    });
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

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
