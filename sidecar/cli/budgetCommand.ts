import { limitText } from '../contract/budget';
import type { TeamLedgerStatus } from '../contract/budget';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { table } from './table';

/**
 * `partycost budget [--json]`: spend per day, week and month against the limits, and what the level allows; whose
 * spend: this workspace's ledger, or the team's (and how that ledger stands).
 */
export async function budgetCommand(ctx: CommandContext): Promise<void> {
  const { args, out, ws } = ctx;
  const state = ws.parties(requireConfig(ctx)).budget();
  const ledger = ws.ledgerStatus();
  if (args.json) return out.json({ ...state, ledger });
  out.line(
    `Budget (time zone ${state.timeZone}; thresholds ${state.thresholds.map((t) => `${Math.round(t * 100)} %`).join(' / ')}: warn / cheaper models / defer non-essential / refuse)`,
  );
  out.line(ledgerLine(ledger));
  out.line('');
  if (!state.limits.length) {
    out.line('No spend limits configured: set "limits": { "daily": 5 } (and weekly, monthly) in partycost.json.');
    return;
  }
  const rows = state.limits.map((l) => [
    l.limit,
    `$${l.spentUsd.toFixed(6)}`,
    limitText(l.limitUsd),
    Number.isFinite(l.fraction) ? `${(l.fraction * 100).toFixed(1)} %` : 'over',
    l.level,
    l.prunedTokens.toLocaleString('en-US'),
    l.since.slice(0, 16).replace('T', ' '),
  ]);
  const header = ['limit', 'spent', 'limit', 'used', 'level', 'tokens pruned', 'since (UTC)'];
  table(header, rows, [false, true, true, true, false, true, false]).forEach((line) => out.line(line));
  out.line('');
  out.line(`Level: ${state.level}. ${state.message}`);
}

/** Whose spend the budget counts: the team's (where its ledger is, and whether it answered) or this workspace's. */
export function ledgerLine(ledger: TeamLedgerStatus): string {
  if (ledger.kind === 'local') return "Spend: this workspace's ledger (no team ledger configured)";
  const waiting = ledger.spooled
    ? `; ${ledger.spooled} execution${ledger.spooled === 1 ? '' : 's'} ($${ledger.spooledUsd.toFixed(6)}) waiting to reach it`
    : '';
  const synced = ledger.syncedAt ? `as last synced ${ledger.syncedAt.slice(0, 19).replace('T', ' ')} UTC` : 'never synced';
  if (ledger.reachable) return `Spend: the team's, from the team ledger ${ledger.url} (${ledger.from})${waiting}`;
  return `Spend: the team's ${synced}, plus this workspace's since: the team ledger ${ledger.url} (${ledger.from}) is unreachable: ${ledger.problem ?? 'not connected'}${waiting}`;
}
