import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { bin, partycost, workspace } from '../cliProcess';
import { jsonBody, protobufBody, recordSpans } from '../otlpPayloads';
import type { SpanSpec } from '../otlpPayloads';
import type { LedgerReport } from '../../sidecar/contract/ledger';
import { SidecarClient } from '../../extension/sidecar/sidecarClient';
import { collectorRequest, productionChangedNotification, productionRequest } from '../../sidecar/protocol';

// `partycost collect` as an exporter meets it: the OTLP/HTTP receiver in its own process, spans encoded by the
// OpenTelemetry SDK sent by HTTP (protobuf and JSON, gzip or not), answered only once recorded; and `partycost
// import` of exported files.

interface Collector {
  url: string;
  process: ChildProcessWithoutNullStreams;
  lines: string[];
}

/** `partycost collect --port 0 --json` in `dir`, once it listens (its first line says where). */
function collect(dir: string, ...extra: string[]): Promise<Collector> {
  const child = spawn(process.execPath, [bin, 'collect', '--port', '0', '--json', ...extra], { cwd: dir });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const listening = (JSON.parse(line) as { listening?: string }).listening;
      if (listening) resolve({ url: listening, process: child, lines });
    });
    child.once('exit', (code) => reject(new Error(`collect exited ${code}`)));
  });
}

function stopped(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function run(agent: string, input: number, output: number): SpanSpec {
  return {
    name: `invoke_agent ${agent}`,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent },
    children: [
      {
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
        },
      },
    ],
  };
}

