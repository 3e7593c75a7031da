// Runs every test suite and fails unless each one ran tests and none was skipped, so nothing passes silently.
// Usage: node test/run.mjs [suite...]   (suites: unit, cli, faults, vscode)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const suites = {
  unit: 'test/unit',
  cli: 'test/cli',
  // Faults injected on purpose: a full disk, a locked database, a vendor's broken answers, Redis dead, hung, killed;
  // and where money or trust leaks: a batch, a frozen run holder, a closed pipe, a planted file, a hostile workspace.
  faults: 'test/faults',
  // Mocha inside a real VS Code (code-server driven by headless Chromium): its runner prints `N passed, N failed`.
  vscode: 'test/vscode/run.mjs',
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);
const results = [];
mkdirSync('.test-results', { recursive: true });

for (const name of chosen) {
  const dir = suites[name];
  if (!dir) throw new Error(`unknown suite "${name}"; suites: ${Object.keys(suites).join(', ')}`);
  if (dir.endsWith('.mjs')) {
    results.push(runScript(name, dir));
    continue;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
  const tap = path.join('.test-results', `${name}.tap`);
  console.log(`\n=== suite ${name}: ${files.length} files`);
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { stdio: 'inherit' },
  );
  const counts = Object.fromEntries(
    [...readFileSync(tap, 'utf8').matchAll(/^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  results.push({ name, status: run.status, ...counts });
}

/** A suite with a runner of its own, judged by its exit code and its closing `N passed, N failed` line. */
function runScript(name, script) {
  console.log(`\n=== suite ${name}: ${script}`);
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(run.stdout);
  const closing = [...run.stdout.matchAll(/^(\d+) passed, (\d+) failed/gm)].at(-1);
  const pass = closing ? Number(closing[1]) : 0;
  const fail = closing ? Number(closing[2]) : 0;
  return { name, status: run.status, tests: pass + fail, pass, fail, skipped: 0, todo: 0, cancelled: 0 };
}

let failed = 0;
let passed = 0;
for (const r of results) {
  const problems = [];
  if (r.status !== 0) problems.push(`exit code ${r.status}`);
  if (!r.tests) problems.push('no tests ran');
  if (r.skipped || r.todo) problems.push(`${r.skipped} skipped, ${r.todo} todo`);
  if (r.cancelled) problems.push(`${r.cancelled} cancelled`);
  passed += r.pass ?? 0;
  failed += (r.fail ?? 0) + (r.cancelled ?? 0) + (problems.length && !r.fail ? 1 : 0);
  console.log(`suite ${r.name}: ${r.pass ?? 0} passed, ${r.fail ?? 0} failed${problems.length ? ` (${problems.join('; ')})` : ''}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
