// The mocha entry VS Code calls for extensionTestsPath. The tests use mocha's tdd interface (suite, test).
import { writeFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import testFiles from 'vscode-suite:test-files';
import { readSuiteConfig } from './suiteConfig';
import { warmUpWebviews } from './webviewWarmUp';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
}

export interface SuiteResults {
  /** False while mocha runs. */
  finished: boolean;
  /** The test that started last and has not ended yet. */
  running?: string;
  passed: number;
  failed: number;
  pending: number;
  tests: TestResult[];
}

/** Loads each bundled test file the way mocha.loadFiles would, so the tdd globals point at this mocha. */
function loadTests(mocha: Mocha): void {
  for (const { file, load } of testFiles) {
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    mocha.suite.emit('require', load(), file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }
}

/**
 * Points a stack frame in the bundle at the .ts source. Node would do this itself, but the extension host replaces
 * Error.prepareStackTrace; the source map is there because index.js turns source maps on before loading the bundle.
 */
function mapFrame(line: string): string {
  return line.replace(/([^\s(]+\.js):(\d+):(\d+)/, (whole, file: string, row: string, column: string) => {
    const entry = findSourceMap(file)?.findEntry(Number(row) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return whole;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** The error with its stack, less mocha's and Node's own frames. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return (err.stack ?? err.message)
    .split('\n')
    .map(mapFrame)
    .filter((line) => !/^\s+at .*(node_modules[\\/]mocha[\\/]|node:internal)/.test(line))
    .join('\n');
}

/** Collects one entry per test, and one per failed hook, and rewrites the results file after each. */
class ResultsFile {
  private readonly tests: TestResult[] = [];
  private running: string | undefined;

  constructor(private readonly file: string) {}

  started(title: string): void {
    this.running = title;
    this.write(false);
  }

  add(result: TestResult): void {
    this.running = undefined;
    this.tests.push(result);
    this.write(false);
  }

  /** Written after every test, so a run cut short by run.mjs's deadline still shows how far it got. */
  write(finished: boolean): SuiteResults {
    const count = (state: TestResult['state']) => this.tests.filter((t) => t.state === state).length;
    const results = { finished, running: this.running, passed: count('passed'), failed: count('failed'), pending: count('pending'), tests: this.tests };
    writeFileSync(this.file, JSON.stringify(results, null, 2));
    return results;
  }
}

function runMocha(mocha: Mocha, results: ResultsFile): Promise<void> {
  return new Promise((resolve) => {
    mocha
      .run(() => resolve())
      .on('test', (test) => results.started(test.fullTitle()))
      .on('pass', (test) => results.add({ title: test.fullTitle(), state: 'passed' }))
      .on('fail', (test, err) => results.add({ title: test.fullTitle(), state: 'failed', error: describeError(err) }))
      .on('pending', (test) => results.add({ title: test.fullTitle(), state: 'pending' }));
  });
}

export async function run(): Promise<void> {
  const results = new ResultsFile(readSuiteConfig().resultsFile);
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000 });
  try {
    const tries = await warmUpWebviews();
    console.log(tries ? `webviews load (warm-up panels opened: ${tries})` : 'webviews did not load within the warm-up');
    loadTests(mocha);
    await runMocha(mocha, results);
  } catch (err) {
    results.add({ title: 'loading the VS Code test suite', state: 'failed', error: describeError(err) });
  }
  const { passed, failed, pending } = results.write(true);
  if (failed || pending || !passed) throw new Error(`${passed} passed, ${failed} failed, ${pending} pending`);
}