test('partycost collect: protobuf and JSON, gzip or not, each answered once recorded; refusals say why; a resent batch counts once', async () => {
  const dir = await workspace('collect');
  const collector = await collect(dir);
  try {
    const spans = recordSpans([run('theme', 900, 60), run('Concierge', 400, 30)]);
    const post = (body: Uint8Array, headers: Record<string, string>) => fetch(collector.url, { method: 'POST', body: body as unknown as BodyInit, headers });
    const first = await post(protobufBody(spans), { 'Content-Type': 'application/x-protobuf' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await first.arrayBuffer()).byteLength, 0, 'an empty ExportTraceServiceResponse');
    // Answered means recorded: the ledger has the calls now, read by another process.
    const ledger = await partycost(dir, ['ledger', '--json']);
    const report = JSON.parse(ledger.stdout) as LedgerReport;
    assert.deepEqual(
      report.executions.map((e) => [e.agent, e.source, e.attributed ?? true]),
      [
        ['theme', 'collected', true],
        ['Concierge', 'collected', false],
      ],
    );
    // The same spans again, as JSON and gzip: an exporter's retry.
    const again = await post(gzipSync(jsonBody(spans)), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    assert.equal(again.status, 200);
    assert.equal(await again.text(), '{}');
    const batches = collector.lines.slice(1).map((line) => JSON.parse(line) as { spans: number; recorded: number; duplicates: number });
    assert.deepEqual(
      batches.map((b) => [b.spans, b.recorded, b.duplicates]),
      [
        [4, 2, 0],
        [4, 0, 2],
      ],
    );

    const garbage = await post(new TextEncoder().encode('{"resourceSpans": 7}'), { 'Content-Type': 'application/json' });
    assert.equal(garbage.status, 400);
    assert.match(((await garbage.json()) as { message: string }).message, /resourceSpans/);
    const big = await fetch(collector.url, { method: 'POST', body: new Uint8Array(21 * 1024 * 1024), headers: { 'Content-Type': 'application/x-protobuf' } });
    assert.equal(big.status, 413);
    assert.equal((await fetch(collector.url.replace('/v1/traces', '/v1/metrics'), { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(collector.url)).status, 405);
    const text = await post(new TextEncoder().encode('hello'), { 'Content-Type': 'text/plain' });
    assert.equal(text.status, 415);
  } finally {
    assert.equal(await stopped(collector.process), 0, 'SIGTERM stops it cleanly');
  }
  const agents = await partycost(dir, ['agents', '--json']);
  assert.deepEqual(
    (JSON.parse(agents.stdout) as { unattributed: { name: string; runs: number }[] }).unattributed.map((a) => [a.name, a.runs]),
    [['Concierge', 1]],
  );
  const mapped = await partycost(dir, ['agents', 'map', 'Concierge', 'vendor']);
  assert.equal(mapped.stdout.trim(), '"Concierge" is vendor from now on; 1 recorded calls moved to it');
});

test('partycost collect listens on this machine only, unless asked; a port in use is one line', async () => {
  const dir = await workspace('collect-host');
  const collector = await collect(dir);
  try {
    assert.match(collector.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
    const port = new URL(collector.url).port;
    const busy = await partycost(dir, ['collect', '--port', port]);
    assert.equal(busy.code, 1);
    assert.equal(busy.stderr.trim(), `partycost: port ${port} on 127.0.0.1 is in use: pass --port`);
  } finally {
    await stopped(collector.process);
  }
  const bad = await partycost(dir, ['collect', '--port', 'x']);
  assert.deepEqual([bad.code, bad.stderr.trim()], [2, 'partycost: --port takes a port number (0–65535), not "x"']);
});

test('partycost import: LiteLLM and Langfuse exports, told by their fields; bad rows named by line; an unknown file refused in one line', async () => {
  const dir = await workspace('import');
  const fixtures = path.resolve('test/fixtures/traces');
  const litellm = await partycost(dir, ['import', path.join(fixtures, 'litellm-spendlogs.json')]);
  assert.equal(litellm.code, 0, litellm.stderr);
  assert.match(litellm.stdout, /litellm-spendlogs\.json \(litellm\): \d+ records, \d+ calls in \d+ runs; \d+ recorded, 0 seen before/);
  const repeat = await partycost(dir, ['import', '--json', path.join(fixtures, 'litellm-spendlogs.json')]);
  const files = (JSON.parse(repeat.stdout) as { files: { report: { recorded: number; duplicates: number; calls: number } }[] }).files;
  assert.deepEqual([files[0]!.report.recorded, files[0]!.report.duplicates], [0, files[0]!.report.calls]);
  const langfuse = await partycost(dir, ['import', path.join(fixtures, 'langfuse-observations.jsonl')]);
  assert.equal(langfuse.code, 0, langfuse.stderr);
  assert.match(langfuse.stdout, /\(langfuse\)/);
  const unknown = await partycost(dir, ['import', path.join(dir, 'partycost.json')]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
  assert.match(unknown.stderr, /^partycost: .*partycost\.json: /);
});

test("the sidecar's receiver (on a thread of its own), started and stopped on request: a batch is recorded, notified, counted today", async () => {
  const dir = await workspace('partycost-sidecar-collect-');
  const client = new SidecarClient({
    command: process.execPath,
    args: [bin, 'serve', '--stdio'],
    env: process.env,
    initialize: { workspace: dir },
    log: () => {},
  });
  await client.ready();
  try {
    const notified = new Promise<number>((resolve) => client.onNotification(productionChangedNotification, ({ recorded }) => resolve(recorded)));
    const started = await client.request(collectorRequest, { port: 0 });
    assert.match(started.collector!.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
    const answer = await fetch(started.collector!.url, {
      method: 'POST',
      body: protobufBody(recordSpans([run('theme', 1200, 300), run('venue', 800, 200)])) as unknown as BodyInit,
      headers: { 'Content-Type': 'application/x-protobuf' },
    });
    assert.equal(answer.status, 200);
    assert.equal(await notified, 2, 'the two calls, said to the editor');
    // The sidecar's own connection reads what the thread wrote.
    const status = await client.request(productionRequest, {});
    assert.deepEqual([status.today.runs, status.today.calls], [2, 2]);
    assert.ok(status.today.costUsd > 0);
    const stopped = await client.request(collectorRequest, {});
    assert.equal(stopped.collector, null);
    await assert.rejects(
      fetch(started.collector!.url, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }),
      'nothing listens any more',
    );
  } finally {
    await client.stop();
  }
});
