import * as vscode from 'vscode';
import type { Estimate } from '../../sidecar/cost/estimate';
import type { Plan } from '../../sidecar/planner/plan';
import type { RightSizing } from '../../sidecar/cost/rightSize';
import type { TokenBudget } from '../../sidecar/protocol';

const money = (amount: number): string => (amount === 0 ? '–' : `$${amount.toFixed(6)}`);

/** The delta plan as a Markdown table (the plan panel arrives with the webviews). */
export function planMarkdown(title: string, plan: Plan): string {
  const rows = plan.agents.map((a) => `| ${a.agent} | ${a.action}${a.conditional ? ' (only if upstream changes)' : ''}${a.tier ? ` (${a.tier})` : ''} | ${a.cause} | ${a.detail ?? ''} | ${money(a.estimatedCostUsd)} | ${money(a.savedCostUsd)} |`);
  const t = plan.totals;
  return [
    `# ${title}`,
    '',
    '| agent | action | cause | detail | cost | saved |',
    '|---|---|---|---|---:|---:|',
    ...rows,
    '',
    `Execute ${t.execute}: ${money(t.bestCaseCostUsd)} to ${money(t.executeCostUsd)} · reuse ${t.reuse} · cache hits ${t.cacheHit} · delete ${t.delete} · skip ${t.skip} · saved ${money(t.savedCostUsd)} (${t.savedPercent} %)`,
  ].join('\n');
}

export function estimateMarkdown(estimate: Estimate, rightSizing: RightSizing[] = []): string {
  const rows = estimate.agents.map((a) => {
    const b = a.breakdown;
    return `| ${a.agent} | ${a.model ?? 'compute'} | ${a.inputTokens} | ${a.outputTokens} | ${money(b.llm)} | ${money(b.vector)} | ${money(b.compute)} | ${money(b.cache)} | ${money(b.sql)} | ${money(a.costPerRunUsd)} |`;
  });
  return [
    '# Cost estimate',
    '',
    `Prices: ${estimate.prices.source}; as of ${estimate.prices.date}`,
    '',
    '| agent | model | in | out | llm | vector | compute | cache | sql | per run |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Orchestration ${money(estimate.orchestrationUsd)} · per party ${money(estimate.perPartyUsd)} · per month $${estimate.perMonthUsd.toFixed(2)} (${estimate.volume.partiesPerMonth} parties × ${estimate.volume.rerunFactor} runs)`,
    ...rightSizingMarkdown(rightSizing),
  ].join('\n');
}

function rightSizingMarkdown(sizing: RightSizing[]): string[] {
  const better = sizing.filter((s) => s.suggested);
  if (!better.length) return ['', 'Right-sizing: every agent is on the cheapest model that meets its needs.'];
  return [
    '',
    '## Cheaper models that meet each agent\'s needs',
    '',
    '| agent | now | cheaper | quality | latency | saves per run | saves per month |',
    '|---|---|---|---:|---:|---:|---:|',
    ...better.map((s) => `| ${s.agent} | ${s.current.model} | ${s.suggested!.model} | ${s.suggested!.quality ?? '–'} | ${s.suggested!.latencyMs ?? '–'} ms | ${money(s.savingPerRunUsd)} | $${s.savingPerMonthUsd.toFixed(2)} |`),
  ];
}

/** Each agent's prompt against its context budget, by part, with what was summarised or referenced. */
export function tokenBudgetsMarkdown(party: string, budgets: TokenBudget[]): string {
  const rows = budgets.map((b) => {
    const pruned = b.upstream.filter((u) => u.form === 'summary' || u.form === 'reference').map((u) => `${u.agent} (${u.form}, ${u.tokensWhole} → ${u.tokensUsed})`);
    return `| ${b.agent} | ${b.model} | ${b.tokens}${b.overBudget ? ' (over!)' : ''} | ${b.budget ?? 'none'} | ${b.parts.instructions} | ${b.parts.inputs} | ${b.parts.upstream} | ${pruned.join(', ') || '–'} |`;
  });
  return [
    `# Token budgets of ${party}`,
    '',
    '| agent | model | prompt tokens | budget | instructions | own inputs | upstream results | summarised or referenced |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `Upstream tokens left out to fit the budgets: ${budgets.reduce((sum, b) => sum + b.prunedTokens, 0)}`,
  ].join('\n');
}

export async function showMarkdown(content: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  return vscode.window.showTextDocument(document, { preview: true });
}
