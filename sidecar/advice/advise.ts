import type { AgentConfig, PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import type { Advice, AdviceReport, AppliedAdvice, ChangeKind, Confidence, ConfigEdit, PromptCaching } from '../contract/advice';
import type { AgentEstimate, Estimate, Learning } from '../contract/cost';
import { listPricing } from '../contract/pricing';
import { defaultVolume, estimate } from '../cost/estimate';
import { roundUsd } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import { rightSize } from '../cost/rightSize';
import { templateTokens } from '../cost/agentTokens';
import { normalizeInput } from '../planner/normalize';
import { ttlMs } from '../planner/partyGraph';
import { agentDefinition, promptHash } from '../planner/keys';
import type { Db } from '../store/database';
import { appliedAdvice, cachingRuns, costAround, expiredRuns, ledgerVolume, storedInputs } from './ledgerFacts';
import { cacheOption, cacheRates, cacheVendor, currentSetting, ruleText, settingsOf } from './promptCache';
import type { CacheOption, CacheRates, CacheVendor } from './promptCache';
import { promptShape, repeatingAgents } from './promptParts';
import type { PromptShape } from './promptParts';

export interface AdviseOptions {
  learning?: Learning;
  /** The workspace database: the ledger's volume, expired results, stored inputs, applied advice. */
  db?: Db;
  /** Edits are offered only where the configuration is `partycost.json` (a crew's YAML is edited by hand). */
  editable?: boolean;
  now?: number;
}

/** Savings under this many USD per month are not worth a line. */
const worthUsd = 0.01;

/** The result-cache lifetimes offered, shortest first. */
const ttlSteps: [string, number][] = [
  ['1d', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
  ['90d', 90 * 86_400_000],
];

/** The rounding offered when inputs with numbers do not repeat. */
const roundToOffered = 25;

interface AgentFacts {
  name: string;
  agent: AgentConfig;
  model: string;
  estimate: AgentEstimate;
  runsPerMonth: number;
  /** What the ledger files its executions under as it is now configured. */
  promptHash: string;
}

/**
 * Every change that would cut the bill, per agent, priced per month and ranked: prompt caching by each vendor's rules
 * (setting, order of the prompt's parts, merging small agents), a cheaper model that meets the agent's needs, the
 * Batch API for agents that may wait, a longer result-cache TTL or input rounding where the ledger shows re-runs they
 * would have saved, and a context budget where upstream results fill the prompt.
 */
export function advise(config: PartyConfig, prices: PriceBook, options: AdviseOptions = {}): AdviceReport {
  const now = options.now ?? Date.now();
  const { learning, db } = options;
  const atList = estimate(config, prices, listPricing, learning);
  const volume = volumeOf(config, db, now);
  const repeats = repeatingAgents(config);
  const byName = new Map(atList.agents.map((a) => [a.agent, a]));
  const facts: AgentFacts[] = Object.entries(config.agents).flatMap(([name, agent]) => {
    const model = agentModel(agent, config);
    const estimateOf = byName.get(name);
    if (!model || !estimateOf || agent.kind === 'compute') return [];
    return [{ name, agent, model, estimate: estimateOf, runsPerMonth: volume.runsOf(name), promptHash: promptHash(agentDefinition(agent, config)) }];
  });
  const advice: Omit<Advice, 'rank'>[] = [];
  const promptCaching: PromptCaching[] = [];
  const shapes = new Map<string, { shape: PromptShape; vendor: CacheVendor; rates: CacheRates; best: CacheOption; current: CacheOption }>();
  for (const f of facts) {
    const priced = prices.model(f.model);
    if (!priced) continue;
    const vendor = cacheVendor(priced);
    const shape = promptShape(f.agent, f.model, config, repeats, learning);
    const rates = cacheRates(priced);
    const current = cacheOption(vendor, f.model, shape, currentSetting(f.agent, vendor, f.model), 'as written', rates, f.runsPerMonth);
    const orders = shape.stableFirstTokens > shape.prefixTokens ? (['as written', 'stable first'] as const) : (['as written'] as const);
    const choices = orders.flatMap((order) => settingsOf(vendor, f.model).map((setting) => cacheOption(vendor, f.model, shape, setting, order, rates, f.runsPerMonth)));
    const best = choices.reduce((a, b) => (b.savingPerRunUsd > a.savingPerRunUsd + 1e-12 ? b : a), current);
    shapes.set(f.name, { shape, vendor, rates, best, current });
    promptCaching.push(cachingRow(f, vendor, shape, current, rates, db));
    const cachingAdvice = promptCacheAdvice(f, vendor, shape, current, best, options.editable);
    if (cachingAdvice) advice.push(cachingAdvice);
  }
  advice.push(...mergeAdvice(facts, shapes));
  advice.push(...modelAdvice(config, prices, atList, learning, facts, options.editable));
  advice.push(...batchAdvice(config, prices, learning, facts, options.editable));
  advice.push(...contextAdvice(facts, shapes, options.editable));
  if (db) {
    advice.push(...ttlAdvice(config, expiredRuns(db, now), options.editable));
    advice.push(...normalizeAdvice(facts, db, options.editable));
  }
  const worth = advice.filter((a) => a.savingPerMonthUsd >= worthUsd);
  worth.sort((a, b) => b.savingPerMonthUsd - a.savingPerMonthUsd || confidenceRank[a.confidence] - confidenceRank[b.confidence] || a.agent.localeCompare(b.agent));
  const ranked = worth.map((a, i): Advice => ({ rank: i + 1, ...a }));
  return {
    advice: ranked,
    totalPerMonthUsd: roundUsd(ranked.reduce((total, a) => total + a.savingPerMonthUsd, 0)),
    promptCaching,
    applied: db ? measuredApplied(db) : [],
    volume: volume.report,
    prices: { source: prices.source, date: prices.date },
  };
}

const confidenceRank: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

function volumeOf(config: PartyConfig, db: Db | undefined, now: number): { runsOf: (agent: string) => number; report: AdviceReport['volume'] } {
  const configured = { ...defaultVolume, ...config.volume };
  const fromLedger = db ? ledgerVolume(db, now) : null;
  if (fromLedger) {
    return {
      runsOf: (agent) => fromLedger.runsPerMonth.get(agent) ?? 0,
      report: {
        partiesPerMonth: round(fromLedger.partiesPerMonth),
        runsPerParty: configured.rerunFactor,
        source: 'ledger',
        why: `each agent's executions in the ledger's last ${Math.round(fromLedger.spanDays)} days, scaled to 30`,
      },
    };
  }
  const runs = configured.partiesPerMonth * configured.rerunFactor;
  return {
    runsOf: () => runs,
    report: {
      partiesPerMonth: configured.partiesPerMonth,
      runsPerParty: configured.rerunFactor,
      source: 'configured',
      why: db ? 'the configuration\'s volume (the ledger covers less than a week)' : 'the configuration\'s volume',
    },
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function perMonth(perRun: number, runs: number): number {
  return roundUsd(perRun * runs);
}

function editOf(editable: boolean | undefined, path: (string | number)[], value: unknown): { edit?: ConfigEdit } {
  return editable ? { edit: { path, value } } : {};
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

function tokens(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} tokens`;
}

/** `1,259-token`, before a noun. */
function tokenSized(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')}-token`;
}

function lifetimeText(minutes: number): string {
  return minutes >= 60 ? `${minutes / 60}-hour` : `${minutes}-minute`;
}

/** What prompt caching does for an agent as it is sent now, with what its real runs read and wrote. */
function cachingRow(f: AgentFacts, vendor: CacheVendor, shape: PromptShape, current: CacheOption, rates: CacheRates, db: Db | undefined): PromptCaching {
  const row: PromptCaching = {
    agent: f.name,
    model: f.model,
    vendor,
    runsOn: f.estimate.runsOn,
    rule: ruleText(vendor, current),
    prefixTokens: shape.prefixTokens,
    stableTokens: shape.stableTokens,
    promptTokens: f.estimate.inputTokens,
    minimumTokens: current.minimumTokens,
    cachedTokens: current.cachedTokens,
    writtenTokens: current.writtenTokens,
    lifetimeMinutes: current.lifetimeMinutes,
    hitRate: round(current.hitRate * 1000) / 1000,
    savingPerMonthUsd: perMonth(current.savingPerRunUsd, f.runsPerMonth),
  };
  if (!db) return row;
  const runs = cachingRuns(db, f.name, f.promptHash);
  if (!runs.length) return row;
  const write = current.setting === '1h' ? rates.writeHour : rates.write;
  const saved = runs.reduce((total, r) => total + r.cacheReadTokens * (rates.input - rates.read) - r.cacheWriteTokens * (write - rates.input), 0);
  return {
    ...row,
    measured: {
      runs: runs.length,
      hitRate: runs.filter((r) => r.cacheReadTokens > 0).length / runs.length,
      savingPerRunUsd: roundUsd(saved / runs.length),
      predictedPerRunUsd: roundUsd(current.savingPerRunUsd),
    },
  };
}

/** The better way to send an agent's prompt, if it saves more than the way it is sent now. */
function promptCacheAdvice(f: AgentFacts, vendor: CacheVendor, shape: PromptShape, current: CacheOption, best: CacheOption, editable: boolean | undefined): Omit<Advice, 'rank'> | undefined {
  const gain = best.savingPerRunUsd - current.savingPerRunUsd;
  if (best === current || gain <= 0) return undefined;
  // Turning caching off rests on the hit rate it has now; any other change on the one it would have.
  const rated = best.setting === 'off' ? current : best;
  const assumes = [
    `${f.runsPerMonth.toLocaleString('en-US', { maximumFractionDigits: 0 })} runs a month arriving at random`,
    `hit rate ${percent(rated.hitRate)} with a ${lifetimeText(rated.lifetimeMinutes)} lifetime`,
    'upstream results repeat when their agents take no party input',
  ];
  if (vendor === 'google') assumes.push('Gemini\'s implicit cache lifetime is not documented: 5 minutes taken');
  const settingChange = best.setting !== current.setting;
  const setting = best.setting === '5m' ? (vendor === 'openai' ? 'in-memory' : '5m') : best.setting;
  if (best.order === 'stable first') {
    return {
      agent: f.name,
      kind: 'prompt-order',
      change: `put the stable parts first${settingChange ? `, promptCache "${setting}"` : ''}`,
      savingPerMonthUsd: perMonth(gain, f.runsPerMonth),
      savingPerRunUsd: roundUsd(gain),
      confidence: 'low',
      why: `${tokens(shape.stableTokens)} of the prompt repeat across parties but only ${tokens(shape.prefixTokens)} come before the first part that changes; with the system text, fixed instructions and repeating upstream results before the inputs, ${tokens(best.cachedTokens)} are cached (minimum ${tokens(best.minimumTokens ?? 0)}).`,
      assumes,
    };
  }
  const off = best.setting === 'off';
  return {
    agent: f.name,
    kind: 'prompt-cache',
    change: `promptCache "${best.setting}"`,
    savingPerMonthUsd: perMonth(gain, f.runsPerMonth),
    savingPerRunUsd: roundUsd(gain),
    confidence: 'medium',
    why: off
      ? `Its ${tokenSized(current.writtenTokens)} breakpoint is written at ${current.setting === '1h' ? '2×' : '1.25×'} the input price on ${percent(1 - current.hitRate)} of runs and read on ${percent(current.hitRate)}: the writes cost more than the reads save.`
      : `A ${lifetimeText(best.lifetimeMinutes)} cache raises the expected hit rate on its ${tokenSized(best.cachedTokens)} prefix from ${percent(current.hitRate)} to ${percent(best.hitRate)}${best.writtenTokens ? ', writes counted' : ' at no extra charge'}.`,
    assumes,
    ...editOf(editable, ['agents', f.name, 'promptCache'], best.setting),
  };
}

/**
 * Agents on one model that take the same upstream results, whose stable parts are each below the model's minimum
 * but together reach it: merged into one call, the shared prefix is cached.
 */
function mergeAdvice(facts: AgentFacts[], shapes: Map<string, { shape: PromptShape; vendor: CacheVendor; rates: CacheRates; best: CacheOption }>): Omit<Advice, 'rank'>[] {
  const groups = new Map<string, AgentFacts[]>();
  for (const f of facts) {
    const s = shapes.get(f.name);
    if (!s || s.best.cachedTokens > 0 || s.vendor === 'other') continue;
    const key = `${f.model}\u0000${[...(f.agent.dependsOn ?? [])].sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].flatMap((group): Omit<Advice, 'rank'>[] => {
    if (group.length < 2) return [];
    const first = shapes.get(group[0].name)!;
    const stable = group.reduce((total, f) => total + shapes.get(f.name)!.shape.stableTokens, 0);
    const merged: PromptShape = { ...first.shape, prefixTokens: stable, stableFirstTokens: stable, stableTokens: stable, breakpoint: { tokens: stable, repeats: true } };
    const runs = Math.max(...group.map((f) => f.runsPerMonth));
    const option = cacheOption(first.vendor, group[0].model, merged, first.vendor === 'anthropic' ? '1h' : '5m', 'stable first', first.rates, runs);
    if (option.savingPerRunUsd <= 0) return [];
    const names = group.map((f) => f.name);
    return [
      {
        agent: names.join(' + '),
        kind: 'merge-agents',
        change: `merge ${names.join(', ')} into one call`,
        savingPerMonthUsd: perMonth(option.savingPerRunUsd, runs),
        savingPerRunUsd: roundUsd(option.savingPerRunUsd),
        confidence: 'low',
        why: `Each is below the ${tokens(option.minimumTokens ?? 0)} minimum on ${group[0].model}; their stable parts together (${tokens(stable)}) would be cached, read at the cached price on ${percent(option.hitRate)} of runs.`,
        assumes: ['one call can do the work of all of them', `hit rate ${percent(option.hitRate)}`],
      },
    ];
  });
}

/** A cheaper model that meets the agent's needs (right-sizing), priced at the volume. */
function modelAdvice(config: PartyConfig, prices: PriceBook, atList: Estimate, learning: Learning | undefined, facts: AgentFacts[], editable: boolean | undefined): Omit<Advice, 'rank'>[] {
  const byName = new Map(facts.map((f) => [f.name, f]));
  return rightSize(config, prices, { atListPrices: atList, learning }).flatMap((r): Omit<Advice, 'rank'>[] => {
    const f = byName.get(r.agent);
    if (!f || !r.suggested || r.savingPerRunUsd <= 0) return [];
    const quality = r.suggested.quality !== null ? `quality ${r.suggested.quality}` : 'quality unknown';
    return [
      {
        agent: r.agent,
        kind: 'model',
        change: `model ${r.current.model} → ${r.suggested.model}`,
        savingPerMonthUsd: perMonth(r.savingPerRunUsd, f.runsPerMonth),
        savingPerRunUsd: r.savingPerRunUsd,
        confidence: 'medium',
        why: `${r.suggested.model} costs $${r.suggested.costPerRunUsd} a run against $${r.current.costPerRunUsd}, fits the prompt and meets the needs (${quality} ≥ ${r.needs.minQuality ?? 'any'}${r.needs.maxLatencyMs ? `, latency ≤ ${r.needs.maxLatencyMs} ms` : ''}).`,
        assumes: ['the project\'s indicative quality ranking of models holds for this agent\'s task', 'the same tokens on the new model'],
        ...editOf(editable, ['agents', r.agent, 'model'], r.suggested.model),
      },
    ];
  });
}

/** The Batch API for agents that may wait (`essential: false`), on the vendors whose batch API runs drive. */
function batchAdvice(config: PartyConfig, prices: PriceBook, learning: Learning | undefined, facts: AgentFacts[], editable: boolean | undefined): Omit<Advice, 'rank'>[] {
  const waiting = facts.filter((f) => f.agent.essential === false && !f.agent.batch && f.agent.maxLatencyMs === undefined && agentProvider(f.agent, config) !== 'gemini');
  if (!waiting.length) return [];
  const atBatch = new Map(estimate(config, prices, { cachedInputShare: 0, batch: true }, learning).agents.map((a) => [a.agent, a]));
  return waiting.flatMap((f): Omit<Advice, 'rank'>[] => {
    const batch = atBatch.get(f.name);
    if (!batch || batch.batchUnavailable) return [];
    const perRun = roundUsd(f.estimate.costPerRunUsd - batch.costPerRunUsd);
    if (perRun <= 0) return [];
    return [
      {
        agent: f.name,
        kind: 'batch',
        change: 'batch: true',
        savingPerMonthUsd: perMonth(perRun, f.runsPerMonth),
        savingPerRunUsd: perRun,
        confidence: 'medium',
        why: `It is marked essential: false, so it may wait: through the ${batch.provider ?? 'vendor'} Batch API a run costs $${batch.costPerRunUsd} instead of $${f.estimate.costPerRunUsd}.`,
        assumes: ['answers within 24 hours are soon enough for this agent and the agents after it'],
        ...editOf(editable, ['agents', f.name, 'batch'], true),
      },
    ];
  });
}

/** A context budget where upstream results are most of a long prompt: summaries instead of whole results. */
function contextAdvice(facts: AgentFacts[], shapes: Map<string, { shape: PromptShape; rates: CacheRates }>, editable: boolean | undefined): Omit<Advice, 'rank'>[] {
  return facts.flatMap((f): Omit<Advice, 'rank'>[] => {
    const s = shapes.get(f.name);
    if (!s || f.agent.contextBudget !== undefined) return [];
    const upstream = s.shape.upstreamTokens;
    if (upstream < 1_000 || upstream * 2 < f.estimate.inputTokens) return [];
    const own = templateTokens(f.agent, f.model).tokens;
    const budget = Math.ceil((own + upstream / 2) / 100) * 100;
    const pruned = f.estimate.inputTokens - budget;
    if (pruned <= 0) return [];
    const perRun = pruned * s.rates.input;
    return [
      {
        agent: f.name,
        kind: 'context-budget',
        change: `contextBudget ${budget}`,
        savingPerMonthUsd: perMonth(perRun, f.runsPerMonth),
        savingPerRunUsd: roundUsd(perRun),
        confidence: 'low',
        why: `Upstream results are ${tokens(upstream)} of its ${tokenSized(f.estimate.inputTokens)} prompt; a budget of ${budget} has them summarised, ${tokens(pruned)} fewer a run.`,
        assumes: ['summaries of the upstream results are enough for its answer (see the Token Budgets panel)'],
        ...editOf(editable, ['agents', f.name, 'contextBudget'], budget),
      },
    ];
  });
}

/** A longer result-cache TTL where parties re-ran an agent because their stored result had expired. */
function ttlAdvice(config: PartyConfig, expired: Map<string, { runs: number; meanCostUsd: number }>, editable: boolean | undefined): Omit<Advice, 'rank'>[] {
  return [...expired].flatMap(([name, { runs, meanCostUsd }]): Omit<Advice, 'rank'>[] => {
    const agent = config.agents[name];
    if (!agent) return [];
    const current = ttlMs(agent.cache?.ttl);
    const next = ttlSteps.find(([, ms]) => ms > current);
    if (!next) return [];
    return [
      {
        agent: name,
        kind: 'result-cache-ttl',
        change: `cache.ttl "${next[0]}"`,
        savingPerMonthUsd: roundUsd(runs * meanCostUsd),
        savingPerRunUsd: roundUsd(meanCostUsd),
        confidence: 'low',
        why: `${runs} execution${runs === 1 ? '' : 's'} in the last 30 days ran only because the party's stored result had expired (TTL ${agent.cache?.ttl ?? '7d'}), at $${roundUsd(meanCostUsd)} each.`,
        assumes: [`every one of them came back within ${next[0]}`, 'the last 30 days are a typical month'],
        ...editOf(editable, ['agents', name, 'cache', 'ttl'], next[0]),
      },
    ];
  });
}

/** Rounding numbers in inputs where stored parties would then share results: fewer distinct keys, fewer runs. */
function normalizeAdvice(facts: AgentFacts[], db: Db, editable: boolean | undefined): Omit<Advice, 'rank'>[] {
  return facts.flatMap((f): Omit<Advice, 'rank'>[] => {
    if (f.agent.cache?.normalize?.roundTo || f.agent.cache?.normalize?.words) return [];
    const stored = storedInputs(db, f.name).filter((inputs) => inputs.some((text) => /\d/.test(text)));
    if (stored.length < 4) return [];
    const before = new Set(stored.map((inputs) => JSON.stringify(inputs))).size;
    const after = new Set(stored.map((inputs) => JSON.stringify([...new Set(inputs.map((text) => normalizeInput(text, { roundTo: roundToOffered })))].sort()))).size;
    if (after >= before) return [];
    const share = 1 - after / before;
    const perRun = f.estimate.costPerRunUsd * share;
    return [
      {
        agent: f.name,
        kind: 'normalize',
        change: `cache.normalize.roundTo ${roundToOffered}`,
        savingPerMonthUsd: perMonth(perRun, f.runsPerMonth),
        savingPerRunUsd: roundUsd(perRun),
        confidence: 'low',
        why: `Its ${stored.length} stored parties have ${before} distinct inputs with numbers; rounded to ${roundToOffered} they have ${after}, so ${percent(share)} of its runs would find a result to share.`,
        assumes: ['future inputs repeat like the stored ones', `a count rounded to ${roundToOffered} is close enough for its answer`],
        ...editOf(editable, ['agents', f.name, 'cache', 'normalize', 'roundTo'], roundToOffered),
      },
    ];
  });
}

/** Each applied advice with the mean actual cost of the agent's executions before and after it. */
function measuredApplied(db: Db): AppliedAdvice[] {
  return appliedAdvice(db).map((row): AppliedAdvice => {
    const around = costAround(db, row.agent, row.appliedAt);
    const measured = around.before.runs && around.after.runs ? { ...around, savingPerRunUsd: roundUsd(around.before.meanUsd - around.after.meanUsd) } : null;
    return { agent: row.agent, kind: row.kind as ChangeKind, change: row.change, appliedAt: row.appliedAt, predictedPerRunUsd: row.predictedPerRunUsd, measured };
  });
}
