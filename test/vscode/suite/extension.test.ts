import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PartyCostApi } from '../../../extension/extension';
import { requestScreenshot } from './screenshot';
import { eventually } from './eventually';

function configUri(): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');
}

/** The position of the first occurrence of `needle` in the document. */
function positionOf(document: vscode.TextDocument, needle: string, offset = 1): vscode.Position {
  const at = document.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} not in the document`);
  return document.positionAt(at + offset);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('Party Cost Inspector in VS Code', function () {
  this.timeout(60_000);
  let api: PartyCostApi;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!;
    api = await extension.activate();
  });

  test('a CodeLens above each agent gives the one-line summary', async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    const lenses = await eventually('seven CodeLenses', async () => {
      const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10)).filter(
        (lens) => lens.command?.command === 'partycost.showCostEstimate',
      );
      return found.length === 7 ? found : undefined;
    });
    const titles = lenses.map((lens) => lens.command?.title ?? '');
    assert.match(titles[0], /^gpt-4o-mini · offline · \d+ → 200 tokens · \$0\.\d{6}\/run · \$\d+\.\d{2}\/month$/);
    assert.ok(
      titles.some((title) => /^compute · no tokens · /.test(title)),
      'the budget agent computes',
    );
    assert.ok(
      titles.some((title) => title.startsWith('gpt-4o · offline · ')),
      'the final planner uses gpt-4o',
    );
    await vscode.window.showTextDocument(document);
    await requestScreenshot('codelens');
  });

  test('hovering an agent shows its model, tokens and cost per run, per 1,000 parties and per month', async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    const editor = await vscode.window.showTextDocument(document);
    const position = positionOf(document, '"theme": {', 2);
    const text = await eventually('a hover on "theme"', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const found = hoverText(hovers);
      return found.includes('Cost per run') ? found : undefined;
    });
    assert.match(text, /\*\*theme\*\* · gpt-4o-mini/);
    assert.match(text, /Tokens: \d+ in \(counted\) → 200 out/);
    assert.match(text, /Cost per run: \$0\.\d{6}/);
    assert.match(text, /Per 1,000 parties: \$\d+\.\d{2} · per month: \$\d+\.\d{2} \(1,000 parties × 1\.5 runs\)/);
    assert.match(text, /Prices: @pydantic\/genai-prices 0\.1\.\d+ \(bundled\), as of \d{4}-\d{2}-\d{2}/);
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    await requestScreenshot('hover');
  });

  test('a hover right after an edit of that agent shows the edit; after an edit elsewhere, never a figure the edit changed', async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    await vscode.window.showTextDocument(document);
    const hoverOn = async (agent: string): Promise<string> =>
      hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, `"${agent}": {`, 2)));
    await eventually('a first hover on "theme"', async () => (await hoverOn('theme')).includes('Cost per run'));
    const replace = async (needle: string, after: string, by: string): Promise<void> => {
      const start = document.getText().indexOf(needle, document.getText().indexOf(after));
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(start + needle.length)), by);
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    try {
      // The hovered agent itself edited: the answer waits for the new estimate, whatever it takes.
      await replace('"expectedOutputTokens": 200', '"theme": {', '"expectedOutputTokens": 321');
      const edited = await hoverOn('theme');
      assert.match(edited, /→ 321 out/);
      assert.doesNotMatch(edited, /before the latest edit/);
      // Another agent edited: the answer may come from the version before (and says so), whose theme is the same.
      await replace('"expectedOutputTokens": 250', '"venue": {', '"expectedOutputTokens": 260');
      const elsewhere = await hoverOn('theme');
      assert.match(elsewhere, /→ 321 out/);
      // The settings edited (the volume): the version before is never used.
      await replace('"partiesPerMonth": 1000', '"volume"', '"partiesPerMonth": 2000');
      assert.match(await hoverOn('theme'), /\(2,000 parties × 1\.5 runs\)/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('a broken configuration shows diagnostics at their positions, updated as the file changes', async () => {
    const document = await vscode.workspace.openTextDocument(configUri());
    await vscode.window.showTextDocument(document);
    const original = readFileSync(configUri().fsPath, 'utf8');
    const edit = new vscode.WorkspaceEdit();
    const at = document.getText().indexOf('"gpt-4o-mini"');
    edit.replace(document.uri, new vscode.Range(document.positionAt(at), document.positionAt(at + '"gpt-4o-mini"'.length)), '"gpt-4o-mni"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const problems = await eventually('a diagnostic for the unknown model', () => {
      const found = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'partycost');
      return found.length ? found : undefined;
    });
    assert.equal(problems[0].message, 'unknown model "gpt-4o-mni" (did you mean "gpt-4o-mini"?); add its prices under "prices" to use it');
    assert.deepEqual([problems[0].range.start.line, problems[0].range.start.character], [document.positionAt(at).line, document.positionAt(at).character]);
    assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Error);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await requestScreenshot('diagnostics');
    // Put the file back as it was, on disk too: an auto-save may have written the broken text meanwhile.
    const restore = new vscode.WorkspaceEdit();
    restore.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
    assert.ok(await vscode.workspace.applyEdit(restore));
    assert.ok(await document.save());
    assert.equal(readFileSync(configUri().fsPath, 'utf8'), original);
    await eventually('the diagnostics to clear', () => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'partycost').length === 0);
  });

  test('Run Party Plan creates a party that the parties tree shows, and Resume Party Plan resumes it', async () => {
    const report = await vscode.commands.executeCommand<{ party: string; executed: number }>('partycost.runPartyPlan', {
      inputs: ['jungle theme', '75 guests', 'chocolate cake'],
    });
    assert.ok(report, 'the run returned its report');
    assert.equal(report.executed, 6);
    const nodes = await eventually('the party in the tree', async () => {
      const children = await api.partiesTree.getChildren();
      return children.some((node) => node.kind === 'party' && node.party.id === report.party) ? children : undefined;
    });
    const item = api.partiesTree.getTreeItem(nodes.find((node) => node.kind === 'party' && node.party.id === report.party)!);
    assert.match(String(item.label), new RegExp(`^${report.party} `));
    assert.match(String(item.description), /^draft · 3 inputs · 6 results$/);
    await vscode.commands.executeCommand('workbench.view.extension.partycost');
    await requestScreenshot('parties-tree');

    await vscode.commands.executeCommand('partycost.addInput', { party: report.party, text: 'Need balloon artist' });
    const saved = await vscode.commands.executeCommand<{ version: number }>('partycost.saveSnapshot', { party: report.party, type: 'draft' });
    assert.ok(saved && saved.version >= 1);
    const resumed = await vscode.commands.executeCommand<{ plan: { agents: { agent: string; action: string; cause: string }[] } }>(
      'partycost.resumePartyPlan',
      {
        party: report.party,
        version: saved.version,
      },
    );
    assert.ok(resumed);
    const vendor = resumed.plan.agents.find((a) => a.agent === 'vendor')!;
    assert.deepEqual([vendor.action, vendor.cause], ['execute', 'input added']);
    await requestScreenshot('resume-plan');

    const budgets = await vscode.commands.executeCommand<{ agents: { agent: string; budget: number | null; tokens: number }[] }>('partycost.showTokenBudgets', {
      party: report.party,
    });
    assert.ok(budgets);
    const venue = budgets.agents.find((a) => a.agent === 'venue')!;
    assert.equal(venue.budget, 1500);
    assert.ok(venue.tokens > 0 && venue.tokens <= 1500);
    const estimate = await vscode.commands.executeCommand<{ rightSizing: { agent: string; suggested: { model: string } | null }[] }>(
      'partycost.showCostEstimate',
    );
    assert.equal(estimate.rightSizing.find((r) => r.agent === 'planner_final')?.suggested?.model, 'gpt-4.1');
  });

  test('the sidecar is restarted after it is killed, and keeps serving', async () => {
    const first = await eventually('a running sidecar', async () => vscode.commands.executeCommand<number>('partycost.sidecarPid'));
    process.kill(first, 'SIGKILL');
    const second = await eventually('a new sidecar', async () => {
      const pid = await vscode.commands.executeCommand<number>('partycost.sidecarPid');
      return pid && pid !== first ? pid : undefined;
    });
    assert.notEqual(second, first);
    const nodes = await api.partiesTree.getChildren();
    assert.ok(nodes.length >= 1, 'the parties are still there after the restart');
  });

  test("Set API Key keeps each provider's key in secret storage and hands it to the sidecar's environment only", async () => {
    const canary = 'sk-ant-api03-VSCODECANARY0123456789';
    const before = await eventually('a running sidecar', async () => vscode.commands.executeCommand<number>('partycost.sidecarPid'));
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'anthropic', key: canary });
    const pid = await eventually('the sidecar restarted with the key', async () => {
      const now = await vscode.commands.executeCommand<number>('partycost.sidecarPid');
      return now && now !== before ? now : undefined;
    });
    const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes(`ANTHROPIC_API_KEY=${canary}`), 'the sidecar got the key in its environment');
    const settings = vscode.workspace.getConfiguration();
    assert.ok(!JSON.stringify(settings).includes(canary), 'not in the settings');
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    for (const file of filesBelow(folder)) assert.ok(!readFileSync(file).includes(canary), `not in ${file}`);
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'anthropic', key: '' });
    const after = await eventually('the sidecar restarted without the key', async () => {
      const now = await vscode.commands.executeCommand<number>('partycost.sidecarPid');
      return now && now !== pid ? now : undefined;
    });
    assert.ok(!readFileSync(`/proc/${after}/environ`, 'utf8').includes(canary), 'a removed key is gone from the sidecar');
  });
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}
