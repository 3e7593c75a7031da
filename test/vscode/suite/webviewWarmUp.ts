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

async function attempt(folder: vscode.Uri, script: vscode.Uri): Promise<boolean> {
  const panel = vscode.window.createWebviewPanel('partycost.warmUp', 'warm-up', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, { enableScripts: true, localResourceRoots: [folder] });
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), attemptMs);
      panel.webview.onDidReceiveMessage(() => {
        clearTimeout(timer);
        resolve(true);
      });
      panel.webview.html = page(panel.webview, script);
    });
  } finally {
    panel.dispose();
  }
}

/** Opens throwaway panels until one runs its local script; returns how many it took (0: none did in time). */
export async function warmUpWebviews(): Promise<number> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'partycost-warm-up-'));
  writeFileSync(path.join(folder, 'ready.js'), 'acquireVsCodeApi().postMessage("ready");');
  const deadline = Date.now() + totalMs;
  for (let tries = 1; Date.now() < deadline; tries++) if (await attempt(vscode.Uri.file(folder), vscode.Uri.file(path.join(folder, 'ready.js')))) return tries;
  return 0;
}
