import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RestartPolicy } from '../../extension/sidecar/restartPolicy';
import { SidecarClient, SidecarUnavailableError } from '../../extension/sidecar/sidecarClient';
import type { ClientState } from '../../extension/sidecar/sidecarClient';
import { findNodeRuntime, supportedNodeMajors } from '../../extension/sidecar/nodeRuntime';
import { agentGraphRequest, cacheStatsRequest, estimateRequest, healthRequest, listPartiesRequest, pricesUpdateRequest } from '../../sidecar/protocol';
import { catalogueProviders, catalogueReady } from '../../sidecar/cost/catalogue';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleConfig } from '../../sidecar/config/sample';

const fixtures = path.resolve('test/fixtures/sidecars');

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the client reaches `state` (states are reported as they change; no sleeping). */
function reaches(states: ClientState[], state: ClientState): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`never reached ${state}; saw ${states.join(' → ')}`)), 10_000);
    const check = setInterval(() => {
      if (states.includes(state)) {
        clearTimeout(deadline);
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
}

function client(script: string, extra: { requestTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const states: ClientState[] = [];
  const logs: string[] = [];
  const pids: number[] = [];
  const sidecar = new SidecarClient({
    command: process.execPath,
    args: [path.join(fixtures, script)],
    env: { ...process.env, ...extra.env },
    initialize: { workspace: tmpdir() },
    requestTimeoutMs: extra.requestTimeoutMs,
    policy: new RestartPolicy(3, 60_000),
    log: (line) => logs.push(line),
    onState: (state) => {
      states.push(state);
      if (sidecar.pid) pids.push(sidecar.pid);
    },
  });
  return { sidecar, states, logs, pids };
}

test('a sidecar that crashes at start: restarted within the policy, then given up with a clear message, no process left', async () => {
  const { sidecar, states, logs } = client('crashAtStart.js');
  await assert.rejects(sidecar.request(listPartiesRequest, {}), /exited at start \(code 7\)/);
  await reaches(states, 'gave up');
  assert.equal(states.filter((s) => s === 'starting').length, 3, 'three tries, as the policy allows');
  assert.ok(
    logs.some((line) => line.includes('crashAtStart: failing on purpose')),
    'its stderr reaches the log',
  );
  await assert.rejects(
    sidecar.request(listPartiesRequest, {}),
    (error: Error) => error instanceof SidecarUnavailableError && /Restart Sidecar/.test(error.message),
  );
  assert.equal(sidecar.pid, undefined);
});

test('a sidecar that crashes mid-request: the request fails with the cause, the sidecar restarts, the next request works', async () => {
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'partycost-crash-')), 'crashed');
  const { sidecar, states } = client('crashMidRequest.js', { env: { CRASH_MARKER: marker } });
  await sidecar.ready();
  const first = sidecar.pid!;
  await assert.rejects(sidecar.request(listPartiesRequest, {}), /sidecar stopped while answering/);
  await reaches(states, 'restarting');
  assert.deepEqual(await sidecar.request(listPartiesRequest, {}), { parties: [] });
  assert.ok(sidecar.pid && sidecar.pid !== first, 'a new process');
  assert.equal(alive(first), false);
  await sidecar.stop();
  assert.equal(sidecar.state, 'stopped');
});

