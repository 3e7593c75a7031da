// A webview page for unit tests: happy-dom's window as the global document, and a fake acquireVsCodeApi that records
// what the view posts, as vscode-pull-request-github's mock webview environment does.
import { Window } from 'happy-dom';
import { WebviewIpc } from '../webview/ipc';
import type { VsCodeApi } from '../webview/ipc';

export interface FakePage {
  window: Window;
  root: HTMLElement;
  ipc: WebviewIpc;
  /** Every message the view posted, in order. */
  posted: { kind: string; method: string; id?: number; params: unknown }[];
  /** Delivers a message from the host to the view. */
  fromHost(message: unknown): void;
  close(): Promise<void>;
}

/** A fresh page with an empty #root; the globals `document` and `window` point at it until close(). */
export function fakePage(): FakePage {
  const window = new Window();
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = { document: globals.document, window: globals.window, KeyboardEvent: globals.KeyboardEvent };
  Object.assign(globals, { document: window.document, window, KeyboardEvent: window.KeyboardEvent });
  window.document.body.innerHTML = '<main id="root"></main>';
  const posted: FakePage['posted'] = [];
  const api: VsCodeApi = { postMessage: (m) => void posted.push(m as FakePage['posted'][number]), getState: () => undefined, setState: () => undefined };
  const listeners: ((event: { data: unknown }) => void)[] = [];
  const ipc = new WebviewIpc(api, { addEventListener: (_type, listener) => void listeners.push(listener) }, 1000);
  return {
    window,
    root: window.document.getElementById('root') as unknown as HTMLElement,
    ipc,
    posted,
    fromHost: (data) => listeners.forEach((listener) => listener({ data })),
    close: async () => {
      Object.assign(globals, saved);
      await window.happyDOM.close();
    },
  };
}

/** Runs `body` on a fresh page and closes it afterwards, whether the body passed or threw. */
export async function withFakePage(body: (page: FakePage) => Promise<void> | void): Promise<void> {
  const page = fakePage();
  try {
    await body(page);
  } finally {
    await page.close();
  }
}
