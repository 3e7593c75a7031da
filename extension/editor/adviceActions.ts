import * as vscode from 'vscode';
import path from 'node:path';
import type { PartyCostContext } from '../host/context';
import { adviceAppliedRequest, adviceRequest } from '../../sidecar/protocol';
import { agentAt } from '../../sidecar/shared/configLayout';
import type { AgentLocation } from '../../sidecar/shared/configLayout';
import { appliedOf } from '../../sidecar/contract/advice';
import type { Advice, AdviceApplied, AdviceReport } from '../../sidecar/contract/advice';
import { adviceTextEdits } from '../../sidecar/shared/adviceEdit';

/** The command a quick fix runs after its edit: the advice is kept (its saving is measured later) and the file saved. */
export const recordAdviceCommand = 'partycost.recordAppliedAdvice';

/** What identifies an advice between a list and the moment it is applied. */
export interface AdviceRef {
  agent: string;
  kind: string;
  change: string;
}

const isPartycostJson = (document: vscode.TextDocument): boolean => path.basename(document.fileName) === 'partycost.json';

/** The advice's edit of the document, as VS Code applies it (comments and layout kept). */
function workspaceEdit(document: vscode.TextDocument, advice: Advice): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of adviceTextEdits(document.getText(), advice.edit!)) {
    edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
  }
  return edit;
}

function title(advice: Advice): string {
  return `Apply advice: ${advice.change} (saves about $${advice.savingPerMonthUsd.toFixed(2)} a month, ${advice.confidence} confidence)`;
}

/**
 * Quick fixes on an agent of partycost.json: each advice for it that is a configuration edit (model, prompt cache,
 * batch, result-cache TTL, rounding, context budget). Applying one edits the file, saves it (so the estimate, lenses
 * and impact follow) and records the advice, whose saving the advisor then measures on the runs after it.
 */
export function registerAdviceActions(
  context: PartyCostContext,
  isConfig: (document: vscode.TextDocument) => boolean,
  agentsOf: (document: vscode.TextDocument) => AgentLocation[],
): void {
  // VS Code asks for code actions at every move of the cursor: one report per version of the document (and of the
  // ledger: a run or an applied advice changes it).
  let latest: { key: string; report: Promise<AdviceReport | null> } | undefined;
  const reportOf = (document: vscode.TextDocument): Promise<AdviceReport | null> => {
    const key = `${document.uri.toString()}#${document.version}`;
    if (latest?.key !== key) {
      const report = context.request(adviceRequest, { text: document.getText(), file: document.uri.fsPath }).then((answer) => answer.report);
      latest = { key, report };
      report.catch(() => {
        if (latest?.report === report) latest = undefined;
      });
    }
    return latest.report;
  };
  context.pushExtCleanup(context.onDidChangeParties(() => (latest = undefined)));
  const provider = vscode.languages.registerCodeActionsProvider(
    { scheme: 'file', pattern: '**/partycost.json' },
    {
      async provideCodeActions(document, range) {
        if (!isConfig(document) || !isPartycostJson(document)) return [];
        const located = agentAt(agentsOf(document), document.offsetAt(range.start));
        if (!located) return [];
        const report = await reportOf(document);
        const mine = report?.advice.filter((a) => a.agent === located.agent && a.edit) ?? [];
        return mine.map((advice, i) => {
          const action = new vscode.CodeAction(title(advice), vscode.CodeActionKind.QuickFix);
          action.edit = workspaceEdit(document, advice);
          action.isPreferred = i === 0;
          action.command = { command: recordAdviceCommand, title: 'Record the advice applied', arguments: [document.uri, appliedOf(advice)] };
          return action;
        });
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );
  // The quick fix's edit is applied before its command, so the document's version (the report's key) has moved on.
  const record = vscode.commands.registerCommand(recordAdviceCommand, (uri: vscode.Uri, applied: AdviceApplied) =>
    recordAndSave(
      context,
      vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()),
      applied,
    ),
  );
  context.pushExtCleanup(provider, record);
}

/**
 * Applies an advice from the Cost Estimates panel: the current advice with that agent, kind and change, to the saved
 * partycost.json (opened if need be), saved and recorded. Returns why not, when it cannot.
 */
export async function applyAdvice(context: PartyCostContext, ref: AdviceRef): Promise<string | undefined> {
  const file = context.sourceFiles().find((f) => path.basename(f) === 'partycost.json');
  if (!file) return "advice is applied to partycost.json; a crew's YAML is edited by hand";
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const { report } = await context.request(adviceRequest, { text: document.getText(), file });
  const advice = report?.advice.find((a) => a.agent === ref.agent && a.kind === ref.kind && a.change === ref.change);
  if (!advice) return `the advice "${ref.change}" for ${ref.agent} no longer holds (the configuration changed)`;
  if (!advice.edit) return `"${advice.change}" is an edit of the prompts: make it by hand`;
  if (!(await vscode.workspace.applyEdit(workspaceEdit(document, advice)))) return 'VS Code refused the edit';
  await recordAndSave(context, document, appliedOf(advice));
  return undefined;
}

/** Records an applied advice, then saves its edit: the views the save refreshes already list it as applied. */
async function recordAndSave(context: PartyCostContext, document: vscode.TextDocument | undefined, applied: AdviceApplied): Promise<void> {
  await context.request(adviceAppliedRequest, applied);
  if (document?.isDirty) await document.save();
}
