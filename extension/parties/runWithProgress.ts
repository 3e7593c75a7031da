import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { PartyCostContext } from '../host/context';
import { planRequest, runRequest } from '../../sidecar/protocol';
import type { AgentProgress, RunReport } from '../../sidecar/contract/plan';

/** Runs a party's delta plan with progress (one step per agent) that the user can cancel; `observe` sees each step. */
export function runWithProgress(context: PartyCostContext, party: string, force?: string[], observe?: (progress: AgentProgress) => void): Thenable<RunReport> {
  const runId = randomUUID();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Party Cost: running ${party}`, cancellable: true },
    async (progress, token) => {
      const plan = await context.request(planRequest, { party, force });
      const steps = Math.max(1, plan.totals.execute + plan.totals.cacheHit + plan.totals.delete);
      const listener = context.onRunProgress((p) => {
        if (p.runId !== runId) return;
        observe?.(p);
        if (p.state === 'started') return progress.report({ message: `${p.agent}…` });
        const what =
          p.state === 'failed' ? 'failed' : p.action === 'cache_hit' ? `from the ${p.tier} cache` : p.action === 'delete' ? 'result deleted' : 'done';
        progress.report({ increment: 100 / steps, message: `${p.agent} ${what}` });
      });
      const waiting = context.onRunWaiting((w) => {
        if (w.runId === runId) progress.report({ message: `waiting: ${w.holder} is running this party (a terminal's partycost run?)` });
      });
      try {
        return await context.request(runRequest, { party, runId, force }, { token, noTimeout: true });
      } finally {
        listener.dispose();
        waiting.dispose();
      }
    },
  );
}
