import { limitText } from '../contract/budget';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { table } from './table';

/** `partycost budget [--json]`: spend per day, week and month against the limits, and what the level allows. */
export async function budgetCommand(ctx: CommandContext): Promise<void> {
  const { args, out, ws } = ctx;
  const state = ws.parties(requireConfig(ctx)).budget();
  if (args.json) return out.json(state);
  out.line(
    `Budget (time zone ${state.timeZone}; thresholds ${state.thresholds.map((t) => `${Math.round(t * 100)} %`).join(' / ')}: warn / cheaper models / defer non-essential / refuse)`,
  );
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
