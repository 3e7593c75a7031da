import type { PartyConfig } from '../config/schema';
import type { AgentLearning, Calibration, LearnedTokens, Learning, RunFigures } from '../contract/cost';
import { agentModel } from '../config/agents';
import { agentDefinition, promptHash } from '../planner/keys';
import { tokenizationFor } from '../cost/tokens';
import { roundUsd } from '../cost/money';
import type { Ledger, TeachingRun } from '../store/ledger';
import type { ProductionRuns } from '../contract/ledger';

/** Runs an agent's learned figures are taken over, and runs needed before they replace the configured ones. */
export const learningDefaults = { window: 20, minRuns: 5 } as const;

/** How long figures that miss only traced runs (and production figures) are reused while traces stream in. */
const tracedRefreshMs = 2_000;

/** A run whose output is under a quarter or over four times the median is far from the rest. */
const outlierRatio = 4;

/** The window and the runs needed, as configured (a minimum above the window is the window). */
export function learningSettings(config: PartyConfig): { window: number; minRuns: number } {
  const window = config.learning?.window ?? learningDefaults.window;
  return { window, minRuns: Math.min(window, config.learning?.minRuns ?? learningDefaults.minRuns) };
}

/**
 * Learning from the ledger without reading it whole. Per agent and prompt, `ledger_runs` (kept by a trigger) counts
 * the runs and names the newest; an agent's figures are computed from its newest `window` runs (an index walk) only
 * when it ran since they were last computed, and kept in `ledger_learned` for the next process. An estimate reads
 * `max(id)`; after new runs, the run counts, the kept figures (a row each) and the latest runs of the agents that ran.
 */
export class Learner {
  private lastId = -1;
  /** Per agent and prompt: its run count, newest run and newest of ours; per agent, its runs under any prompt. */
  private runs = new Map<string, { runs: number; lastId: number; ownLastId: number }>();
  private totals = new Map<string, number>();
  /** Figures per agent, prompt and window, with the newest run they include and when they were computed (0: read). */
  private readonly figures = new Map<string, { lastId: number; figures: RunFigures; at?: number }>();
  /** Figures computed by this learning, kept in the database together at its end. */
  private pending: { agent: string; hash: string; window: number; lastId: number; figures: RunFigures }[] = [];
  private window = 0;
  private readonly calibrations = new Map<string, Calibration | null>();

  constructor(private readonly ledger: Ledger) {}

  learningFor(config: PartyConfig, now = Date.now()): Learning {
    const { window, minRuns } = learningSettings(config);
    const lastId = this.ledger.lastId();
    if (lastId !== this.lastId || window !== this.window) this.refresh(lastId, window);
    const learning: Learning = { agents: new Map(), calibration: new Map() };
    for (const [name, agent] of Object.entries(config.agents)) {
      const model = agentModel(agent, config);
      if (!model) continue;
      const hash = promptHash(agentDefinition(agent, config));
      const counted = this.runs.get(`${name}\u0000${hash}`);
      const runs = counted?.runs ?? 0;
      const figures = counted ? this.figuresOf(name, hash, window, counted, now) : noFigures;
      learning.agents.set(name, learningOf(figures, { runs, earlierRuns: (this.totals.get(name) ?? 0) - runs, minRuns }));
      if (!tokenizationFor(model).exact && !learning.calibration.has(model)) {
        const calibration = this.calibration(model, window, minRuns);
        if (calibration) learning.calibration.set(model, calibration);
      }
    }
    this.keep();
    return learning;
  }

  /**
   * The ledger grew, or another window is asked for: run counts and kept figures are read again (a row per agent and
   * prompt); figures this learner computed stay while they include their agent's newest run.
   */
  private refresh(lastId: number, window: number): void {
    this.lastId = lastId;
    this.window = window;
    this.calibrations.clear();
    this.runs = new Map();
    this.totals = new Map();
    if (lastId === 0) return;
    for (const row of this.ledger.promptRuns(window)) {
      const key = `${row.agent}\u0000${row.hash}`;
      this.runs.set(key, { runs: row.runs, lastId: row.lastId, ownLastId: row.ownLastId });
      this.totals.set(row.agent, (this.totals.get(row.agent) ?? 0) + row.runs);
      const known = this.figures.get(`${key}\u0000${window}`);
      if (row.kept && (!known || known.lastId < row.kept.lastId)) this.figures.set(`${key}\u0000${window}`, row.kept);
    }
  }

  /**
   * An agent's figures as of its newest run: kept ones when they include it, else computed from its latest runs. While
   * traces stream in, an agent gains runs between any two hovers: figures that miss only traced runs are computed
   * again at most every two seconds; a run of ours is in the next figures at once.
   */
  private figuresOf(agent: string, hash: string, window: number, counted: { lastId: number; ownLastId: number }, now: number): RunFigures {
    const key = `${agent}\u0000${hash}\u0000${window}`;
    const known = this.figures.get(key);
    if (known?.lastId === counted.lastId) return known.figures;
    if (known?.at !== undefined && counted.ownLastId <= known.lastId && now - known.at < tracedRefreshMs) return known.figures;
    const figures = figuresFrom(this.ledger.teachingRuns(agent, hash, window));
    this.figures.set(key, { lastId: counted.lastId, figures, at: now });
    this.pending.push({ agent, hash, window, lastId: counted.lastId, figures });
    return figures;
  }

