// Command to first paint of each webview in a real VS Code, for npm run bench (bench/extensionBench.ts reads
// bench-webviews.json back). A paint is the view's ready handshake, sent after its first state was painted.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import type { PartyCostApi } from '../../../extension/extension';
import { readSuiteConfig } from '../suite/suiteConfig';
import { probeView } from '../suite/webviewProbe';
import { bareWebviewMs } from '../suite/webviewWarmUp';

const panels = [
  ['plan', 'partycost.showDeltaPlan'],
  ['estimates', 'partycost.showCostEstimate'],
  ['budgets', 'partycost.showTokenBudgets'],
] as const;

/** Runs `open` and resolves with the milliseconds until `view` paints; when it does not, says what its page holds. */
async function timeToPaint(api: PartyCostApi, view: string, open: () => Thenable<unknown>): Promise<{ commandToPaintMs: number; hostToPaintMs: number }> {
  const started = performance.now();
  const painted = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      void probeView(view, () => true, 3000).then(
        (s) => reject(new Error(`${view} did not paint within 20 s; its page: ${JSON.stringify(s).slice(0, 600)}`)),
        (e: Error) => reject(new Error(`${view} did not paint within 20 s; no page: ${e.message}`)),
      );
    }, 20_000);
    const listener = api.onDidPaintView((paint) => {
      if (paint.view !== view) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(paint.ms);
    });
  });
  await open();
  const hostToPaintMs = await painted;
  return { commandToPaintMs: performance.now() - started, hostToPaintMs };
}

suite('Party Cost Inspector webviews', function () {
  this.timeout(120_000);

  test('command to first paint of the cache view and of each panel', async () => {
    const api = await vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!.activate();
    const report = await vscode.commands.executeCommand<{ party: string }>('partycost.runPartyPlan', { inputs: ['jungle theme', '75 guests'] });
    assert.ok(report?.party, 'a party to show');
    // Each view once, as a user first opens it in a window: the cold open (its bundle loaded and run) is measured.
    const results: Record<string, { commandToPaintMs: number; hostToPaintMs: number }> = {};
    results.cache = await timeToPaint(api, 'cache', () => vscode.commands.executeCommand('partycost.cache.focus'));
    for (const [view, command] of panels) results[view] = await timeToPaint(api, view, () => vscode.commands.executeCommand(command, { party: report.party }));
    const bare = await bareWebviewMs();
    writeFileSync(path.join(path.dirname(readSuiteConfig().resultsFile), 'bench-webviews.json'), JSON.stringify({ results, bareWebviewMs: bare }, null, 2));
  });
});
