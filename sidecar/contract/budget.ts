/** The shapes of the spend limits' state, as `budget/status` reports them. */

/** What a budget allows, by the threshold reached: warn at the first, cheaper models at the second, defer
 *  non-essential agents at the third, refuse to execute at the fourth (reuse and cache hits always go on). */
export type BudgetLevel = 'ok' | 'warn' | 'cheaper' | 'defer' | 'refuse';

/** The levels in rising order. */
export const budgetLevels: BudgetLevel[] = ['ok', 'warn', 'cheaper', 'defer', 'refuse'];

export type LimitName = 'daily' | 'weekly' | 'monthly';

/** One configured limit: its window's spend against it. */
export interface LimitState {
  limit: LimitName;
  limitUsd: number;
  spentUsd: number;
  fraction: number;
  level: BudgetLevel;
  /** The start of the window (ISO, UTC) in the configured time zone's calendar. */
  since: string;
  /** Upstream tokens context assembly left out of prompts in the window (not paid for). */
  prunedTokens: number;
}

/**
 * The ledger the spend is counted in: the workspace's own, or a team ledger (PostgreSQL) that workspaces share: its
 * URL without the password, whether it answered, when it was last synced, what waits in the spool to reach it.
 */
export type TeamLedgerStatus =
  | { kind: 'local' }
  | {
      kind: 'team';
      url: string;
      from: 'PARTYCOST_LEDGER_URL' | 'ledger.url';
      reachable: boolean;
      problem?: string;
      syncedAt?: string;
      spooled: number;
      spooledUsd: number;
      ranBy: string;
    };

/** Every limit's state and the level the most restrictive one sets. */
export interface BudgetState {
  timeZone: string;
  thresholds: number[];
  limits: LimitState[];
  level: BudgetLevel;
  /** The limit that sets the level (the highest fraction), if any limit is configured. */
  binding: LimitState | null;
  /** One sentence for the user: the limit, the spend, what follows. */
  message: string;
}

/** A limit as written: cents from a dollar up, every significant decimal below ($0.005 is not $0.01). */
export function limitText(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${Number(usd.toFixed(6))}`;
}
