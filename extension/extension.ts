import * as vscode from 'vscode';

/**
 * Activation for a workspace with a partycost.json. The sidecar client, commands and views build on this; for now
 * the extension contributes the configuration's JSON Schema (see package.json) and a log channel.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Party Cost Inspector', { log: true });
  context.subscriptions.push(log);
  log.info(`Party Cost Inspector ${context.extension.packageJSON.version as string} activated`);
}

export function deactivate(): void {}
