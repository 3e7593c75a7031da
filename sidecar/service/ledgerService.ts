import type { AccuracyReport } from '../contract/accuracy';
import type { CacheCleared, CacheReport } from '../contract/cache';
import type { AgentActuals, LedgerReport } from '../contract/ledger';
import { roundUsd } from '../cost/money';
import { accuracyReport } from '../learning/accuracy';
import type { AgentObservation } from '../protocol';
import type { ValidConfig, Workspace } from './workspace';

/** Every execution of one party (or all) since an instant (or ever), with totals; an unknown party is named. */
export function ledgerReport(ws: Workspace, filter: { party?: string; since?: string } = {}): LedgerReport {
  const store = ws.store();
  if (filter.party) store.parties.load(filter.party);
  return store.ledger.report(filter);
}

/**
 * Per agent, how close its configured and learned estimates came to what its runs cost; none without a database
 * (nothing is created).
 */
export function accuracyOf(ws: Workspace, loaded: ValidConfig): AccuracyReport | undefined {
  const store = ws.storeIfExists();
  const learner = ws.learner();
  return store && learner ? accuracyReport(loaded.config, loaded.prices, store.ledger, learner) : undefined;
}

/** Per agent: executions from the ledger, hits from the cache's savings, and the cost per run they average to. */
export function observations(ws: Workspace, loaded: ValidConfig): AgentObservation[] {
  const store = ws.store();
  const spent = store.ledger.executionsByAgent();
  const hits = store.cache.counters.hitsByAgent();
  return Object.keys(loaded.config.agents).map((agent) => {
    const ran = spent.find((row) => row.agent === agent);
    const hit = hits.find((row) => row.agent === agent)?.hits ?? 0;
    const executions = ran?.executions ?? 0;
    const runs = executions + hit;
    return { agent, executions, hits: hit, hitRate: runs ? hit / runs : 0, effectiveCostUsd: runs ? roundUsd((ran?.cost ?? 0) / runs) : null };
  });
}

/** The result cache's statistics: per tier, and what its hits saved. */
export async function cacheStats(ws: Workspace): Promise<CacheReport> {
  return (await ws.connectedCache()).report();
}

/** Clears the result cache: everything, one agent's entries (a known agent), or one party's results. */
export async function clearCache(ws: Workspace, filter: { agent?: string; party?: string }): Promise<CacheCleared> {
  const parties = ws.parties();
  if (filter.agent) parties.checkAgents([filter.agent]);
  const keys = filter.party ? Object.values(parties.store.load(filter.party).results).map((r) => r.key) : undefined;
  const { removed, unreachable } = await (await ws.connectedCache()).clear({ agent: filter.agent, keys });
  return { cleared: removed, unreachable };
}

/** Per agent, provider and model: executions, cache hits and the mean actual cost by part. */
export function ledgerActuals(ws: Workspace): AgentActuals[] {
  return ws.store().ledger.actuals();
}
