import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { requestScreenshot } from './screenshot';
import { elements, probeView } from './webviewProbe';
import type { EstimateResult, TokenBudget } from '../../../sidecar/protocol';
import type { Plan, RunReport } from '../../../sidecar/contract/plan';
import { eventually } from './eventually';

// A CrewAI project in the real VS Code: with partycost.json gone, the workspace's crew (src/party_crew/config, the
// repository's examples/crew) is the configuration: CodeLens and hovers on tasks.yaml (each task) and agents.yaml
// (each agent, the sum of its tasks), diagnostics at their YAML place, and an unsaved edit of one file repricing the
// other's tasks.

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;
const configUri = (): vscode.Uri => vscode.Uri.joinPath(root(), 'partycost.json');
const tasksUri = (): vscode.Uri => vscode.Uri.joinPath(root(), 'src/party_crew/config/tasks.yaml');
const agentsUri = (): vscode.Uri => vscode.Uri.joinPath(root(), 'src/party_crew/config/agents.yaml');
const crewPyUri = (): vscode.Uri => vscode.Uri.joinPath(root(), 'src/party_crew/crew.py');

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

async function lensTitles(uri: vscode.Uri, count: number): Promise<string[]> {
  return eventually(`${count} CodeLenses on ${uri.path.split('/').pop()}`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
    // Each agent's or task's lens (the impact's, at the top, opens the impact instead).
    const titles = lenses.filter((lens) => lens.command?.command === 'partycost.showCostEstimate').map((lens) => lens.command?.title ?? '');
    return titles.length === count && titles.every(Boolean) ? titles : undefined;
  });
}

/** The line of a document that starts with `key:`, 0-based. */
function lineOf(document: vscode.TextDocument, key: string): vscode.Position {
  const at = document.getText().indexOf(`\n${key}:`);
  assert.ok(at >= 0, `${key} in ${document.fileName}`);
  return document.positionAt(at + 2);
}

/** Puts a document back as it is on disk (its text whole), saved. */
async function restore(document: vscode.TextDocument, text: string): Promise<void> {
  if (document.getText() === text && !document.isDirty) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await document.save());
}

