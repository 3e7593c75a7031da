import * as vscode from 'vscode';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PartyCostContext } from '../host/context';
import { validateRequest } from '../../sidecar/protocol';
import { agentAt } from './agentLocator';
import { AgentCosts, hoverMarkdown, summary } from './agentCosts';

/**
 * How long a hover after an edit waits for the new version's estimate before it answers from the version before,
 * when the edit left the hovered agent's entry and the settings as they were: not at all. The new estimate was
 * asked for on the edit; until it is in, the latest one answers, and says so.
 */
const hoverWaitMs = 0;

/** One hover our provider answered: how long it took, from VS Code's call to the answer, and on which version. */
export interface HoverTiming {
  ms: number;
  version: number;
  /** Answered from the version before the latest edit (see AgentCosts.costOf). */
  previous: boolean;
}

const hoverTimings = new vscode.EventEmitter<HoverTiming>();
/** Fires for each hover with an agent's cost (the bench measures our share of a hover's latency with it). */
export const onDidProvideHover = hoverTimings.event;

/** Hovers, CodeLens and diagnostics on the workspace's partycost.json. */
export function registerEditorFeatures(context: PartyCostContext): void {
  const isConfig = (document: vscode.TextDocument): boolean =>
    context.configPath !== undefined && path.resolve(document.uri.fsPath) === path.resolve(context.configPath);
  const selector: vscode.DocumentSelector = { pattern: '**/partycost.json' };
  const costs = new AgentCosts(context);
  const lensesChanged = new vscode.EventEmitter<void>();
  context.onDidChangeParties(() => {
    costs.invalidate();
    lensesChanged.fire();
  });

  const hover = vscode.languages.registerHoverProvider(selector, {
    async provideHover(document, position) {
      if (!isConfig(document)) return undefined;
      const started = performance.now();
      const layout = costs.layoutOf(document);
      const located = agentAt(layout.agents, document.offsetAt(position));
      if (!located) return undefined;
      const { cost, previous } = await costs.costOf(document, layout, located.agent, hoverWaitMs);
      if (!cost) return undefined;
      const range = new vscode.Range(document.positionAt(located.offset), document.positionAt(located.offset + located.length));
      const answer = new vscode.Hover(hoverMarkdown(cost, previous), range);
      hoverTimings.fire({ ms: performance.now() - started, version: document.version, previous });
      return answer;
    },
  });

  const lenses = vscode.languages.registerCodeLensProvider(selector, {
    onDidChangeCodeLenses: lensesChanged.event,
    async provideCodeLenses(document) {
      if (!isConfig(document)) return [];
      const all = await costs.costs(document);
      return costs.layoutOf(document).agents.flatMap((located) => {
        const cost = all.get(located.agent);
        if (!cost) return [];
        const range = new vscode.Range(document.positionAt(located.offset), document.positionAt(located.offset + located.length));
        return [new vscode.CodeLens(range, { title: summary(cost), command: 'partycost.showCostEstimate' })];
      });
    },
  });

  const diagnostics = vscode.languages.createDiagnosticCollection('partycost');
  const timers = new Map<string, NodeJS.Timeout>();
  const validate = async (document: vscode.TextDocument): Promise<void> => {
    const { problems } = await context.request(validateRequest, { text: document.getText() });
    diagnostics.set(
      document.uri,
      problems.map((p) => {
        const range = new vscode.Range(p.start.line, p.start.character, p.end.line, p.end.character);
        const diagnostic = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diagnostic.source = 'partycost';
        return diagnostic;
      }),
    );
  };
  // Debounced: problems follow typing, but never more than once per pause.
  const schedule = (document: vscode.TextDocument): void => {
    if (!isConfig(document)) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => void validate(document).catch((error: Error) => context.log.warn(`validation failed: ${error.message}`)), 300));
  };
  vscode.workspace.textDocuments.forEach(schedule);
  context.pushExtCleanup(
    hover,
    lenses,
    lensesChanged,
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(schedule),
    vscode.workspace.onDidChangeTextDocument((event) => {
      schedule(event.document);
      // The new version's costs are asked for at once, so a hover or lens that follows finds them under way (or done).
      if (isConfig(event.document) && event.contentChanges.length) void costs.costs(event.document).catch(() => undefined);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => diagnostics.delete(document.uri)),
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
  );
}
