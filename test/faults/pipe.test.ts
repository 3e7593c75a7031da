import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { bin, workspace } from '../cliProcess';

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
