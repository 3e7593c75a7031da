import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { PartyCostApi } from '../../../extension/extension';
import type { RefreshOutcome } from '../../../extension/commands/impactCommands';
import type { ImpactResult } from '../../../sidecar/protocol';
import type { RunReport } from '../../../sidecar/contract/plan';
import { elements, probeView } from './webviewProbe';
import { requestScreenshot } from './screenshot';
import { eventually } from './eventually';

// The impact of a saved edit in the real VS Code: the CodeLens at the top of partycost.json and the status bar say what
// it re-runs across the stored parties, the Configuration Impact panel lists them, and Refresh Affected Parties
// brings them up to date, after which nothing is affected.

const configUri = (): vscode.Uri => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');

async function topLenses(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
  return lenses
    .filter((lens) => lens.range.start.line === 0 && lens.command?.command !== 'partycost.showCostEstimate')
    .map((lens) => lens.command?.title ?? '');
}

async function saveText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await document.save());
}

suite('Configuration impact in VS Code', function () {
  this.timeout(120_000);
  let api: PartyCostApi;
  let original: string;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!.activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    original = new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri()));
    // Two parties that ran with the configuration as it is, and everything else up to date with it.
    for (const inputs of [
      ['jungle theme', '75 guests'],
      ['pirate theme', '40 kids', 'chocolate cake'],
    ]) {
      const report = await vscode.commands.executeCommand<RunReport>('partycost.runPartyPlan', { inputs });
      assert.ok(report.executed > 0);
    }
    await vscode.commands.executeCommand('partycost.refreshAffectedParties');
    const settled = await api.impact.refresh();
    assert.equal(settled?.parties.affected, 0, settled?.summary);
  });

  suiteTeardown(async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    await saveText(document, original);
    await vscode.commands.executeCommand('partycost.refreshAffectedParties');
    // Nothing closed here: in code-server a panel opened right after others were closed (the next suite's Cost
    // Estimates) was seen to stay blank.
  });

  test('a saved prompt edit: the top CodeLens and the status bar say what it re-runs; the panel lists agents and parties', async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    await vscode.window.showTextDocument(document);
    assert.deepEqual(await topLenses(document.uri), [], 'nothing affected: no lens at the top');
    await saveText(document, original.replace('Suggest a party theme', 'Suggest a bold party theme'));
    const [summary, refresh] = await eventually('the impact lenses at the top', async () => {
      const titles = await topLenses(document.uri);
      return titles.length === 2 ? titles : undefined;
    });
    const impact = api.impact.latest!;
    assert.match(summary, /^\$\(history\) re-runs \d agents in \d+ parties · \$\d+\.\d+ \(\$\d+\.\d+ batch\)$/);
    assert.equal(summary, `$(history) ${impact.summary}`, 'the status bar shows the same line');
    assert.equal(refresh, 'Refresh Affected Parties');
    const theme = impact.agents.find((a) => a.agent === 'theme')!;
    assert.deepEqual([theme.cause, theme.detail, theme.conditional], ['configuration changed', 'prompt', false]);
    assert.ok(theme.parties >= 2);
    await requestScreenshot('impact-codelens');

    const shown = await vscode.commands.executeCommand<ImpactResult>('partycost.showImpact');
    assert.equal(shown.summary, impact.summary);
    const snapshot = await probeView('impact', (s) => elements(s, 'agent').length === impact.agents.length);
    assert.equal(elements(snapshot, 'agent')[0].agent, 'theme');
    assert.equal(Number(elements(snapshot, 'summary')[0].affected), impact.parties.affected);
    assert.deepEqual(
      elements(snapshot, 'party').map((p) => p.party),
      impact.byParty!.map((p) => p.party),
    );
    await requestScreenshot('impact-panel');
  });

  test('Refresh Affected Parties runs each affected party; afterwards nothing is affected and the lens is gone', async () => {
    const before = api.impact.latest!;
    assert.ok(before.parties.affected > 0);
    const outcome = await vscode.commands.executeCommand<RefreshOutcome>('partycost.refreshAffectedParties');
    assert.deepEqual(
      outcome.refreshed,
      before.byParty!.map((p) => p.party),
    );
    assert.deepEqual([outcome.failed, outcome.cancelled], [[], false]);
    assert.ok(outcome.executed >= before.agents.filter((a) => !a.conditional && a.action === 'execute').reduce((sum, a) => sum + a.parties, 0));
    assert.equal(api.impact.latest!.parties.affected, 0);
    assert.deepEqual(await eventually('no lens at the top', async () => ((await topLenses(configUri())).length === 0 ? [] : undefined)), []);
  });
});
