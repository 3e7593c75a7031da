import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickInView, elements, probeView } from './webviewProbe';
import { requestScreenshot } from './screenshot';
import { eventually } from './eventually';

// The savings advisor in the real VS Code, run inside the webviews suite while its Cost Estimates panel is open: the
// panel lists the ranked changes and what prompt caching does for each agent; a quick fix on an agent of
// partycost.json applies its advice, saves the file, and the panel follows (the advice gone, its record listed as
// applied); so does the panel's Apply button.

/** The sample's JSON: its comments are whole lines. */
const withoutComments = (text: string): unknown => JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));

export const configUri = (): vscode.Uri => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');

/** Writes the configuration back as it was and saves it. */
export async function restoreConfig(original: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(configUri());
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await document.save());
}

/** The panel ranks the advice by saving and shows prompt caching by each vendor's rules. */
export async function adviceInPanel(): Promise<void> {
  await vscode.commands.executeCommand('partycost.showCostEstimate');
  const snapshot = await probeView('estimates', (s) => elements(s, 'advice').length > 0 && elements(s, 'prompt-caching').length > 0);
  const advice = elements(snapshot, 'advice');
  assert.deepEqual(
    advice.map((a) => Number(a.rank)),
    advice.map((_, i) => i + 1),
  );
  const savings = advice.map((a) => Number(a.savingMonth));
  assert.deepEqual(
    savings,
    [...savings].sort((a, b) => b - a),
    'ranked by saving per month',
  );
  assert.ok(
    advice.some((a) => a.agent === 'planner_final' && a.kind === 'model'),
    JSON.stringify(advice.map((a) => a.change)),
  );
  assert.ok(advice.some((a) => a.agent === 'vendor' && a.kind === 'batch'));
  const caching = elements(snapshot, 'prompt-caching');
  assert.deepEqual(
    caching.map((c) => [c.agent, c.vendor, c.minimum, c.cached]),
    ['theme', 'venue', 'cake', 'catering', 'vendor', 'planner_final'].map((a) => [a, 'openai', '1024', '0']),
  );
  const section = elements(snapshot, 'advice-section')[0];
  assert.ok(Math.abs(Number(section.total) - savings.reduce((t, s) => t + s, 0)) < 1e-6);
  // A click on its heading scrolls the section into view, as a user would, for the picture.
  await clickInView('estimates', '[data-probe="advice-section"] h2');
  await requestScreenshot('estimates-advice');
}

/** A quick fix on planner_final applies its model advice: saved, comments kept; the panel drops it and lists it as applied. */
export async function quickFixApplies(): Promise<void> {
  // The document is not shown: the panel stays in view, and must follow the save by itself.
  const document = await vscode.workspace.openTextDocument(configUri());
  const at = document.positionAt(document.getText().indexOf('"planner_final"') + 3);
  const actions = await eventually('quick fixes on planner_final', async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      new vscode.Range(at, at),
      vscode.CodeActionKind.QuickFix.value,
    );
    return found.some((a) => a.title.startsWith('Apply advice: model gpt-4o → ')) ? found : undefined;
  });
  const fix = actions.find((a) => a.title.startsWith('Apply advice: model gpt-4o → '))!;
  const suggested = /model gpt-4o → (\S+)/.exec(fix.title)![1];
  assert.match(fix.title, /saves about \$\d+\.\d\d a month, medium confidence\)$/);
  assert.ok(fix.edit && fix.command);
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  assert.equal(document.isDirty, false, 'saved');
  assert.equal((withoutComments(document.getText()) as { agents: Record<string, { model?: string }> }).agents.planner_final.model, suggested);
  assert.match(document.getText(), /\/\/ Party Cost Inspector: the agents of a party planner/, 'comments kept');
  const escaped = suggested.replace(/\./g, '\\.');
  const snapshot = await probeView(
    'estimates',
    (s) => elements(s, 'applied-advice').length > 0 && !elements(s, 'advice').some((a) => a.agent === 'planner_final' && a.kind === 'model'),
  );
  assert.match(elements(snapshot, 'applied-advice')[0].text, new RegExp(`planner_final: model gpt-4o → ${escaped}: predicted \\$`));
  assert.ok(
    elements(snapshot, 'model').some((m) => m.text.startsWith(suggested)),
    'the estimate shows planner_final on its new model',
  );
  await clickInView('estimates', '[data-probe="applied-advice"]');
  await requestScreenshot('estimates-advice-applied');
}

/** The panel's Apply button applies an advice as well: batch: true on the agent that may wait. */
export async function applyButtonApplies(): Promise<void> {
  await probeView('estimates', (s) => elements(s, 'advice').some((a) => a.agent === 'vendor' && a.kind === 'batch'));
  await clickInView('estimates', '[data-probe="advice"][data-agent="vendor"][data-kind="batch"] [data-probe="apply-advice"]');
  const document = await vscode.workspace.openTextDocument(configUri());
  await eventually(
    'batch: true written and saved',
    () => !document.isDirty && (withoutComments(document.getText()) as { agents: Record<string, { batch?: boolean }> }).agents.vendor.batch === true,
  );
  const snapshot = await probeView(
    'estimates',
    (s) => elements(s, 'applied-advice').length > 0 && !elements(s, 'advice').some((a) => a.agent === 'vendor' && a.kind === 'batch'),
  );
  assert.match(elements(snapshot, 'applied-advice')[0].text, /vendor: batch: true: predicted \$/);
}
