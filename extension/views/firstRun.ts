import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { registerCommand } from '../host/register';

const walkthroughId = 'partycost.party-cost-inspector#firstDeltaPlan';
const walkthroughShownKey = 'partycost.walkthroughShown';

/**
 * What a new user meets: the walkthrough on the first activation, the `partycost.hasConfiguration` context key that
 * picks the views' welcome text (create a configuration, or run a first party), and a command to open the file.
 */
export function registerFirstRun(context: PartyCostContext): void {
  const update = (): void => {
    void vscode.commands.executeCommand('setContext', 'partycost.hasConfiguration', context.hasConfiguration());
    void vscode.commands.executeCommand(
      'setContext',
      'partycost.crew',
      context.sourceFiles().some((file) => /\.ya?ml$/i.test(file)),
    );
  };
  update();
  context.pushExtCleanup(context.onDidChangeConfigFile(update));
  registerCommand(context, 'partycost.openConfiguration', async () => {
    const [main] = context.sourceFiles();
    if (!main) return vscode.commands.executeCommand('partycost.createSampleConfiguration');
    return vscode.window.showTextDocument(vscode.Uri.file(main));
  });
  const state = context.extension.globalState;
  if (!state.get<boolean>(walkthroughShownKey)) {
    void state.update(walkthroughShownKey, true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughId, false);
  }
}
