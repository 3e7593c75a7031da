import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { PartyCostContext } from '../host/context';
import { registerCommand } from '../host/register';

const walkthroughId = 'partycost.party-cost-inspector#firstDeltaPlan';
const walkthroughShownKey = 'partycost.walkthroughShown';

/**
 * What a new user meets: the walkthrough on the first activation, the `partycost.hasConfiguration` context key that
 * picks the views' welcome text (create a configuration, or run a first party), and a command to open the file.
 */
export function registerFirstRun(context: PartyCostContext): void {
  const update = (): void => void vscode.commands.executeCommand('setContext', 'partycost.hasConfiguration', !!context.configPath && existsSync(context.configPath));
  update();
  context.pushExtCleanup(context.onDidChangeConfigFile(update));
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
