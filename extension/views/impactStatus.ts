import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { impactRequest } from '../../sidecar/protocol';
import type { ImpactResult } from '../../sidecar/protocol';

/**
 * What the saved configuration re-runs across every stored party, kept up to date: computed again (debounced) when a
 * configuration file is saved, created or deleted and when parties change (a run, a refresh; the sidecar's start).
 * The status bar says it while some party is affected; the CodeLens at the top of the configuration and the impact
 * panel follow it.
 */
export class ImpactTracker implements vscode.Disposable {
  private current?: ImpactResult;
  private readonly changed = new vscode.EventEmitter<ImpactResult | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly item = vscode.window.createStatusBarItem('partycost.impact', vscode.StatusBarAlignment.Right, 99);
  private timer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: PartyCostContext) {
    this.item.name = 'Party Cost: configuration impact';
    this.item.command = 'partycost.showImpact';
    this.disposables.push(
      this.item,
      this.changed,
      context.onDidChangeConfigFile(() => this.schedule()),
      context.onDidChangeParties(() => this.schedule()),
      { dispose: () => clearTimeout(this.timer) },
    );
  }

  /** The latest impact, or undefined before the first (or without a configuration). */
  get latest(): ImpactResult | undefined {
    return this.current;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), 300);
  }

  /** Computes the impact now; a configuration with problems has none (its diagnostics say why). */
  async refresh(): Promise<ImpactResult | undefined> {
    clearTimeout(this.timer);
    let impact: ImpactResult | undefined;
    if (this.context.hasConfiguration()) {
      try {
        impact = await this.context.request(impactRequest, {});
      } catch (error) {
        this.context.log.info(`impact not computed: ${(error as Error).message}`);
      }
    }
    this.current = impact;
    if (impact && impact.parties.affected > 0) {
      this.item.text = `$(history) ${impact.summary}`;
      this.item.tooltip = 'What the saved configuration re-runs across the stored parties: Show Configuration Impact';
      this.item.show();
    } else this.item.hide();
    this.changed.fire(impact);
    return impact;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
