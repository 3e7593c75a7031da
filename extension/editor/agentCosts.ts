import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { estimateRequest, observationsRequest } from '../../sidecar/protocol';
import type { AgentObservation, EstimateResult } from '../../sidecar/protocol';
import type { AgentEstimate, Estimate } from '../../sidecar/contract/cost';
import type { RightSizing } from '../../sidecar/contract/cost';

/** What hovers and lenses show of an agent: its estimate, the volume it is projected at, and what runs observed. */
export interface AgentCost {
  estimate: AgentEstimate;
  monthlyUsd: number;
  perThousandUsd: number;
  volume: Estimate['volume'];
  observed?: AgentObservation;
  rightSizing?: RightSizing;
}

/** Estimates per document version, so hovers and lenses of one version ask the sidecar once. */
export class AgentCosts {
  private cached?: { uri: string; version: number; costs: Promise<Map<string, AgentCost>> };

  constructor(private readonly context: PartyCostContext) {}

  costs(document: vscode.TextDocument): Promise<Map<string, AgentCost>> {
    const uri = document.uri.toString();
    if (this.cached?.uri !== uri || this.cached.version !== document.version) {
      this.cached = { uri, version: document.version, costs: this.load(document.getText()) };
    }
    return this.cached.costs;
  }

  /** Forget what was observed (after a run, the hit rates change). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async load(text: string): Promise<Map<string, AgentCost>> {
    const [result, observed] = await Promise.all([
      this.context.request(estimateRequest, { text }) as Promise<EstimateResult>,
      this.context.request(observationsRequest, {}).catch(() => ({ agents: [] as AgentObservation[] })),
    ]);
    if (!result.estimate) return new Map();
    const { volume } = result.estimate;
    return new Map(
      result.estimate.agents.map((estimate) => [
        estimate.agent,
        {
          estimate,
          volume,
          perThousandUsd: estimate.costPerRunUsd * 1000,
          monthlyUsd: estimate.costPerRunUsd * volume.partiesPerMonth * volume.rerunFactor,
          observed: observed.agents.find((o) => o.agent === estimate.agent && o.executions + o.hits > 0),
          rightSizing: result.rightSizing.find((r) => r.agent === estimate.agent),
        },
      ]),
    );
  }
}

export function usd(amount: number, decimals = 6): string {
  return `$${amount.toFixed(decimals)}`;
}

/** The one-line summary a CodeLens shows. */
export function summary(cost: AgentCost): string {
  const e = cost.estimate;
  const tokens = e.kind === 'compute' ? 'no tokens' : `${e.inputTokens.toLocaleString('en-US')} → ${e.outputTokens.toLocaleString('en-US')} tokens`;
  return `${e.model ?? 'compute'} · ${tokens} · ${usd(e.costPerRunUsd)}/run · ${usd(cost.monthlyUsd, 2)}/month`;
}

/** The hover's Markdown. */
export function hoverMarkdown(cost: AgentCost): vscode.MarkdownString {
  const e = cost.estimate;
  const parts = Object.entries(e.breakdown).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${usd(v)}`).join(', ');
  const counted = { counted: 'counted', approximate: 'approximate: not an OpenAI tokenizer', declared: 'declared', none: '' }[e.tokenCount];
  const lines = [
    `**${e.agent}** · ${e.model ?? 'compute (no model)'}`,
    '',
    e.kind === 'compute' ? 'Tokens: none (a built-in function)' : `Tokens: ${e.inputTokens.toLocaleString('en-US')} in (${counted}) → ${e.outputTokens.toLocaleString('en-US')} out`,
    `Cost per run: ${usd(e.costPerRunUsd)}${parts ? ` (${parts})` : ''}`,
    `Per 1,000 parties: ${usd(cost.perThousandUsd, 2)} · per month: ${usd(cost.monthlyUsd, 2)} (${cost.volume.partiesPerMonth.toLocaleString('en-US')} parties × ${cost.volume.rerunFactor} runs)`,
  ];
  const o = cost.observed;
  if (o) lines.push(`Observed: ${o.executions} executions, ${o.hits} cache hits (${(o.hitRate * 100).toFixed(0)} %), effective ${usd(o.effectiveCostUsd ?? 0)} per run`);
  else lines.push('Observed: no runs yet');
  const better = cost.rightSizing?.suggested;
  if (better) lines.push(`Cheaper model that would do: ${better.model} (${usd(better.costPerRunUsd)}/run, saves ${usd(cost.rightSizing!.savingPerMonthUsd, 2)}/month)`);
  return new vscode.MarkdownString(lines.join('  \n'));
}
