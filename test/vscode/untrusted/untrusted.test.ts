// The workspace as VS Code opens a folder its user has not trusted (workspace trust on, restricted mode). run.mjs
// (PARTYCOST_VSCODE_SUITE=untrusted) starts code-server so, and bundles this file with test/vscode/suite/index.ts.
// The extension declares limited support: it prices the configuration, but a key goes to no endpoint the
// workspace's partycost.json names until the user trusts the workspace.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { startOpenAIStandin } from '../../standins/openai';
import type { Standin } from '../../standins/standin';
import type { EstimateResult } from '../../../sidecar/protocol';
import type { AgentProgress } from '../../../sidecar/contract/plan';
import type { PartyCostApi } from '../../../extension/extension';
import { eventually } from '../suite/eventually';
import { requestScreenshot } from '../suite/screenshot';

const configUri = (): vscode.Uri => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');

async function sidecarPid(): Promise<number> {
  return eventually('a running sidecar', async () => vscode.commands.executeCommand<number>('partycost.sidecarPid'));
}

suite('Party Cost Inspector in a workspace the user has not trusted', function () {
  this.timeout(90_000);
  let api: PartyCostApi;
  let openai: Standin;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!.activate()) as PartyCostApi;
    openai = await startOpenAIStandin();
    const before = await sidecarPid();
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'openai', key: 'sk-proj-VSCODEuntrusted0123456789' });
    await eventually('the sidecar restarted with the key', async () => ((await sidecarPid()) !== before ? true : undefined));
    // A cloned repository's configuration, naming a server of its own for OpenAI's calls.
    await vscode.workspace.fs.writeFile(
      configUri(),
      Buffer.from(`{
  "defaults": { "model": "gpt-4o-mini", "provider": "openai" },
  "providers": { "openai": { "baseURL": "${openai.baseURL}", "maxRetries": 0 } },
  "agents": {
    "muse": { "prompt": "Suggest a party theme for: {{inputs}}", "expectedOutputTokens": 200, "handles": { "keywords": ["theme"] } }
  }
}
`),
    );
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('partycost.setApiKey', { provider: 'openai', key: '' });
    await openai?.close();
  });

  test('the workspace is untrusted and the extension runs in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('partycost.party-cost-inspector')!.isActive, true);
  });

  test('the configuration is priced as in any workspace', async () => {
    const result = await eventually('the estimate of the new configuration', async () => {
      const estimate = await vscode.commands.executeCommand<EstimateResult>('partycost.showCostEstimate');
      return estimate?.estimate?.agents.map((a) => a.agent).join() === 'muse' ? estimate : undefined;
    });
    assert.ok(result.estimate!.agents[0]!.costPerRunUsd > 0);
  });

  test('a run sends the key to no endpoint the workspace names: the agent fails saying how to trust it, and the server hears nothing', async () => {
    const failures: string[] = [];
    const listening = api.onRunProgress((progress: AgentProgress) => {
      if (progress.state === 'failed') failures.push(`${progress.agent}: ${progress.error ?? ''}`);
    });
    try {
      await vscode.commands.executeCommand('partycost.runPartyPlan', { inputs: ['jungle theme'] });
      await eventually('the failed agent', async () => (failures.length ? true : undefined));
    } finally {
      listening.dispose();
    }
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(
      failures[0]!,
      /^muse: this workspace's configuration sends openai calls to http:\/\/127\.0\.0\.1:\d+ \(providers\.openai\.baseURL\), which would receive your \w+: .*in VS Code, trust the workspace/,
    );
    assert.equal(openai.requests.length, 0, 'no request, so no key, reached the endpoint the workspace named');
    await requestScreenshot('untrusted-run-refused');
  });
});
