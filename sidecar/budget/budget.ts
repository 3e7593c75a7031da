import type { PartyConfig } from '../config/schema';
import { windowStarts } from './windows';
import { budgetLevels, limitText } from '../contract/budget';
import type { BudgetLevel, BudgetState, LimitName, LimitState } from '../contract/budget';

export const defaultThresholds = [0.5, 0.8, 0.9, 1.0];

const windowOf: Record<LimitName, 'day' | 'week' | 'month'> = { daily: 'day', weekly: 'week', monthly: 'month' };

export function levelOf(fraction: number, thresholds: number[]): BudgetLevel {
  let level = 0;
  thresholds.forEach((threshold, i) => {
    if (fraction >= threshold) level = Math.max(level, i + 1);
  });
  return budgetLevels[Math.min(level, budgetLevels.length - 1)]!;
}

/** The budget's state now: each configured limit's spend in its window, and the most restrictive level. */
export function budgetState(config: PartyConfig, spent: (since: number) => number, now = Date.now(), pruned: (since: number) => number = () => 0): BudgetState {
  const limits = config.limits ?? {};
  const timeZone = limits.timeZone ?? 'UTC';
  const thresholds = defaultThresholds.map((t, i) => limits.thresholds?.[i] ?? t);
  const starts = windowStarts(now, timeZone);
  const states = (['daily', 'weekly', 'monthly'] as const).flatMap((limit): LimitState[] => {
    const limitUsd = limits[limit];
    if (limitUsd === undefined) return [];
    const since = starts[windowOf[limit]];
    const spentUsd = spent(since);
    const fraction = limitUsd > 0 ? spentUsd / limitUsd : spentUsd > 0 ? Infinity : 0;
    return [{ limit, limitUsd, spentUsd, fraction, level: levelOf(fraction, thresholds), since: new Date(since).toISOString(), prunedTokens: pruned(since) }];
  });
  const binding = states.reduce<LimitState | null>((worst, s) => (!worst || s.fraction > worst.fraction ? s : worst), null);
  const level = binding?.level ?? 'ok';
  return { timeZone, thresholds, limits: states, level, binding, message: budgetMessage(level, binding) };
}

const consequence: Record<BudgetLevel, string> = {
  ok: 'within budget',
  warn: 'warning',
  cheaper: 'cheaper models suggested',
  defer: 'non-essential agents deferred',
  refuse: 'executions refused; reuse and cache hits go on',
};

export function budgetMessage(level: BudgetLevel, binding: LimitState | null): string {
  if (!binding) return 'no spend limits configured';
  const percent = Number.isFinite(binding.fraction) ? `${(binding.fraction * 100).toFixed(1)} %` : 'over';
  return `${binding.limit} limit ${limitText(binding.limitUsd)}: $${binding.spentUsd.toFixed(6)} spent (${percent}): ${consequence[level]}`;
}

/** Whether the level keeps an agent from executing, and why. */
export function blockedBy(state: BudgetState, essential: boolean): string | undefined {
  if (state.level === 'refuse') return `refused by the budget: ${state.message}`;
  if (state.level === 'defer' && !essential) return `deferred by the budget (non-essential): ${state.message}`;
  return undefined;
}
