// Tests run inside the extension host, but screenshots are taken by Playwright in run.mjs. A test asks for one by
// writing <name>.request into the screenshot folder; run.mjs answers by writing <name>.png next to it, or
// <name>.error with what went wrong.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSuiteConfig } from './suiteConfig';

const POLL_MS = 100;
// run.mjs takes these itself once the tests end.
const RESERVED = ['after-tests', 'timeout'];

/** Whether this run takes screenshots: code-server runs do; desktop VS Code (test-electron) runs have no Chromium. */
export function screenshotsOn(): boolean {
  return readSuiteConfig().screenshotTimeoutMs > 0;
}

/** Takes a PNG screenshot of the whole workbench as it is now; resolves with its path ('' when screenshots are off). */
export async function requestScreenshot(name: string): Promise<string> {
  if (!screenshotsOn()) return '';
  if (!/^[\w-]+$/.test(name)) throw new Error(`screenshot name "${name}" may only hold letters, digits, _ and -`);
  if (RESERVED.includes(name)) throw new Error(`screenshot name "${name}" is reserved for run.mjs`);
  const { screenshotDir, screenshotTimeoutMs } = readSuiteConfig();
  const png = path.join(screenshotDir, `${name}.png`);
  const error = path.join(screenshotDir, `${name}.error`);
  if (existsSync(png)) throw new Error(`screenshot "${name}" was already taken in this run`);
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(path.join(screenshotDir, `${name}.request`), '');
  const deadline = Date.now() + screenshotTimeoutMs;
  while (!existsSync(png)) {
    if (existsSync(error)) throw new Error(`screenshot "${name}" failed: ${readFileSync(error, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`no answer to screenshot request "${name}" within ${screenshotTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return png;
}
