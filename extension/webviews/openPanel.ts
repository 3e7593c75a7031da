import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import type { NotificationType, ViewState } from '../../webview/protocol';
import { readyTimeoutMs, ViewHost } from './viewHost';

const attempts = 3;

/** What a panel is: its view type and title, and the view's state notification and first state. */
export interface PanelSpec<S extends ViewState> {
  viewType: string;
  title: string;
  stateType: NotificationType<S>;
  state: S;
}

/**
 * Creates a panel (in the active editor group, with its host) and waits for its view to start. A panel that stays
 * blank (see ViewHost.reloadUntilReady) is disposed and created again beside it, since a blank one was seen to make
 * the next in the same group blank too; three tries in all. Resolves with the panel, started or not.
 */
export async function openPanel<S extends ViewState, T extends { readonly host: ViewHost<S>; dispose(): void }>(
  context: PartyCostContext,
  spec: PanelSpec<S>,
  make: (panel: vscode.WebviewPanel, host: ViewHost<S>) => T,
): Promise<T> {
  const extensionUri = context.extension.extensionUri;
  for (let attempt = 1; ; attempt++) {
    const column = attempt === 1 ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside;
    const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, column, { enableFindWidget: true });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'partycost.svg');
    const opened = make(panel, new ViewHost(panel.webview, extensionUri, spec.stateType, spec.state, spec.title, context.log));
    if (attempt === attempts || (await opened.host.whenReady())) return opened;
    context.log.warn(`the ${spec.state.view} view did not start within ${readyTimeoutMs} ms; opening it again`);
    opened.dispose();
  }
}
