import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import type { Stats } from 'node:fs';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// bin/compileCache.js: a bundle loads as require would load it, its compiled code is kept and used by the next
// process, and a cache that is damaged or cannot be written changes nothing but the time. Kept code runs without
// V8 checking it came from the bundle, so code that is not the user's alone is never used.

const loader = path.resolve('bin/compileCache.js');
const { ownedAlone } = require(loader) as { ownedAlone: (stats: Stats, uid?: number) => boolean };
const root = process.getuid?.() === 0;
/** Another local user: root can hand folders to it and run processes as it. */
const nobody = 65534;

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

/** Where a process keeps its cache: the user's cache folder and the temporary folder both point into `home`. */
const cacheEnv = (home: string): Record<string, string> => ({ ...process.env, TMPDIR: home, XDG_CACHE_HOME: home });

/** Loads the bundle in a new process with its own cache folder; prints what it exported and whether V8 took the cache. */
function load(dir: string, home: string, env: Record<string, string> = {}): { answer: number; file: string; accepted: boolean } {
  const script = `
    const vm = require('node:vm');
    let accepted = false;
    const Script = vm.Script;
    vm.Script = class extends Script { constructor(code, options) { super(code, options); if (options && options.cachedData) accepted = !this.cachedDataRejected; } };
    const loaded = require(${JSON.stringify(loader)}).loadCompiled(${JSON.stringify(path.join(dir, 'bundle.js'))});
    process.stdout.write(JSON.stringify({ answer: loaded.answer(), file: loaded.file, accepted }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...cacheEnv(home), ...env }, encoding: 'utf8' })) as {
    answer: number;
    file: string;
    accepted: boolean;
  };
}

/** The compiled code kept under `home`, wherever the loader keeps it. */
const cacheFiles = (home: string): string[] =>
  (readdirSync(home, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin')).map((f) => path.join(home, f));

/** A fresh cache home with the bundle's code kept in it by one load: the folder and the file. */
function kept(dir: string): { home: string; folder: string; file: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  load(dir, home);
  const [file] = cacheFiles(home);
  assert.ok(file, 'kept by the first load');
  return { home, folder: path.dirname(file), file };
}

test('the bundle loads as a module with its own require; the next process uses the compiled code kept by the first', () => {
  const dir = bundleDir();
  const temp = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  const first = load(dir, temp);
  assert.deepEqual(first, { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  assert.equal(cacheFiles(temp).length, 1, 'written at exit');
  assert.equal(statSync(path.dirname(cacheFiles(temp)[0])).mode & 0o777, 0o700, "the folder is the user's alone");
  assert.deepEqual(load(dir, temp), { ...first, accepted: true });
  // A new build of the bundle: new code, and the old build's cache is removed when the new one is written.
  writeFileSync(path.join(dir, 'bundle.js'), 'exports.answer = () => 7;\nexports.file = __filename;\n');
  assert.deepEqual(load(dir, temp), { answer: 7, file: first.file, accepted: false });
  assert.equal(cacheFiles(temp).length, 1);
  assert.equal(load(dir, temp, { PARTYCOST_COMPILE_CACHE: '0' }).accepted, false, 'turned off');
});

test("code compiled under other V8 options is kept beside this one's: the CLI (its shebang caps the young generation) and the sidecar never replace each other's", () => {
  const dir = bundleDir();
  const home = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  const capped = { NODE_OPTIONS: '--max-semi-space-size=16' };
  assert.equal(load(dir, home).accepted, false);
  assert.equal(load(dir, home, capped).accepted, false, 'other options: compiled anew');
  assert.equal(cacheFiles(home).length, 2);
  assert.equal(load(dir, home).accepted, true, 'the first is still there');
  assert.equal(load(dir, home, capped).accepted, true, 'and so is the second');
});

test('a damaged cache is rejected and replaced; a folder that cannot be written leaves the bundle loading as usual', () => {
  const dir = bundleDir();
  const { home, file } = kept(dir);
  writeFileSync(file, 'not V8 code');
  assert.deepEqual(load(dir, home), { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  assert.equal(load(dir, home).accepted, true, 'written again');
  const readOnly = mkdtempSync(path.join(tmpdir(), 'partycost-temp-'));
  chmodSync(readOnly, 0o500);
  try {
    if (root) {
      // root writes anyway: a file where the cache folder should be makes the write fail instead.
      chmodSync(readOnly, 0o700);
      writeFileSync(path.join(readOnly, 'partycost'), 'a file, not a folder');
    }
    assert.deepEqual(load(dir, readOnly), { answer: 42, file: path.join(dir, 'bundle.js'), accepted: false });
  } finally {
    chmodSync(readOnly, 0o700);
  }
});

test("ownedAlone: a folder or file is trusted only if it is no symlink, the user's, and no one else may write it", () => {
  const stats = (uid: number, mode: number, symlink = false) => ({ uid, mode, isSymbolicLink: () => symlink }) as unknown as Stats;
  assert.equal(ownedAlone(stats(1000, 0o40700), 1000), true);
  assert.equal(ownedAlone(stats(1000, 0o100644), 1000), true, 'others may read it: they cannot change it');
  assert.equal(ownedAlone(stats(nobody, 0o40700), 1000), false, "someone else's");
  assert.equal(ownedAlone(stats(1000, 0o40770), 1000), false, 'the group may write it');
  assert.equal(ownedAlone(stats(1000, 0o40702), 1000), false, 'anyone may write it');
  assert.equal(ownedAlone(stats(1000, 0o120777, true), 1000), false, 'a symlink, whoever owns it');
});

test("kept code that is not the user's alone is never used: a folder or file someone else owns or may write, a symlink", () => {
  const dir = bundleDir();
  const valid = kept(dir).file;
  const arrangements: [string, (folder: string, file: string) => void][] = [
    ['a folder anyone may write', (folder) => chmodSync(folder, 0o777)],
    ['a file anyone may write', (_, file) => chmodSync(file, 0o666)],
    [
      'a file that is a symlink',
      (_, file) => {
        rmSync(file);
        symlinkSync(valid, file);
      },
    ],
    [
      'a folder that is a symlink',
      (folder) => {
        renameSync(folder, `${folder}.real`);
        symlinkSync(`${folder}.real`, folder);
      },
    ],
  ];
  if (root) {
    arrangements.push(['a folder someone else owns', (folder) => chownSync(folder, nobody, nobody)]);
    arrangements.push(['a file someone else owns', (_, file) => chownSync(file, nobody, nobody)]);
  }
  const taken = arrangements.map(([name, arrange]) => {
    const { home, folder, file } = kept(dir);
    arrange(folder, file);
    const loaded = load(dir, home);
    assert.equal(loaded.answer, 42, name);
    return [name, loaded.accepted];
  });
  assert.deepEqual(Object.fromEntries(taken), Object.fromEntries(arrangements.map(([name]) => [name, false])));
});

/** V8's code for a program as long as `bundle` that prints `said`: V8 checks the length, and would take it as the bundle's. */
function codeLike(bundle: string, said: string): Buffer {
  const { length } = readFileSync(bundle, 'utf8');
  const script = `
    const vm = require('node:vm');
    const planted = ${JSON.stringify(`process.stdout.write(${JSON.stringify(said)});`)}.padEnd(${length});
    process.stdout.write(new vm.Script(require('node:module').wrap(planted)).createCachedData().toString('base64'));`;
  return Buffer.from(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }), 'base64');
}

/** Makes `folder` holding `file` as another user would: as uid 65534 when root, else open to anyone (refused too). */
function plant(folder: string, file: string, code: Buffer): void {
  const script = `
    const fs = require('node:fs');
    fs.mkdirSync(${JSON.stringify(folder)}, { mode: 0o755 });
    fs.writeFileSync(${JSON.stringify(file)}, Buffer.from(${JSON.stringify(code.toString('base64'))}, 'base64'), { mode: 0o644 });`;
  if (root) {
    execFileSync(process.execPath, ['-e', script], { uid: nobody, gid: nobody, cwd: path.dirname(folder) });
    assert.equal(statSync(file).uid, nobody);
  } else {
    execFileSync(process.execPath, ['-e', script]);
    chmodSync(folder, 0o777);
  }
}

test("compiled code another user plants where partycost keeps its cache never runs in this user's CLI", () => {
  const bin = path.resolve('bin/partycost.js');
  // A shared folder, as the temporary folder is: anyone may create folders in it, no one may remove another's.
  const shared = mkdtempSync(path.join(tmpdir(), 'partycost-shared-'));
  chmodSync(shared, 0o1777);
  const help = () => spawnSync(process.execPath, [bin, '--help'], { env: cacheEnv(shared), encoding: 'utf8' });
  assert.equal(help().status, 0);
  const [file] = cacheFiles(shared);
  assert.ok(file, 'the sidecar bundle is cached: its file name is the one to plant');
  const folder = path.dirname(file);
  rmSync(folder, { recursive: true });
  const planted = codeLike(path.resolve('dist/sidecar.js'), 'PLANTED CODE RAN\n');
  plant(folder, file, planted);

  const run = help();
  assert.doesNotMatch(run.stdout, /PLANTED/, 'the planted code ran');
  assert.match(run.stdout, /^partycost: what a multi-agent plan costs/);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(readdirSync(folder), [path.basename(file)], "nothing is written into someone else's folder");
  assert.deepEqual(readFileSync(file), planted);
  // The control: in a folder of the user's own, V8 takes the planted code for the bundle's and runs it, so what kept
  // it out above is the check of who owns and may write the folder, nothing else.
  if (root) for (const made of [folder, file]) chownSync(made, 0, 0);
  chmodSync(folder, 0o700);
  assert.match(help().stdout, /^PLANTED CODE RAN/);
});
