import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PartyCostContext } from '../context';
import { registerCommand } from '../commands/register';

export const walkthroughId = 'partycost.party-cost-inspector#firstDeltaPlan';
const walkthroughShownKey = 'partycost.walkthroughShown';

/**
 * What a new user meets: the walkthrough on the first activation, the `partycost.hasConfiguration` context key that
 * picks the views' welcome text (create a configuration, or run a first party), and a command to open the file.
 */
export function registerFirstRun(context: PartyCostContext): void {
  const update = (): void => void vscode.commands.executeCommand('setContext', 'partycost.hasConfiguration', !!context.configPath && existsSync(context.configPath));
  update();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder && context.configPath) {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, path.relative(folder.uri.fsPath, context.configPath)));
    context.pushExtCleanup(watcher, watcher.onDidCreate(update), watcher.onDidDelete(update));
  }
  registerCommand(context, 'partycost.openConfiguration', async () => {
    if (!context.configPath || !existsSync(context.configPath)) return vscode.commands.executeCommand('partycost.createSampleConfiguration');
    return vscode.window.showTextDocument(vscode.Uri.file(context.configPath));
  });
  const state = context.extension.globalState;
  if (!state.get<boolean>(walkthroughShownKey)) {
    void state.update(walkthroughShownKey, true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughId, false);
  }
}
