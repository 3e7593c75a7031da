// In code-server, the first webview of a window can load before the service worker that serves webview resources,
// and stays blank (coder/code-server#3410, #7892). Before the tests, a throwaway panel with a local script is opened
// until its script runs, so no test (or timing) depends on being the first webview. The extension has its own
// remedy (extension/webviews/viewHost.ts loads a silent page again); this keeps test timings free of it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';

const attemptMs = 3000;
const totalMs = 45_000;

function page(webview: vscode.Webview, script: vscode.Uri): string {
  const csp = `default-src 'none'; script-src ${webview.cspSource}`;
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"></head><body><script src="${webview.asWebviewUri(script)}"></script></body></html>`;
}

/** Opens a bare panel whose local script posts at once; resolves with the milliseconds until it did, or null. */
async function attempt(folder: vscode.Uri, script: vscode.Uri): Promise<number | null> {
  const started = performance.now();
  const panel = vscode.window.createWebviewPanel(
    'partycost.warmUp',
    'warm-up',
    { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
    { enableScripts: true, localResourceRoots: [folder] },
  );
  try {
    return await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), attemptMs);
      panel.webview.onDidReceiveMessage(() => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      panel.webview.html = page(panel.webview, script);
    });
  } finally {
    panel.dispose();
  }
}

function bareWebviewFiles(): { folder: vscode.Uri; script: vscode.Uri } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'partycost-warm-up-'));
  writeFileSync(path.join(folder, 'ready.js'), 'acquireVsCodeApi().postMessage("ready");');
  return { folder: vscode.Uri.file(folder), script: vscode.Uri.file(path.join(folder, 'ready.js')) };
}

/** Opens throwaway panels until one runs its local script; returns how many it took (0: none did in time). */
export async function warmUpWebviews(): Promise<number> {
  const { folder, script } = bareWebviewFiles();
  const deadline = Date.now() + totalMs;
  for (let tries = 1; Date.now() < deadline; tries++) if ((await attempt(folder, script)) !== null) return tries;
  return 0;
}

/** The baseline of a paint: a bare panel created, its page loaded and its one-line local script run (ms, or null). */
export function bareWebviewMs(): Promise<number | null> {
  const { folder, script } = bareWebviewFiles();
  return attempt(folder, script);
}
