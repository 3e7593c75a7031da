import type { Plan, PlannedAgent } from '../contract/plan';
import type { RunReport } from '../contract/plan';
import type { Output } from './output';
import { dollars, table, usd } from './table';

function why(agent: PlannedAgent): string {
  if (agent.conditional) return `runs only if ${agent.detail ?? 'upstream'} changes`;
  if (agent.tier) return `from the ${agent.tier} cache`;
  if (agent.action === 'blocked' && agent.cause !== 'upstream blocked') return 'the budget keeps it as it is';
  return agent.detail ?? '';
}

/** The delta plan as a table, then one line of totals. */
export function printPlan(plan: Plan, out: Output): void {
  const rows = plan.agents.map((a) => [
    a.agent,
    a.action + (a.conditional ? '?' : ''),
    a.cause,
    `${a.learnedFrom ? '‡' : ''}${usd(a.estimatedCostUsd)}`,
    usd(a.savedCostUsd),
    why(a),
  ]);
  table(['agent', 'action', 'cause', 'cost', 'saved', 'why'], rows, [false, false, false, true, true, false]).forEach((line) => out.line(line));
  out.line('');
  out.line(planSummary(plan));
  if (plan.agents.some((a) => a.learnedFrom)) out.line("‡ priced with tokens learned from the agent's runs (`partycost accuracy` says how close they came)");
  if (plan.budget && plan.budget.level !== 'ok') out.line(`Budget: ${plan.budget.message}`);
}

export function planSummary(plan: Plan): string {
  const t = plan.totals;
  const conditional = plan.agents.filter((a) => a.conditional).length;
  const cost = conditional
    ? `${dollars(t.bestCaseCostUsd)} to ${dollars(t.executeCostUsd)} (${conditional} only if upstream changes)`
    : dollars(t.executeCostUsd);
  const parts = [`execute ${t.execute}: ${t.execute ? cost : 'nothing to pay'}`, `reuse ${t.reuse}`];
  if (t.cacheHit) parts.push(`cache hits ${t.cacheHit}`);
  if (t.delete) parts.push(`delete ${t.delete}`);
  if (t.skip) parts.push(`skip ${t.skip}`);
  if (t.blocked) parts.push(`blocked ${t.blocked}`);
  return `${capitalise(parts.join('; '))}. Saved ${dollars(t.savedCostUsd)} (${t.savedPercent} % of re-running everything).`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function printRunReport(report: RunReport, out: Output): void {
  const count = (action: string): number => report.agents.filter((a) => a.action === action).length;
  const blocked = count('blocked');
  out.line(
    `Done: ${report.executed} executed for ${dollars(report.costUsd)}; ${count('reuse')} reused; ${count('cache_hit')} from cache; ${count('delete')} deleted${blocked ? `; ${blocked} blocked` : ''}.`,
  );
}
