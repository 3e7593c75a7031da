/** The shapes of `partycost accuracy --json` and `ledger/accuracy`: how close estimates came to what was billed. */

/** One agent: its configured and learned estimates against its runs' actual costs. */
export interface AgentAccuracy {
  agent: string;
  model: string | null;
  /** Executions of the agent as now configured that reported actual usage (every one, ever). */
  runs: number;
  /** The runs the figures below are taken over: the newest, at most the learning window. */
  window: number;
  /** The estimate from the configuration alone (`expectedOutputTokens`, the counted prompt). */
  configuredCostUsd: number;
  /** The estimate with learned figures; null until there are enough runs. */
  learnedCostUsd: number | null;
  /** The window's mean actual cost; null without runs. */
  actualMeanCostUsd: number | null;
  /** Mean absolute percentage error of the configured estimate against each run; null without runs that cost anything. */
  configuredErrorPercent: number | null;
  /** The same for the learned estimate; null until it exists. */
  learnedErrorPercent: number | null;
  /**
   * Per run of the window, oldest first: the absolute percentage error of the estimate in force when it ran (as the
   * ledger recorded it) against what it cost; null for a run that cost nothing or kept no estimate.
   */
  errorTrend: (number | null)[];
  /** The runs' mean actual cost against the estimate shown (learned, else configured), in percent of it. */
  driftPercent: number | null;
  /** |driftPercent| over the limit (25 %). */
  drift: boolean;
  outputTokensSource: 'configured' | 'learned';
  earlierRuns: number;
  outliers: number;
  why: string;
}

/** Next month from the ledger's actual spend, beside the configuration's projection. */
export interface SpendTrend {
  /** Whole days the figures cover (from the first day with spend, at most 28, today left out). */
  days: number;
  spentUsd: number;
  /** Spent so far today (not in the figures: the day is not over). */
  todayUsd: number;
  /** Mean daily spend × 30; null without a whole day of spend. */
  ratePerMonthUsd: number | null;
  /** A least-squares line through the daily spend, summed over the next 30 days; null under 2 days. */
  trendPerMonthUsd: number | null;
  slopePerDayUsd: number | null;
  why: string;
}

export interface AccuracyReport {
  agents: AgentAccuracy[];
  projection: {
    /** The configuration's estimate at its volume: configured figures, then with learned ones. */
    configuredPerMonthUsd: number;
    learnedPerMonthUsd: number;
    actual: SpendTrend;
  };
  learning: { window: number; minRuns: number };
}
