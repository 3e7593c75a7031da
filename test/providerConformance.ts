import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderError } from '../sidecar/providers/provider';
import type { CompletionRequest, Provider } from '../sidecar/providers/provider';
import type { ProviderName } from '../sidecar/providers/profiles';
import { withRetries, defaultRetryPolicy } from '../sidecar/providers/retry';
import type { Standin, StandinUsage } from './standins/standin';

/**
 * One suite every provider driver passes against the stand-in of its vendor's protocol (bentocache's driver test
 * suite, for providers): answers whole and streamed with the usage the vendor bills converted into one shape, and
 * each error a driver meets for real (rate limit with retry-after, overload, invalid request, bad key, a timeout, a
 * stream or body cut mid-way), classified as transient or not, naming the provider, the model and the cause.
 */
export interface DriverUnderTest {
  name: ProviderName;
  model: string;
  key: string;
  /** The environment variable a bad key's message points at. */
  keyVariable: RegExp;
  start(): Promise<Standin>;
  make(baseURL: string, apiKey: string): Provider;
  /** The header that carries the key, as the stand-in received it. */
  sentKey(request: Standin['requests'][number]): string | undefined;
  /** Usage parts the vendor does not report (they come back as 0). */
  unreported: ('cacheWrite' | 'reasoning')[];
  /** The status a planned overload is answered with (Anthropic 529, the others 503). */
  overloadStatus: 503 | 529;
}

const usage: StandinUsage = { input: 1_500, cacheRead: 1_024, cacheWrite: 256, output: 300, reasoning: 120 };
const content = 'Jungle party: green and gold, vines and toy animals.';

function request(model: string, extra: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    agent: 'theme',
    model,
    messages: [
      { role: 'system', content: 'You are a party theme designer.' },
      { role: 'user', content: 'Suggest a party theme for: jungle' },
    ],
    expectedOutputTokens: 300,
    maxOutputTokens: 1_024,
    signal: new AbortController().signal,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => assert.fail('the call should fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ProviderError, `a ProviderError, not ${String(error)}`);
  return error;
}

export function providerConformance(driver: DriverUnderTest): void {
  const expected = {
    inputTokens: usage.input,
    cacheReadTokens: usage.cacheRead!,
    cacheWriteTokens: driver.unreported.includes('cacheWrite') ? 0 : usage.cacheWrite!,
    outputTokens: usage.output,
    reasoningTokens: driver.unreported.includes('reasoning') ? 0 : usage.reasoning!,
    source: 'actual',
  };
  const setup = async (t: { after: (fn: () => Promise<void>) => void }) => {
    const standin = await driver.start();
    t.after(() => standin.close());
    return { standin, provider: driver.make(standin.baseURL, driver.key) };
  };
  const name = `${driver.name} conformance:`;

  test(`${name} a whole answer with the usage the vendor bills, in one shape`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: 200, content, usage });
    const completion = await provider.complete(request(driver.model));
    assert.deepEqual(completion, { output: content, usage: expected });
    assert.equal(standin.requests.length, 1);
    assert.equal(standin.requests[0].streamed, false);
    assert.equal(standin.requests[0].userText, 'Suggest a party theme for: jungle');
    assert.equal(driver.sentKey(standin.requests[0]), driver.key);
  });

  test(`${name} a streamed answer arrives in pieces, with the same usage at its end`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: 200, content, usage });
    const seen: string[] = [];
    const completion = await provider.complete(request(driver.model, { onText: (text) => seen.push(text) }));
    assert.deepEqual(completion, { output: content, usage: expected });
    assert.ok(seen.length > 1, `${seen.length} pieces`);
    assert.equal(seen.join(''), content);
    assert.equal(standin.requests[0].streamed, true);
  });

  test(`${name} a rate limit is transient, with the delay the server asked for`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: 429, retryAfterSeconds: 2 });
    const error = await failure(provider.complete(request(driver.model)));
    assert.deepEqual([error.provider, error.model, error.kind, error.transient, error.retryAfterMs], [driver.name, driver.model, 'rate limited', true, 2_000]);
    assert.match(error.message, new RegExp(`^${driver.name} ${driver.model}: rate limited \\(429\\): `));
  });

  test(`${name} an overloaded server is transient`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: driver.overloadStatus });
    const error = await failure(provider.complete(request(driver.model)));
    assert.deepEqual([error.kind, error.transient, error.status], ['overloaded', true, driver.overloadStatus]);
  });

  test(`${name} an invalid request fails at once with the server's cause`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: 400, message: 'max_tokens: must be at most 8192' });
    const error = await failure(provider.complete(request(driver.model)));
    assert.deepEqual([error.kind, error.transient], ['invalid request', false]);
    assert.match(error.message, /max_tokens: must be at most 8192/);
  });

  test(`${name} a bad key fails at once, pointing at the key to set and never showing it`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ status: 401 });
    const error = await failure(provider.complete(request(driver.model)));
    assert.deepEqual([error.kind, error.transient], ['authentication', false]);
    assert.match(error.message, driver.keyVariable);
    assert.ok(!error.message.includes(driver.key), error.message);
  });

  test(`${name} a server that never answers times out and is retried as transient`, async (t) => {
    const { standin, provider } = await setup(t);
    standin.plan({ hang: true }, { status: 200, content, usage });
    const delays: number[] = [];
    const policy = { ...defaultRetryPolicy, retries: 1, sleep: async (ms: number) => void delays.push(ms) };
    const started = performance.now();
    const completion = await withRetries((signal) => provider.complete(request(driver.model, { signal })), policy, new AbortController().signal, 300);
    assert.equal(completion.output, content);
    assert.equal(standin.requests.length, 2, 'the hung call and its retry');
    assert.ok(performance.now() - started < 5_000);
  });

  for (const streamed of [true, false]) {
    test(`${name} ${streamed ? 'a stream' : 'a body'} cut mid-way is transient`, async (t) => {
      const { standin, provider } = await setup(t);
      standin.plan({ status: 200, content, usage, cut: true });
      const error = await failure(provider.complete(request(driver.model, streamed ? { onText: () => {} } : {})));
      assert.equal(error.transient, true, error.message);
      assert.ok(['stream cut', 'connection'].includes(error.kind), error.kind);
    });

    test(`${name} ${streamed ? 'a stream event' : 'a body'} that is not JSON is a malformed answer, worth another try`, async (t) => {
      const { standin, provider } = await setup(t);
      standin.plan({ malformed: true });
      const error = await failure(provider.complete(request(driver.model, streamed ? { onText: () => {} } : {})));
      assert.equal(error.kind, 'malformed answer', error.message);
      assert.equal(error.transient, true);
      assert.match(error.message, new RegExp(`^${driver.name} ${driver.model}: malformed answer: the answer is not valid JSON`));
    });
  }
}
