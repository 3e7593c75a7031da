import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// Every sample output shown in README.md and docs/*.md is what the built CLI prints now: scripts/samples.mjs runs
// each block's recipe and compares. A stale block fails here with its diff; `npm run samples` rewrites them.

test('the sample outputs in README.md and docs/ are what the commands print now', () => {
  const check = spawnSync(process.execPath, ['scripts/samples.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /^[1-9]\d* sample blocks from \d+ recipes: all as the commands print them now/);
});
