import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { budgetStatusRequest } from '../../sidecar/protocol';
import type { BudgetState } from '../../sidecar/contract/budget';
import { budgetLevels, limitText } from '../../sidecar/contract/budget';

/** Today's spend against the daily limit, coloured by the threshold reached. */
export function registerStatusBar(context: PartyCostContext): void {
  const item = vscode.window.createStatusBarItem('partycost.spend', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Party Cost: spend today';
  item.command = 'partycost.showCostEstimate';
  let lastLevel: string | undefined;
  const refresh = async (): Promise<void> => {
    // In a folder without a configuration the extension stays quiet (it activates on start-up for the walkthrough).
    if (!context.hasConfiguration()) return item.hide();
    try {
      const state = await context.request(budgetStatusRequest, {});
      show(item, state);
      // A notification when spend crosses a threshold upward (not at start-up, and once per crossing).
      if (lastLevel !== undefined && budgetLevels.indexOf(state.level) > budgetLevels.indexOf(lastLevel as BudgetState['level'])) {
        const notify = state.level === 'refuse' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
        void notify(`Party Cost budget: ${state.message}`);
      }
      lastLevel = state.level;
    } catch (error) {
      item.text = '$(circle-slash) Party Cost';
      item.tooltip = (error as Error).message;
      item.backgroundColor = undefined;
      item.show();
    }
  };
  context.onDidChangeParties(() => void refresh());
  // A configuration created (or deleted) shows (or hides) the spend without a party changing.
  context.pushExtCleanup(context.onDidChangeConfigFile((change) => change !== 'saved' && void refresh()));
  context.pushExtCleanup(item);
  // After activation returns: the first refresh starts the sidecar, and spawning a process from the extension host
  // (a fork of a large process) takes 40–110 ms on a 2-core machine, which activation should not wait for.
  setImmediate(() => void refresh());
}

function show(item: vscode.StatusBarItem, state: BudgetState): void {
  const daily = state.limits.find((l) => l.limit === 'daily');
  const shown = daily ?? state.binding;
  item.text = shown
    ? `$(pulse) $${shown.spentUsd.toFixed(4)} / ${limitText(shown.limitUsd)} ${shown === daily ? 'today' : shown.limit}`
    : '$(pulse) no spend limits';
  item.tooltip = `Party Cost Inspector: ${state.message}${state.limits.map((l) => `\n${l.limit}: $${l.spentUsd.toFixed(6)} of ${limitText(l.limitUsd)} (${l.level})`).join('')}`;
  item.backgroundColor =
    state.level === 'refuse'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : state.level === 'cheaper' || state.level === 'defer'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  item.show();
}
