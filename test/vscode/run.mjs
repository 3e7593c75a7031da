// Runs the mocha suite in test/vscode/suite inside a real VS Code (code-server) extension host, with this repository
// as the extension under development, driven by Debian's headless Chromium. Needs dist/extension.js (npm run build).
// Writes .test-results/vscode/ (results.json, screenshots, logs), prints `N passed, N failed`, exits 1 on failure.
// Usage: node test/vscode/run.mjs   (VSCODE_TEST_TIMEOUT_S: overall limit in seconds, default 300)
// PARTYCOST_VSCODE_SUITE=bench runs test/vscode/bench/*.bench.ts instead (for npm run bench), with its own output folders;
// a bench may write bench.json next to results.json, which is collected too.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSuite } from './buildSuite.mjs';
import { killProcessGroupNow, startCodeServer } from './codeServer.mjs';
import { install } from './install.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const suiteKind = process.env.PARTYCOST_VSCODE_SUITE || 'test';
if (!['test', 'bench'].includes(suiteKind)) throw new Error(`PARTYCOST_VSCODE_SUITE must be "test" or "bench", not "${suiteKind}"`);
const bench = suiteKind === 'bench';
const outputDir = path.join(repoRoot, '.test-results', bench ? 'vscode-bench' : 'vscode');
const bundleDir = path.join(repoRoot, '.test-results', bench ? 'vscode-bench-suite' : 'vscode-suite');
const deadlineMs = Number(process.env.VSCODE_TEST_TIMEOUT_S ?? 300) * 1000;
const started = Date.now();

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Screenshot names run.mjs itself uses; suite/screenshot.ts refuses them.
const AFTER_TESTS_SHOT = 'after-tests';
const TIMEOUT_SHOT = 'timeout';

const say = (line) => console.log(`[vscode-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

/** Fresh copies of the fixture workspace and folders for results, screenshots and logs in a temporary run folder. */
function prepareRunDir() {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'partycost-vscode-'));
  const workspace = path.join(runDir, 'workspace');
  cpSync(path.join(here, 'fixture'), workspace, { recursive: true });
  const screenshotDir = path.join(runDir, 'screenshots');
  mkdirSync(screenshotDir);
  return { runDir, workspace, screenshotDir, resultsFile: path.join(runDir, 'results.json'), workbenchLog: path.join(runDir, 'workbench.log') };
}

function workbenchUrl(serverUrl, workspace, bundle) {
  // code-server refuses these as command-line options but takes them from the page's payload.
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://remote${repoRoot}`],
    ['extensionTestsPath', `vscode-remote://remote${bundle}`],
  ]);
  return `${serverUrl}/?${new URLSearchParams({ folder: workspace, payload })}`;
}

async function launchChromium(executablePath, profileDir) {
  const context = await chromium.launchPersistentContext(profileDir, { executablePath, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

async function screenshotTo(page, png) {
  const buffer = await page.screenshot();
  // Written under another name first, so a test polling for the PNG never reads half a file.
  writeFileSync(`${png}.partial`, buffer);
  renameSync(`${png}.partial`, png);
}

/** Answers the suite's <name>.request files with <name>.png (or <name>.error) until the returned stop() is called. */
function answerScreenshotRequests(page, screenshotDir) {
  let busy = false;
  const answer = async (name) => {
    try {
      await screenshotTo(page, path.join(screenshotDir, `${name}.png`));
      say(`screenshot ${name}.png`);
    } catch (err) {
      writeFileSync(path.join(screenshotDir, `${name}.error`), String(err?.message ?? err));
    }
  };
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const request of readdirSync(screenshotDir).filter((f) => f.endsWith('.request'))) {
        await answer(request.slice(0, -'.request'.length));
        rmSync(path.join(screenshotDir, request), { force: true });
      }
    } finally {
      busy = false;
    }
  }, 200);
  return () => clearInterval(timer);
}

