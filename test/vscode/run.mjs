// Runs mocha suites inside a real VS Code (code-server) extension host, driven by Debian's headless Chromium, one
// after the other: `test` (test/vscode/suite, with this repository as the extension under development; needs
// dist/extension.js: npm run build), then `installed` (test/vscode/installed, against the VSIX that
// scripts/package.mjs makes afresh, installed into a new extensions folder; nothing loads from the source tree), then
// `untrusted` (test/vscode/untrusted, the extension under development in a folder VS Code's workspace trust has not
// trusted: restricted mode). Each writes .test-results/vscode[-<kind>]/ (results.json, screenshots, logs) and prints `N passed, N failed (<kind>)`;
// the last line is the total. Exits 1 on any failure.
// Usage: node test/vscode/run.mjs   (VSCODE_TEST_TIMEOUT_S: limit per suite's tests in seconds, default 300; installing
// code-server and Chromium, packaging and starting the server come before it starts)
// PARTYCOST_VSCODE_SUITE=test|installed|untrusted|bench runs only that one; bench runs test/vscode/bench/*.bench.ts (for npm run
// bench), and a bench may write bench*.json next to results.json, which is collected too.
// PARTYCOST_VSCODE_NODE=<node> has the installed extension run its sidecar on that Node (partycost.nodePath).
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSuite } from './buildSuite.mjs';
import { answerProbeRequests } from './domProbe.mjs';
import { traceWebviews } from './webviewTrace.mjs';
import { installExtension, killProcessGroupNow, startCodeServer } from './codeServer.mjs';
import { install } from './install.mjs';
import { packageExtension } from '../../scripts/package.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
// The test files of each kind of run; all of them use suite/index.ts as the mocha runner.
const KINDS = {
  test: { testDir: 'suite', testSuffix: '.test.ts' },
  installed: { testDir: 'installed', testSuffix: '.test.ts' },
  bench: { testDir: 'bench', testSuffix: '.bench.ts' },
  // The workspace as VS Code opens a folder the user has not trusted: workspace trust on, restricted mode.
  untrusted: { testDir: 'untrusted', testSuffix: '.test.ts', workspaceTrust: true },
};
const kinds = process.env.PARTYCOST_VSCODE_SUITE ? [process.env.PARTYCOST_VSCODE_SUITE] : ['test', 'installed', 'untrusted'];
if (!kinds.every((kind) => kind in KINDS)) throw new Error(`PARTYCOST_VSCODE_SUITE must be one of ${Object.keys(KINDS).join(', ')}, not "${kinds[0]}"`);
const deadlineMs = Number(process.env.VSCODE_TEST_TIMEOUT_S ?? 300) * 1000;
const started = Date.now();

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Screenshot names run.mjs itself uses; suite/screenshot.ts refuses them.
const AFTER_TESTS_SHOT = 'after-tests';
const TIMEOUT_SHOT = 'timeout';

