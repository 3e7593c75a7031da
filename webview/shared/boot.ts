import { readInitialState, WebviewIpc } from '../ipc';
import type { VsCodeApi } from '../ipc';
import type { NotificationType, ViewState } from '../protocol';

declare function acquireVsCodeApi(): VsCodeApi;

/**
 * Starts a view: renders the state embedded in the page, sends the ready handshake once that has been painted, then
 * renders each state the host sends.
 */
export function boot<S extends ViewState>(stateType: NotificationType<S>, render: (root: HTMLElement, state: S, ipc: WebviewIpc) => void): void {
  const ipc = new WebviewIpc(acquireVsCodeApi(), window);
  const root = document.getElementById('root')!;
  const initial = readInitialState<S>(document);
  if (initial) render(root, initial, ipc);
  ipc.onNotification(stateType, (state) => render(root, state, ipc));
  // Two frames: the first lays out what was rendered, the second runs after it was painted; and the codicon font is
  // loaded (whether or not this state shows an icon), so that once ready the page loads nothing more: a page hidden
  // or closed with a request in flight stalls code-server's webview service worker (see ViewHost.reloadUntilReady).
  const fonts = Promise.resolve()
    .then(() => Promise.all([document.fonts.load('16px codicon'), document.fonts.ready]))
    .catch(() => undefined);
  requestAnimationFrame(() => requestAnimationFrame(() => void fonts.then(() => ipc.ready())));
}
