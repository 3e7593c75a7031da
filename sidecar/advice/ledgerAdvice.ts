import type { PartyConfig } from '../config/schema';
import type { AppliedAdvice, ChangeKind } from '../contract/advice';
import { roundUsd } from '../cost/money';
import { normalizeInput } from '../planner/normalize';
import { ttlMs } from '../planner/partyGraph';
import { editOf, percent, perMonth } from './adviceFacts';
import type { AdviceRecords, AgentFacts, Proposal } from './adviceFacts';

// Advice read from the ledger and the stored parties: a longer result-cache TTL, rounding inputs; advice applied, measured.

/** The result-cache lifetimes offered, shortest first. */
const ttlSteps: [string, number][] = [
  ['1d', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
  ['90d', 90 * 86_400_000],
];

/** The rounding offered when inputs with numbers do not repeat. */
const roundToOffered = 25;

/** A longer result-cache TTL where parties re-ran an agent because their stored result had expired. */
export function ttlAdvice(config: PartyConfig, expired: Map<string, { runs: number; meanCostUsd: number }>, editable: boolean | undefined): Proposal[] {
  return [...expired].flatMap(([name, { runs, meanCostUsd }]): Proposal[] => {
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
export function normalizeAdvice(facts: AgentFacts[], records: AdviceRecords, editable: boolean | undefined): Proposal[] {
  return facts.flatMap((f): Proposal[] => {
    if (f.agent.cache?.normalize?.roundTo || f.agent.cache?.normalize?.words) return [];
    const stored = records.results.inputsOf(f.name).filter((inputs) => inputs.some((text) => /\d/.test(text)));
    if (stored.length < 4) return [];
    const before = new Set(stored.map((inputs) => JSON.stringify(inputs))).size;
    const after = new Set(stored.map((inputs) => JSON.stringify([...new Set(inputs.map((text) => normalizeInput(text, { roundTo: roundToOffered })))].sort())))
      .size;
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
export function measuredApplied(records: AdviceRecords): AppliedAdvice[] {
  return records.applied.list().map((row): AppliedAdvice => {
    const around = records.ledger.costAround(row.agent, row.appliedAt);
    const measured = around.before.runs && around.after.runs ? { ...around, savingPerRunUsd: roundUsd(around.before.meanUsd - around.after.meanUsd) } : null;
    return {
      agent: row.agent,
      kind: row.kind as ChangeKind,
      change: row.change,
      appliedAt: row.appliedAt,
      predictedPerRunUsd: row.predictedPerRunUsd,
      measured,
    };
  });
}