const say = (line) => console.log(`[vscode-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

/** Fresh copies of the fixture workspace and folders for results, screenshots and logs in a temporary run folder. */
function prepareRunDir() {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'partycost-vscode-'));
  const workspace = path.join(runDir, 'workspace');
  cpSync(path.join(here, 'fixture'), workspace, { recursive: true });
  // The example crew beside partycost.json: the crew suite removes partycost.json to make the crew the configuration.
  cpSync(path.join(repoRoot, 'examples', 'crew', 'src'), path.join(workspace, 'src'), { recursive: true });
  cpSync(path.join(repoRoot, 'examples', 'crew', 'pyproject.toml'), path.join(workspace, 'pyproject.toml'));
  const screenshotDir = path.join(runDir, 'screenshots');
  mkdirSync(screenshotDir);
  return {
    runDir,
    workspace,
    screenshotDir,
    resultsFile: path.join(runDir, 'results.json'),
    workbenchLog: path.join(runDir, 'workbench.log'),
    webviewLog: path.join(runDir, 'webviews.log'),
  };
}

/** Where a kind of run keeps its results (.test-results/vscode[-<kind>]/) and its bundled suite. */
function outputDirs(kind) {
  const name = kind === 'test' ? 'vscode' : `vscode-${kind}`;
  return { outputDir: path.join(repoRoot, '.test-results', name), bundleDir: path.join(repoRoot, '.test-results', `${name}-suite`) };
}

/**
 * How the run's VS Code gets the extension: this repository as the extension under development, or for `installed`
 * a freshly packaged VSIX (never a stale one) installed into the run's new extensions folder. VS Code runs
 * extensionTestsPath only beside an extensionDevelopmentPath, so that run gets an empty folder as one.
 */
async function provideExtension(kind, codeServerEntry, run) {
  if (kind !== 'installed') return { developmentPath: repoRoot, config: {} };
  const { vsix } = await packageExtension({ log: say });
  const { extensionsDir, output } = installExtension({ entry: codeServerEntry, runDir: run.runDir, vsix });
  say(output.split('\n').at(-1));
  const developmentPath = path.join(run.runDir, 'no-development-extension');
  mkdirSync(developmentPath);
  // The Node the sidecar must run on: PARTYCOST_VSCODE_NODE (test/run.mjs installed@24), given to the extension as
  // partycost.nodePath, else `node` on PATH. A PATH of the runner's own would not reach it: VS Code starts the
  // extension host with the environment of the user's login shell.
  const nodePath = process.env.PARTYCOST_VSCODE_NODE;
  const sidecarNode = JSON.parse(
    execFileSync(nodePath ?? 'node', ['-p', 'JSON.stringify({ path: process.execPath, version: process.version, abi: process.versions.modules })'], {
      encoding: 'utf8',
    }),
  );
  say(`code-server on Node ${process.version}; the sidecar should run on ${sidecarNode.path} (${sidecarNode.version}, ABI ${sidecarNode.abi})`);
  const settings = nodePath ? { 'partycost.nodePath': nodePath } : {};
  return { developmentPath, settings, config: { extensionsDir, sourceTree: repoRoot, sidecarNode } };
}

/** Adds a run's own user settings to those codeServer.mjs wrote, before the workbench (and the extension) reads them. */
function addUserSettings(run, settings) {
  if (!settings || !Object.keys(settings).length) return;
  const file = path.join(run.runDir, 'user-data', 'User', 'settings.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...settings }, null, 2));
}

function workbenchUrl(serverUrl, workspace, bundle, developmentPath) {
  // code-server refuses these as command-line options but takes them from the page's payload.
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://remote${developmentPath}`],
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
async function runTestsInWorkbench({ page, url, run, server, deadline }) {
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
  const summariseWebviews = await traceWebviews(page, run.webviewLog, () => `+${((Date.now() - started) / 1000).toFixed(1)}s`);

  let timer;
  const failures = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the tests did not finish within ${deadlineMs / 1000} s (VSCODE_TEST_TIMEOUT_S)`)), deadline - Date.now());
    page.on('crash', () => reject(new Error('the workbench page crashed')));
    server.exited.then((code) => reject(new Error(`code-server exited (${code}) during the tests`)));
  });
  try {
    // No navigation timeout of its own: on a busy machine the workbench may load slowly, and the deadline rules.
    await Promise.race([page.goto(url, { timeout: 0 }), failures]);
    say('workbench page loaded; waiting for the tests');
    return await Promise.race([exited, failures]);
  } finally {
    say(summariseWebviews());
    clearTimeout(timer);
  }
}

function readResults(resultsFile) {
  if (!existsSync(resultsFile)) return undefined;
  return JSON.parse(readFileSync(resultsFile, 'utf8'));
}

/** Prints a line per test, then `N passed, N failed (<kind>)`; returns the counts. Pending tests count as failed. */
function report(kind, results, problems) {
  const marks = { passed: '✓', failed: '✗', pending: '-' };
  for (const test of results?.tests ?? []) {
    console.log(`  ${marks[test.state] ?? '?'} ${test.title}${test.state === 'pending' ? ' (skipped)' : ''}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
  if (results && !results.tests.length) problems.push('no tests ran');
  for (const problem of problems) console.log(`  ✗ ${problem}`);
  const passed = results?.passed ?? 0;
  const failed = (results?.failed ?? 0) + (results?.pending ?? 0) + problems.length;
  console.log(`${passed} passed, ${failed} failed (${kind})`);
  return { passed, failed };
}

