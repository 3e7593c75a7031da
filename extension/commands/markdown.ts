import * as vscode from 'vscode';
import type { Estimate } from '../../sidecar/cost/estimate';
import type { Plan } from '../../sidecar/planner/plan';

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

export function estimateMarkdown(estimate: Estimate): string {
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
  ].join('\n');
}

export async function showMarkdown(content: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  return vscode.window.showTextDocument(document, { preview: true });
}
