import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInitialState, RequestFailedError, WebviewIpc } from '../../webview/ipc';
import type { MessageSource, VsCodeApi } from '../../webview/ipc';
import {
  cacheStateNotification,
  getPlanRequest,
  planStateNotification,
  readyCommand,
  runActionCommand,
  runPlanCommand,
  viewActions,
} from '../../webview/protocol';

/** A stand-in for acquireVsCodeApi() that records what the view posts, and a window the test posts into. */
function fakeWebview() {
  const posted: unknown[] = [];
  let state: unknown;
  const api: VsCodeApi = { postMessage: (m) => void posted.push(m), getState: () => state, setState: (s) => void (state = s) };
  const listeners: ((event: { data: unknown }) => void)[] = [];
  const source: MessageSource = { addEventListener: (_type, listener) => void listeners.push(listener) };
  const fromHost = (data: unknown): void => listeners.forEach((listener) => listener({ data }));
  return { api, source, posted, fromHost };
}

test('commands are posted with their declared method; the host recognises them with the guard', () => {
  const view = fakeWebview();
  const ipc = new WebviewIpc(view.api, view.source);
  ipc.ready();
  ipc.command(runPlanCommand, { party: 'P1', force: ['theme'] });
  assert.deepEqual(view.posted, [
    { kind: 'command', method: 'webview/ready', params: {} },
    { kind: 'command', method: 'plan/run', params: { party: 'P1', force: ['theme'] } },
  ]);
  assert.ok(readyCommand.is(view.posted[0]));
  assert.ok(runPlanCommand.is(view.posted[1]));
  assert.ok(!readyCommand.is(view.posted[1]), 'guards tell messages apart');
  assert.ok(!runPlanCommand.is({ kind: 'notification', method: 'plan/run' }), 'and kinds');
});

test("a request gets the reply with its id, errors reject with the host's sentence, silence times out", async () => {
  const view = fakeWebview();
  const ipc = new WebviewIpc(view.api, view.source, 50);
  const first = ipc.request(getPlanRequest, { party: 'P1' });
  const second = ipc.request(getPlanRequest, { party: 'P2' });
  const [a, b] = view.posted as { id: number }[];
  assert.ok(getPlanRequest.is(a) && getPlanRequest.is(b));
  assert.notEqual(a.id, b.id);
  view.fromHost({ kind: 'reply', method: 'plan/get', id: b.id, error: 'unknown party "P2"' });
  view.fromHost({ kind: 'reply', method: 'plan/get', id: a.id, result: { party: 'P1', agents: [] } });
  assert.deepEqual(await first, { party: 'P1', agents: [] });
  await assert.rejects(second, (error: Error) => error instanceof RequestFailedError && error.message === 'unknown party "P2"');
  await assert.rejects(ipc.request(getPlanRequest, { party: 'P3' }), /plan\/get got no answer within 50 ms/);
});

test('notifications reach the handlers of their type only; stray messages are ignored', () => {
  const view = fakeWebview();
  const ipc = new WebviewIpc(view.api, view.source);
  const plans: unknown[] = [];
  const caches: unknown[] = [];
  ipc.onNotification(planStateNotification, (params) => plans.push(params.party));
  ipc.onNotification(cacheStateNotification, (params) => caches.push(params.report));
  view.fromHost({ kind: 'notification', method: 'cache/state', params: { view: 'cache', report: null } });
  view.fromHost({ kind: 'notification', method: 'plan/state', params: { view: 'plan', party: 'P1', plan: null, graph: [], force: [], run: null } });
  view.fromHost({ kind: 'reply', method: 'plan/get', id: 99, result: {} });
  view.fromHost('garbage');
  view.fromHost(null);
  assert.deepEqual(plans, ['P1']);
  assert.deepEqual(caches, [null]);
});

test('the initial state comes from the JSON the host embeds in the page', () => {
  const page = (text: string | null) => ({ getElementById: (id: string) => (id === 'initial-state' ? { textContent: text } : null) });
  assert.deepEqual(readInitialState(page('{"party":"P1","plan":null}')), { party: 'P1', plan: null });
  assert.equal(readInitialState(page(null)), undefined);
});

test('a view may ask for the allowed commands only; the list names real commands of the manifest', async () => {
  const { readFileSync } = await import('node:fs');
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { commands: { command: string }[] } };
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const command of viewActions) assert.ok(declared.has(command), command);
  assert.ok(runActionCommand.is({ kind: 'command', method: 'webview/action', params: { command: 'partycost.runPartyPlan' } }));
});
