import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfflineProvider } from '../../sidecar/providers/offline';
import type { Completion, CompletionRequest, Provider } from '../../sidecar/providers/provider';
import { ProviderError } from '../../sidecar/providers/provider';
import { RunCancelledError, RunFailedError } from '../../sidecar/service/runner';
import { configText } from '../configProblems';
import { engine, tempDatabase } from '../engine';

/** Wraps the offline provider: counts concurrent calls and lets a test hold or fail chosen agents. */
class ScriptedProvider implements Provider {
  readonly name = 'offline';
  readonly calls: string[] = [];
  active = 0;
  maxActive = 0;
  private readonly offline = new OfflineProvider();
  private readonly gates = new Map<string, Promise<void>>();
  failures = new Map<string, Error[]>();

  hold(agent: string, until: Promise<void>): void {
    this.gates.set(agent, until);
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    this.calls.push(request.agent);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      const gate = this.gates.get(request.agent);
      request.signal.throwIfAborted();
      if (gate) await Promise.race([gate, new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)))]);
      const failure = this.failures.get(request.agent)?.shift();
      if (failure) throw failure;
      return await this.offline.complete(request);
    } finally {
      this.active--;
    }
  }
}

const wide = configText(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`a${i}`, { prompt: `agent ${i}: {{inputs}}`, expectedOutputTokens: 20 }])));

test('independent agents run concurrently, never more than the bound', async () => {
  const provider = new ScriptedProvider();
  const parties = engine(wide, tempDatabase().db, provider);
  const { party } = parties.create('wide', ['anything']);
  await parties.run(party.id, { concurrency: 3 });
  assert.equal(provider.calls.length, 8);
  assert.equal(provider.maxActive, 3);
});

test('a cancelled run keeps what finished and runs the rest next time', async () => {
  const provider = new ScriptedProvider();
  const parties = engine(undefined, tempDatabase().db, provider);
  const { party } = parties.create('p', ['jungle theme', '75 guests']);
  let release!: () => void;
  provider.hold('venue', new Promise<void>((resolve) => (release = resolve)));
  const controller = new AbortController();
  const running = parties.run(party.id, {
    signal: controller.signal,
    concurrency: 1,
    onProgress: (p) => p.agent === 'venue' && p.state === 'started' && controller.abort(),
  });
  await assert.rejects(running, RunCancelledError);
  release();
  const kept = Object.keys(parties.store.load(party.id).results);
  assert.deepEqual(kept, ['theme']);
  const next = await parties.run(party.id);
  assert.deepEqual(
    next.agents.filter((a) => a.action === 'reuse').map((a) => a.agent),
    ['theme'],
  );
  assert.ok(!next.agents.some((a) => a.agent === 'theme' && a.action === 'execute'));
});

test('transient failures are retried with backoff; a permanent one fails the run naming the agent', async () => {
  const provider = new ScriptedProvider();
  const parties = engine(undefined, tempDatabase().db, provider);
  const { party } = parties.create('p', ['jungle theme', '75 guests']);
  provider.failures.set('theme', [
    new ProviderError('offline', 'gpt-4o-mini', 'rate limited', 'slow down', true, 0, 429),
    new ProviderError('offline', 'gpt-4o-mini', 'overloaded', 'busy', true, undefined, 503),
  ]);
  provider.failures.set('catering', [new Error('provider answered 400: bad request')]);
  const delays: number[] = [];
  const sleep = async (ms: number): Promise<void> => void delays.push(ms);
  const failed = await parties.run(party.id, { concurrency: 1, retry: { sleep, baseDelayMs: 100 } }).catch((error: unknown) => error);
  assert.ok(failed instanceof RunFailedError);
  assert.equal(failed.message, 'agent "catering" failed: provider answered 400: bad request');
  assert.equal(provider.calls.filter((a) => a === 'theme').length, 3, 'two retries, then success');
  assert.equal(delays[0], 0, 'the delay the server asked for');
  assert.ok(delays[1] >= 0 && delays[1] <= 200, `backoff ${delays[1]}`);
  assert.ok(parties.store.load(party.id).results.theme, 'theme finished and is kept');
  const next = await parties.run(party.id);
  assert.ok(next.agents.some((a) => a.agent === 'catering' && a.action === 'execute'));
});

test('a budgeted agent gets its prompt assembled within its contextBudget; the pruning is recorded in the result and the ledger', async () => {
  const text = configText({
    writer: { prompt: 'Write a long plan for {{inputs}}', expectedOutputTokens: 2_000 },
    editor: { prompt: 'Tighten this plan for {{inputs}}: {{writer}}', dependsOn: ['writer'], contextBudget: 300, expectedOutputTokens: 50 },
  });
  const { db } = tempDatabase();
  const parties = engine(text, db);
  const { party } = parties.create('long', ['a garden party']);
  await parties.run(party.id);
  const editor = parties.store.load(party.id).results.editor;
  assert.ok(editor.usage.inputTokens <= 300, `prompt of ${editor.usage.inputTokens} tokens`);
  assert.ok(editor.context && editor.context.budget === 300 && editor.context.prunedTokens > 1_500, JSON.stringify(editor.context));
  assert.notEqual(editor.context.upstream[0].form, 'whole');
  const row = db.prepare("SELECT pruned_tokens FROM ledger WHERE agent = 'editor'").get() as { pruned_tokens: number };
  assert.equal(row.pruned_tokens, editor.context.prunedTokens);
  assert.equal(parties.store.ledger.prunedSince(0), editor.context.prunedTokens, 'the ledger reports the tokens saved');
  assert.equal(parties.store.load(party.id).results.writer.context, undefined, 'no budget, no assembly record');
});
