import * as vscode from 'vscode';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { PartyCostContext } from '../host/context';
import { cacheClearRequest, pricesUpdateRequest } from '../../sidecar/protocol';
import { keyedProviders, storeKey } from '../host/secrets';
import type { KeyedProvider } from '../host/secrets';
import { BudgetsPanel, pickBudgetsParty } from '../webviews/budgets/budgetsPanel';
import { CacheView } from '../webviews/cache/cacheView';
import { EstimatesPanel } from '../webviews/estimates/estimatesPanel';
import { pickParty } from '../parties/pickers';
import { registerCommand } from '../host/register';

export function registerWorkspaceCommands(context: PartyCostContext): void {
  const command = (id: string, run: (arg?: Record<string, unknown>) => Promise<unknown>): void => registerCommand(context, id, run);

  command('partycost.showCostEstimate', async () => {
    // A broken or missing configuration is the panel's empty state; the command returns what the panel shows.
    const panel = await EstimatesPanel.show(context);
    return panel.result;
  });

  command('partycost.showTokenBudgets', async (arg) => {
    // From the tree the argument is its node, whose party is an object with an id.
    const given = arg?.party as string | { id: string } | undefined;
    const party = (typeof given === 'object' ? given.id : given) ?? (await pickBudgetsParty(context));
    if (party === null) return undefined;
    // Without a party to pick, the panel shows how to start one; the command answers with what the panel shows.
    const shown = (await BudgetsPanel.show(context, party)).host.current;
    return shown.party && !shown.empty ? { party: shown.party, agents: shown.agents } : undefined;
  });

  command('partycost.clearCache', async (arg) => {
    const choice =
      (arg?.scope as string | undefined) ?? (await vscode.window.showQuickPick(['all', 'one agent', 'one party'], { title: 'Clear the result cache' }));
    if (!choice) return undefined;
    const agent = choice === 'one agent' ? ((arg?.agent as string | undefined) ?? (await vscode.window.showInputBox({ prompt: 'Agent name' }))) : undefined;
    const party =
      choice === 'one party' ? ((arg?.party as string | undefined) ?? (await pickParty(context, { title: 'Clear the cache entries of a party' }))) : undefined;
    if ((choice === 'one agent' && !agent) || (choice === 'one party' && !party)) return undefined;
    const { cleared, unreachable } = await context.request(cacheClearRequest, { agent, party });
    CacheView.cacheChanged();
    if (unreachable.length)
      void vscode.window.showWarningMessage(
        `Party Cost: cleared ${cleared} cache entries; ${unreachable.join(' and ')} did not answer: its older entries will not be used, but stay in it until cleared again.`,
      );
    else void vscode.window.showInformationMessage(`Party Cost: cleared ${cleared} cache entries.`);
    return { cleared, unreachable };
  });

  command('partycost.createSampleConfiguration', async (arg) => {
    const file = context.configPath;
    if (!file) throw new Error('open a folder first');
    if (existsSync(file) && arg?.overwrite !== true) {
      const choice = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(file)} exists. Overwrite it with the sample?`,
        { modal: true },
        'Overwrite',
      );
      if (choice !== 'Overwrite') return undefined;
    }
    // The sample ships beside the bundles (dist/partycost.sample.json), so creating it needs no sidecar.
    copyFileSync(path.join(context.extension.extensionPath, 'dist', 'partycost.sample.json'), file);
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    return file;
  });

  command('partycost.updatePrices', async () => {
    const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Party Cost: fetching the newest prices' }, () =>
      context.request(pricesUpdateRequest, {}, { noTimeout: true }),
    );
    context.pricesChanged();
    void vscode.window.showInformationMessage(
      `Party Cost: prices updated (${info.models.toLocaleString('en-US')} models of ${info.providers} providers, fetched ${info.fetchedAt?.slice(0, 16).replace('T', ' ')} UTC).`,
    );
    return info;
  });

  command('partycost.setApiKey', async (arg) => {
    const provider = (arg?.provider as KeyedProvider | undefined) ?? (await pickKeyedProvider());
    if (!provider) return undefined;
    const { label, variable } = keyedProviders[provider];
    const key =
      (arg?.key as string | undefined) ??
      (await vscode.window.showInputBox({
        prompt: `${label} API key (kept in VS Code secret storage, given to the sidecar as ${variable}; empty removes it)`,
        password: true,
        ignoreFocusOut: true,
      }));
    if (key === undefined) return undefined;
    await storeKey(context.extension.secrets, provider, key.trim());
    await context.restartSidecar();
    void vscode.window.showInformationMessage(
      key.trim() ? `Party Cost: ${label} key saved; the sidecar restarted with it.` : `Party Cost: ${label} key removed.`,
    );
    return undefined;
  });

  command('partycost.restartSidecar', async () => {
    await context.restartSidecar();
    void vscode.window.showInformationMessage(`Party Cost: sidecar restarted (pid ${context.sidecarPid}).`);
    return context.sidecarPid;
  });

  command('partycost.sidecarPid', async () => context.sidecarPid);
}

/** Which provider's key to set: a quick pick of the providers that need one. */
async function pickKeyedProvider(): Promise<KeyedProvider | undefined> {
  const items = Object.entries(keyedProviders).map(([provider, { label, variable }]) => ({
    label,
    description: variable,
    provider: provider as KeyedProvider,
  }));
  return (await vscode.window.showQuickPick(items, { title: 'Set the API key of which provider?' }))?.provider;
}
