import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { eventually } from './eventually';
import { requestScreenshot } from './screenshot';

// OpenAI Agents SDK and Google ADK projects in the real VS Code: written into the workspace from test/fixtures (read
// at run time from the extension under development, this repository), with partycost.json gone so that the
// workspace's frameworks are the configuration (the crew's too: priced together). Hover, CodeLens and diagnostics on
// an agent's defining line: an Agents SDK agent in Python and in TypeScript, an ADK root_agent.yaml. The figures are
// those worked by hand in test/fixtures/agents-sdk/EXPECTED.md and test/fixtures/adk/EXPECTED.md.

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;
const configUri = (): vscode.Uri => vscode.Uri.joinPath(root(), 'partycost.json');
const at = (relative: string): vscode.Uri => vscode.Uri.joinPath(root(), relative);

/** A fixture's text, from the repository (the extension under development). */
function fixture(relative: string): string {
  const repo = vscode.extensions.getExtension('partycost.party-cost-inspector')!.extensionPath;
  return readFileSync(path.join(repo, 'test', 'fixtures', relative), 'utf8');
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** Where `needle` starts in the document, plus `offset`. */
function positionOf(document: vscode.TextDocument, needle: string, offset = 0): vscode.Position {
  const found = document.getText().indexOf(needle);
  assert.ok(found >= 0, `${needle} in ${document.fileName}`);
  return document.positionAt(found + offset);
}

async function hoverAt(document: vscode.TextDocument, position: vscode.Position, what: string): Promise<string> {
  return eventually(`a hover on ${what}`, async () => {
    const found = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position));
    return found.includes('Cost per run') ? found : undefined;
  });
}

/** The cost lens on a line (the agent's own, opening the estimate). */
async function lensOn(document: vscode.TextDocument, line: number, what: string): Promise<string> {
  return eventually(`a CodeLens on ${what}`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
    const lens = lenses.find((l) => l.command?.command === 'partycost.showCostEstimate' && l.range.start.line === line);
    return lens?.command?.title || undefined;
  });
}

