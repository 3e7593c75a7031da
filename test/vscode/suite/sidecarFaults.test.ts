import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PartyCostApi } from '../../../extension/extension';
import type { RunReport } from '../../../sidecar/contract/plan';
import { elements, postFromView, probeView } from './webviewProbe';
import { eventually as poll } from './eventually';
import type { Probe } from './eventually';

/** A restart takes partycost.requestTimeoutMs and a start: up to 30 s. */
const eventually = <T>(what: string, probe: Probe<T>): Promise<T> => poll(what, probe, 30_000);

// The sidecar failing under a user: killed mid-run (SIGKILL), frozen (SIGSTOP), and a webview page sending what no
// handler takes. Each: restarted within the policy, views re-synchronised, finished agents kept, no process left.

const sidecarPid = (): Thenable<number | undefined> => vscode.commands.executeCommand<number | undefined>('partycost.sidecarPid');

/** Sidecars this extension host started that are still processes (zombies included): there must be one at most. */
function sidecarProcesses(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const ppid = Number(
          readFileSync(`/proc/${pid}/stat`, 'utf8')
            .replace(/^.*\) /s, '')
            .split(' ')[1],
        );
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('serve');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Results each party holds, as the parties view shows them ("draft · 2 inputs · 3 results"). */
async function resultsByParty(api: PartyCostApi): Promise<Map<string, number>> {
  const nodes = await api.partiesTree.getChildren();
  return new Map(nodes.filter((node) => node.kind === 'party').map((node) => [node.party.id, node.party.results]));
}

function logText(api: PartyCostApi): string {
  const files = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
      : [];
  return files(api.logUri.fsPath)
    .filter((file) => file.endsWith('.log'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

suite('Sidecar faults in VS Code', function () {
  this.timeout(120_000);
  let api: PartyCostApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!.activate();
  });

  suiteTeardown(async () => {
    delete process.env.PARTYCOST_OFFLINE_LATENCY_MS;
    await vscode.workspace.getConfiguration('partycost').update('requestTimeoutMs', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('partycost.restartSidecar');
  });

  test('killed mid-run (SIGKILL): restarted, the agents that finished are kept, the next run executes only the rest; no process left', async () => {
    // A model that takes its time, so the run can be caught in the middle (the sidecar reads it at its start).
    process.env.PARTYCOST_OFFLINE_LATENCY_MS = '1500';
    await vscode.commands.executeCommand('partycost.restartSidecar');
    const known = new Set((await resultsByParty(api)).keys());
    const first = (await sidecarPid())!;
    const running = Promise.resolve(
      vscode.commands.executeCommand<RunReport | undefined>('partycost.runPartyPlan', { inputs: ['safari theme', '30 guests'] }),
    ).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    const [party] = await eventually('an agent of the new party finished', async () => {
      const found = [...(await resultsByParty(api))].find(([id, results]) => !known.has(id) && results >= 1);
      return found;
    });
    process.kill(first, 'SIGKILL');

    const settled = await running;
    assert.ok(!('report' in settled && settled.report?.executed === 5), 'the run did not finish behind the kill');
    const second = await eventually('a new sidecar', async () => {
      const pid = await sidecarPid();
      return pid && pid !== first ? pid : undefined;
    });
    assert.deepEqual(sidecarProcesses(), [second], 'the killed sidecar is gone, one runs');
    delete process.env.PARTYCOST_OFFLINE_LATENCY_MS;

    // The view re-synchronised from the database the killed process wrote: what finished is there.
    const kept = (await resultsByParty(api)).get(party)!;
    assert.ok(kept >= 1 && kept < 5, `finished agents kept: ${kept}`);
    const report = await vscode.commands.executeCommand<RunReport>('partycost.runPartyPlan', { party });
    const produced = report.agents.filter((a) => a.action === 'execute' || a.action === 'cache_hit').length;
    assert.equal(produced, 5 - kept, `only the rest ran: ${report.agents.map((a) => `${a.agent} ${a.action}`).join(', ')}`);
    assert.equal(report.agents.filter((a) => a.action === 'reuse').length, kept);
  });

  test('frozen (SIGSTOP): the next request restarts it after partycost.requestTimeoutMs; views re-synchronised; no process left', async () => {
    await vscode.workspace.getConfiguration('partycost').update('requestTimeoutMs', 2000, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('partycost.restartSidecar');
    const before = await resultsByParty(api);
    assert.ok(before.size >= 1);
    const frozen = (await sidecarPid())!;
    process.kill(frozen, 'SIGSTOP');
    // The parties view asks; the frozen sidecar never answers; after 2 s (counted from the oldest request it left
    // unanswered) it is killed and a new one serves the view.
    await api.partiesTree.getChildren();
    const second = await eventually('a new sidecar', async () => {
      const pid = await sidecarPid();
      return pid && pid !== frozen ? pid : undefined;
    });
    await eventually('the frozen sidecar gone', () => !existsSync(`/proc/${frozen}`));
    assert.deepEqual(sidecarProcesses(), [second]);
    const after = await eventually('the parties view served again', async () => {
      const now = await resultsByParty(api);
      return now.size ? now : undefined;
    });
    assert.deepEqual([...after], [...before], 'every party with its results, as before the freeze');
    assert.match(logText(api), /sidecar did not answer [\w/]+ within 2000 ms; restarting it/, 'restarted by the request timeout');
  });

  test('a webview page sending malformed messages: each ignored with a log line; the view and the sidecar keep working', async () => {
    const [party] = [...(await resultsByParty(api)).keys()];
    await vscode.commands.executeCommand('partycost.showDeltaPlan', { party });
    await probeView('plan', (s) => elements(s, 'node').length === 7);
    const pid = await sidecarPid();
    await postFromView('plan', [
      null,
      'garbage',
      { kind: 'request', method: 'plan/get', id: 77, params: { party: 42 } },
      { kind: 'command', method: 'plan/run', params: { party, force: 'theme' } },
      { kind: 'command', method: 'no/such/method', params: {} },
      { kind: 'command', method: 'webview/action', params: { command: 'workbench.action.quit' } },
    ]);
    const log = await eventually('the log lines', () => {
      const text = logText(api);
      return /refused plan\/get from the plan view: party: expected a string, not the number 42/.test(text) &&
        /a view sent a message no handler takes: \{"kind":"command","method":"no\/such\/method"/.test(text)
        ? text
        : undefined;
    });
    assert.match(log, /ignored plan\/run from the plan view: force: expected an array, not a string/);
    assert.match(log, /the plan view asked for a command views may not run/);
    assert.match(log, /a view sent a message no handler takes: null/);
    assert.equal(await sidecarPid(), pid, 'the sidecar was not disturbed');
    // The page still talks to its host: the plan is still drawn after a refresh.
    await vscode.commands.executeCommand('partycost.showDeltaPlan', { party });
    await probeView('plan', (s) => elements(s, 'node').length === 7);
  });
});
