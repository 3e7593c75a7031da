import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../sidecar/store/sqliteBinding';
import { bin, databaseOf, workspace } from '../cliProcess';
import { protobufBody, recordSpans } from '../otlpPayloads';

// The trace receiver failing: killed between batches, and a ledger another process holds. An answered batch is never
// lost; one the ledger could not take is refused with 503 and Retry-After, so the exporter sends it again, and it
// counts once.

function collect(dir: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcessWithoutNullStreams }> {
  const child = spawn(process.execPath, [bin, 'collect', '--port', '0', '--json'], { cwd: dir, env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = (JSON.parse(line) as { listening?: string }).listening;
      if (listening) resolve({ url: listening, child });
    });
    child.once('exit', (code) => reject(new Error(`collect exited ${code}`)));
  });
}

const batch = (agent: string, traces: number) =>
  protobufBody(
    recordSpans(
      Array.from({ length: traces }, () => ({
        name: `invoke_agent ${agent}`,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent },
        children: [
          {
            name: 'chat gpt-4o-mini',
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 500,
              'gen_ai.usage.output_tokens': 50,
            },
          },
        ],
      })),
    ),
  );

const post = (url: string, body: Uint8Array) =>
  fetch(url, { method: 'POST', body: body as unknown as BodyInit, headers: { 'Content-Type': 'application/x-protobuf' } });

function collected(dir: string): number {
  const db = new Database(databaseOf(dir), sqliteOptions({ readonly: true }));
  try {
    return (db.prepare("SELECT count(*) AS n FROM ledger WHERE origin = 'collected'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('a collector killed (SIGKILL) right after answering has every answered batch in the ledger', async () => {
  const dir = await workspace('collector-kill');
  const { url, child } = await collect(dir);
  for (let i = 0; i < 5; i++) assert.equal((await post(url, batch('theme', 40))).status, 200);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  assert.equal(collected(dir), 200, 'five answered batches of 40 calls');
});

test('a ledger held by another process: 503 with Retry-After, nothing half recorded; the retry counts once', async () => {
  const dir = await workspace('collector-locked');
  const { url, child } = await collect(dir, { PARTYCOST_BUSY_TIMEOUT_MS: '100' });
  try {
    assert.equal((await post(url, batch('venue', 1))).status, 200);
    const body = batch('venue', 3);
    const holder = new Database(databaseOf(dir), sqliteOptions());
    holder.exec('BEGIN IMMEDIATE');
    const refused = await post(url, body);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(((await refused.json()) as { message: string }).message, /^the ledger cannot be written now: /);
    holder.exec('ROLLBACK');
    holder.close();
    assert.equal(collected(dir), 1);
    assert.equal((await post(url, body)).status, 200);
    assert.equal((await post(url, body)).status, 200, 'sent twice (the exporter could not tell): counted once');
    assert.equal(collected(dir), 4);
  } finally {
    child.kill('SIGTERM');
  }
});
