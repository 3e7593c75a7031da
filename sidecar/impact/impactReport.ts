import type { PartyConfig } from '../config/schema';
import { estimate } from '../estimate/estimate';
import { fromUsd, toUsd } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import type { Learning } from '../contract/cost';
import type { AgentImpact, ImpactReport } from '../contract/impact';
import type { PartyImpact } from './impact';

/**
 * Parties' impacts summed per agent and cause, priced with the configuration's estimate (list and Batch API prices;
 * learned figures when the ledger has them): what bringing every party up to date would cost.
 */
export function impactReport(
  config: PartyConfig,
  prices: PriceBook,
  impacts: PartyImpact[],
  options: { against: string; byParty?: boolean; learning?: Learning },
): ImpactReport {
  const list = new Map(estimate(config, prices, undefined, options.learning).agents.map((a) => [a.agent, a.costPerRunUsd]));
  const batch = new Map(estimate(config, prices, { cachedInputShare: 0, batch: true }, options.learning).agents.map((a) => [a.agent, a.costPerRunUsd]));
  const groups = new Map<string, Omit<AgentImpact, 'executeCostUsd' | 'batchCostUsd'>>();
  const order = new Map(Object.keys(config.agents).map((name, i) => [name, i]));
  let executions = 0;
  let all = 0n;
  let certain = 0n;
  let batched = 0n;
  for (const party of impacts) {
    for (const a of party.agents) {
      const id = `${a.agent}\u0000${a.action}\u0000${a.cause}\u0000${a.conditional}`;
      const group = groups.get(id);
      if (group) {
        group.parties += 1;
        // A detail is shown only when every party of the group has the same one.
        if (group.detail !== a.detail) delete group.detail;
      } else
        groups.set(id, { agent: a.agent, cause: a.cause, ...(a.detail ? { detail: a.detail } : {}), action: a.action, parties: 1, conditional: a.conditional });
      if (a.action !== 'execute') continue;
      executions += 1;
      const cost = fromUsd(list.get(a.agent) ?? 0);
      all += cost;
      if (!a.conditional) certain += cost;
      batched += fromUsd(batch.get(a.agent) ?? 0);
    }
  }
  const agents = [...groups.values()]
    .map((g) => ({
      ...g,
      executeCostUsd: g.action === 'execute' ? toUsd(fromUsd(list.get(g.agent) ?? 0) * BigInt(g.parties)) : 0,
      batchCostUsd: g.action === 'execute' ? toUsd(fromUsd(batch.get(g.agent) ?? 0) * BigInt(g.parties)) : 0,
    }))
    .sort(
      (a, b) => (order.get(a.agent) ?? Infinity) - (order.get(b.agent) ?? Infinity) || Number(a.conditional) - Number(b.conditional) || b.parties - a.parties,
    );
  const affected = impacts.filter((p) => p.agents.length > 0);
  const removed = new Map<string, number>();
  for (const party of impacts) for (const agent of party.removed) removed.set(agent, (removed.get(agent) ?? 0) + 1);
  return {
    parties: { total: impacts.length, affected: affected.length },
    agents,
    removedAgents: [...removed].map(([agent, parties]) => ({ agent, parties })),
    totals: { executions, executeCostUsd: toUsd(all), bestCaseCostUsd: toUsd(certain), batchCostUsd: toUsd(batched) },
    ...(options.byParty
      ? {
          byParty: affected.map((p) => ({
            party: p.party,
            agents: p.agents.map(({ agent, action, cause, conditional }) => ({ agent, action, cause, conditional })),
          })),
        }
      : {}),
    against: options.against,
    prices: { source: prices.source, date: prices.date },
  };
}
