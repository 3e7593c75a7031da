import type * as vscode from 'vscode';

/** Empties the list and disposes what it held, last acquired first (what was set up later may use what came before). */
export function disposeAll(disposables: vscode.Disposable[]): void {
  for (const disposable of disposables.splice(0).reverse()) disposable.dispose();
}
