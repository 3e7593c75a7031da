import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import type { NotificationType, ViewState } from '../../webview/protocol';
import { ViewHost } from './viewHost';

/** What a panel is: its view type and title, and the view's state notification and first state. */
export interface PanelSpec<S extends ViewState> {
  viewType: string;
  title: string;
  stateType: NotificationType<S>;
  state: S;
}

/**
 * Creates a panel (in the active editor group, with its host) and waits up to `readyTimeoutMs` for its view to
 * start; a view that has not started by then has its page written again until it does (ViewHost.reloadUntilReady),
 * while the panel is already returned.
 */
export async function openPanel<S extends ViewState, T extends { readonly host: ViewHost<S>; dispose(): void }>(
  context: PartyCostContext,
  spec: PanelSpec<S>,
  make: (panel: vscode.WebviewPanel, host: ViewHost<S>) => T,
): Promise<T> {
  const extensionUri = context.extension.extensionUri;
  const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Active, { enableFindWidget: true });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'partycost.svg');
  const opened = make(panel, new ViewHost(panel.webview, extensionUri, spec.stateType, spec.state, spec.title, context.log));
  void opened.host.reloadUntilReady();
  await opened.host.whenReady();
  return opened;
}
