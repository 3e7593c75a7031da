import type { PartyConfig } from '../config/schema';
import type { AgentNode, AgentObservation } from '../protocol';
import { agentModel, agentProvider } from '../config/agents';
import type { Db } from '../store/database';
import { roundUsd } from '../cost/money';

/** Per agent: executions from the ledger, hits from the cache's savings, and the cost per run they average to. */
export function observations(db: Db, config: PartyConfig): AgentObservation[] {
  const spent = db.prepare('SELECT agent, count(*) AS executions, sum(cost_usd) AS cost FROM ledger GROUP BY agent').all() as { agent: string; executions: number; cost: number }[];
  const hits = db.prepare('SELECT agent, hits FROM cache_savings').all() as { agent: string; hits: number }[];
  return Object.keys(config.agents).map((agent) => {
    const ran = spent.find((row) => row.agent === agent);
    const hit = hits.find((row) => row.agent === agent)?.hits ?? 0;
    const executions = ran?.executions ?? 0;
    const runs = executions + hit;
    return {
      agent,
      executions,
      hits: hit,
      hitRate: runs ? hit / runs : 0,
      effectiveCostUsd: runs ? roundUsd((ran?.cost ?? 0) / runs) : null,
    };
  });
}

/** The configuration's agents and their edges, as the delta plan's graph draws them. */
export function agentNodes(config: PartyConfig): AgentNode[] {
  return Object.entries(config.agents).map(([agent, a]) => ({
    agent,
    dependsOn: a.dependsOn ?? [],
    kind: a.kind ?? 'llm',
    model: agentModel(a, config),
    provider: agentProvider(a, config),
    essential: a.essential !== false,
  }));
}
