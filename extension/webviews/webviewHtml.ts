import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { initialStateElementId } from '../../webview/protocol';
import type { ViewState } from '../../webview/protocol';

/** The folder a view may load from: its bundle, the shared stylesheet and the codicon font, nothing else. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** JSON that is safe inside a <script> element: no "</script>", no HTML comment openers. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A view's page: a strict Content-Security-Policy (scripts only with this page's nonce, styles and fonts only from the
 * bundle folder), the codicon stylesheet that @vscode-elements' icons look for by id, and the initial state as JSON.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, state: ViewState, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot(extensionUri), file)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
<link rel="stylesheet" href="${asset('views.css')}">
<title>${title.replace(/[<&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</title>
</head>
<body data-view="${state.view}">
<main id="root" aria-live="polite"></main>
<script type="application/json" id="${initialStateElementId}">${scriptJson(state)}</script>
<script nonce="${nonce}" src="${asset(`${state.view}.js`)}"></script>
</body>
</html>`;
}
