import type { WebviewIpc } from '../ipc';
import { runActionCommand } from '../protocol';
import type { EmptyState } from '../protocol';
import { h, icon } from './dom';

const icons: Record<EmptyState['reason'], string> = {
  'no-config': 'file-add',
  'invalid-config': 'warning',
  'no-party': 'play-circle',
  'no-runs': 'history',
  error: 'error',
};

/** What a view shows when it has nothing to show: why, and a button for the one thing to do next. */
export function emptyState(empty: EmptyState, ipc: WebviewIpc): HTMLElement {
  const action = empty.action;
  return h(
    'section',
    { class: 'empty', 'data-probe': 'empty', 'data-reason': empty.reason },
    icon(icons[empty.reason], { large: true }),
    h('p', {}, empty.message),
    action && h('vscode-button', { onclick: () => ipc.command(runActionCommand, { command: action.command }) }, action.label),
  );
}
