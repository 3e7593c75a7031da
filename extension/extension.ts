import * as vscode from 'vscode';
import { PartyCostContext } from './host/context';
import { onDidProvideHover, registerEditorFeatures } from './editor/editorFeatures';
import { registerPartyCommands } from './commands/partyCommands';
import { registerWorkspaceCommands } from './commands/workspaceCommands';
import { PartiesTree } from './views/partiesTree';
import { registerStatusBar } from './views/statusBar';
import { registerProduction } from './views/production';
import { CacheView } from './webviews/cache/cacheView';
import { registerFirstRun } from './views/firstRun';
import { ImpactTracker } from './views/impactStatus';
import { registerImpactCommands } from './commands/impactCommands';
import { onDidPaintView } from './webviews/viewHost';
import type { HoverTiming } from './editor/editorFeatures';
import type { ViewPaint } from './webviews/viewHost';

let context: PartyCostContext | undefined;

/** What the extension exports to other extensions and to its tests in a real VS Code. */
export interface PartyCostApi {
  /** The parties view's data, as the tree shows it. */
  partiesTree: PartiesTree;
  /** The sidebar's Cache Statistics view: its state, and an event for each state it is sent. */
  cacheView: CacheView;
  /** Fires when a webview paints its first state, with the time since its host was created (for the bench). */
  onDidPaintView: vscode.Event<ViewPaint>;
  /** Fires when our hover provider answers, with how long it took (for the bench). */
  onDidProvideHover: vscode.Event<HoverTiming>;
  /** What the saved configuration re-runs across the stored parties (the status bar's and the top CodeLens's figures). */
  impact: ImpactTracker;
  /** Fires for each agent of a run as it starts, finishes or fails (with why), as the progress notification shows it. */
  onRunProgress: PartyCostContext['onRunProgress'];
  /** The folder VS Code keeps this extension's logs in (the "Party Cost Inspector" output channel's file among them). */
  logUri: vscode.Uri;
}

/**
 * Activation on a workspace with partycost.json, or on a Party Cost command. The sidecar starts on first need, which
 * in a workspace with a configuration is the status bar's spend, right after activation.
 */
export function activate(extension: vscode.ExtensionContext): PartyCostApi {
  context = new PartyCostContext(extension);
  context.log.info(`Party Cost Inspector ${extension.extension.packageJSON.version as string} activated`);
  registerPartyCommands(context);
  registerWorkspaceCommands(context);
  const impact = new ImpactTracker(context);
  context.pushExtCleanup(impact);
  registerImpactCommands(context, impact);
  registerEditorFeatures(context, impact);
  const parties = new PartiesTree(context);
  context.pushExtCleanup(
    // Trust granted: a new sidecar, told so (its providers may then use the endpoints the configuration names).
    vscode.workspace.onDidGrantWorkspaceTrust(() => void context?.restartSidecar()),
    vscode.window.registerTreeDataProvider('partycost.parties', parties),
    vscode.commands.registerCommand('partycost.refreshParties', () => parties.refresh()),
  );
  const cacheView = new CacheView(context);
  context.pushExtCleanup(cacheView, vscode.window.registerWebviewViewProvider(CacheView.viewId, cacheView));
  registerStatusBar(context);
  registerProduction(context);
  registerFirstRun(context);
  return { partiesTree: parties, cacheView, impact, onDidPaintView, onDidProvideHover, onRunProgress: context.onRunProgress, logUri: extension.logUri };
}

/** Returns the promise that stops the sidecar. */
export function deactivate(): Promise<void> | undefined {
  return context?.shutdown();
}