async function replaceIn(document: vscode.TextDocument, before: string, after: string): Promise<void> {
  const found = document.getText().indexOf(before);
  assert.ok(found >= 0, `${before} in ${document.fileName}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(found), document.positionAt(found + before.length)), after);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

/** Puts a document back as it is on disk (its text whole), saved. */
async function restore(document: vscode.TextDocument, text: string): Promise<void> {
  if (document.getText() === text && !document.isDirty) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await document.save());
}

/** USD to six places, as the hovers show a run's cost: tokens in × input price + tokens out × output price (per 1M). */
const perRun = (input: number, inputPrice: number, output: number, outputPrice: number): number => (input * inputPrice + output * outputPrice) / 1e6;

/**
 * A project written into the workspace (files: workspace path → text) and made the configuration by removing
 * partycost.json; the teardown removes its folder and puts partycost.json back.
 */
function frameworkProject(folder: string, files: () => Record<string, string>): void {
  let saved: Uint8Array;
  const texts = new Map<string, string>();
  suiteSetup(async () => {
    await vscode.extensions.getExtension('partycost.party-cost-inspector')!.activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    saved = await vscode.workspace.fs.readFile(configUri());
    for (const [relative, text] of Object.entries(files())) {
      texts.set(relative, text);
      await vscode.workspace.fs.writeFile(at(relative), new TextEncoder().encode(text));
    }
    // After the project's files: the deletion is what has the extension and the sidecar look for the configuration again.
    await vscode.workspace.fs.delete(configUri());
  });
  suiteTeardown(async () => {
    for (const [relative, text] of texts) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === at(relative).toString());
      if (open) await restore(open, text);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(at(folder), { recursive: true });
    await vscode.workspace.fs.writeFile(configUri(), saved);
    // Back to partycost.json: its seven agents are what the estimate shows again.
    await eventually('partycost.json as the configuration again', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', configUri(), 10);
      return lenses.filter((lens) => lens.command?.command === 'partycost.showCostEstimate').length === 7;
    });
  });
}

suite('An OpenAI Agents SDK project in VS Code', function () {
  this.timeout(90_000);
  const python = 'sdk_party/main.py';
  const typescript = 'sdk_party/agents.ts';
  frameworkProject('sdk_party', () => ({
    [python]: fixture('agents-sdk/handoffs-python/main.py'),
    [typescript]: fixture('agents-sdk/typescript/src/agents.ts'),
  }));

  test("Python: the hover and the CodeLens on triage_agent's name= show its model and its cost per run", async () => {
    const document = await vscode.workspace.openTextDocument(at(python));
    const position = positionOf(document, 'name="triage_agent"', 'name="'.length);
    // EXPECTED.md: gpt-4.1 at $2.00 / $8.00 per 1M; 11 + 9 + 11 + 92 = 123 tokens in, 256 out, one call.
    const cost = perRun(123, 2.0, 256, 8.0);
    assert.equal(cost.toFixed(6), '0.002294');
    const text = await hoverAt(document, position, 'triage_agent');
    assert.match(text, /\*\*triage_agent\*\* · gpt-4\.1 · runs on offline/);
    assert.ok(text.includes('Tokens: 123 in (counted) → 256 out'), text);
    assert.ok(text.includes(`Cost per run: $${cost.toFixed(6)}`), text);
    // No partycost.json: 1,000 parties a month, one run each.
    assert.ok(text.includes(`per month: $${(cost * 1000).toFixed(2)} (1,000 parties × 1 runs)`), text);

    const title = await lensOn(document, position.line, 'triage_agent');
    assert.equal(title, `gpt-4.1 · offline · 123 → 256 tokens · $${cost.toFixed(6)}/run · $${(cost * 1000).toFixed(2)}/month`);

    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    // The hover widget fades in, out of the extension host's sight: a moment for it, or the picture catches it half drawn.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await requestScreenshot('agents-sdk-python-hover');
  });

  test("TypeScript: the hover and the CodeLens on the Catering Agent's name show gpt-4.1-mini and its tool loop bounded by maxTurns", async () => {
    const document = await vscode.workspace.openTextDocument(at(typescript));
    const position = positionOf(document, "name: 'Catering Agent'", "name: '".length + 2);
    const text = await hoverAt(document, position, 'catering_agent');
    // model: 'gpt-4.1-mini' in the file; a tool, so a loop of calls: maxTurns 4 bounds the p90 (EXPECTED.md).
    assert.match(text, /\*\*catering_agent\*\* · gpt-4\.1-mini · runs on offline/);
    const run = Number(/Cost per run: \$(\d+\.\d{6})/.exec(text)![1]);
    assert.ok(run > 0);
    assert.match(text, /· p90 \$\d+\.\d{6}/);
    assert.ok(text.includes(`per month: $${(run * 1000).toFixed(2)} (1,000 parties × 1 runs)`), text);
    const title = await lensOn(document, position.line, 'catering_agent');
    assert.match(title, /^gpt-4\.1-mini · offline · [\d,]+ → [\d,]+ tokens · \$\d\.\d{6}\/run · \$\d+\.\d{2}\/month$/);
    assert.ok(title.includes(`$${run.toFixed(6)}/run`), title);
  });

  test('Python: an unknown model is an error at its place in main.py, with the model meant', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const document = await vscode.workspace.openTextDocument(at(python));
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    await replaceIn(document, 'model="gpt-4.1"', 'model="gpt-4.1-mimi"');
    const diagnostic = await eventually('a diagnostic on main.py', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => d.message.includes('gpt-4.1-mimi')),
    );
    assert.ok(diagnostic.message.startsWith('unknown model "gpt-4.1-mimi" (did you mean "gpt-4.1-mini"?)'), diagnostic.message);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const value = positionOf(document, '"gpt-4.1-mimi"');
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character], [value.line, value.character]);
    await restore(document, original);
    await eventually(
      'the diagnostic gone after the revert',
      () => !vscode.languages.getDiagnostics(document.uri).some((d) => d.message.includes('gpt-4.1-mimi')),
    );
  });
});

suite('A Google ADK project in VS Code', function () {
  this.timeout(90_000);
  const rootAgent = 'tutor/root_agent.yaml';
  frameworkProject('tutor', () => ({
    [rootAgent]: fixture('adk/config-basic/tutor/root_agent.yaml'),
    'tutor/code_tutor_agent.yaml': fixture('adk/config-basic/tutor/code_tutor_agent.yaml'),
    'tutor/math_tutor_agent.yaml': fixture('adk/config-basic/tutor/math_tutor_agent.yaml'),
  }));

  test("root_agent.yaml: the hover and the CodeLens on root_agent's name show its model and its cost per run", async () => {
    const document = await vscode.workspace.openTextDocument(at(rootAgent));
    const position = positionOf(document, 'name: root_agent', 'name: '.length + 2);
    // EXPECTED.md: gemini-2.5-flash at $0.30 / $2.50 per 1M; 204 + 0 + 11 + 156 = ~371 tokens in (o200k), 256 out.
    const cost = perRun(371, 0.3, 256, 2.5);
    assert.equal(cost.toFixed(6), '0.000751');
    const text = await hoverAt(document, position, 'root_agent');
    assert.match(text, /\*\*root_agent\*\* · gemini-2\.5-flash · runs on offline/);
    assert.ok(text.includes('Tokens: ~371 in (approximate'), text);
    assert.ok(text.includes(`Cost per run: $${cost.toFixed(6)}`), text);
    const title = await lensOn(document, position.line, 'root_agent');
    assert.equal(title, `gemini-2.5-flash · offline · ~371 → 256 tokens · $${cost.toFixed(6)}/run · $${(cost * 1000).toFixed(2)}/month`);
  });

  test('root_agent.yaml: an unknown model is an error at its place, with the model meant', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const document = await vscode.workspace.openTextDocument(at(rootAgent));
    await vscode.window.showTextDocument(document);
    const original = document.getText();
    await replaceIn(document, 'model: gemini-2.5-flash', 'model: gemini-2.5-flsh');
    const diagnostic = await eventually('a diagnostic on root_agent.yaml', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => d.message.includes('gemini-2.5-flsh')),
    );
    assert.ok(diagnostic.message.startsWith('unknown model "gemini-2.5-flsh" (did you mean "gemini-2.5-flash"?)'), diagnostic.message);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const value = positionOf(document, 'gemini-2.5-flsh');
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character], [value.line, value.character]);
    await restore(document, original);
    await eventually(
      'the diagnostic gone after the revert',
      () => !vscode.languages.getDiagnostics(document.uri).some((d) => d.message.includes('gemini-2.5-flsh')),
    );
  });
});
