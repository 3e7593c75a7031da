import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startRedis } from '../redisServer';
import type { RedisServer } from '../redisServer';

/** A client that fails fast while the server is down and reconnects quickly once it is back. */
async function client(t: TestContext, url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 500,
    commandTimeout: 200,
    retryStrategy: (times) => Math.min(times * 50, 300),
    // disconnect() arms a timer (2 s by default) to destroy a stream that never closes, which is the case when the
    // server is already gone; keep it short so it doesn't hold the test process open.
    disconnectTimeout: 100,
  });
  redis.on('error', () => {
    // expected while the server is down; commands report their own failures
  });
  t.after(() => redis.disconnect());
  await redis.connect();
  return redis;
}

async function server(t: TestContext, options?: { port?: number }): Promise<RedisServer> {
  const redis = await startRedis(options);
  t.after(() => redis.stop());
  return redis;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

/** Poll until PING succeeds, bounded by a deadline. */
async function untilPing(redis: Redis, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assert.equal(await redis.ping(), 'PONG');
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`no PONG within ${timeoutMs} ms`, { cause: error });
    }
    await delay(20);
  }
}

test('a started redis-server answers SET/GET; killed it is gone and fails fast; restarted it is empty', async (t) => {
  const redis = await server(t);
  assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
  assert.ok(isAlive(redis.pid));

  const c = await client(t, redis.url);
  assert.equal(await c.set('greeting', 'hello'), 'OK');
  assert.equal(await c.get('greeting'), 'hello');

  const firstPid = redis.pid;
  await redis.kill();
  assert.equal(isAlive(firstPid), false, 'the killed redis-server is gone');
  await redis.kill(); // idempotent

  const started = Date.now();
  await assert.rejects(c.get('greeting'));
  assert.ok(Date.now() - started < 1_000, `GET failed after ${Date.now() - started} ms`);

  await redis.restart();
  assert.notEqual(redis.pid, firstPid);
  assert.ok(isAlive(redis.pid));
  assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
  await untilPing(c);
  assert.equal(await c.get('greeting'), null, 'nothing persisted across the restart');
  assert.equal(await c.dbsize(), 0);
  assert.equal(await c.set('again', '1'), 'OK');

  const secondPid = redis.pid;
  await redis.stop();
  assert.equal(isAlive(secondPid), false, 'the stopped redis-server is gone');
  await redis.stop(); // idempotent
  await redis.kill();

  // Restart also works after a graceful stop.
  await redis.restart();
  await untilPing(c);
  assert.equal(await c.get('again'), null);
  await redis.stop();
  assert.equal(isAlive(redis.pid), false);
});

test('two servers at once get different ports and separate data', async (t) => {
  const [a, b] = await Promise.all([server(t), server(t)]);
  assert.notEqual(a.port, b.port);
  assert.notEqual(a.pid, b.pid);
  const [ca, cb] = await Promise.all([client(t, a.url), client(t, b.url)]);
  await ca.set('k', 'a');
  await cb.set('k', 'b');
  assert.equal(await ca.get('k'), 'a');
  assert.equal(await cb.get('k'), 'b');
  await Promise.all([a.stop(), b.stop()]);
  assert.equal(isAlive(a.pid), false);
  assert.equal(isAlive(b.pid), false);
});

test('starting on a port that is taken fails with the redis-server output', async (t) => {
  const blocker = createServer((socket) => socket.destroy()); // the harness probes it; don't keep those connections
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const { port } = blocker.address() as AddressInfo;
  await assert.rejects(startRedis({ port }), (error: Error) => {
    assert.match(error.message, new RegExp(`port ${port} exited before it was ready`));
    assert.match(error.message, /Address already in use/);
    return true;
  });
});

test('an explicit free port is used', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const redis = await server(t, { port });
  assert.equal(redis.port, port);
  const c = await client(t, redis.url);
  assert.equal(await c.ping(), 'PONG');
});