/** Replaces the kind's .test-results/vscode[-<kind>]/ with this run's results, screenshots and logs. */
function collectOutput(run, serverLog, outputDir) {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  for (const png of readdirSync(run.screenshotDir).filter((f) => f.endsWith('.png')))
    copyFileSync(path.join(run.screenshotDir, png), path.join(outputDir, png));
  const benches = readdirSync(run.runDir)
    .filter((f) => /^bench.*\.json$/.test(f))
    .map((f) => path.join(run.runDir, f));
  for (const file of [run.resultsFile, ...benches, run.workbenchLog, run.webviewLog, serverLog])
    if (file && existsSync(file)) copyFileSync(file, path.join(outputDir, path.basename(file)));
  if (existsSync(path.join(run.runDir, 'logs'))) cpSync(path.join(run.runDir, 'logs'), path.join(outputDir, 'logs'), { recursive: true });
  // The server side's logs: the extension host's, with the extension's own output channel (Party Cost Inspector).
  const serverLogs = path.join(run.runDir, 'user-data', 'logs');
  if (existsSync(serverLogs)) cpSync(serverLogs, path.join(outputDir, 'logs', 'server'), { recursive: true });
}

/** Runs one kind of suite in a fresh code-server, Chromium and workspace; returns its counts. */
async function main(kind) {
  say(`${kind} suite`);
  const { outputDir, bundleDir } = outputDirs(kind);
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
  try {
    const extension = await provideExtension(kind, codeServerEntry, run);
    const { bundle, testFiles } = await buildSuite({
      suiteDir: path.join(here, 'suite'),
      testDir: path.join(here, KINDS[kind].testDir),
      testSuffix: KINDS[kind].testSuffix,
      outDir: bundleDir,
      config: { resultsFile: run.resultsFile, screenshotDir: run.screenshotDir, screenshotTimeoutMs: 30_000, ...extension.config },
    });
    say(`bundled ${testFiles.join(', ')}`);
    server = await startCodeServer({ entry: codeServerEntry, runDir: run.runDir, workspace: run.workspace, workspaceTrust: KINDS[kind].workspaceTrust });
    addUserSettings(run, extension.settings);
    serverRunning = true;
    say(`code-server up at ${server.url}`);
    browser = await launchChromium(chromiumPath, path.join(run.runDir, 'chromium-profile'));
    const stopAnswering = [answerScreenshotRequests(browser.page, run.screenshotDir), answerProbeRequests(browser.page, run.screenshotDir)];
    try {
      // The limit counts the tests (with the workbench loading them), not installing code-server or packaging.
      const deadline = Date.now() + deadlineMs;
      const exitCode = await runTestsInWorkbench({
        page: browser.page,
        url: workbenchUrl(server.url, run.workspace, bundle, extension.developmentPath),
        run,
        server,
        deadline,
      });
      say(`tests finished with exit code ${exitCode}`);
      if (exitCode !== 0 && !readResults(run.resultsFile)?.failed) problems.push(`the test run exited with code ${exitCode}`);
      await screenshotTo(browser.page, path.join(run.screenshotDir, `${AFTER_TESTS_SHOT}.png`)).catch(() => {});
    } catch (err) {
      problems.push(err.message);
      await screenshotTo(browser.page, path.join(run.screenshotDir, `${TIMEOUT_SHOT}.png`)).catch(() => {});
    } finally {
      for (const stop of stopAnswering) stop();
    }
  } catch (err) {
    problems.push(err.message);
  } finally {
    await browser?.context.close().catch(() => {});
    await server?.stop();
    serverRunning = false;
    if (server) say('Chromium and code-server stopped');
    collectOutput(run, server?.logFile, outputDir);
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
  return report(kind, results, problems);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(130));
const total = { passed: 0, failed: 0 };
for (const kind of kinds) {
  const counts = await main(kind).catch((err) => {
    // Failures before the run starts (install, build output); they still end in the summary line.
    console.error(err.message);
    console.log(`0 passed, 1 failed (${kind})`);
    return { passed: 0, failed: 1 };
  });
  total.passed += counts.passed;
  // A suite that ran no test fails, so nothing passes silently.
  total.failed += counts.failed || (counts.passed ? 0 : 1);
}
// The last line is the total, which test/run.mjs reads.
if (kinds.length > 1) console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed || !total.passed ? 1 : 0;
