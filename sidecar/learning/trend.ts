import { roundUsd } from '../cost/money';
import type { SpendTrend } from '../contract/accuracy';
import type { Ledger } from '../store/ledger';

/** Days of spend the trend is fitted over (whole UTC days before today). */
export const trendDays = 28;
/** Whole days with spend needed before a line is fitted. */
const minTrendDays = 2;
const dayMs = 86_400_000;

/**
 * Next month's spend as the ledger's actual spend runs: a least-squares line through the daily spend of the whole
 * days since the first day with spend (at most the last 28; today is still running, so it is left out), summed over
 * the next 30 days and never below zero on a day; beside it, the flat rate (mean daily spend × 30).
 */
export function spendTrend(ledger: Ledger, now = Date.now()): SpendTrend {
  const today = Math.floor(now / dayMs) * dayMs;
  const since = today - trendDays * dayMs;
  const spend = ledger.dailySpend(new Date(since).toISOString());
  const whole = spend.filter((d) => Date.parse(`${d.day}T00:00:00Z`) < today);
  const todayUsd = roundUsd(spend.filter((d) => Date.parse(`${d.day}T00:00:00Z`) >= today).reduce((total, d) => total + d.spentUsd, 0));
  const [firstDay] = whole;
  if (!firstDay) {
    return {
      days: 0,
      spentUsd: 0,
      todayUsd,
      ratePerMonthUsd: null,
      trendPerMonthUsd: null,
      slopePerDayUsd: null,
      why: todayUsd > 0 ? 'runs only today so far: no whole day to project from' : 'no spend in the ledger yet',
    };
  }
  const first = Date.parse(`${firstDay.day}T00:00:00Z`);
  const days = Math.round((today - first) / dayMs);
  const daily = Array.from({ length: days }, () => 0);
  for (const d of whole) {
    const day = Math.round((Date.parse(`${d.day}T00:00:00Z`) - first) / dayMs);
    daily[day] = (daily[day] ?? 0) + d.spentUsd;
  }
  const spentUsd = daily.reduce((a, b) => a + b, 0);
  const ratePerMonthUsd = roundUsd((spentUsd / days) * 30);
  if (days < minTrendDays) {
    return {
      days,
      spentUsd: roundUsd(spentUsd),
      todayUsd,
      ratePerMonthUsd,
      trendPerMonthUsd: null,
      slopePerDayUsd: null,
      why: `1 whole day of spend: a rate, no trend yet (${minTrendDays} days needed)`,
    };
  }
  const { intercept, slope } = line(daily);
  let projected = 0;
  for (let x = days; x < days + 30; x++) projected += Math.max(0, intercept + slope * x);
  return {
    days,
    spentUsd: roundUsd(spentUsd),
    todayUsd,
    ratePerMonthUsd,
    trendPerMonthUsd: roundUsd(projected),
    slopePerDayUsd: roundUsd(slope),
    why: `a line through ${days} whole days of spend (${firstDay.day} on), projected over the next 30 days`,
  };
}

/** Least squares through (0, y0), (1, y1), …. */
function line(y: number[]): { intercept: number; slope: number } {
  const n = y.length;
  const meanX = (n - 1) / 2;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let covariance = 0;
  let variance = 0;
  y.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  const slope = variance ? covariance / variance : 0;
  return { intercept: meanY - slope * meanX, slope };
}