test('a sidecar that hangs: the request times out, the process is killed and replaced', async () => {
  const { sidecar } = client('hang.js', { requestTimeoutMs: 300 });
  await sidecar.ready();
  const hung = sidecar.pid!;
  const started = Date.now();
  await assert.rejects(sidecar.request(listPartiesRequest, {}), /did not answer within 0.3 s and was restarted/);
  assert.ok(Date.now() - started < 2_000);
  for (let i = 0; i < 400 && alive(hung); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(alive(hung), false, 'the hung process is gone');
  await sidecar.ready();
  assert.ok(sidecar.pid && sidecar.pid !== hung);
  const replacement = sidecar.pid;
  await sidecar.stop();
  assert.equal(alive(replacement), false, 'stop leaves no process, even one that ignores SIGTERM');
});

test('the real sidecar: initialise, answer, stop', async () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'partycost-client-'));
  const sidecar = new SidecarClient({
    command: process.execPath,
    args: [path.resolve('bin/partycost.js'), 'serve', '--stdio'],
    initialize: { workspace },
    log: () => {},
  });
  await assert.rejects(sidecar.request(listPartiesRequest, {}), /no configuration at .*partycost\.json: run "Party Cost: Create Sample Configuration"/);
  assert.equal(sidecar.state, 'running', 'a request error is not a crash');
  assert.equal(sidecar.info?.node, process.version);
  // Its health, as a soak watches it: memory, and the resources and listeners a leak would grow.
  const health = await sidecar.request(healthRequest, {});
  assert.ok(health.rssBytes > health.heapTotalBytes && health.heapTotalBytes >= health.heapUsedBytes && health.heapUsedBytes > 0);
  assert.equal(health.resources.PipeWrap, 3, `stdin, stdout and stderr: ${JSON.stringify(health.resources)}`);
  assert.ok(health.listeners > 0 && health.fds! >= 3);
  const pid = sidecar.pid;
  await sidecar.stop();
  assert.equal(alive(pid), false);
});

test('the sidecar namespaces its Redis keys as the CLI does: PARTYCOST_CACHE_NAMESPACE, else the folder name', async () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'partycost-ns-'));
  for (const [env, expected] of [
    [{ PARTYCOST_CACHE_NAMESPACE: 'team-x' }, 'team-x'],
    [{ PARTYCOST_CACHE_NAMESPACE: '' }, path.basename(workspace)],
  ] as const) {
    const sidecar = new SidecarClient({
      command: process.execPath,
      args: [path.resolve('bin/partycost.js'), 'serve', '--stdio'],
      env: { ...process.env, ...env },
      initialize: { workspace },
      log: () => {},
    });
    try {
      assert.equal((await sidecar.request(cacheStatsRequest, {})).namespace, expected);
    } finally {
      await sidecar.stop();
    }
  }
});

/** An executable that answers `--version` as a Node of `version` would. */
function fakeNode(dir: string, version: string): string {
  const file = path.join(dir, `node-${version}`);
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return file;
}

test('the Node runtime: any supported Node on PATH or in partycost.nodePath; else a message naming the supported versions', () => {
  const found = findNodeRuntime(undefined);
  assert.ok('path' in found && supportedNodeMajors.includes(Number(found.version.slice(1).split('.')[0])), JSON.stringify(found));
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-node-'));
  for (const version of ['v20.20.2', 'v22.23.5', 'v24.22.3']) {
    const node = fakeNode(dir, version);
    assert.deepEqual(findNodeRuntime(node), { path: node, version });
  }
  for (const version of ['v18.20.8', 'v21.7.3', 'v23.11.1', 'v25.2.0']) {
    const refused = findNodeRuntime(fakeNode(dir, version));
    assert.ok('error' in refused, version);
    assert.match(refused.error, new RegExp(`is ${version.replace(/\./g, '\\.')}\\)`));
    assert.match(refused.error, /runs its engine with Node\.js 20, 22 or 24, .*Install Node\.js 24 .*any of 20, 22 or 24 works/);
  }
  const missing = findNodeRuntime('/nonexistent/node');
  assert.ok('error' in missing);
  assert.match(
    missing.error,
    /"partycost\.nodePath" \(\/nonexistent\/node\) is not usable .*Install Node\.js 24 .* or set "partycost\.nodePath" to a Node\.js 20, 22 or 24 executable/,
  );
});

test('the supported Node versions are the ones package.json engines accept', () => {
  const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
  assert.deepEqual(
    [...engines.node.matchAll(/\^(\d+)/g)].map((m) => Number(m[1])),
    supportedNodeMajors,
  );
  assert.equal(engines.node, supportedNodeMajors.map((major) => `^${major}`).join(' || '));
});