async function replaceIn(document: vscode.TextDocument, before: string, after: string): Promise<void> {
  const at = document.getText().indexOf(before);
  assert.ok(at >= 0, `${before} in ${document.fileName}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(at), document.positionAt(at + before.length)), after);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

suite('A CrewAI project in VS Code', function () {
  this.timeout(90_000);
  let saved: Uint8Array;
  const originals = new Map<string, string>();
  const restoreAll = async (): Promise<void> => {
    for (const uri of [tasksUri(), agentsUri(), crewPyUri()]) await restore(await vscode.workspace.openTextDocument(uri), originals.get(uri.toString())!);
  };

  suiteSetup(async () => {
    await vscode.extensions.getExtension('partycost.party-cost-inspector')!.activate();
    saved = await vscode.workspace.fs.readFile(configUri());
    for (const uri of [tasksUri(), agentsUri(), crewPyUri()]) originals.set(uri.toString(), new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(configUri());
  });

  suiteTeardown(async () => {
    await restoreAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.writeFile(configUri(), saved);
    // Back to partycost.json: its agents are what the estimate shows again.
    await eventually('partycost.json as the configuration again', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', configUri(), 10);
      return lenses.filter((lens) => lens.command?.command === 'partycost.showCostEstimate').length === 7;
    });
  });

  test("tasks.yaml: a CodeLens and a hover on every task, at its CrewAI agent's model, context counted", async () => {
    const document = await vscode.workspace.openTextDocument(tasksUri());
    const titles = await lensTitles(document.uri, 4);
    assert.match(titles[0], /^anthropic\/claude-sonnet-4-5 · offline · ~\d+ → 256 tokens · \$0\.\d{6}\/run · \$\d+\.\d{2}\/month$/);
    assert.match(titles[1], /^openai\/gpt-4\.1-mini · offline · [\d,]+ → [\d,]+ tokens/);
    assert.match(titles[3], /^gpt-4\.1-mini · offline · [\d,]+ → 256 tokens/);
    const planInput = Number(/· ([\d,]+) →/.exec(titles[3])![1].replace(/,/g, ''));
    assert.ok(planInput > 3 * 256, `plan_task reads the three earlier outputs: ${planInput}`);

    const editor = await vscode.window.showTextDocument(document);
    const position = lineOf(document, 'venue_task');
    const text = await eventually('a hover on venue_task', async () => {
      const found = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position));
      return found.includes('Cost per run') ? found : undefined;
    });
    assert.match(text, /\*\*venue_task\*\* · openai\/gpt-4\.1-mini · runs on offline/);
    assert.match(text, /Per 1,000 parties: \$\d+\.\d{2} · per month: \$\d+\.\d{2}/);
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    await requestScreenshot('crew-hover');
  });

  test("agents.yaml: each agent's CodeLens and hover sum its tasks", async () => {
    const document = await vscode.workspace.openTextDocument(agentsUri());
    const titles = await lensTitles(document.uri, 4);
    assert.match(titles[0], /^1 task \(theme_task\) · \$0\.\d{6}\/run · \$\d+\.\d{2}\/month$/);
    const position = lineOf(document, 'venue_scout');
    const text = await eventually('a hover on venue_scout', async () => {
      const found = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position));
      return found.includes('All its tasks') ? found : undefined;
    });
    assert.match(text, /\*\*venue_scout\*\* · CrewAI agent · openai\/gpt-4\.1-mini/);
    assert.match(text, /- venue_task: \$0\.\d{6}\/run/);
  });

  test('Cost Estimates, a party run, its delta plan and Token Budgets work on the crew; a saved backstory edit re-runs its task', async () => {
    const shown = await vscode.commands.executeCommand<EstimateResult>('partycost.showCostEstimate');
    assert.deepEqual(
      shown.estimate?.agents.map((a) => [a.agent, a.crewAgent]),
      [
        ['theme_task', 'planner'],
        ['venue_task', 'venue_scout'],
        ['menu_task', 'caterer'],
        ['plan_task', 'coordinator'],
      ],
    );
    const snapshot = await probeView('estimates', (s) => elements(s, 'agent').length === 4);
    assert.deepEqual(
      elements(snapshot, 'agent').map((row) => [row.agent, row.crewAgent]),
      [
        ['theme_task', 'planner'],
        ['venue_task', 'venue_scout'],
        ['menu_task', 'caterer'],
        ['plan_task', 'coordinator'],
      ],
    );
    await requestScreenshot('crew-estimates');

    const report = await vscode.commands.executeCommand<RunReport>('partycost.runPartyPlan', { inputs: ['destination=Lisbon', 'guests=40'] });
    assert.equal(report.executed, 4);
    const budgets = await vscode.commands.executeCommand<{ agents: TokenBudget[] }>('partycost.showTokenBudgets', { party: report.party });
    assert.deepEqual(
      budgets.agents.map((b) => b.agent),
      ['theme_task', 'venue_task', 'menu_task', 'plan_task'],
    );

    const agents = await vscode.workspace.openTextDocument(agentsUri());
    await replaceIn(agents, 'You keep proposals short and concrete.', 'You keep proposals short.');
    assert.ok(await agents.save());
    const plan = await eventually('the plan of the edited crew', async () => {
      const found = await vscode.commands.executeCommand<Plan>('partycost.showDeltaPlan', { party: report.party });
      return found?.agents.find((a) => a.agent === 'theme_task')?.action === 'execute' ? found : undefined;
    });
    assert.deepEqual(
      plan.agents.map((a) => [a.agent, a.action, a.cause]),
      [
        ['theme_task', 'execute', 'configuration changed'],
        ['venue_task', 'execute', 'upstream changed'],
        ['menu_task', 'execute', 'upstream changed'],
        ['plan_task', 'execute', 'upstream changed'],
      ],
    );
    await restoreAll();
  });

  test('an unsaved backstory edit in agents.yaml reprices its task in tasks.yaml, and only it', async () => {
    const tasks = await vscode.workspace.openTextDocument(tasksUri());
    const before = await lensTitles(tasks.uri, 4);
    const agents = await vscode.workspace.openTextDocument(agentsUri());
    await replaceIn(
      agents,
      'You keep proposals short and concrete.',
      'You keep proposals short and concrete, and you explain the reasoning behind every single choice in detail.',
    );
    const after = await eventually('theme_task repriced', async () => {
      const titles = await lensTitles(tasks.uri, 4);
      return titles[0] !== before[0] ? titles : undefined;
    });
    const tokens = (title: string): number => Number(/~?([\d,]+) →/.exec(title)![1].replace(/,/g, ''));
    assert.ok(tokens(after[0]) > tokens(before[0]), `${after[0]} vs ${before[0]}`);
    assert.deepEqual(after.slice(1), before.slice(1), "the other tasks' own prompts are as they were");
    await restoreAll();
  });

  test('a task naming an unknown agent is an error at its place in tasks.yaml, with a suggestion', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const document = await vscode.workspace.openTextDocument(tasksUri());
    await vscode.window.showTextDocument(document);
    await replaceIn(document, 'agent: caterer', 'agent: caterr');
    const diagnostic = await eventually('a diagnostic on tasks.yaml', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => d.message.includes('caterr')),
    );
    assert.equal(diagnostic.message, 'unknown agent "caterr" (did you mean "caterer"?)');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character], [24, 9]);
    await requestScreenshot('crew-diagnostic');
    await restoreAll();
    await eventually('the diagnostic gone after the revert', () => !vscode.languages.getDiagnostics(document.uri).some((d) => d.message.includes('caterr')));
  });

  test("crew.py: a CodeLens and a hover on every @agent (its tasks' sum) and @task method (the task)", async () => {
    const document = await vscode.workspace.openTextDocument(crewPyUri());
    const titles = await lensTitles(document.uri, 8);
    // In the file's order: the four @agent methods, then the four @task methods.
    assert.match(titles[1]!, /^1 task \(venue_task\) · \$0\.\d{6}\/run · \$\d+\.\d{2}\/month$/);
    assert.match(titles[5]!, /^openai\/gpt-4\.1-mini · offline · [\d,]+ → [\d,]+ tokens/);
    const at = (name: string): vscode.Position => document.positionAt(document.getText().indexOf(`def ${name}(`) + 4);
    const task = await eventually('a hover on def venue_task', async () => {
      const found = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, at('venue_task')));
      return found.includes('Cost per run') ? found : undefined;
    });
    assert.match(task, /\*\*venue_task\*\* · openai\/gpt-4\.1-mini · runs on offline/);
    const agent = await eventually('a hover on def venue_scout', async () => {
      const found = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, at('venue_scout')));
      return found.includes('All its tasks') ? found : undefined;
    });
    assert.match(agent, /\*\*venue_scout\*\* · CrewAI agent · openai\/gpt-4\.1-mini/);
  });

  test("an unsaved llm= in crew.py reprices the agent's task at that model; one that cannot be read is a warning at its place", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const tasks = await vscode.workspace.openTextDocument(tasksUri());
    const before = await lensTitles(tasks.uri, 4);
    assert.match(before[0]!, /^anthropic\/claude-sonnet-4-5 ·/);
    const python = await vscode.workspace.openTextDocument(crewPyUri());
    await vscode.window.showTextDocument(python);
    await replaceIn(python, "Agent(config=self.agents_config['planner'])", 'Agent(config=self.agents_config[\'planner\'], llm="gpt-4o")');
    const after = await eventually('theme_task on gpt-4o', async () => {
      const titles = await lensTitles(tasks.uri, 4);
      return titles[0]!.startsWith('gpt-4o ·') ? titles : undefined;
    });
    assert.deepEqual(after.slice(1), before.slice(1), 'the other tasks as they were');

    await replaceIn(python, 'llm="gpt-4o"', 'llm=build_llm()');
    const diagnostic = await eventually('a warning in crew.py', () =>
      vscode.languages.getDiagnostics(python.uri).find((d) => d.message.includes('cannot be known statically')),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    const line = python.lineAt(diagnostic.range.start.line).text;
    assert.equal(line.slice(diagnostic.range.start.character, diagnostic.range.end.character), 'build_llm()');
    await requestScreenshot('crew-python-warning');
    await restoreAll();
    await eventually(
      'the warning gone after the revert',
      () => !vscode.languages.getDiagnostics(python.uri).some((d) => d.message.includes('cannot be known statically')),
    );
  });
});
