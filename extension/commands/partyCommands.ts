import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { addInputRequest, createPartyRequest, removeInputRequest, resumeRequest, saveRequest } from '../../sidecar/protocol';
import type { RunReport } from '../../sidecar/contract/plan';
import { PlanPanel } from '../webviews/plan/planPanel';
import { askInputs, newParty, pickInput, pickParty, pickSnapshot } from '../parties/pickers';
import { runWithProgress } from '../parties/runWithProgress';
import { registerCommand } from '../host/register';

/** Arguments the party commands accept instead of asking (tests, other extensions, the tree's context menu). */
export interface PartyArgs {
  party?: string;
  inputs?: string[];
  text?: string;
  input?: string;
  version?: number;
  type?: 'draft' | 'final';
  force?: string[];
}

/** The tree passes its node; a command palette call passes nothing. */
function argsOf(arg: unknown): PartyArgs {
  if (!arg || typeof arg !== 'object') return {};
  const node = arg as { kind?: string; party?: { id: string } | string; snapshot?: { version: number } };
  if (node.kind === 'party' && typeof node.party === 'object') return { party: node.party.id };
  if (node.kind === 'snapshot' && typeof node.party === 'string') return { party: node.party, version: node.snapshot?.version };
  return arg as PartyArgs;
}

function reportRun(report: RunReport): void {
  const hits = report.agents.filter((a) => a.action === 'cache_hit').length;
  const reused = report.agents.filter((a) => a.action === 'reuse').length;
  void vscode.window.showInformationMessage(
    `Party ${report.party}: ${report.executed} executed for $${report.costUsd.toFixed(6)}, ${reused} reused, ${hits} from cache; saved $${report.savedCostUsd.toFixed(6)}.`,
  );
}

export function registerPartyCommands(context: PartyCostContext): void {
  const command = (id: string, run: (args: PartyArgs) => Promise<unknown>): void => registerCommand<unknown>(context, id, (arg) => run(argsOf(arg)));

  command('partycost.runPartyPlan', async (args) => {
    let party = args.party ?? (args.inputs ? newParty : await pickParty(context, { allowNew: true, title: 'Run Party Plan' }));
    if (!party) return undefined;
    if (party === newParty) {
      const inputs = args.inputs ?? (await askInputs('Inputs of the new party, separated by ";"'));
      if (!inputs) return undefined;
      party = (await context.request(createPartyRequest, { inputs })).party;
    }
    const report = await runWithProgress(context, party, args.force);
    reportRun(report);
    return report;
  });

  command('partycost.resumePartyPlan', async (args) => {
    const party = args.party ?? (await pickParty(context, { title: 'Resume Party Plan' }));
    if (!party) return undefined;
    // Called with a party (tree, tests): that party, args.version or its latest state. From the palette: ask.
    let version = args.version;
    if (!args.party) {
      const picked = await pickSnapshot(context, party);
      if (picked === undefined) return undefined;
      version = picked ?? undefined;
    }
    const resumed = await context.request(resumeRequest, { party, version });
    await PlanPanel.show(context, party);
    if (resumed.plan.totals.execute === 0) return resumed;
    const choice = args.party
      ? 'Run'
      : await vscode.window.showInformationMessage(`Resumed ${party}: ${resumed.plan.totals.execute} agents to execute.`, 'Run');
    if (choice === 'Run') reportRun(await runWithProgress(context, party));
    return resumed;
  });

  command('partycost.addInput', async (args) => {
    const party = args.party ?? (await pickParty(context, { title: 'Add Input' }));
    const text = party && (args.text ?? (await vscode.window.showInputBox({ prompt: `New input of ${party}`, placeHolder: 'Need balloon artist' })));
    if (!party || !text) return undefined;
    const input = await context.request(addInputRequest, { party, text });
    void vscode.window.showInformationMessage(`Added ${input.id} "${input.text}" → ${input.agents.join(', ') || 'no agent (it changes nothing)'}`);
    return input;
  });

  command('partycost.removeInput', async (args) => {
    const party = args.party ?? (await pickParty(context, { title: 'Remove Input' }));
    const input = party && (args.input ?? (await pickInput(context, party)));
    if (!party || !input) return undefined;
    return context.request(removeInputRequest, { party, input });
  });

  command('partycost.saveSnapshot', async (args) => {
    const party = args.party ?? (await pickParty(context, { title: 'Save Snapshot' }));
    if (!party) return undefined;
    const type = args.type ?? ((await vscode.window.showQuickPick(['draft', 'final'], { title: 'Snapshot type' })) as 'draft' | 'final' | undefined);
    if (!type) return undefined;
    const saved = await context.request(saveRequest, { party, type });
    void vscode.window.showInformationMessage(`Saved ${party} as snapshot v${saved.version} (${saved.type}).`);
    return saved;
  });

  command('partycost.showDeltaPlan', async (args) => {
    // Without a party the panel shows the most recent one (or says how to start one).
    const panel = await PlanPanel.show(context, args.party, args.force);
    return panel.host.current.plan ?? undefined;
  });
}
