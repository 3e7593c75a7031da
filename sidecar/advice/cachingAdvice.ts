import type { PromptCaching } from '../contract/advice';
import { roundUsd } from '../cost/money';
import { editOf, lifetimeText, percent, perMonth, round, tokens, tokenSized } from './adviceFacts';
import type { AdviceRecords, AgentFacts, Proposal } from './adviceFacts';
import { cacheOption } from './promptCache';
import type { CacheOption, CacheRates } from './promptCache';
import type { CachingRules } from '../providers/promptCaching';
import type { PromptShape } from './promptParts';

// Prompt caching advice: per agent, how its prompt is best sent; merging small agents.

/** What prompt caching does for an agent as it is sent now, with what its real runs read and wrote. */
export function cachingRow(
  f: AgentFacts,
  rules: CachingRules,
  shape: PromptShape,
  current: CacheOption,
  rates: CacheRates,
  records: AdviceRecords | undefined,
): PromptCaching {
  const row: PromptCaching = {
    agent: f.name,
    model: f.model,
    vendor: rules.vendor,
    runsOn: f.estimate.runsOn,
    rule: rules.text(current.minimumTokens, current.setting),
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
  if (!records) return row;
  const runs = records.ledger.cachingRuns(f.name, f.promptHash);
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
export function promptCacheAdvice(
  f: AgentFacts,
  rules: CachingRules,
  shape: PromptShape,
  current: CacheOption,
  best: CacheOption,
  editable: boolean | undefined,
): Proposal | undefined {
  const gain = best.savingPerRunUsd - current.savingPerRunUsd;
  if (best === current || gain <= 0) return undefined;
  // Turning caching off rests on the hit rate it has now; any other change on the one it would have.
  const rated = best.setting === 'off' ? current : best;
  const assumes = [
    `${f.runsPerMonth.toLocaleString('en-US', { maximumFractionDigits: 0 })} runs a month arriving at random`,
    `hit rate ${percent(rated.hitRate)} with a ${lifetimeText(rated.lifetimeMinutes)} lifetime`,
    'upstream results repeat when their agents take no party input',
  ];
  if (rules.assumption) assumes.push(rules.assumption);
  const settingChange = best.setting !== current.setting;
  const setting = rules.settingName(best.setting);
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
export function mergeAdvice(
  facts: AgentFacts[],
  shapes: Map<string, { shape: PromptShape; rules: CachingRules; rates: CacheRates; best: CacheOption }>,
): Proposal[] {
  const groups = new Map<string, AgentFacts[]>();
  for (const f of facts) {
    const s = shapes.get(f.name);
    if (!s || s.best.cachedTokens > 0 || s.rules.kind === 'none') continue;
    const key = `${f.model}\u0000${[...(f.agent.dependsOn ?? [])].sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].flatMap((group): Proposal[] => {
    const [lead] = group;
    if (!lead || group.length < 2) return [];
    const first = shapes.get(lead.name)!;
    const stable = group.reduce((total, f) => total + shapes.get(f.name)!.shape.stableTokens, 0);
    const merged: PromptShape = {
      ...first.shape,
      prefixTokens: stable,
      stableFirstTokens: stable,
      stableTokens: stable,
      breakpoint: { tokens: stable, repeats: true },
    };
    const runs = Math.max(...group.map((f) => f.runsPerMonth));
    const option = cacheOption(first.rules, lead.model, merged, first.rules.mergeSetting, 'stable first', first.rates, runs);
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
        why: `Each is below the ${tokens(option.minimumTokens ?? 0)} minimum on ${lead.model}; their stable parts together (${tokens(stable)}) would be cached, read at the cached price on ${percent(option.hitRate)} of runs.`,
        assumes: ['one call can do the work of all of them', `hit rate ${percent(option.hitRate)}`],
      },
    ];
  });
}
