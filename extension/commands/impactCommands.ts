import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { PartyCostContext } from '../host/context';
import { registerCommand } from '../host/register';
import { runRequest } from '../../sidecar/protocol';
import type { ImpactTracker } from '../views/impactStatus';
import { ImpactPanel } from '../webviews/impact/impactPanel';

/** What Refresh Affected Parties did: the parties brought up to date, those that failed (with why), and whether it was cancelled. */
export interface RefreshOutcome {
  refreshed: string[];
  failed: { party: string; error: string }[];
  executed: number;
  costUsd: number;
  cancelled: boolean;
}

/** Show Configuration Impact, and Refresh Affected Parties: each affected party's delta plan run in turn, with progress and cancel. */
export function registerImpactCommands(context: PartyCostContext, tracker: ImpactTracker): void {
  registerCommand(context, 'partycost.showImpact', async () => {
    const panel = await ImpactPanel.show(context, tracker);
    return panel.host.current.impact ?? undefined;
  });

  registerCommand(context, 'partycost.refreshAffectedParties', async (): Promise<RefreshOutcome | undefined> => {
    const impact = await tracker.refresh();
    const parties = (impact?.byParty ?? []).map((p) => p.party);
    if (!parties.length) {
      void vscode.window.showInformationMessage('Party Cost: no party is affected by the configuration; nothing to refresh.');
      return { refreshed: [], failed: [], executed: 0, costUsd: 0, cancelled: false };
    }
    const outcome: RefreshOutcome = { refreshed: [], failed: [], executed: 0, costUsd: 0, cancelled: false };
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Party Cost: refreshing ${parties.length} parties`, cancellable: true },
      async (progress, token) => {
        for (const [i, party] of parties.entries()) {
          if (token.isCancellationRequested) break;
          ImpactPanel.refreshing(context, tracker, { done: i, total: parties.length });
          progress.report({ message: `${party} (${i + 1} of ${parties.length})` });
          try {
            const report = await context.request(runRequest, { party, runId: randomUUID() }, { token, noTimeout: true });
            outcome.refreshed.push(party);
            outcome.executed += report.executed;
            outcome.costUsd += report.costUsd;
          } catch (error) {
            if (token.isCancellationRequested) break;
            outcome.failed.push({ party, error: (error as Error).message });
            context.log.warn(`refresh of ${party} failed: ${(error as Error).message}`);
          }
          progress.report({ increment: 100 / parties.length });
        }
        outcome.cancelled = token.isCancellationRequested;
      },
    );
    await tracker.refresh();
    const failed = outcome.failed.length ? `; ${outcome.failed.length} failed (${outcome.failed.map((f) => f.party).join(', ')}: see the log)` : '';
    const message = `Party Cost: ${outcome.refreshed.length} of ${parties.length} parties refreshed, ${outcome.executed} agents executed for $${outcome.costUsd.toFixed(6)}${failed}${outcome.cancelled ? '; cancelled' : ''}.`;
    void (outcome.failed.length ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
    return outcome;
  });
}
