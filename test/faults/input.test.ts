import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertOneLine, bin, databaseOf, partycost, readDatabase, workspace } from '../cliProcess';
import { peakRecorder } from '../peakMemory';
import { generatedConfig } from '../../bench/generatedConfig';
import { FrameReader } from '../../sidecar/server/frameReader';
import type { AdviceReport } from '../../sidecar/contract/advice';

// Input that is too much, or not what it seems: a configuration file of a gigabyte, a device, a FIFO; a 50 MB
// JSON-RPC frame; advice asked on 10,000 agents; a partycost.json that cannot be written. Each is bounded or refused
// in one line, with nothing changed, where it used to take the memory, the time or the stack trace it was given.

test('a configuration file too large, or not a file at all: one line, exit 1, and never read whole', async () => {
  const dir = await workspace('bad-config');
  const limit = 'a configuration file is at most 10 MB';
  assertOneLine(
    await partycost(dir, ['estimate', '--config', '/dev/zero']),
    'partycost: /dev/zero is a character device: a configuration file must be a regular file',
  );
  // A FIFO with no writer: opening it would wait for ever.
  execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
  assertOneLine(
    await partycost(dir, ['estimate', '--config', 'pipe.json'], {}, { timeout: 30_000 }),
    'partycost: pipe.json is a FIFO (named pipe): a configuration file must be a regular file',
  );
  // 1 GB that takes no disk (a sparse file): read whole, it took 1.1 GB of memory.
  truncateSync(path.join(dir, 'partycost.json'), 1e9);
  const recorder = peakRecorder();
  assertOneLine(await partycost(dir, ['estimate'], {}, { node: recorder.node }), `partycost: partycost.json is 1.0 GB: ${limit}`);
  assert.ok(recorder.peakMb() < 250, `peak memory ${recorder.peakMb().toFixed(0)} MB`);
  // A crew's YAML, through the crew's own reading.
  mkdirSync(path.join(dir, 'config'));
  writeFileSync(path.join(dir, 'config', 'agents.yaml'), 'writer:\n  role: Writer\n  goal: write\n  backstory: writes\n');
  writeFileSync(path.join(dir, 'config', 'tasks.yaml'), '');
  truncateSync(path.join(dir, 'config', 'tasks.yaml'), 11e6);
  assertOneLine(await partycost(dir, ['estimate', '--config', 'config/tasks.yaml']), `partycost: config/tasks.yaml is 11 MB: ${limit}`);
});

test('advise on 10,000 agents: every agent considered, in under 500 MB (it took 2.8 GB)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-advise-large-'));
  writeFileSync(path.join(dir, 'partycost.json'), generatedConfig(10_000));
  const recorder = peakRecorder();
  // Run as `partycost` is run: the bin itself, through its shebang (with its V8 options), on the Node first on PATH.
  const run = spawnSync(bin, ['advise', '--json'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    env: { ...process.env, NODE_OPTIONS: recorder.node.join(' ') },
  });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as AdviceReport;
  assert.ok(report.advice.length > 0, 'advice given');
  assert.ok(recorder.peakMb() < 500, `peak memory ${recorder.peakMb().toFixed(0)} MB`);
});

test('advise --apply on a read-only partycost.json: one line, exit 1, the file and the record of applied advice unchanged', async () => {
  const dir = await workspace('advise-readonly');
  const file = path.join(dir, 'partycost.json');
  const before = readFileSync(file, 'utf8');
  // Root writes any file: where the test runs as root, the command runs without that power (CAP_DAC_OVERRIDE).
  const asRoot = process.getuid?.() === 0;
  chmodSync(file, 0o444);
  const command = [process.execPath, bin, 'advise', '--apply', '1'];
  const [program, ...args] = asRoot ? ['setpriv', '--bounding-set=-dac_override', ...command] : command;
  const run = spawnSync(program!, args, { cwd: dir, encoding: 'utf8' });
  assertOneLine({ code: run.status, stdout: run.stdout, stderr: run.stderr }, 'partycost: cannot write partycost.json: permission denied; nothing was changed');
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.includes('partial')),
    [],
    'no partial file left beside it',
  );
  const applied = existsSync(databaseOf(dir))
    ? readDatabase(dir, (db) => (db.prepare('SELECT count(*) AS n FROM advice_applied').get() as { n: number }).n)
    : 0;
  assert.equal(applied, 0, 'no advice recorded as applied');
});

test('a 50 MB frame in 64 KiB chunks arrives intact, its bytes joined once rather than once per chunk (the frame reader on its own)', (t) => {
  const stream = new PassThrough();
  const events = { logs: [] as string[], parseErrors: 0, lost: [] as string[] };
  const reader = new FrameReader(stream, {
    log: (line) => events.logs.push(line),
    parseError: () => events.parseErrors++,
    lost: (reason) => events.lost.push(reason),
  });
  const messages: unknown[] = [];
  reader.listen((message) => messages.push(message));
  // Characters of two, three and four UTF-8 bytes, so chunk boundaries fall inside characters.
  const text = 'aé€😀'.repeat(5 * 2 ** 20);
  const frame = (value: unknown): Buffer => {
    const body = Buffer.from(JSON.stringify(value));
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
  };
  // The big frame with a small one behind it in its last chunk.
  const bytes = Buffer.concat([frame({ jsonrpc: '2.0', id: 1, method: 'big', params: { text } }), frame({ jsonrpc: '2.0', id: 2, method: 'small' })]);
  assert.ok(bytes.length > 50_000_000, `${bytes.length} bytes`);
  // Every byte Buffer.concat copies is counted: joining per chunk copies the frame again for each of its 800 chunks.
  const concat = Buffer.concat;
  let joined = 0;
  Buffer.concat = ((list, length) => {
    const result = concat(list, length);
    joined += result.length;
    return result;
  }) as typeof Buffer.concat;
  t.after(() => {
    Buffer.concat = concat;
  });
  for (let at = 0; at < bytes.length && joined <= 2 * bytes.length; at += 64 * 1024) stream.write(bytes.subarray(at, at + 64 * 1024));
  Buffer.concat = concat;
  assert.ok(joined <= 2 * bytes.length, `${joined} bytes joined for a frame of ${bytes.length}`);
  const [big, small] = messages as { id: number; params?: { text: string } }[];
  assert.deepEqual([messages.length, big?.id, small?.id], [2, 1, 2]);
  assert.equal(big?.params?.text, text, 'the text arrives whole, every character intact');
  assert.deepEqual(events, { logs: [], parseErrors: 0, lost: [] });
});
