import * as vscode from 'vscode';
import path from 'node:path';
import type { AgentCost } from './agentCosts';

/**
 * Where the agents of an OpenAI Agents SDK or ADK project stand in a document: each estimate row says where its agent
 * is defined (`definedAt`: its `name=` argument, its YAML `name:`), so hovers and lenses need no parser of their own.
 */
export interface FrameworkPlace {
  agent: string;
  range: vscode.Range;
  cost: AgentCost;
}

/** Files whose agents come from estimates' `definedAt`: Python, TypeScript and JavaScript, and YAML other than a crew's. */
export function isFrameworkDocument(document: vscode.TextDocument): boolean {
  const name = path.basename(document.fileName);
  return /\.(py|[cm]?[jt]s|ya?ml)$/i.test(name) && !/^(agents|tasks)\.ya?ml$/i.test(name);
}

/** The places of the agents defined in the document, from its estimate. */
export function frameworkPlaces(costs: Map<string, AgentCost>, document: vscode.TextDocument): FrameworkPlace[] {
  const file = path.resolve(document.uri.fsPath);
  const places: FrameworkPlace[] = [];
  for (const [agent, cost] of costs) {
    const at = cost.estimate.definedAt;
    if (!at || !sameFile(file, at.file)) continue;
    const start = new vscode.Position(at.line - 1, at.column - 1);
    const word = document.getWordRangeAtPosition(start, /"[^"\n]*"|'[^'\n]*'|`[^`\n]*`|[\w.-]+/);
    places.push({ agent, range: word ?? new vscode.Range(start, start.translate(0, 1)), cost });
  }
  return places;
}

/** Whether a row's file (as the sidecar shows it: relative to the workspace, or absolute) is the document's. */
function sameFile(file: string, shown: string): boolean {
  const normal = shown.split(/[\\/]/).join(path.sep);
  return path.isAbsolute(normal) ? path.resolve(normal) === file : file === path.resolve(normal) || file.endsWith(path.sep + normal);
}
