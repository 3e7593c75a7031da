// Tests run in the extension host and cannot see a webview's DOM; run.mjs (domProbe.mjs) reads it for them from the
// page's frames. A test writes <name>.probe and polls for <name>.probe.json (or <name>.probe-error).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSuiteConfig } from './suiteConfig';

/** One element marked data-probe in the view: its data-* attributes, its text and its computed colours. */
export interface ProbedElement {
  probe: string;
  text: string;
  stroke: string;
  fill: string;
  color: string;
  background: string;
  swatch: string;
  [data: string]: string;
}

export interface ViewSnapshot {
  view: string;
  /** The body's classes: VS Code sets vscode-light, vscode-dark or vscode-high-contrast. */
  theme: string;
  background: string;
  /** The page's Content-Security-Policy, and its script elements (a nonce is hidden from the DOM: only whether one is set). */
  csp: string | null;
  scripts: { type: string; src: string; nonce: boolean }[];
  elements: ProbedElement[];
}

let counter = 0;

async function probeOnce(view: string, action: { click?: string; post?: unknown[] } = {}): Promise<ViewSnapshot> {
  const { screenshotDir, screenshotTimeoutMs } = readSuiteConfig();
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${view}-${++counter}.probe`);
  writeFileSync(file, JSON.stringify({ view, ...action }));
  const deadline = Date.now() + screenshotTimeoutMs;
  for (;;) {
    if (existsSync(`${file}.json`)) {
      const snapshot = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as ViewSnapshot;
      rmSync(`${file}.json`);
      return snapshot;
    }
    if (existsSync(`${file}-error`)) {
      const error = readFileSync(`${file}-error`, 'utf8');
      rmSync(`${file}-error`);
      throw new Error(error);
    }
    if (Date.now() > deadline) throw new Error(`no answer to the probe of the ${view} view within ${screenshotTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads the view's DOM until `ready` holds for it (the view renders asynchronously); fails with the last snapshot. */
export async function probeView(view: string, ready: (snapshot: ViewSnapshot) => boolean, timeoutMs = 20_000): Promise<ViewSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: ViewSnapshot | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probeOnce(view);
      if (ready(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = last ? `last seen: ${JSON.stringify(last).slice(0, 1500)}` : `last error: ${String(lastError)}`;
  throw new Error(`the ${view} view did not reach the expected state within ${timeoutMs} ms; ${seen}`);
}

/** The probed elements of one kind. */
export function elements(snapshot: ViewSnapshot, probe: string): ProbedElement[] {
  return snapshot.elements.filter((e) => e.probe === probe);
}

/** Clicks an element of the view as a user would (Playwright, in the page), and returns the DOM right after. */
export function clickInView(view: string, selector: string): Promise<ViewSnapshot> {
  return probeOnce(view, { click: selector });
}

/** Sends messages from the view's page to the extension as the page's own script would, and returns the DOM after. */
export function postFromView(view: string, messages: unknown[]): Promise<ViewSnapshot> {
  return probeOnce(view, { post: messages });
}
