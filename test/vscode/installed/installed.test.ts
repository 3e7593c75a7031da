// The extension as users get it: installed from its VSIX into a fresh extensions folder, nothing loaded from the
// source tree. run.mjs (PARTYCOST_VSCODE_SUITE=installed) packages and installs it, and bundles this file with
// test/vscode/suite/index.ts as the mocha runner.
import * as assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { readSuiteConfig } from '../suite/suiteConfig';
import { eventually } from '../suite/eventually';

/** What run.mjs adds to suite-config.json for this suite. */
interface InstalledConfig {
  /** The fresh --extensions-dir the VSIX was installed into. */
  extensionsDir: string;
  /** The repository, which nothing may be loaded from. */
  sourceTree: string;
  /** The Node that must run the sidecar: `partycost.nodePath` (test/run.mjs installed@24), else `node` on PATH. */
  sidecarNode: { path: string; version: string; abi: string };
}

const EXTENSION_ID = 'partycost.party-cost-inspector';

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(realpathSync(dir), realpathSync(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The files a process has mapped into memory (shared libraries and native modules among them). */
function mappedFiles(pid: number): string[] {
  return readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/).slice(5).join(' '))
    .filter((file) => file.startsWith('/'));
}

suite('Party Cost Inspector installed from its VSIX', function () {
  this.timeout(60_000);
  const { extensionsDir, sourceTree, sidecarNode } = readSuiteConfig() as ReturnType<typeof readSuiteConfig> & InstalledConfig;
  let extension: vscode.Extension<unknown>;

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed`);
    extension = found;
    await extension.activate();
  });

  test('it activates from the fresh extensions folder, not from the source tree', () => {
    assert.ok(extension.isActive);
    assert.ok(isInside(extension.extensionPath, extensionsDir), `${extension.extensionPath} is not in ${extensionsDir}`);
    assert.ok(!isInside(extension.extensionPath, sourceTree), `${extension.extensionPath} is in the source tree`);
  });

  test('the sidecar and its native SQLite module run from the installed folder', async () => {
    // The status bar asks the sidecar for the spend right after activation, which starts it.
    const pid = await eventually('a running sidecar', async () => vscode.commands.executeCommand<number | undefined>('partycost.sidecarPid'));
    const [, script] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.equal(realpathSync(script), realpathSync(path.join(extension.extensionPath, 'bin', 'partycost.js')));
    const sqlite = await eventually('better-sqlite3 loaded in the sidecar', () => mappedFiles(pid).find((file) => file.endsWith('better_sqlite3.node')));
    assert.ok(isInside(sqlite, extension.extensionPath), `the sidecar loaded ${sqlite}`);
    // The Node it was given runs it, with the native module the VSIX ships for that Node's ABI.
    assert.equal(realpathSync(`/proc/${pid}/exe`), realpathSync(sidecarNode.path), `the sidecar runs on ${sidecarNode.version}`);
    assert.equal(
      path.relative(realpathSync(extension.extensionPath), realpathSync(sqlite)),
      `node_modules/better-sqlite3/build/node-v${sidecarNode.abi}-linux-x64/better_sqlite3.node`,
    );
  });

  test('a hover on an agent of partycost.json shows its cost per run', async () => {
    const config = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');
    const document = await vscode.workspace.openTextDocument(config);
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(document.getText().indexOf('"theme": {') + 2);
    const text = await eventually('a hover with a cost on "theme"', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const found = hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return found.includes('Cost per run') ? found : undefined;
    });
    assert.match(text, /Cost per run: \$0\.\d{6}/);
  });

  test('Run Party Plan runs the agents of a new party', async () => {
    const report = await vscode.commands.executeCommand<{ party: string; executed: number } | undefined>('partycost.runPartyPlan', {
      inputs: ['jungle theme', '75 guests'],
    });
    assert.ok(report, 'the run returned its report');
    assert.ok(report.executed > 0, `executed ${report.executed} agents`);
  });
});
