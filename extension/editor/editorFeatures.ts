import * as vscode from 'vscode';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PartyCostContext } from '../host/context';
import { validateRequest } from '../../sidecar/protocol';
import { agentAt } from '../../sidecar/shared/configLayout';
import { AgentCosts, crewAgentMarkdown, crewAgentSummary, hoverMarkdown, summary, tasksOf } from './agentCosts';
import type { AgentCost } from './agentCosts';
import type { ImpactTracker } from '../views/impactStatus';
import { registerAdviceActions } from './adviceActions';
import { frameworkPlaces, isFrameworkDocument } from './frameworkPlaces';

/** A crew's agents.yaml, whose entries are CrewAI agents (each costs the sum of its tasks), not tasks. */
const isCrewAgents = (document: vscode.TextDocument): boolean => /^agents\.ya?ml$/i.test(path.basename(document.fileName));

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

/** Hovers, CodeLens and diagnostics on the workspace's configuration: partycost.json, or a crew's YAML files. */
export function registerEditorFeatures(context: PartyCostContext, impact: ImpactTracker): void {
  const isConfig = (document: vscode.TextDocument): boolean => document.uri.scheme === 'file' && context.isSourceFile(document.uri.fsPath);
  const selector: vscode.DocumentSelector = [
    { scheme: 'file', pattern: '**/*.json' },
    { scheme: 'file', pattern: '**/{agents,tasks}.yaml' },
    { scheme: 'file', pattern: '**/{agents,tasks}.yml' },
    { scheme: 'file', pattern: '**/*.py' },
    // OpenAI Agents SDK (TypeScript, JavaScript) and ADK Agent Config files.
    { scheme: 'file', pattern: '**/*.{ts,mts,cts,js,mjs,cjs}' },
    { scheme: 'file', pattern: '**/*.{yaml,yml}' },
  ];
  const costs = new AgentCosts(context);
  const lensesChanged = new vscode.EventEmitter<void>();
  context.pushExtCleanup(
    context.onDidChangeParties(() => {
      costs.invalidate();
      lensesChanged.fire();
    }),
    impact.onDidChange(() => lensesChanged.fire()),
  );

  const hover = vscode.languages.registerHoverProvider(selector, {
    async provideHover(document, position) {
      if (!isConfig(document)) return undefined;
      const started = performance.now();
      if (isFrameworkDocument(document)) {
        // An Agents SDK or ADK agent: its estimate says where it is defined.
        const place = frameworkPlaces(await costs.costs(document), document).find((p) => p.range.contains(position));
        if (place) {
          const answer = new vscode.Hover(hoverMarkdown(place.cost), place.range);
          hoverTimings.fire({ ms: performance.now() - started, version: document.version, previous: false });
          return answer;
        }
      }
      const layout = costs.layoutOf(document);
      const located = agentAt(layout.agents, document.offsetAt(position));
      if (!located) return undefined;
      const range = new vscode.Range(document.positionAt(located.offset), document.positionAt(located.offset + located.length));
      let markdown: vscode.MarkdownString;
      let previous = false;
      if (isCrewAgents(document) || located.crewAgent) {
        const [task, ...more] = tasksOf(await costs.costs(document), located.agent);
        if (!task) return undefined;
        markdown = crewAgentMarkdown(located.agent, [task, ...more]);
      } else {
        const found = await costs.costOf(document, layout, located.agent, hoverWaitMs);
        if (!found.cost) return undefined;
        previous = found.previous;
        markdown = hoverMarkdown(found.cost, previous);
      }
      const answer = new vscode.Hover(markdown, range);
      hoverTimings.fire({ ms: performance.now() - started, version: document.version, previous });
      return answer;
    },
  });

  const lenses = vscode.languages.registerCodeLensProvider(selector, {
    onDidChangeCodeLenses: lensesChanged.event,
    async provideCodeLenses(document) {
      if (!isConfig(document)) return [];
      const all = await costs.costs(document);
      const crewAgents = isCrewAgents(document);
      // A crew's Python holds both: @agent methods (CrewAI agents) and @task methods (tasks).
      // At the top of the configuration: what the saved version re-runs across the stored parties.
      const affected = impact.latest && impact.latest.parties.affected > 0 && !document.isDirty ? impact.latest : undefined;
      const top = new vscode.Range(0, 0, 0, 0);
      const impactLenses = affected
        ? [
            new vscode.CodeLens(top, { title: `$(history) ${affected.summary}`, command: 'partycost.showImpact' }),
            new vscode.CodeLens(top, { title: 'Refresh Affected Parties', command: 'partycost.refreshAffectedParties' }),
          ]
        : [];
      const frameworkLenses = isFrameworkDocument(document)
        ? frameworkPlaces(all, document).map((place) => new vscode.CodeLens(place.range, { title: summary(place.cost), command: 'partycost.showCostEstimate' }))
        : [];
      const placed = new Set(frameworkLenses.length ? frameworkPlaces(all, document).map((p) => p.agent) : []);
      return [
        ...impactLenses,
        ...frameworkLenses,
        ...costs
          .layoutOf(document)
          .agents.filter((located) => !placed.has(located.agent))
          .flatMap((located) => {
            const range = new vscode.Range(document.positionAt(located.offset), document.positionAt(located.offset + located.length));
            const title = crewAgents || located.crewAgent ? crewTitle(tasksOf(all, located.agent)) : all.get(located.agent) && summary(all.get(located.agent)!);
            return title ? [new vscode.CodeLens(range, { title, command: 'partycost.showCostEstimate' })] : [];
          }),
      ];
    },
  });

  registerAdviceActions(context, isConfig, (document) => costs.layoutOf(document).agents);

  const diagnostics = vscode.languages.createDiagnosticCollection('partycost');
  const timers = new Map<string, NodeJS.Timeout>();
  // Problems of every file of the configuration at once: an edit in agents.yaml can break a task in tasks.yaml.
  const validate = async (document: vscode.TextDocument): Promise<void> => {
    const others = vscode.workspace.textDocuments.filter((d) => d !== document && isConfig(d));
    const texts = Object.fromEntries(others.map((d) => [d.uri.fsPath, d.getText()]));
    const { problems } = await context.request(validateRequest, { text: document.getText(), file: document.uri.fsPath, texts });
    const byFile = new Map<string, vscode.Diagnostic[]>(context.sourceFiles().map((file) => [path.resolve(file), []]));
    byFile.set(path.resolve(document.uri.fsPath), []);
    for (const p of problems) {
      const file = path.resolve(p.file ?? document.uri.fsPath);
      const range = new vscode.Range(p.start.line, p.start.character, p.end.line, p.end.character);
      const diagnostic = new vscode.Diagnostic(range, p.message, severityOf(p.severity));
      diagnostic.source = 'partycost';
      byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
    }
    for (const [file, list] of byFile) diagnostics.set(vscode.Uri.file(file), list);
  };
  // Debounced: problems follow typing, but never more than once per pause.
  const schedule = (document: vscode.TextDocument): void => {
    if (!isConfig(document)) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => void validate(document).catch((error: Error) => context.log.warn(`validation failed: ${error.message}`)), 300),
    );
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
    // Problems of a closed file stay while another file of the configuration is open (they still hold); else they go.
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (!vscode.workspace.textDocuments.some((d) => d !== document && isConfig(d))) diagnostics.clear();
    }),
    context.onDidChangeConfigFile(() => vscode.workspace.textDocuments.forEach(schedule)),
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
  );
}

/** A CrewAI agent's lens: the sum of its tasks, or undefined when it has none. */
function crewTitle(tasks: AgentCost[]): string | undefined {
  return tasks.length ? crewAgentSummary(tasks) : undefined;
}

function severityOf(severity: 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return severity === 'error'
    ? vscode.DiagnosticSeverity.Error
    : severity === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}
