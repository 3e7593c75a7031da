import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, partycost, workspace } from '../cliProcess';
import { startOpenAIStandin } from '../standins/openai';
import type { LedgerReport } from '../../sidecar/contract/ledger';

// A reader that stops early (`| head`, a pager quit): every command ends quietly with exit 0, as git does.

const commands = [['--help'], ['party', 'list'], ['plan', 'P1'], ['history', 'P1'], ['cache', 'stats'], ['prices', '--all']];

for (const args of commands) {
  test(`partycost ${args.join(' ')} with its stdout closed before it writes: exit 0, nothing on stderr`, async () => {
    const dir = await workspace('pipe', ['jungle theme', '75 guests']);
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reading end closes: the first write meets EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    assert.deepEqual([code, signal, stderr], [0, null, '']);
  });
}

test('partycost prices --all | head -3: three lines, then a quiet exit 0 (the output is far longer than the pipe)', async () => {
  const dir = await workspace('pipe-head');
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" prices --all | head -3; echo "exit \${PIPESTATUS[0]}" >&2`],
      { cwd: dir, encoding: 'utf8' },
      (error, out, err) => (error ? reject(error) : resolve({ stdout: out, stderr: err })),
    ),
  );
  assert.equal(stdout.split('\n').length, 4, stdout);
  assert.equal(stderr, 'exit 0\n');
});

test('partycost run P1 | head -1 against a vendor: the run goes on to its end, every answer paid for is in the ledger, exit 0', async (t) => {
  const openai = await startOpenAIStandin();
  t.after(() => openai.close());
  const dir = await workspace('pipe-run', ['jungle theme', '75 guests', 'budget 500']);
  const config = path.join(dir, 'partycost.json');
  writeFileSync(config, readFileSync(config, 'utf8').replace('"provider": "offline"', '"provider": "openai"'));
  const vendor = { OPENAI_API_KEY: 'sk-proj-CANARYpipe0123456789abcdef', OPENAI_BASE_URL: openai.baseURL };
  const env = { ...process.env, ...vendor };
  const child = spawn(process.execPath, [bin, 'run', 'P1'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // head -1: the first line read, then the reading end closes while the agents are still being answered.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  assert.deepEqual([code, signal, stderr], [0, null, '']);
  const ledger = JSON.parse((await partycost(dir, ['ledger', '--json'], vendor)).stdout) as LedgerReport;
  const paid = ledger.executions.filter((e) => !e.cached && e.provider === 'openai');
  assert.ok(openai.requests.length >= 2, `the vendor answered ${openai.requests.length} requests`);
  assert.equal(paid.length, openai.requests.length, 'every request the vendor answered is in the ledger');
  const plan = (await partycost(dir, ['plan', 'P1'], vendor)).stdout;
  assert.match(plan, /^Execute 0: nothing to pay/m, 'the run finished: nothing left to execute');
});
