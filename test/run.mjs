// Runs every test suite and fails unless each one ran tests and none was skipped, so nothing passes silently.
// Usage: node test/run.mjs [suite[@major]...]   (suites: unit, cli, faults, vscode, installed; `cli@22` runs the cli
// suite under Node 22, which scripts/nodes.mjs installs from the npm registry with better-sqlite3 built for it)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureNode } from '../scripts/nodes.mjs';

const suites = {
  unit: 'test/unit',
  cli: 'test/cli',
  // Faults injected on purpose: a full disk, a locked database, a vendor's broken answers, Redis dead, hung, killed;
  // and where money or trust leaks: a batch, a frozen run holder, a closed pipe, a planted file, a hostile workspace.
  faults: 'test/faults',
  // Mocha inside a real VS Code (code-server driven by headless Chromium): its runner prints `N passed, N failed`.
  vscode: 'test/vscode/run.mjs',
  // The VSIX as users install it, alone (the vscode suite runs it too): for another Node below.
  installed: 'test/vscode/run.mjs',
};
// The CLI and the sidecar under the other supported Nodes (package.json engines), each with the native SQLite module
// built for its ABI, and the VSIX installed in a VS Code started by the newest (its sidecar then runs on that Node).
const otherNodes = ['cli@22', 'faults@22', 'cli@24', 'faults@24', 'installed@24'];

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : [...Object.keys(suites).filter((s) => s !== 'installed'), ...otherNodes];
const results = [];
mkdirSync('.test-results', { recursive: true });

for (const name of chosen) {
  const [suite, major] = name.split('@');
  const dir = suites[suite];
  if (!dir) throw new Error(`unknown suite "${name}"; suites: ${Object.keys(suites).join(', ')}, each also as <suite>@<node major>`);
  const runtime = nodeFor(major);
  if (dir.endsWith('.mjs')) {
    // The VS Code runs start their sidecar with this Node too (partycost.nodePath: test/vscode/run.mjs).
    const env = { ...(suite === 'installed' ? { PARTYCOST_VSCODE_SUITE: 'installed' } : {}), ...(major ? { PARTYCOST_VSCODE_NODE: runtime.node } : {}) };
    results.push(runScript(name, dir, runtime, env));
    continue;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
  const tap = path.join('.test-results', `${name}.tap`);
  console.log(`\n=== suite ${name}: ${files.length} files${runtime.note}`);
  const run = spawnSync(
    runtime.node,
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
    { stdio: 'inherit', env: runtime.env },
  );
  const counts = Object.fromEntries(
    [...readFileSync(tap, 'utf8').matchAll(/^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  results.push({ name, status: run.status, ...counts });
}

/**
 * The Node a suite runs under: this one, or another major's (first on PATH, so the processes the tests spawn, the
 * sidecar the extension finds among them, run on it too); its binding for better-sqlite3 is made ready first.
 */
function nodeFor(major) {
  if (!major || Number(major) === Number(process.versions.node.split('.')[0])) return { node: process.execPath, env: process.env, note: '' };
  const { node, version, abi } = ensureNode(Number(major));
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` };
  return { node, env, note: ` under Node ${version} (ABI ${abi})` };
}

/** A suite with a runner of its own, judged by its exit code and its closing `N passed, N failed` line. */
function runScript(name, script, runtime, env) {
  console.log(`\n=== suite ${name}: ${script}${runtime.note}`);
  const run = spawnSync(runtime.node, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...runtime.env, ...env } });
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
