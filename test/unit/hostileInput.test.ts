import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sampleConfig } from '../../sidecar/config/sample';
import { FrameReader } from '../../sidecar/server/frameReader';
import { redact, redacted } from '../../sidecar/shared/redact';
import * as protocol from '../../sidecar/protocol';
import { CheckedRequest } from '../../sidecar/contract/checked';
import { RawSidecar } from '../rawSidecar';

// A careless (or hostile) client of the sidecar: ill-typed params, broken frames, random bytes. Nothing ill-typed
// reaches the engine, no raw internal message escapes, and the sidecar keeps answering.

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-hostile-'));
  writeFileSync(path.join(dir, 'partycost.json'), sampleConfig);
  return dir;
}

async function sidecar(t: TestContext): Promise<{ side: RawSidecar; dir: string }> {
  const dir = workspace();
  // A price update fails at once here, instead of waiting on a network this machine does not have.
  const side = new RawSidecar({ ...process.env, PARTYCOST_PRICES_URL: 'http://127.0.0.1:9/prices.json' });
  t.after(() => side.stop());
  const init = await side.request('session/initialize', { workspace: dir });
  assert.equal(init.error, undefined, JSON.stringify(init.error));
  return { side, dir };
}

/** Texts that only an implementation's internals produce: none may reach a client. */
const internals = /is not a function|Cannot read propert|argument must be of type|undefined is not|internal error|\bat [\w.]+ \(/;

test('ill-typed params are answered -32602 naming the field and the type it takes; the engine never sees them', async (t) => {
  const { side } = await sidecar(t);
  const cases: [string, unknown, RegExp][] = [
    ['plan/compute', { party: 'P1', force: 'writer' }, /^invalid params of plan\/compute: force: expected an array, not a string$/],
    ['config/validate', { text: 42 }, /^invalid params of config\/validate: text: expected a string, not the number 42$/],
    ['input/add', ['P1', 'jungle theme'], /defines parameters by name but received parameters by position/],
    ['session/initialize', { workspace: 7 }, /^invalid params of session\/initialize: workspace: expected a string, not the number 7$/],
    ['session/initialize', { workspace: 'relative/folder' }, /workspace: must be an absolute path, not "relative\/folder"$/],
    ['party/resume', { party: 'P1', version: 1.5 }, /version: expected a whole number, not the number 1\.5$/],
    ['snapshot/save', { party: 'P1', type: 'best' }, /type: must be one of "draft", "final", not "best"$/],
    ['cache/clear', { agent: 'theme', everything: true }, /params: unknown field "everything"$/],
    ['party/get', { party: '' }, /party: must not be empty$/],
    ['config/estimate', { pricing: { cachedInputShare: '0.5', batch: false } }, /pricing\.cachedInputShare: expected a number, not a string$/],
  ];
  for (const [method, params, message] of cases) {
    const answer = await side.request(method, params);
    assert.equal(answer.error?.code, -32602, `${method}: ${JSON.stringify(answer)}`);
    assert.match(answer.error!.message, message);
  }
  assert.equal((await side.request('party/unknown', {})).error?.code, -32601);
  assert.deepEqual((await side.request('party/list', {})).result, { parties: [] }, 'and it keeps answering');
});

test('bad framing is skipped up to the next header with a log line; a body that is not JSON gets -32700; the next request is answered', async (t) => {
  const { side } = await sidecar(t);
  side.write('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"party/list","params":{}}');
  assert.deepEqual((await side.request('party/list', {})).result, { parties: [] });
  side.write(randomBytes(4096));
  assert.deepEqual((await side.request('party/list', {})).result, { parties: [] }, 'after 4 KiB of random bytes');
  side.write('Content-Length: 9\r\n\r\n{"broken"');
  const parseError = await side.answerTo(null);
  assert.equal(parseError.error?.code, -32700);
  assert.deepEqual((await side.request('party/list', {})).result, { parties: [] });
  assert.match(side.stderr, /skipping a frame with an invalid header \(Content-Length: abc\)/);
  assert.match(side.stderr, /skipped \d+ bytes that were not a valid frame; reading again from the next header/);
  assert.equal(
    side.answers.some((a) => a.id === 99),
    false,
    'a frame with a broken header is not guessed at',
  );
});

test('a stream that cannot be resynchronised is given up, and says so (the frame reader on its own)', () => {
  const stream = new PassThrough();
  const events = { logs: [] as string[], parseErrors: 0, lost: [] as string[] };
  const reader = new FrameReader(
    stream,
    { log: (line) => events.logs.push(line), parseError: () => events.parseErrors++, lost: (reason) => events.lost.push(reason) },
    { maxFrameBytes: 1024, maxGarbageBytes: 10_000 },
  );
  const messages: unknown[] = [];
  reader.listen((message) => messages.push(message));
  const frame = (value: unknown): string => `Content-Length: ${Buffer.byteLength(JSON.stringify(value))}\r\n\r\n${JSON.stringify(value)}`;
  // A frame cut across chunks, and a header split in the middle of "Content-Length".
  const whole = frame({ jsonrpc: '2.0', id: 1, method: 'a' });
  stream.write(whole.slice(0, 7));
  stream.write(whole.slice(7, 30));
  stream.write(whole.slice(30));
  assert.equal(messages.length, 1);
  stream.write(`Content-Length: 5000\r\n\r\n${'x'.repeat(10)}${frame({ jsonrpc: '2.0', id: 2, method: 'b' })}`);
  assert.equal(messages.length, 2, 'a frame larger than the limit is not believed');
  for (let i = 0; i < 12; i++) stream.write('z'.repeat(1000));
  assert.equal(events.lost.length, 1);
  assert.match(events.lost[0], /bytes in a row were not a frame: the stream cannot be resynchronised/);
});

test('API keys never leave: configured keys and key-shaped strings are redacted, masked echoes too', () => {
  const key = 'sk-proj-CANARY0123456789abcdefXYZ';
  const said = `provider answered 401: Incorrect API key provided: ${key}. Also sk-ant-api03-abcdefghij012345 and AIzaSyA0123456789abcdefghijklmn; masked sk-pr*************XYZ`;
  const clean = redact(said, [key]);
  assert.ok(![key, 'sk-ant-api03', 'AIzaSyA', 'sk-pr**'].some((secret) => clean.includes(secret)), clean);
  assert.equal(clean.split(redacted).length - 1, 4);
  assert.equal(redact('the sk-learn library and task-based plans'), 'the sk-learn library and task-based plans', 'words that only look alike stay');
});

test('fuzzing: random params at every request type, random bytes between frames: never an internal message, always the next answer', async (t) => {
  const { side, dir } = await sidecar(t);
  const requests = (Object.values(protocol) as unknown[]).filter((value): value is CheckedRequest<unknown, unknown> => value instanceof CheckedRequest);
  assert.ok(requests.length >= 20, `${requests.length} request types`);
  // Arbitrary JSON, with the engine's own names now and then, so some params get past the schema.
  const names = fc.constantFrom('P1', 'theme', 'venue', 'jungle theme', '', 'i1', dir);
  const value = fc.oneof(fc.jsonValue(), names, fc.array(names, { maxLength: 3 }));
  const params = fc.oneof(
    fc.dictionary(
      fc.constantFrom('party', 'text', 'force', 'input', 'name', 'inputs', 'type', 'version', 'agent', 'pricing', 'since', 'runId', 'workspace'),
      value,
      { maxKeys: 4 },
    ),
    fc.jsonValue(),
  );
  await side.request('party/create', { name: 'fuzzed', inputs: ['jungle theme', '75 guests'] });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...requests), params, fc.option(fc.uint8Array({ maxLength: 64 })), async (type, random, noise) => {
      // session/initialize with a string workspace would move the sidecar elsewhere (even to "/"): only ill-typed ones.
      if (type.method === 'session/initialize' && typeof (random as { workspace?: unknown } | null)?.workspace === 'string') return;
      if (noise) side.write(Buffer.from(noise));
      const answer = await side.request(type.method, random);
      if (answer.error) {
        assert.ok([-32602, -32001, -32700].includes(answer.error.code), `${type.method} ${JSON.stringify(random)}: ${JSON.stringify(answer.error)}`);
        assert.doesNotMatch(answer.error.message, internals, `${type.method} ${JSON.stringify(random)}`);
      }
      assert.deepEqual(Object.keys((await side.request('party/list', {})).result as object), ['parties']);
    }),
    { numRuns: 150, seed: 20261201 },
  );
  assert.equal(side.process.exitCode, null, 'still running');
  assert.doesNotMatch(side.stderr, /uncaught|unhandled/);
});