/** Saves the logs the workbench hands over with codeAutomationExit ({ relativePath, contents }[]). */
function saveWorkbenchLogs(logs, dir) {
  if (!Array.isArray(logs)) return;
  for (const { relativePath, contents } of logs) {
    if (typeof relativePath !== 'string' || typeof contents !== 'string') continue;
    const file = path.join(dir, relativePath.replace(/\.\.+/g, '_'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

/**
 * Opens the workbench, which starts the extension host and the tests, and resolves with the run's exit code when
 * the workbench reports it; rejects when the deadline passes or the page or server goes away first.
 */
async function runTestsInWorkbench({ page, url, run, server }) {
  let reportExit;
  const exited = new Promise((resolve) => (reportExit = resolve));
  await page.exposeFunction('codeAutomationLog', (level, message) => appendFileSync(run.workbenchLog, `[${level}] ${message}\n`));
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    saveWorkbenchLogs(logs, path.join(run.runDir, 'logs'));
    reportExit(code);
  });
  // Informational console lines repeat what codeAutomationLog receives; errors and warnings may not.
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type())) appendFileSync(run.workbenchLog, `[console.${message.type()}] ${message.text()}\n`);
  });

  let timer;
  const failures = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the tests did not finish within ${deadlineMs / 1000} s (VSCODE_TEST_TIMEOUT_S)`)), deadlineMs - (Date.now() - started));
    page.on('crash', () => reject(new Error('the workbench page crashed')));
    server.exited.then((code) => reject(new Error(`code-server exited (${code}) during the tests`)));
  });
  try {
    // No navigation timeout of its own: on a busy machine the workbench may load slowly, and the deadline rules.
    await Promise.race([page.goto(url, { timeout: 0 }), failures]);
    say('workbench page loaded; waiting for the tests');
    return await Promise.race([exited, failures]);
  } finally {
    clearTimeout(timer);
  }
}

function readResults(resultsFile) {
  if (!existsSync(resultsFile)) return undefined;
  return JSON.parse(readFileSync(resultsFile, 'utf8'));
}

/** Prints a line per test, then `N passed, N failed`; returns the process exit code. Pending tests count as failed. */
function report(results, problems) {
  const marks = { passed: '✓', failed: '✗', pending: '-' };
  for (const test of results?.tests ?? []) {
    console.log(`  ${marks[test.state] ?? '?'} ${test.title}${test.state === 'pending' ? ' (skipped)' : ''}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
  if (results && !results.tests.length) problems.push('no tests ran');
  for (const problem of problems) console.log(`  ✗ ${problem}`);
  const passed = results?.passed ?? 0;
  const failed = (results?.failed ?? 0) + (results?.pending ?? 0) + problems.length;
  console.log(`${passed} passed, ${failed} failed`);
  return failed || !passed ? 1 : 0;
}

/** Replaces .test-results/vscode/ with this run's results, screenshots and logs. */
function collectOutput(run, serverLog) {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  for (const png of readdirSync(run.screenshotDir).filter((f) => f.endsWith('.png'))) copyFileSync(path.join(run.screenshotDir, png), path.join(outputDir, png));
  for (const file of [run.resultsFile, path.join(run.runDir, 'bench.json'), run.workbenchLog, serverLog]) if (file && existsSync(file)) copyFileSync(file, path.join(outputDir, path.basename(file)));
  if (existsSync(path.join(run.runDir, 'logs'))) cpSync(path.join(run.runDir, 'logs'), path.join(outputDir, 'logs'), { recursive: true });
}

async function main() {
  const { codeServerEntry, chromium: chromiumPath } = install();
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const run = prepareRunDir();
  const problems = [];
  let server;
  let browser;
  let serverRunning = false;
  // A signal or crash must not leave code-server or the run folder behind; Playwright ends its Chromium on exit.
  process.on('exit', () => {
    if (serverRunning) killProcessGroupNow(server.pid);
    rmSync(run.runDir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(130));
  try {
    const { bundle, testFiles } = await buildSuite({
      suiteDir: path.join(here, 'suite'),
      ...(bench && { testDir: path.join(here, 'bench'), testSuffix: '.bench.ts' }),
      outDir: bundleDir,
      config: { resultsFile: run.resultsFile, screenshotDir: run.screenshotDir, screenshotTimeoutMs: 30_000 },
    });
    say(`bundled ${testFiles.join(', ')}`);
    server = await startCodeServer({ entry: codeServerEntry, runDir: run.runDir, workspace: run.workspace });
    serverRunning = true;
    say(`code-server up at ${server.url}`);
    browser = await launchChromium(chromiumPath, path.join(run.runDir, 'chromium-profile'));
    const stopAnswering = answerScreenshotRequests(browser.page, run.screenshotDir);
    try {
      const exitCode = await runTestsInWorkbench({ page: browser.page, url: workbenchUrl(server.url, run.workspace, bundle), run, server });
      say(`tests finished with exit code ${exitCode}`);
      if (exitCode !== 0 && !readResults(run.resultsFile)?.failed) problems.push(`the test run exited with code ${exitCode}`);
      await screenshotTo(browser.page, path.join(run.screenshotDir, `${AFTER_TESTS_SHOT}.png`)).catch(() => {});
    } catch (err) {
      problems.push(err.message);
      await screenshotTo(browser.page, path.join(run.screenshotDir, `${TIMEOUT_SHOT}.png`)).catch(() => {});
    } finally {
      stopAnswering();
    }
  } catch (err) {
    problems.push(err.message);
  } finally {
    await browser?.context.close().catch(() => {});
    await server?.stop();
    serverRunning = false;
    if (server) say('Chromium and code-server stopped');
    collectOutput(run, server?.logFile);
    rmSync(run.runDir, { recursive: true, force: true });
  }
  const results = readResults(path.join(outputDir, 'results.json'));
  if (!results && !problems.length) problems.push('the suite wrote no results');
  if (results && !results.finished) {
    const running = results.running ? `; still running: ${results.running}` : '';
    // A deadline or crash already explains why; say which test it stopped in.
    if (problems.length) problems[0] += running;
    else problems.push(`the suite did not finish${running}`);
  }
  say(`done; results, screenshots and logs in ${path.relative(repoRoot, outputDir)}/`);
  return report(results, problems);
}

process.exitCode = await main().catch((err) => {
  // Failures before the run starts (install, build output); they still end in the summary line.
  console.error(err.message);
  console.log('0 passed, 1 failed');
  return 1;
});
