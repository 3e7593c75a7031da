import * as vscode from 'vscode';
import { disposeAll } from '../../host/lifecycle';
import type { PartyCostContext } from '../../host/context';
import { listPricing } from '../../../sidecar/contract/pricing';
import type { Pricing } from '../../../sidecar/contract/pricing';
import { accuracyRequest, actualsRequest, adviceRequest, estimateRequest } from '../../../sidecar/protocol';
import type { EstimateResult } from '../../../sidecar/protocol';
import { applyAdviceCommand, estimatesStateNotification, getEstimateRequest } from '../../../webview/protocol';
import { applyAdvice } from '../../editor/adviceActions';
import type { EstimatesViewState } from '../../../webview/protocol';
import { openPanel } from '../openPanel';
import type { ViewHost } from '../viewHost';
import { failed, missingConfig } from '../viewStates';

const viewType = 'partycost.estimates';

interface Loaded {
  state: EstimatesViewState;
  /** What the sidecar answered, when it was asked (the command returns it). */
  result?: EstimateResult;
}

function invalidConfig(problems: number): EstimatesViewState['empty'] {
  return {
    reason: 'invalid-config',
    message: `partycost.json has ${problems} problem${problems === 1 ? '' : 's'}; fix ${problems === 1 ? 'it' : 'them'} (see the Problems panel) and save to see the estimate.`,
  };
}

/** The estimates view's state at a what-if pricing, with the sidecar's answer it came from. */
async function load(context: PartyCostContext, pricing: Pricing): Promise<Loaded> {
  const state: EstimatesViewState = { view: 'estimates', estimate: null, rightSizing: [] };
  const missing = missingConfig(context);
  if (missing) return { state: { ...state, empty: missing } };
  try {
    const [result, actuals, accuracy, advice] = await Promise.all([
      context.request(estimateRequest, { pricing }),
      context.request(actualsRequest, {}).catch(() => ({ agents: [] })),
      // Read from the saved configuration: an unsaved or broken one has no report (the estimate says why).
      context.request(accuracyRequest, {}).catch(() => undefined),
      context.request(adviceRequest, {}).then(
        (answer) => answer.report ?? undefined,
        () => undefined,
      ),
    ]);
    if (!result.estimate) return { state: { ...state, empty: invalidConfig(result.problems.length) }, result };
    return {
      state: {
        ...state,
        estimate: result.estimate,
        rightSizing: result.rightSizing,
        actuals: actuals.agents,
        ...(accuracy ? { accuracy } : {}),
        ...(advice ? { advice } : {}),
      },
      result,
    };
  } catch (error) {
    return { state: { ...state, empty: failed(error) } };
  }
}

/** The Cost Estimates panel: one for the window; follows saves of the configuration at the what-if pricing chosen. */
export class EstimatesPanel implements vscode.Disposable {
  private static current: EstimatesPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pricing: Pricing = listPricing;
  private lastResult: EstimateResult | undefined;

  /** Opens (or reveals and refreshes) the panel; its `result` is the estimate it shows. */
  static async show(context: PartyCostContext): Promise<EstimatesPanel> {
    const open = EstimatesPanel.current;
    if (open) {
      open.panel.reveal();
      await open.refresh();
      return open;
    }
    const loaded = await load(context, listPricing);
    const spec = { viewType, title: 'Cost Estimates', stateType: estimatesStateNotification, state: loaded.state };
    EstimatesPanel.current = await openPanel(context, spec, (panel, host) => new EstimatesPanel(context, panel, host, loaded.result));
    return EstimatesPanel.current;
  }

  private constructor(
    private readonly context: PartyCostContext,
    readonly panel: vscode.WebviewPanel,
    readonly host: ViewHost<EstimatesViewState>,
    result: EstimateResult | undefined,
  ) {
    this.lastResult = result;
    host.onRequest(getEstimateRequest, ({ pricing }) => this.reprice(pricing));
    host.onCommand(applyAdviceCommand, async (ref) => {
      const refused = await applyAdvice(context, ref).catch((error: Error) => error.message);
      if (refused) void vscode.window.showWarningMessage(`Party Cost: ${refused}.`);
    });
    this.disposables.push(
      host,
      // Saved, or written or deleted outside the editor (the sample command writes the file).
      context.onDidChangeConfigFile(() => void this.refresh()),
      // A run adds to the ledger: the actual costs change.
      context.onDidChangeParties(() => void this.refresh()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get result(): EstimateResult | undefined {
    return this.lastResult;
  }

  /** The estimate at a new pricing: the reply to the view, and its state unless a newer pricing was asked for since. */
  private async reprice(pricing: Pricing): Promise<EstimatesViewState> {
    this.pricing = pricing;
    const loaded = await load(this.context, pricing);
    if (this.pricing === pricing) this.apply(loaded);
    return loaded.state;
  }

  private async refresh(): Promise<void> {
    const pricing = this.pricing;
    const loaded = await load(this.context, pricing);
    if (this.pricing === pricing) this.apply(loaded);
  }

  private apply(loaded: Loaded): void {
    this.lastResult = loaded.result;
    this.host.update(loaded.state);
  }

  dispose(): void {
    if (EstimatesPanel.current === this) EstimatesPanel.current = undefined;
    disposeAll(this.disposables);
    this.panel.dispose();
  }
}
