import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ProductionStatus } from '../../../sidecar/protocol';
import { protobufBody, recordSpans } from '../../otlpPayloads';
import type { SpanSpec } from '../../otlpPayloads';
import { eventually } from './eventually';
import { requestScreenshot } from './screenshot';

// Production in the real VS Code: the trace receiver started by its setting, traces sent to it by HTTP (encoded by
// the OpenTelemetry SDK), today's production spend in the status bar, the production figures in an agent's hover,
// and an unattributed agent mapped to a configured one.

const configUri = (): vscode.Uri => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'partycost.json');

function traced(agent: string, calls: number): SpanSpec {
  return {
    name: `invoke_agent ${agent}`,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent },
    children: Array.from({ length: calls }, (_, i) => ({
      name: 'chat gpt-4o-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 600 + 200 * i,
        'gen_ai.usage.output_tokens': i === calls - 1 ? 240 : 25,
      },
    })),
  };
}

const status = (): Thenable<ProductionStatus> => vscode.commands.executeCommand<ProductionStatus>('partycost.productionStatus');

suite('Production traces in VS Code', function () {
  this.timeout(90_000);
  const collector = () => vscode.workspace.getConfiguration('partycost');

  suiteSetup(async () => {
    await vscode.extensions.getExtension('partycost.party-cost-inspector')!.activate();
  });

  suiteTeardown(async () => {
    await collector().update('collector.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    await collector().update('collector.port', undefined, vscode.ConfigurationTarget.Workspace);
    await eventually('the receiver stopped', async () => ((await status()).collector === null ? true : undefined));
  });

  test('the setting starts the receiver; traces sent to it show in the status bar and in the hover; a name is mapped', async () => {
    assert.equal((await status()).collector, null, 'off by default');
    await collector().update('collector.port', 0, vscode.ConfigurationTarget.Workspace);
    await collector().update('collector.enabled', true, vscode.ConfigurationTarget.Workspace);
    const url = await eventually('the receiver listening', async () => (await status()).collector?.url);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);

    const spans = recordSpans([...[3, 4, 4, 5, 4].map((calls) => traced('theme', calls)), traced('Concierge', 2)]);
    const answer = await fetch(url, {
      method: 'POST',
      body: protobufBody(spans) as unknown as BodyInit,
      headers: { 'Content-Type': 'application/x-protobuf' },
    });
    assert.equal(answer.status, 200);
    const today = await eventually('production today', async () => {
      const now = await status();
      return now.today.runs === 6 ? now.today : undefined;
    });
    assert.ok(today.costUsd > 0);

    const document = await vscode.workspace.openTextDocument(configUri());
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(document.getText().indexOf('"theme": {') + 2);
    const hover = await eventually('a hover with production figures', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes('Production:') ? text : undefined;
    });
    assert.match(hover, /Production: p50 \$0\.\d{6} per run \(p90 \$0\.\d{6}\), 4 calls at the median, over the latest 5 of 5 traced runs/);
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    await requestScreenshot('production-hover');

    await vscode.commands.executeCommand('partycost.mapUnattributedAgent', { name: 'Concierge' }, 'vendor');
    const vendor = document.positionAt(document.getText().indexOf('"vendor": {') + 2);
    await eventually("the mapped runs in vendor's hover", async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, vendor);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Production: .*over the latest 1 of 1 traced runs/.test(text) ? true : undefined;
    });

    await collector().update('collector.enabled', false, vscode.ConfigurationTarget.Workspace);
    await eventually('the receiver stopped', async () => ((await status()).collector === null ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
