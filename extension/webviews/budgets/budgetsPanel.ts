import type * as vscode from 'vscode';
import { disposeAll } from '../../host/lifecycle';
import type { PartyCostContext } from '../../host/context';
import { listPartiesRequest, tokenBudgetsRequest } from '../../../sidecar/protocol';
import { budgetsStateNotification } from '../../../webview/protocol';
import type { BudgetsViewState } from '../../../webview/protocol';
import { pickParty } from '../../parties/pickers';
import { openPanel } from '../openPanel';
import type { ViewHost } from '../viewHost';
import { failed, missingConfig, noParty, partyToShow } from '../viewStates';

const title = 'Token Budgets';
const viewType = 'partycost.budgets';

/** The budgets view's state for a party: each llm agent's prompt as it would be assembled now. */
async function budgetsState(context: PartyCostContext, asked: string | undefined): Promise<BudgetsViewState> {
  const state: BudgetsViewState = { view: 'budgets', party: asked ?? null, agents: [] };
  const missing = missingConfig(context);
  if (missing) return { ...state, empty: missing };
  try {
    const party = await partyToShow(context, asked);
    if (!party) return { ...state, empty: noParty };
    const { agents } = await context.request(tokenBudgetsRequest, { party });
    return { ...state, party, agents };
  } catch (error) {
    return { ...state, empty: failed(error) };
  }
}

/**
 * The party to show when the palette gave none: the one picked when there are parties; undefined when there are none
 * (the panel then says how to start); null when the user cancelled the pick.
 */
export async function pickBudgetsParty(context: PartyCostContext): Promise<string | undefined | null> {
  if (missingConfig(context)) return undefined;
  const { parties } = await context.request(listPartiesRequest, {});
  if (!parties.length) return undefined;
  return (await pickParty(context, { title: 'Show Token Budgets' })) ?? null;
}

/** The Token Budgets panel: one for the window, showing the party last asked for; follows edits and runs. */
export class BudgetsPanel implements vscode.Disposable {
  private static current: BudgetsPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens (or reveals) the panel on a party, the most recent when none is given. */
  static async show(context: PartyCostContext, party?: string): Promise<BudgetsPanel> {
    const state = await budgetsState(context, party);
    if (BudgetsPanel.current) {
      BudgetsPanel.current.panel.reveal();
      BudgetsPanel.current.host.update(state);
      return BudgetsPanel.current;
    }
    const spec = { viewType, title, stateType: budgetsStateNotification, state };
    BudgetsPanel.current = await openPanel(context, spec, (panel, host) => new BudgetsPanel(context, panel, host));
    return BudgetsPanel.current;
  }

  private constructor(
    private readonly context: PartyCostContext,
    readonly panel: vscode.WebviewPanel,
    readonly host: ViewHost<BudgetsViewState>,
  ) {
    this.disposables.push(
      host,
      context.onDidChangeParties(() => void this.refresh()),
      // An edit of a contextBudget or a template changes the prompts without changing any party.
      context.onDidChangeConfigFile(() => void this.refresh()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async refresh(): Promise<void> {
    this.host.update(await budgetsState(this.context, this.host.current.party ?? undefined));
  }

  dispose(): void {
    if (BudgetsPanel.current === this) BudgetsPanel.current = undefined;
    disposeAll(this.disposables);
    this.panel.dispose();
  }
}
