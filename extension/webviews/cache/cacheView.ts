import * as vscode from 'vscode';
import { disposeAll } from '../../host/lifecycle';
import type { PartyCostContext } from '../../host/context';
import { cacheStatsRequest } from '../../../sidecar/protocol';
import type { CacheReport } from '../../../sidecar/contract/cache';
import { cacheStateNotification, refreshCacheCommand } from '../../../webview/protocol';
import type { CacheViewState, EmptyState } from '../../../webview/protocol';
import { ViewHost } from '../viewHost';
import { failed, missingConfig } from '../viewStates';

const title = 'Cache Statistics';
/** Runs and edits come in bursts (one change per agent, input or snapshot); one read follows the burst. */
const debounceMs = 300;

const noRuns: EmptyState = {
  reason: 'no-runs',
  message: 'Run a party plan; cache hits appear here.',
  action: { label: 'Run Party Plan', command: 'partycost.runPartyPlan' },
};

function unused(report: CacheReport): boolean {
  return report.tiers.every((t) => t.hits + t.misses + t.writes === 0) && report.savings.hits === 0;
}

/** The view's state now: the sidecar's report, or why there is none. */
async function cacheState(context: PartyCostContext): Promise<CacheViewState> {
  const missing = missingConfig(context);
  if (missing) return { view: 'cache', report: null, empty: missing };
  try {
    const report = await context.request(cacheStatsRequest, {});
    return unused(report) ? { view: 'cache', report, empty: noRuns } : { view: 'cache', report };
  } catch (error) {
    return { view: 'cache', report: null, empty: failed(error) };
  }
}

/**
 * The sidebar's Cache Statistics view. It reads the report when the view is shown and after changes (runs, edits,
 * sidecar restarts, a cleared cache), debounced; changes while it is hidden only mark it stale for the next showing.
 */
export class CacheView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'partycost.cache';
  private static current: CacheView | undefined;
  private view?: vscode.WebviewView;
  private host?: ViewHost<CacheViewState>;
  private latest: CacheViewState = { view: 'cache', report: null };
  private stale = true;
  private timer?: ReturnType<typeof setTimeout>;
  private reads = 0;
  private readonly updated = new vscode.EventEmitter<CacheViewState>();
  /** Fires with each state sent to the view (tests wait on it instead of sleeping). */
  readonly onDidUpdate = this.updated.event;
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: PartyCostContext) {
    CacheView.current = this;
    this.disposables.push(
      this.updated,
      context.onDidChangeParties(() => this.changed()),
      // Creating or deleting partycost.json changes the empty state without changing any party.
      context.onDidChangeConfigFile((change) => change !== 'saved' && this.changed()),
    );
  }

  /** The cache was cleared (partycost.clearCache): the figures the view shows are out of date. */
  static cacheChanged(): void {
    CacheView.current?.changed();
  }

  get state(): CacheViewState {
    return this.latest;
  }

  get visible(): boolean {
    return !!this.view?.visible;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.releaseView();
    this.view = view;
    this.host = new ViewHost(view.webview, this.context.extension.extensionUri, cacheStateNotification, this.latest, title, this.context.log);
    void this.host.reloadUntilReady();
    this.host.onCommand(refreshCacheCommand, () => this.refresh());
    this.viewDisposables.push(
      this.host,
      view.onDidChangeVisibility(() => view.visible && this.stale && void this.refresh()),
      view.onDidDispose(() => this.releaseView()),
    );
    void this.refresh();
  }

  /** Reads the report now and sends it to the view; of overlapping reads only the last one is shown. */
  async refresh(): Promise<CacheViewState> {
    clearTimeout(this.timer);
    this.stale = false;
    const read = ++this.reads;
    const state = await cacheState(this.context);
    if (read !== this.reads) return state;
    this.latest = state;
    this.host?.update(state);
    this.updated.fire(state);
    return state;
  }

  private changed(): void {
    this.stale = true;
    if (!this.view?.visible) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), debounceMs);
  }

  private releaseView(): void {
    disposeAll(this.viewDisposables);
    this.view = undefined;
    this.host = undefined;
  }

  dispose(): void {
    if (CacheView.current === this) CacheView.current = undefined;
    clearTimeout(this.timer);
    this.releaseView();
    disposeAll(this.disposables);
  }
}
