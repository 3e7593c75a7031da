import * as vscode from 'vscode';
import type { PartyCostContext } from '../context';
import { budgetStatusRequest } from '../../sidecar/protocol';
import type { BudgetStatus } from '../../sidecar/protocol';

/** Today's spend against the daily limit, coloured by the threshold reached. */
export function registerStatusBar(context: PartyCostContext): void {
  const item = vscode.window.createStatusBarItem('partycost.spend', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Party Cost: spend today';
  item.command = 'partycost.showCostEstimate';
  const refresh = async (): Promise<void> => {
    try {
      show(item, await context.request(budgetStatusRequest, {}));
    } catch (error) {
      item.text = '$(circle-slash) Party Cost';
      item.tooltip = (error as Error).message;
      item.backgroundColor = undefined;
      item.show();
    }
  };
  context.onDidChangeParties(() => void refresh());
  context.pushExtCleanup(item);
  void refresh();
}

function show(item: vscode.StatusBarItem, status: BudgetStatus): void {
  const spent = `$${status.todayUsd.toFixed(4)}`;
  item.text = status.dailyLimitUsd === null ? `$(pulse) ${spent} today` : `$(pulse) ${spent} / $${status.dailyLimitUsd.toFixed(2)} today`;
  const percent = status.fraction === null ? '' : ` (${(status.fraction * 100).toFixed(1)} % of the daily limit)`;
  item.tooltip = `Party Cost Inspector: ${spent} spent today (UTC)${percent}`;
  item.backgroundColor =
    status.threshold !== null && status.threshold >= 1
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : status.threshold !== null && status.threshold >= 0.8
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  item.show();
}
