import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the run writes its results and screenshots; run.mjs puts this file next to the bundle it builds. */
export interface SuiteConfig {
  resultsFile: string;
  screenshotDir: string;
  /** Longest a test waits for run.mjs to answer a screenshot request, in milliseconds; 0: no screenshots. */
  screenshotTimeoutMs: number;
}

// Environment variables of the test runner do not reach the extension host, so the bundle finds its settings
// relative to itself.
export function readSuiteConfig(): SuiteConfig {
  return JSON.parse(readFileSync(path.join(__dirname, 'suite-config.json'), 'utf8')) as SuiteConfig;
}
