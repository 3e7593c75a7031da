import type { PartyCostContext } from '../host/context';
import { listPartiesRequest } from '../../sidecar/protocol';
import type { EmptyState } from '../../webview/protocol';

/** The empty state of a workspace without a configuration, or undefined when it has one. */
export function missingConfig(context: PartyCostContext): EmptyState | undefined {
  if (!context.workspace) return { reason: 'no-config', message: "Open a folder: Party Cost Inspector works on a workspace's partycost.json." };
  if (context.hasConfiguration()) return undefined;
  return {
    reason: 'no-config',
    message: 'This folder has no partycost.json yet. Create the sample configuration (a party planner with seven agents) to start.',
    action: { label: 'Create Sample Configuration', command: 'partycost.createSampleConfiguration' },
  };
}

/** A failed request as the view's empty state: a broken configuration points at the Problems panel. */
export function failed(error: unknown): EmptyState {
  const message = error instanceof Error ? error.message : String(error);
  if (/configuration|partycost\.json/i.test(message)) return { reason: 'invalid-config', message: `${message} (see the Problems panel)` };
  return { reason: 'error', message };
}

export const noParty: EmptyState = {
  reason: 'no-party',
  message: 'No party yet. Run a party plan: its agents, their actions and costs appear here.',
  action: { label: 'Run Party Plan', command: 'partycost.runPartyPlan' },
};

/** The party a view shows: the one asked for, else the most recent, else none. */
export async function partyToShow(context: PartyCostContext, asked?: string): Promise<string | undefined> {
  if (asked) return asked;
  const { parties } = await context.request(listPartiesRequest, {});
  return parties.at(-1)?.id;
}