  /** The figures computed, kept for the next process. */
  private keep(): void {
    const pending = this.pending;
    this.pending = [];
    try {
      this.ledger.storeFigures(pending);
    } catch {
      // A database that cannot be written now (locked by a long run, read-only) only costs the next process a read.
    }
  }

  private kept?: { lastId: number; window: number; at: number; production: Map<string, ProductionRuns> };

  /** Rows changed without the ledger growing (calls mapped to an agent): everything is read again. */
  forget(): void {
    this.lastId = -1;
    this.kept = undefined;
    this.figures.clear();
  }

  /**
   * Per agent, its traced runs (production): read again when the ledger grew, at most every two seconds (while traces
   * stream in, the ledger grows between any two hovers; a figure two seconds old is as good).
   */
  productionFor(config: PartyConfig, now = Date.now()): Map<string, ProductionRuns> {
    const { window } = learningSettings(config);
    const kept = this.kept;
    if (kept && kept.window === window && now - kept.at < tracedRefreshMs) return kept.production;
    const lastId = this.ledger.lastId();
    if (kept && kept.lastId === lastId && kept.window === window) {
      kept.at = now;
      return kept.production;
    }
    const production = lastId === 0 ? new Map<string, ProductionRuns>() : this.ledger.production(window);
    this.kept = { lastId, window, at: now, production };
    return production;
  }

  private calibration(model: string, window: number, minRuns: number): Calibration | undefined {
    const key = `${model}\u0000${window}\u0000${minRuns}`;
    let known = this.calibrations.get(key);
    if (known === undefined) {
      const sums = this.lastId > 0 ? this.ledger.calibrationRuns(model, window) : { runs: 0, billed: 0, counted: 0 };
      known = sums.runs >= minRuns && sums.counted > 0 && sums.billed > 0 ? { model, factor: round(sums.billed / sums.counted, 3), runs: sums.runs } : null;
      this.calibrations.set(key, known);
    }
    return known ?? undefined;
  }
}

const noFigures: RunFigures = { window: 0, input: null, output: null, actualMeanCostUsd: null, outliers: 0, calls: null };

/** An agent's learning from its newest runs (newest first), with the sentence that explains it. */
export function learnedFrom(taught: TeachingRun[], counts: { runs: number; earlierRuns: number; minRuns: number }): AgentLearning {
  return learningOf(figuresFrom(taught), counts);
}

/** What runs show: percentiles of prompt and answer, the mean cost, the answers far from the median. */
export function figuresFrom(taught: TeachingRun[]): RunFigures {
  const output = figures(taught.map((run) => run.outputTokens));
  const input = figures(taught.map((run) => run.inputTokens));
  const outliers = output ? taught.filter((run) => isOutlier(run, output.p50)).length : 0;
  const actualMeanCostUsd = taught.length ? roundUsd(taught.reduce((total, run) => total + run.costUsd, 0) / taught.length) : null;
  const counted = taught.flatMap((run) => (run.calls === null || run.calls === undefined ? [] : [run.calls]));
  // Calls are learned when most of the window counted them (a loop seen in traces), so totals and calls agree.
  const calls = counted.length * 2 > taught.length ? figures(counted) : null;
  return { window: taught.length, input, output, actualMeanCostUsd, outliers, calls };
}

function learningOf(figures: RunFigures, counts: { runs: number; earlierRuns: number; minRuns: number }): AgentLearning {
  const learning = { runs: counts.runs, minRuns: counts.minRuns, earlierRuns: counts.earlierRuns, ...figures };
  return { ...learning, why: why(learning) };
}

/** A run whose answer is under a quarter or over four times the median: a cut-off or runaway answer. */
export function isOutlier(run: TeachingRun, medianOutput: number): boolean {
  return run.outputTokens * outlierRatio < medianOutput || run.outputTokens > medianOutput * outlierRatio;
}

/** Nearest-rank p50 and p90 and the mean: one cut-off answer among ten moves neither percentile far. */
function figures(values: number[]): LearnedTokens | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: at(0.5), p90: at(0.9), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 1) };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** `1,234`: the en-US grouping, without Intl's cost (an estimate formats a few numbers per agent). */
const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

function why(l: Omit<AgentLearning, 'why'>): string {
  const earlier = l.earlierRuns ? `; ${plural(l.earlierRuns, 'run')} under an earlier prompt or model no longer describe it` : '';
  if (l.window === 0) return `no runs${l.earlierRuns ? ' since its prompt or model changed' : ' yet'}: the configured figures apply${earlier}`;
  if (l.window < l.minRuns) {
    return `${plural(l.window, 'run')} so far, ${count(l.minRuns)} needed before learned figures replace the configured ones (fewer would let one answer decide)${earlier}`;
  }
  const over = l.window < l.runs ? `the latest ${count(l.window)} of ${plural(l.runs, 'run')}` : plural(l.window, 'run');
  const far = l.outliers
    ? `; ${l.outliers === 1 ? '1 run is' : `${count(l.outliers)} runs are`} far from the rest (a cut-off or runaway answer), which the median does not follow`
    : '';
  return `learned from ${over} (output p50 ${count(l.output!.p50)}, p90 ${count(l.output!.p90)})${far}${earlier}`;
}
