import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { settings } from '../host/settings';
import {
  agentGraphRequest,
  collectorRequest,
  mapAgentRequest,
  productionChangedNotification,
  productionRequest,
  unattributedRequest,
} from '../../sidecar/protocol';
import type { ProductionStatus } from '../../sidecar/protocol';
import type { UnattributedAgent } from '../../sidecar/contract/ledger';

/**
 * Production beside the estimates: the OTLP trace receiver started with the sidecar when `partycost.collector.enabled`
 * (on `partycost.collector.port`, this machine only), today's production spend in the status bar, and the agents
 * traces named that match no configured one, each with an action that maps it to one.
 */
export function registerProduction(context: PartyCostContext): void {
  const item = vscode.window.createStatusBarItem('partycost.production', vscode.StatusBarAlignment.Right, 99);
  item.name = 'Party Cost: production spend today';
  item.command = 'partycost.unattributed.focus';
  const tree = new UnattributedTree(context);
  const view = vscode.window.createTreeView('partycost.unattributed', { treeDataProvider: tree, showCollapseAll: false });

  const show = (status: ProductionStatus): void => {
    if (!status.collector && status.today.runs === 0) {
      item.hide();
      return;
    }
    item.text = `$(cloud) $${status.today.costUsd.toFixed(4)} prod today`;
    item.tooltip = [
      `Production today (UTC): $${status.today.costUsd.toFixed(6)} over ${status.today.runs} runs (${status.today.calls} calls), from traces`,
      status.collector ? `Receiving OTLP traces at ${status.collector.url}` : 'The trace receiver is off (partycost.collector.enabled)',
    ].join('\n');
    item.show();
  };
  const refresh = async (): Promise<void> => {
    if (!context.hasConfiguration()) {
      item.hide();
      return;
    }
    try {
      show(await context.request(productionRequest, {}));
    } catch {
      item.hide();
    }
    tree.refresh();
  };
  /** The receiver as the settings say, on the sidecar that runs now (a restarted one starts it again). */
  const applySettings = async (): Promise<void> => {
    if (!context.hasConfiguration()) return;
    const { enabled, port } = settings().collector;
    try {
      show(await context.request(collectorRequest, enabled ? { port } : {}));
    } catch (error) {
      void vscode.window.showWarningMessage(`Party Cost: the trace receiver did not start: ${(error as Error).message}`);
    }
  };
  let listening = false;
  // Calls recorded arrive in bursts (an exporter sends every few seconds, or ten times a second under load): the first
  // is shown at once, the rest at most every two seconds.
  let pending: NodeJS.Timeout | undefined;
  let shownAt = 0;
  const update = (): void => {
    pending = undefined;
    shownAt = Date.now();
    void refresh();
    context.productionChanged();
  };
  const recorded = (): void => {
    if (pending) return;
    const wait = shownAt + 2_000 - Date.now();
    if (wait <= 0) update();
    else pending = setTimeout(update, wait);
  };

  context.pushExtCleanup(
    item,
    view,
    context.onDidStartSidecar(() => {
      // The client keeps a registration across its restarts: once is enough.
      if (!listening) context.onNotification(productionChangedNotification, recorded);
      listening = true;
      void applySettings();
    }),
    context.onDidChangeParties(() => void refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('partycost.collector') && void applySettings()),
    // What the receiver and today's production are (the status bar's figures; tests read them here).
    vscode.commands.registerCommand('partycost.productionStatus', () => context.request(productionRequest, {})),
    vscode.commands.registerCommand('partycost.mapUnattributedAgent', async (entry?: Pick<UnattributedAgent, 'name'>, target?: string) => {
      const name = entry?.name ?? (await pickUnattributed(context));
      if (!name) return;
      const agent =
        target ??
        (await vscode.window.showQuickPick(
          (await context.request(agentGraphRequest, {})).agents.map((a) => a.agent),
          { title: `Map "${name}" to a configured agent`, placeHolder: 'the agent (or crew task) these traced runs are' },
        ));
      if (!agent) return;
      const { moved } = await context.request(mapAgentRequest, { name, agent });
      void vscode.window.showInformationMessage(`"${name}" is ${agent} from now on; ${moved} recorded calls moved to it.`);
      context.productionChanged();
      await refresh();
    }),
    { dispose: () => clearTimeout(pending) },
  );
}

async function pickUnattributed(context: PartyCostContext): Promise<string | undefined> {
  const { agents } = await context.request(unattributedRequest, {});
  if (!agents.length) {
    void vscode.window.showInformationMessage('Every traced agent is attributed to a configured one.');
    return undefined;
  }
  return (
    await vscode.window.showQuickPick(
      agents.map((a) => ({ label: a.name, description: `${a.runs} runs · $${a.costUsd.toFixed(4)}` })),
      { title: 'An unattributed agent' },
    )
  )?.label;
}

/** The agents traces named that match no configured one, the most expensive first. */
class UnattributedTree implements vscode.TreeDataProvider<UnattributedAgent> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly context: PartyCostContext) {}

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(): Promise<UnattributedAgent[]> {
    if (!this.context.hasConfiguration()) return [];
    try {
      return (await this.context.request(unattributedRequest, {})).agents;
    } catch {
      return [];
    }
  }

  getTreeItem(agent: UnattributedAgent): vscode.TreeItem {
    const item = new vscode.TreeItem(agent.name, vscode.TreeItemCollapsibleState.None);
    item.description = `${agent.runs} run${agent.runs === 1 ? '' : 's'} · $${agent.costUsd.toFixed(4)}`;
    item.tooltip = `Traced runs named "${agent.name}" match no configured agent: ${agent.runs} runs, ${agent.calls} calls, $${agent.costUsd.toFixed(6)}; last ${agent.lastAt}. Map it to the agent it is, and they teach its estimate.`;
    item.contextValue = 'unattributed';
    item.iconPath = new vscode.ThemeIcon('question');
    item.command = { command: 'partycost.mapUnattributedAgent', title: 'Map to a Configured Agent', arguments: [agent] };
    return item;
  }
}
