import type * as vscode from 'vscode';
import { disposeAll } from '../../host/lifecycle';
import type { PartyCostContext } from '../../host/context';
import { agentGraphRequest, planRequest } from '../../../sidecar/protocol';
import type { AgentProgress, RunReport } from '../../../sidecar/contract/plan';
import { getPlanRequest, planStateNotification, runPlanCommand } from '../../../webview/protocol';
import type { PlanViewState, RunState } from '../../../webview/protocol';
import { runWithProgress } from '../../parties/runWithProgress';
import { openPanel } from '../openPanel';
import type { ViewHost } from '../viewHost';
import { failed, missingConfig, noParty, partyToShow } from '../viewStates';

/** The plan view's state for a party: the graph, the plan with the agents forced, and the run it follows. */
async function planState(context: PartyCostContext, asked: string | undefined, force: string[], run: RunState | null): Promise<PlanViewState> {
  const state: PlanViewState = { view: 'plan', party: asked ?? null, plan: null, graph: [], force, run };
  const missing = missingConfig(context);
  if (missing) return { ...state, empty: missing };
  try {
    const party = await partyToShow(context, asked);
    if (!party) return { ...state, empty: noParty };
    const [{ agents }, plan] = await Promise.all([context.request(agentGraphRequest, {}), context.request(planRequest, { party, force })]);
    return { ...state, party, graph: agents, plan };
  } catch (error) {
    return { ...state, empty: failed(error) };
  }
}

function progressed(run: RunState, p: AgentProgress): RunState {
  return { ...run, agents: { ...run.agents, [p.agent]: { state: p.state, action: p.action, tier: p.tier, costUsd: p.costUsd } } };
}

function outcome(report: RunReport): RunState['outcome'] {
  return { executed: report.executed, costUsd: report.costUsd, savedCostUsd: report.savedCostUsd };
}

const viewType = 'partycost.plan';

/** The Delta Execution Plan panel: one for the window, showing the party last asked for; follows edits and runs. */
export class PlanPanel implements vscode.Disposable {
  private static current: PlanPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private running = false;

  /** Opens (or reveals) the panel on a party, the most recent when none is given. */
  static async show(context: PartyCostContext, party?: string, force: string[] = []): Promise<PlanPanel> {
    const state = await planState(context, party, force, null);
    if (PlanPanel.current) {
      PlanPanel.current.panel.reveal();
      PlanPanel.current.host.update(state);
      return PlanPanel.current;
    }
    const spec = { viewType, title: 'Delta Execution Plan', stateType: planStateNotification, state };
    PlanPanel.current = await openPanel(context, spec, (panel, host) => new PlanPanel(context, panel, host));
    return PlanPanel.current;
  }

  private constructor(
    private readonly context: PartyCostContext,
    readonly panel: vscode.WebviewPanel,
    readonly host: ViewHost<PlanViewState>,
  ) {
    host.onRequest(getPlanRequest, async ({ party, force }) => {
      const plan = await context.request(planRequest, { party, force });
      host.update({ ...host.current, party, plan, force: force ?? [] });
      return plan;
    });
    host.onCommand(runPlanCommand, ({ party, force }) => this.run(party, force ?? []));
    this.disposables.push(
      host,
      context.onDidChangeParties(() => void this.refresh()),
      context.onDidChangeConfigFile(() => void this.refresh()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Re-plans the party shown (keeping the agents forced); a run in progress updates the view itself. */
  private async refresh(): Promise<void> {
    if (this.running) return;
    const { party, force, run } = this.host.current;
    this.host.update(await planState(this.context, party ?? undefined, force, run));
  }

  private async run(party: string, force: string[]): Promise<void> {
    if (this.running) return;
    this.running = true;
    let run: RunState = { running: true, agents: {} };
    this.host.update({ ...this.host.current, run });
    try {
      const report = await runWithProgress(this.context, party, force, (p) => {
        run = progressed(run, p);
        this.host.update({ ...this.host.current, run });
      });
      run = { ...run, running: false, outcome: outcome(report) };
    } catch (error) {
      run = { ...run, running: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      this.running = false;
    }
    // After a run the plan is recomputed without forcing: what would run next.
    this.host.update(await planState(this.context, party, [], run));
  }

  dispose(): void {
    if (PlanPanel.current === this) PlanPanel.current = undefined;
    disposeAll(this.disposables);
    this.panel.dispose();
  }
}