test('restart policy: five crashes within the window stop restarts; old crashes are forgiven', () => {
  let now = 0;
  const policy = new RestartPolicy(5, 180_000, () => now);
  for (let i = 0; i < 4; i++) assert.equal(policy.crashed(), true);
  now += 179_000;
  assert.equal(policy.crashed(), false, 'the fifth within three minutes');
  now += 2_000;
  assert.equal(policy.crashed(), true, 'the first ones fell out of the window');
});

test('the real sidecar: the agent graph and a what-if estimate over JSON-RPC; a bad cached share is refused', async () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'partycost-graph-'));
  writeFileSync(path.join(workspace, 'partycost.json'), sampleConfig);
  const sidecar = new SidecarClient({
    command: process.execPath,
    args: [path.resolve('bin/partycost.js'), 'serve', '--stdio'],
    initialize: { workspace },
    log: () => {},
  });
  try {
    const { agents } = await sidecar.request(agentGraphRequest, {});
    assert.deepEqual(
      agents.map((a) => a.agent),
      ['theme', 'venue', 'cake', 'catering', 'vendor', 'budget', 'planner_final'],
    );
    const budget = agents.find((a) => a.agent === 'budget')!;
    assert.deepEqual([budget.kind, budget.model, budget.dependsOn.length > 0], ['compute', null, true]);
    const list = await sidecar.request(estimateRequest, {});
    const batch = await sidecar.request(estimateRequest, { pricing: { cachedInputShare: 0, batch: true } });
    assert.ok(list.estimate && batch.estimate);
    const llm = (e: typeof list.estimate) => e!.agents.reduce((total, a) => total + a.breakdown.llm, 0);
    assert.ok(Math.abs(llm(batch.estimate) - llm(list.estimate) / 2) < 1e-9, 'batch halves model charges');
    assert.deepEqual(batch.estimate.pricing, { cachedInputShare: 0, batch: true });
    await assert.rejects(
      sidecar.request(estimateRequest, { pricing: { cachedInputShare: 2, batch: false } }),
      /invalid params of config\/estimate: pricing\.cachedInputShare: must be at most 1/,
    );
  } finally {
    await sidecar.stop();
  }
});

test('the real sidecar: prices/update puts newer prices in force for estimates; a failed update names its cause', async (t) => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'partycost-prices-'));
  writeFileSync(path.join(workspace, 'partycost.json'), sampleConfig);
  await catalogueReady();
  const providers = structuredClone(catalogueProviders()) as unknown as { id: string; models: { id: string; prices: unknown }[] }[];
  providers.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-4o')!.prices = { input_mtok: 5, output_mtok: 20 };
  let body = JSON.stringify(providers);
  const server = createServer((_request, response) => response.writeHead(body ? 200 : 500).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const env = { ...process.env, PARTYCOST_PRICES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  const sidecar = new SidecarClient({
    command: process.execPath,
    args: [path.resolve('bin/partycost.js'), 'serve', '--stdio'],
    env,
    initialize: { workspace },
    log: () => {},
  });
  try {
    const planner = async () => (await sidecar.request(estimateRequest, {})).estimate!.agents.find((a) => a.agent === 'planner_final')!;
    const before = await planner();
    const info = await sidecar.request(pricesUpdateRequest, {});
    assert.match(info.fetchedAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
    const after = await planner();
    assert.equal(after.breakdown.llm, before.breakdown.llm * 2, 'gpt-4o now at $5 / $20 per 1M');
    body = '';
    await assert.rejects(sidecar.request(pricesUpdateRequest, {}), /could not fetch prices from http:\/\/127\.0\.0\.1:\d+\/: the server answered 500/);
    assert.equal((await planner()).breakdown.llm, after.breakdown.llm, 'the updated prices stay');
  } finally {
    await sidecar.stop();
  }
});
