import type * as vscode from 'vscode';
import { disposeAll } from '../../host/lifecycle';
import type { PartyCostContext } from '../../host/context';
import { impactStateNotification } from '../../../webview/protocol';
import type { ImpactViewState } from '../../../webview/protocol';
import type { ImpactResult } from '../../../sidecar/protocol';
import type { ImpactTracker } from '../../views/impactStatus';
import { openPanel } from '../openPanel';
import type { ViewHost } from '../viewHost';
import { missingConfig } from '../viewStates';

const title = 'Configuration Impact';
const viewType = 'partycost.impact';

function impactState(context: PartyCostContext, impact: ImpactResult | undefined, refreshing?: ImpactViewState['refreshing']): ImpactViewState {
  const missing = missingConfig(context);
  if (missing) return { view: 'impact', impact: null, empty: missing };
  if (!impact)
    return {
      view: 'impact',
      impact: null,
      empty: { reason: 'invalid-config', message: 'The impact needs a configuration without problems (see the Problems panel).' },
    };
  if (!impact.parties.total)
    return {
      view: 'impact',
      impact: null,
      empty: {
        reason: 'no-party',
        message: 'No stored party yet: the impact of a change is what it re-runs in the parties that ran.',
        action: { label: 'Run Party Plan', command: 'partycost.runPartyPlan' },
      },
    };
  return { view: 'impact', impact, ...(refreshing ? { refreshing } : {}) };
}

/** The Configuration Impact panel: one for the window; follows the tracker (saves, runs) and a refresh's progress. */
export class ImpactPanel implements vscode.Disposable {
  private static current: ImpactPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static async show(context: PartyCostContext, tracker: ImpactTracker): Promise<ImpactPanel> {
    const state = impactState(context, tracker.latest ?? (await tracker.refresh()));
    if (ImpactPanel.current) {
      ImpactPanel.current.panel.reveal();
      ImpactPanel.current.host.update(state);
      return ImpactPanel.current;
    }
    const spec = { viewType, title, stateType: impactStateNotification, state };
    ImpactPanel.current = await openPanel(context, spec, (panel, host) => new ImpactPanel(context, tracker, panel, host));
    return ImpactPanel.current;
  }

  /** A refresh's progress, shown on the panel's button when it is open. */
  static refreshing(context: PartyCostContext, tracker: ImpactTracker, progress: ImpactViewState['refreshing']): void {
    ImpactPanel.current?.host.update(impactState(context, tracker.latest, progress));
  }

  private constructor(
    context: PartyCostContext,
    tracker: ImpactTracker,
    readonly panel: vscode.WebviewPanel,
    readonly host: ViewHost<ImpactViewState>,
  ) {
    this.disposables.push(
      host,
      tracker.onDidChange((impact) => host.update(impactState(context, impact))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  dispose(): void {
    if (ImpactPanel.current === this) ImpactPanel.current = undefined;
    disposeAll(this.disposables);
    this.panel.dispose();
  }
}
