import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { getPartyRequest, historyRequest, listPartiesRequest } from '../../sidecar/protocol';

export const newParty = '$new';

/** A party chosen by the user (or `newParty`), undefined if they cancelled. */
export async function pickParty(context: PartyCostContext, options: { allowNew?: boolean; title: string }): Promise<string | undefined> {
  const { parties } = await context.request(listPartiesRequest, {});
  const items: (vscode.QuickPickItem & { id: string })[] = [...parties]
    .reverse()
    .map((p) => ({ id: p.id, label: `${p.id} ${p.name}`, description: `${p.status} · ${p.inputs} inputs · ${p.results} results` }));
  if (options.allowNew) items.unshift({ id: newParty, label: '$(add) New party…', description: 'create a party from inputs' });
  if (!items.length) {
    void vscode.window.showInformationMessage('No parties yet: run "Party Cost: Run Party Plan" to create one.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title: options.title, placeHolder: 'Pick a party' }))?.id;
}

/** Inputs typed by the user, separated by semicolons. */
export async function askInputs(prompt: string): Promise<string[] | undefined> {
  const text = await vscode.window.showInputBox({ prompt, placeHolder: 'jungle theme; 75 guests; chocolate cake' });
  return text
    ?.split(';')
    .map((t) => t.trim())
    .filter(Boolean);
}

export async function pickInput(context: PartyCostContext, party: string): Promise<string | undefined> {
  const details = await context.request(getPartyRequest, { party });
  const items = details.inputs.map((input) => ({
    id: input.id,
    label: `${input.id} "${input.text}"`,
    description: `→ ${input.agents.join(', ') || 'no agent'}`,
  }));
  return (await vscode.window.showQuickPick(items, { title: `Remove an input of ${party}` }))?.id;
}

/** A snapshot version, or null for "latest snapshot + later events". */
export async function pickSnapshot(context: PartyCostContext, party: string): Promise<number | null | undefined> {
  const { snapshots } = await context.request(historyRequest, { party });
  const items = [
    { version: null as number | null, label: '$(history) Latest state', description: 'latest snapshot + the events after it' },
    ...[...snapshots].reverse().map((s) => ({
      version: s.version as number | null,
      label: `v${s.version} ${s.type}`,
      description: `events 1–${s.seq} · ${s.at.slice(0, 16).replace('T', ' ')}`,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Resume ${party} from…` });
  return picked ? picked.version : undefined;
}
