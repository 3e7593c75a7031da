import type { ProductionRuns } from '../contract/ledger';
import type { PartyConfig } from '../config/schema';
import type { SpendTrend } from '../contract/accuracy';
import type { Estimate, Learning, RightSizing } from '../contract/cost';
import type { CostDiff, CostLimits, LimitViolation } from '../contract/costDiff';
import { UserError } from '../contract/errors';
import { listPricing } from '../contract/pricing';
import type { Pricing } from '../contract/pricing';
import { checkLimits, diffEstimates, emptyEstimate } from '../estimate/costDiff';
import { estimate } from '../estimate/estimate';
import { rightSize } from '../estimate/rightSize';
import { countText } from '../cost/tokens';
import { spendTrend } from '../learning/trend';
import { configAtRevision as readAtRevision, loadAtRevision } from '../sources/gitRevision';
import { NewerDatabaseError } from '../store/database';
import type { OldConfig } from '../sources/gitRevision';
import { labelledEstimate } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import type { ConfigProblem } from '../protocol';
import { editorProblems } from './configService';
import { configProblems } from './workspace';
import type { OpenTexts, ValidConfig, Workspace } from './workspace';

/**
 * What the ledger teaches a configuration's estimates; nothing when it cannot be read (said, and the work goes on),
 * but for a database of a newer release, which every command refuses.
 */
export function learningOf(ws: Workspace, config: PartyConfig): Learning | undefined {
  try {
    return ws.learner()?.learningFor(config);
  } catch (error) {
    if (error instanceof NewerDatabaseError) throw error;
    ws.options.warn?.(`estimating without learned figures: the ledger cannot be read (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** The cost per agent, party and month, at list prices (or a what-if), learned where the ledger teaches. */
export function estimateOf(ws: Workspace, loaded: ValidConfig, pricing: Pricing = listPricing, learning = learningOf(ws, loaded.config)): Estimate {
  const estimated = labelledEstimate(loaded, estimate(loaded.config, loaded.prices, pricing, learning));
  const production = productionOf(ws, loaded);
  if (!production?.size) return estimated;
  return { ...estimated, agents: estimated.agents.map((a) => (production.has(a.agent) ? { ...a, production: production.get(a.agent)! } : a)) };
}

/** Per agent, its traced runs from production; none without a database or when it cannot be read. */
function productionOf(ws: Workspace, loaded: ValidConfig): Map<string, ProductionRuns> | undefined {
  try {
    return ws.learner()?.productionFor(loaded.config);
  } catch {
    return undefined;
  }
}

/** The cheaper models that meet each agent's needs; `atListPrices` is the estimate already made, if at list prices. */
export function cheaperModels(loaded: ValidConfig, learning: Learning | undefined, atListPrices?: Estimate): RightSizing[] {
  return rightSize(loaded.config, loaded.prices, { atListPrices, learning });
}

/** What an editor shows for a configuration with its unsaved texts: the estimate, cheaper models, and the problems. */
export function editorEstimate(
  ws: Workspace,
  texts: OpenTexts,
  pricing?: Pricing,
): { estimate: Estimate | null; rightSizing: RightSizing[]; problems: ConfigProblem[] } {
  const loaded = ws.load(texts);
  if (!loaded.config) return { estimate: null, rightSizing: [], problems: editorProblems(loaded) };
  const valid = loaded as ValidConfig;
  const learning = learningOf(ws, valid.config);
  const estimated = estimateOf(ws, valid, pricing ?? listPricing, learning);
  return { estimate: estimated, rightSizing: cheaperModels(valid, learning, pricing ? undefined : estimated), problems: editorProblems(loaded) };
}

/** `partycost estimate`: the estimate, cheaper models, the ledger's spend trend, and the limits it crosses. */
export interface EstimateReport {
  estimate: Estimate;
  rightSizing: RightSizing[];
  trend?: SpendTrend;
  violations: LimitViolation[];
}

export function estimateReport(ws: Workspace, loaded: ValidConfig, limits: CostLimits): EstimateReport {
  const learning = learningOf(ws, loaded.config);
  const estimated = estimateOf(ws, loaded, listPricing, learning);
  const ledger = ws.storeIfExists()?.ledger;
  return {
    estimate: estimated,
    rightSizing: cheaperModels(loaded, learning, estimated),
    ...(ledger ? { trend: spendTrend(ledger) } : {}),
    violations: checkLimits(limits, estimated.perPartyUsd, null),
  };
}

/** `partycost estimate --against REV`: before (the configuration at a git revision) and after (on disk). */
export interface RevisionDiff {
  /** The main file at the revision (its text null when it did not exist there). */
  old: OldConfig;
  diff: CostDiff;
  violations: LimitViolation[];
  after: Estimate;
}

/**
 * Both sides learn from the same runs: an agent whose prompt the change left alone keeps its figures. The old side
 * is every file of the configuration at the revision (a crew's YAML too); its problems are named `REV:path:line:col`.
 */
export function diffAgainst(ws: Workspace, loaded: ValidConfig, rev: string, limits: CostLimits): RevisionDiff {
  const learner = ws.learner();
  const after = estimateOf(ws, loaded, listPricing, learner?.learningFor(loaded.config));
  const display = (file: string): string => ws.display(file);
  const old = readAtRevision(ws.configFile(), rev, display);
  const before =
    old.text === null
      ? emptyEstimate(after)
      : estimateOfOld(ws, loadAtRevision(ws.location(), ws.configFile(), rev, display).loaded, learner?.learningFor.bind(learner));
  return { old, after, diff: diffEstimates(before, after), violations: checkLimits(limits, after.perPartyUsd, before.perPartyUsd) };
}

function estimateOfOld(ws: Workspace, then: LoadedConfig, learn?: (config: PartyConfig) => Learning): Estimate {
  if (!then.config) throw configProblems(then);
  return estimateOf(ws, then as ValidConfig, listPricing, learn?.(then.config));
}

/** The configuration at a revision, valid, for comparisons (impact --against). */
export function configAt(ws: Workspace, rev: string): ValidConfig {
  const { loaded, old } = loadAtRevision(ws.location(), ws.configFile(), rev, (file) => ws.display(file));
  if (old.text === null) throw new UserError(`${old.name} does not exist: nothing to compare with`);
  if (!loaded.config) throw configProblems(loaded);
  return loaded as ValidConfig;
}

/** Loads the tokenizer (0.1–0.3 s), so the first estimate does not wait for it. */
export function warmTokenizer(): void {
  countText('', 'o200k_base');
}
