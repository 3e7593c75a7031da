import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { requestScreenshot, screenshotsOn } from './screenshot';

suite('VS Code with the fixture workspace', () => {
  test('the fixture folder is open and holds partycost.json', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    const config = vscode.Uri.joinPath(folders[0].uri, 'partycost.json');
    const stat = await vscode.workspace.fs.stat(config);
    assert.equal(stat.type, vscode.FileType.File);
  });

  test('the workspace API finds partycost.json', async () => {
    const found = await vscode.workspace.findFiles('partycost.json');
    assert.equal(found.length, 1);
  });

  test('Party Cost Inspector is loaded as the development extension and activates', async () => {
    const extension = vscode.extensions.getExtension('partycost.party-cost-inspector');
    assert.ok(extension, 'extension partycost.party-cost-inspector not found');
    await extension.activate();
    assert.ok(extension.isActive);
  });

  test('the walkthrough opens on the first activation', async () => {
    const walkthroughOpen = (): boolean =>
      vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => /Walkthrough: Party Cost Inspector/.test(tab.label)));
    const deadline = Date.now() + 20_000;
    while (!walkthroughOpen() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(walkthroughOpen(), `no walkthrough tab among ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')}`);
    await requestScreenshot('walkthrough');
  });

  test('a screenshot of the workbench', async () => {
    const config = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');
    await vscode.window.showTextDocument(config);
    const png = await requestScreenshot('workbench');
    if (screenshotsOn()) assert.ok(png.endsWith('workbench.png'));
  });
});
