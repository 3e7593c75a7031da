/** One agent's share of a configuration change's impact: how many parties re-run it, why, and at what cost. */
export interface AgentImpact {
  agent: string;
  /** As the planner names it: configuration changed, upstream changed, input added, agent removed… */
  cause: string;
  /** What changed, when the planner says (the fields of the definition, the upstream agents). */
  detail?: string;
  action: 'execute' | 'delete';
  /** In how many parties. */
  parties: number;
  /** Runs only if an upstream agent that re-runs returns a different result (early cutoff may stop it). */
  conditional: boolean;
  /** parties × the agent's estimated cost per run, at list prices (0 for a delete). */
  executeCostUsd: number;
  /** The same at Batch API prices (the list price where the model has no batch price). */
  batchCostUsd: number;
}

/** The impact of the working configuration (or of one revision against another) on every stored party. */
export interface ImpactReport {
  parties: { total: number; affected: number };
  agents: AgentImpact[];
  totals: {
    /** Agent runs the refresh would execute, conditional ones included. */
    executions: number;
    /** Every execution at list prices: the worst case. */
    executeCostUsd: number;
    /** Only the executions that are certain (no early cutoff could stop them). */
    bestCaseCostUsd: number;
    /** Every execution at Batch API prices. */
    batchCostUsd: number;
  };
  /** Agents the configuration no longer has, whose results parties keep (nothing re-runs them): in how many parties. */
  removedAgents: { agent: string; parties: number }[];
  /** What each affected party re-runs (`--by-party`). */
  byParty?: { party: string; agents: { agent: string; action: 'execute' | 'delete'; cause: string; conditional: boolean }[] }[];
  /** The configurations compared: the working one against each party's results, or against a revision. */
  against: string;
  /** The prices' source and date. */
  prices: { source: string; date: string };
}

/** The one line the CLI, the CodeLens and the status bar share: "re-runs 3 agents in 42 parties · $0.31 ($0.16 batch)". */
export function impactSummary(report: ImpactReport): string {
  const agents = new Set(report.agents.filter((a) => a.action === 'execute').map((a) => a.agent)).size;
  const { affected } = report.parties;
  if (affected === 0) return report.parties.total ? `no party affected (${report.parties.total.toLocaleString('en-US')} stored)` : 'no stored parties';
  const money = (usd: number): string => `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
  const runs = agents ? `re-runs ${agents} agent${agents === 1 ? '' : 's'}` : 'deletes results';
  return `${runs} in ${affected.toLocaleString('en-US')} part${affected === 1 ? 'y' : 'ies'} · ${money(report.totals.executeCostUsd)} (${money(report.totals.batchCostUsd)} batch)`;
}
