import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { startOpenAIStandin } from '../../standins/openai';
import type { Standin } from '../../standins/standin';
import type { EstimateResult, TokenBudget } from '../../../sidecar/protocol';
import { elements, probeView } from './webviewProbe';
import { requestScreenshot } from './screenshot';
import { eventually } from './eventually';

// In the real VS Code: an agent that ran three times against a stand-in of OpenAI shows learned figures, labelled,
// in its hover, its CodeLens and the Cost Estimates panel.

const configUri = (): vscode.Uri => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');

function configFor(baseURL: string): string {
  return `{
  "defaults": { "model": "gpt-4o-mini", "provider": "openai" },
  "providers": { "openai": { "baseURL": "${baseURL}" } },
  "learning": { "minRuns": 3 },
  "agents": {
    "muse": {
      "prompt": "Suggest a party theme for: {{inputs}}",
      "expectedOutputTokens": 200,
      "handles": { "keywords": ["theme"] }
    }
  }
}
`;
}

async function sidecarPid(): Promise<number> {
  return eventually('a running sidecar', async () => vscode.commands.executeCommand<number>('partycost.sidecarPid'));
}

suite('Estimates that learn, in VS Code', function () {
  this.timeout(90_000);
  let openai: Standin;
  let fixture: Uint8Array;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('partycost.party-cost-inspector')!.activate();
    openai = await startOpenAIStandin();
    fixture = await vscode.workspace.fs.readFile(configUri());
    const before = await sidecarPid();
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'openai', key: 'sk-proj-VSCODElearning0123456789' });
    await eventually('the sidecar restarted with the key', async () => ((await sidecarPid()) !== before ? true : undefined));
    await vscode.workspace.fs.writeFile(configUri(), Buffer.from(configFor(openai.baseURL)));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.writeFile(configUri(), fixture);
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'openai', key: '' });
    // The fixture is back in force before the next suite starts.
    await eventually("the fixture's estimate", async () => {
      const result = await vscode.commands.executeCommand<EstimateResult>('partycost.showCostEstimate');
      return result?.estimate?.agents.length === 7 ? true : undefined;
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openai.close();
  });

  test('after three runs the hover, the CodeLens and the Cost Estimates panel show the learned answer size, labelled', async () => {
    let last = '';
    for (const [i, output] of [870, 880, 900].entries()) {
      openai.plan({ status: 200, match: 'Suggest a party theme', content: `Theme ${i}: jungle.`, usage: { input: 40, output } });
      // A new party each time, with inputs of its own: no result is reused, each run calls the model.
      const report = await eventually('a run on the new configuration', async () =>
        vscode.commands.executeCommand<{ party: string; executed: number } | undefined>('partycost.runPartyPlan', { inputs: [`theme number ${i}`] }),
      );
      assert.equal(report.executed, 1);
      last = report.party;
    }
    assert.equal(openai.pending().length, 0, 'each run called the stand-in');

    const document = await vscode.workspace.openTextDocument(configUri());
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(document.getText().indexOf('"muse": {') + 2);
    const hover = await eventually('a hover with learned figures', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes('learned from') ? text : undefined;
    });
    assert.match(hover, /Tokens: 40 in \(learned\) → 880 out \(learned\)/);
    assert.match(hover, /Estimate: learned from 3 runs \(output p50 880, p90 900\)/);
    assert.match(hover, /Cost per run: \$0\.\d{6} .*· p90 \$0\.\d{6}/);

    const lens = await eventually('a CodeLens with learned figures', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
      return lenses.map((l) => l.command?.title ?? '').find((title) => title.includes('learned'));
    });
    assert.match(lens, /^gpt-4o-mini · openai · 40 → 880 tokens \(learned, 3 runs\) · \$0\.\d{6}\/run/);

    // The panel first, then Token Budgets: in code-server a panel opened right after others were closed can stay
    // blank, so nothing is closed before it.
    const shown = await vscode.commands.executeCommand<EstimateResult>('partycost.showCostEstimate');
    const muse = shown.estimate!.agents.find((a) => a.agent === 'muse')!;
    assert.deepEqual([muse.outputTokensSource, muse.learnedFrom, muse.outputTokens], ['learned', 3, 880]);
    // The panel as a person sees it: the learned figures marked, and the accuracy of the estimates against the runs.
    const snapshot = await probeView('estimates', (s) => elements(s, 'accuracy-agent').length === 1);
    const [tokens] = elements(snapshot, 'tokens');
    assert.deepEqual([tokens.outputSource, tokens.learnedFrom], ['learned', '3']);
    const [accuracy] = elements(snapshot, 'accuracy-agent');
    assert.deepEqual([accuracy.agent, accuracy.runs, accuracy.source, accuracy.drift], ['muse', '3', 'learned', 'false']);
    assert.ok(Number(accuracy.configuredError) > 50 && Number(accuracy.learnedError) < 5, JSON.stringify(accuracy));
    await requestScreenshot('estimates-learned');

    const budgets = await vscode.commands.executeCommand<{ agents: TokenBudget[] }>('partycost.showTokenBudgets', { party: last });
    const budget = budgets.agents.find((b) => b.agent === 'muse')!;
    assert.deepEqual([budget.outputTokens, budget.outputTokensSource, budget.learnedFrom], [880, 'learned', 3]);
  });
});
