import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// bin/compileCache.js: a bundle loads as require would load it, its compiled code is kept and used by the next
// process, and a cache that is damaged or cannot be written changes nothing but the time.

const loader = path.resolve('bin/compileCache.js');

/** A folder with a bundle that requires a file beside it (as the sidecar requires its vendor files). */
function bundleDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-compile-'));
  mkdirSync(path.join(dir, 'vendor'));
  writeFileSync(path.join(dir, 'vendor', 'beside.js'), 'module.exports = 41;\n');
  writeFileSync(
    path.join(dir, 'bundle.js'),
    "'use strict';\nconst beside = require('./vendor/beside.js');\nexports.answer = () => beside + 1;\nexports.file = __filename;\n",
  );
  return dir;
}

/** Loads the bundle in a new process with its own temporary folder; prints what it exported and whether V8 took the cache. */
function load(dir: string, temp: string, env: Record<string, string> = {}): { answer: number; file: string; accepted: boolean } {
  const script = `
    const vm = require('node:vm');
    let accepted = false;
    const Script = vm.Script;
    vm.Script = class extends Script { constructor(code, options) { super(code, options); if (options && options.cachedData) accepted = !this.cachedDataRejected; } };
    const loaded = require(${JSON.stringify(loader)}).loadCompiled(${JSON.stringify(path.join(dir, 'bundle.js'))});
    process.stdout.write(JSON.stringify({ answer: loaded.answer(), file: loaded.file, accepted }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TMPDIR: temp, ...env }, encoding: 'utf8' })) as {
    answer: number;
    file: string;
    accepted: boolean;
  };
}

const cacheFiles = (temp: string): string[] =>
  readdirSync(temp).flatMap((d) => (d.startsWith('partycost-compile-cache-') ? readdirSync(path.join(temp, d)).map((f) => path.join(temp, d, f)) : []));

test('the bundle loads as a module with its own require; the next process uses the compiled code kept by the first', () => {
  const dir = bundleDir();
  const temp = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  const first = load(dir, temp);
  assert.deepEqual(first, { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  assert.equal(cacheFiles(temp).length, 1, 'written at exit');
  assert.deepEqual(load(dir, temp), { ...first, accepted: true });
  // A new build of the bundle: new code, and the old build's cache is removed when the new one is written.
  writeFileSync(path.join(dir, 'bundle.js'), 'exports.answer = () => 7;\nexports.file = __filename;\n');
  assert.deepEqual(load(dir, temp), { answer: 7, file: first.file, accepted: false });
  assert.equal(cacheFiles(temp).length, 1);
  assert.equal(load(dir, temp, { PARTYCOST_COMPILE_CACHE: '0' }).accepted, false, 'turned off');
});

test('a damaged cache is rejected and replaced; a folder that cannot be written leaves the bundle loading as usual', () => {
  const dir = bundleDir();
  const temp = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  load(dir, temp);
  const [file] = cacheFiles(temp);
  writeFileSync(file, 'not V8 code');
  assert.deepEqual(load(dir, temp), { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  assert.equal(load(dir, temp).accepted, true, 'written again');
  const readOnly = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  chmodSync(readOnly, 0o500);
  try {
    if (process.getuid?.() === 0) {
      // root writes anyway: a file where the cache folder should be makes the write fail instead.
      chmodSync(readOnly, 0o700);
      writeFileSync(path.join(readOnly, `partycost-compile-cache-${process.getuid()}`), 'a file, not a folder');
    }
    assert.deepEqual(load(dir, readOnly), { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  } finally {
    chmodSync(readOnly, 0o700);
  }
});
