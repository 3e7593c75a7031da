import type { PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import { providerProfile } from '../providers/profiles';
import type { Advice, AdviceReport, Confidence, PromptCaching } from '../contract/advice';
import type { Learning } from '../contract/cost';
import { listPricing } from '../contract/pricing';
import { estimate } from '../estimate/estimate';
import { runsPerMonth, volumeOf } from '../contract/cost';
import { roundUsd } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import { agentDefinition, promptHash } from '../planner/keys';
import { round } from './adviceFacts';
import type { AdviceRecords, AgentFacts, Proposal } from './adviceFacts';
import { cachingRow, mergeAdvice, promptCacheAdvice } from './cachingAdvice';
import { batchAdvice, contextAdvice, modelAdvice } from './configAdvice';
import { measuredApplied, normalizeAdvice, ttlAdvice } from './ledgerAdvice';
import { cacheOption, cacheRates } from './promptCache';
import type { CacheOption, CacheRates } from './promptCache';
import { cachingRules } from '../providers/promptCaching';
import type { CachingRules } from '../providers/promptCaching';
import { promptShape, repeatingAgents } from './promptParts';
import type { PromptShape } from './promptParts';

export interface AdviseOptions {
  learning?: Learning;
  /** The workspace's records: the ledger's volume, expired results, stored inputs, applied advice. */
  records?: AdviceRecords;
  /** Edits are offered only where the configuration is `partycost.json` (a crew's YAML is edited by hand). */
  editable?: boolean;
  now?: number;
}

/** Savings under this many USD per month are not worth a line. */
const worthUsd = 0.01;

/**
 * Every change that would cut the bill, per agent, priced per month and ranked: prompt caching by each vendor's rules
 * (setting, order of the prompt's parts, merging small agents), a cheaper model that meets the agent's needs, the
 * Batch API for agents that may wait, a longer result-cache TTL or input rounding where the ledger shows re-runs they
 * would have saved, and a context budget where upstream results fill the prompt.
 */
export function advise(config: PartyConfig, prices: PriceBook, options: AdviseOptions = {}): AdviceReport {
  const now = options.now ?? Date.now();
  const { learning, records } = options;
  const atList = estimate(config, prices, listPricing, learning);
  const volume = adviceVolume(config, records, now);
  const repeats = repeatingAgents(config);
  const byName = new Map(atList.agents.map((a) => [a.agent, a]));
  const facts: AgentFacts[] = Object.entries(config.agents).flatMap(([name, agent]) => {
    const model = agentModel(agent, config);
    const estimateOf = byName.get(name);
    if (!model || !estimateOf || agent.kind === 'compute') return [];
    return [{ name, agent, model, estimate: estimateOf, runsPerMonth: volume.runsOf(name), promptHash: promptHash(agentDefinition(agent, config)) }];
  });
  const advice: Proposal[] = [];
  const promptCaching: PromptCaching[] = [];
  const shapes = new Map<string, { shape: PromptShape; rules: CachingRules; rates: CacheRates; best: CacheOption; current: CacheOption }>();
  for (const f of facts) {
    const priced = prices.model(f.model);
    if (!priced) continue;
    const rules = cachingRules(priced.provider);
    const shape = promptShape(f.agent, f.model, config, repeats, learning);
    const rates = cacheRates(priced);
    const current = cacheOption(rules, f.model, shape, rules.settingOf(f.agent.promptCache, f.model), 'as written', rates, f.runsPerMonth);
    const orders = shape.stableFirstTokens > shape.prefixTokens ? (['as written', 'stable first'] as const) : (['as written'] as const);
    const choices = orders.flatMap((order) =>
      rules.settings(f.model).map((setting) => cacheOption(rules, f.model, shape, setting, order, rates, f.runsPerMonth)),
    );
    const best = choices.reduce((a, b) => (b.savingPerRunUsd > a.savingPerRunUsd + 1e-12 ? b : a), current);
    shapes.set(f.name, { shape, rules, rates, best, current });
    promptCaching.push(cachingRow(f, rules, shape, current, rates, records));
    const cachingAdvice = promptCacheAdvice(f, rules, shape, current, best, options.editable);
    if (cachingAdvice) advice.push(cachingAdvice);
  }
  advice.push(...mergeAdvice(facts, shapes));
  advice.push(...modelAdvice(config, prices, atList, learning, facts, options.editable));
  advice.push(...batchAdvice(config, prices, learning, facts, options.editable));
  advice.push(...contextAdvice(facts, shapes, options.editable));
  if (records) {
    advice.push(...ttlAdvice(config, records.ledger.expiredRuns(now), options.editable));
    advice.push(...normalizeAdvice(facts, records, options.editable));
  }
  const worth = advice.filter((a) => a.savingPerMonthUsd >= worthUsd);
  worth.sort(
    (a, b) => b.savingPerMonthUsd - a.savingPerMonthUsd || confidenceRank[a.confidence] - confidenceRank[b.confidence] || a.agent.localeCompare(b.agent),
  );
  const ranked = worth.map((a, i): Advice => ({ rank: i + 1, ...a }));
  return {
    advice: ranked,
    totalPerMonthUsd: roundUsd(ranked.reduce((total, a) => total + a.savingPerMonthUsd, 0)),
    promptCaching,
    cachingNotes: promptCaching.some((row) => runsLocally(config, row))
      ? ['Agents on the offline provider are priced as their vendor bills them; the offline provider itself reads no cache.']
      : [],
    applied: records ? measuredApplied(records) : [],
    volume: volume.report,
    prices: { source: prices.source, date: prices.date },
  };
}

const confidenceRank: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

function adviceVolume(
  config: PartyConfig,
  records: AdviceRecords | undefined,
  now: number,
): { runsOf: (agent: string) => number; report: AdviceReport['volume'] } {
  const configured = volumeOf(config.volume);
  const fromLedger = records ? records.ledger.volume(now) : null;
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
  const runs = runsPerMonth(configured);
  return {
    runsOf: () => runs,
    report: {
      partiesPerMonth: configured.partiesPerMonth,
      runsPerParty: configured.rerunFactor,
      source: 'configured',
      why: records ? "the configuration's volume (the ledger covers less than a week)" : "the configuration's volume",
    },
  };
}

/** Whether a row prices a vendor's cache for an agent that runs on a local provider (the offline one). */
function runsLocally(config: PartyConfig, row: PromptCaching): boolean {
  return !providerProfile(agentProvider(config.agents[row.agent] ?? {}, config)).remote;
}
