// The same mocha suite in desktop VS Code through @vscode/test-electron, for machines that can download VS Code
// (this project's CI machines cannot: their only network is the package registries, so CI runs the suite in
// code-server instead, through run.mjs). Screenshots are off here: they are taken through Chromium.
// Usage: npm run test:electron   (VSCODE_VERSION: the VS Code to download, default stable)
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { buildSuite } from './buildSuite.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run "npm run build" first');
  process.exit(1);
}
const runDir = mkdtempSync(path.join(os.tmpdir(), 'partycost-electron-'));
const workspace = path.join(runDir, 'workspace');
cpSync(path.join(here, 'fixture'), workspace, { recursive: true });
const resultsFile = path.join(runDir, 'results.json');
const { bundle } = await buildSuite({
  suiteDir: path.join(here, 'suite'),
  outDir: path.join(repoRoot, '.test-results', 'vscode-electron-suite'),
  config: { resultsFile, screenshotDir: path.join(runDir, 'screenshots'), screenshotTimeoutMs: 0 },
});
let exitCode = 0;
try {
  exitCode = await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: bundle,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`VS Code could not be downloaded or started: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
}
const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 0, tests: [] };
for (const t of results.tests) console.log(`  ${t.state === 'passed' ? '✓' : '✗'} ${t.title}${t.error ? `\n      ${t.error}` : ''}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exitCode = exitCode || (results.failed || !results.passed ? 1 : 0);
