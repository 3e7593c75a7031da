import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { estimateRequest, observationsRequest } from '../../sidecar/protocol';
import type { AgentObservation, EstimateResult } from '../../sidecar/protocol';
import type { AgentEstimate, Estimate } from '../../sidecar/contract/cost';
import { runsPerMonth } from '../../sidecar/contract/cost';
import { driftLimitPercent } from '../../sidecar/contract/cost';
import type { RightSizing } from '../../sidecar/contract/cost';
import { layoutOf, sameFor } from '../../sidecar/shared/configLayout';
import type { ConfigLayout } from '../../sidecar/shared/configLayout';

/** What hovers and lenses show of an agent: its estimate, the volume it is projected at, and what runs observed. */
export interface AgentCost {
  estimate: AgentEstimate;
  monthlyUsd: number;
  perThousandUsd: number;
  volume: Estimate['volume'];
  observed?: AgentObservation;
  rightSizing?: RightSizing;
  /** Where the prices come from and how fresh they are. */
  prices: Estimate['prices'];
}

/** How long observations are reused across document versions (runs in another process invalidate nothing here). */
const observationsKeptMs = 5_000;

/** One document version's estimate: asked for, and once in, its answer. */
interface VersionCosts {
  uri: string;
  version: number;
  /** The version with those of the configuration's other open files (a crew's YAML files price each other). */
  key: string;
  costs: Promise<Map<string, AgentCost>>;
  answered?: Map<string, AgentCost>;
}

/** Estimates per document version, so hovers and lenses of one version ask the sidecar once. */
export class AgentCosts {
  private cached?: VersionCosts;
  /** The latest version answered, with its layout: what a hover may fall back on while a newer one is computed. */
  private latest?: { uri: string; version: number; layout: ConfigLayout; costs: Map<string, AgentCost> };
  /** The layout of the last version looked at: hovers, lenses and the answer for that version parse it once. */
  private layout?: { uri: string; version: number; layout: ConfigLayout };
  /** Counts invalidations, so an answer asked for before one is not kept as the latest after it. */
  private epoch = 0;
  /** What runs observed: it changes with runs, not with edits, so versions share it for a few seconds. */
  private observed?: { at: number; agents: Promise<AgentObservation[]> };

  constructor(private readonly context: PartyCostContext) {}

  costs(document: vscode.TextDocument): Promise<Map<string, AgentCost>> {
    const uri = document.uri.toString();
    const others = this.otherFiles(document);
    const key = [`${uri}@${document.version}`, ...others.map((d) => `${d.uri.toString()}@${d.version}`)].join('|');
    if (this.cached?.key !== key) {
      const { version } = document;
      const text = document.getText();
      const texts = Object.fromEntries(others.map((d) => [d.uri.fsPath, d.getText()]));
      const costs = this.load(text, document.uri.fsPath, texts);
      const entry: VersionCosts = { uri, version, key, costs };
      this.cached = entry;
      const epoch = this.epoch;
      costs.then(
        (answered) => {
          entry.answered = answered;
          // Only an answer with costs, asked for since the last invalidation, and newer than the one kept.
          if (epoch !== this.epoch || answered.size === 0) return;
          if (!this.latest || this.latest.uri !== uri || this.latest.version < version)
            this.latest = { uri, version, layout: this.layoutFor(uri, version, text, document.fileName), costs: answered };
        },
        () => undefined,
      );
    }
    return this.cached.costs;
  }

  /** The document's layout (agents' places and entries), parsed once per version. */
  layoutOf(document: vscode.TextDocument): ConfigLayout {
    return this.layoutFor(document.uri.toString(), document.version, document.getText(), document.fileName);
  }

  /** The configuration's other files open in editors (their unsaved texts count). */
  private otherFiles(document: vscode.TextDocument): vscode.TextDocument[] {
    const uri = document.uri.toString();
    return vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && d.uri.toString() !== uri && this.context.isSourceFile(d.uri.fsPath));
  }

  /** A version's layout: the one kept when it is that version's, else parsed (and kept unless a newer one is). */
  private layoutFor(uri: string, version: number, text: string, file: string): ConfigLayout {
    if (this.layout?.uri === uri && this.layout.version === version) return this.layout.layout;
    const layout = layoutOf(file, text);
    if (this.layout?.uri !== uri || this.layout.version < version) this.layout = { uri, version, layout };
    return layout;
  }

  /**
   * One agent's cost for a hover: the document's own when it is there (or comes within `waitMs`); else, when the
   * edit since the latest answered version left this agent's entry and everything outside `agents` as they were,
   * that version's (`previous: true`, and the hover says so); else the document's own, however long it takes.
   */
  async costOf(document: vscode.TextDocument, layout: ConfigLayout, agent: string, waitMs: number): Promise<{ cost?: AgentCost; previous: boolean }> {
    const fresh = this.costs(document);
    const answered = this.cached?.answered;
    if (answered) return { cost: answered.get(agent), previous: false };
    const latest = this.latest;
    if (latest && latest.uri === document.uri.toString() && latest.version < document.version && sameFor(agent, latest.layout, layout)) {
      if (waitMs <= 0) return { cost: latest.costs.get(agent), previous: true };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = await Promise.race([
        fresh,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), waitMs);
        }),
      ]);
      clearTimeout(timer);
      if (!waited) return { cost: latest.costs.get(agent), previous: true };
      return { cost: waited.get(agent), previous: false };
    }
    return { cost: (await fresh).get(agent), previous: false };
  }

  /** Forget what was observed (after a run, the hit rates change). */
  invalidate(): void {
    this.epoch += 1;
    this.cached = undefined;
    this.observed = undefined;
    this.latest = undefined;
  }

  private observations(): Promise<AgentObservation[]> {
    if (!this.observed || Date.now() - this.observed.at > observationsKeptMs) {
      const agents = this.context.request(observationsRequest, {}).then(
        (result) => result.agents,
        () => {
          this.observed = undefined; // asked again next time
          return [] as AgentObservation[];
        },
      );
      this.observed = { at: Date.now(), agents };
    }
    return this.observed.agents;
  }

  private async load(text: string, file: string, texts: Record<string, string>): Promise<Map<string, AgentCost>> {
    const [result, agents] = await Promise.all([this.context.request(estimateRequest, { text, file, texts }) as Promise<EstimateResult>, this.observations()]);
    const observed = { agents };
    if (!result.estimate) return new Map();
    const { volume, prices } = result.estimate;
    return new Map(
      result.estimate.agents.map((estimate) => [
        estimate.agent,
        {
          estimate,
          volume,
          prices,
          perThousandUsd: estimate.costPerRunUsd * 1000,
          monthlyUsd: estimate.costPerRunUsd * runsPerMonth(volume),
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

/** Input tokens as shown: `~` before a count made with another model's tokenizer, `≈` before a calibrated one. */
function inputCount(e: AgentEstimate): string {
  return `${e.tokenCount === 'approximate' ? '~' : e.tokenCount === 'calibrated' ? '≈' : ''}${e.inputTokens.toLocaleString('en-US')}`;
}

/** The drift beyond the limit, as a sentence; empty within it. */
function driftText(e: AgentEstimate): string {
  const d = e.driftPercent;
  if (d === undefined || Math.abs(d) <= driftLimitPercent) return '';
  return `runs cost ${d > 0 ? '+' : ''}${d.toFixed(1)} % against this estimate`;
}

/** The model and the provider it runs on. */
function modelName(e: AgentEstimate): string {
  return e.model ? `${e.model} · ${e.runsOn}` : 'compute';
}

/** A CrewAI agent's tasks' costs, in task order. */
export function tasksOf(costs: Map<string, AgentCost>, crewAgent: string): AgentCost[] {
  return [...costs.values()].filter((cost) => cost.estimate.crewAgent === crewAgent);
}

/** The one-line summary a CodeLens shows on a CrewAI agent: the sum of its tasks. */
export function crewAgentSummary(tasks: AgentCost[]): string {
  const perRun = tasks.reduce((sum, t) => sum + t.estimate.costPerRunUsd, 0);
  const monthly = tasks.reduce((sum, t) => sum + t.monthlyUsd, 0);
  const names = tasks.map((t) => t.estimate.agent).join(', ');
  return `${tasks.length} task${tasks.length === 1 ? '' : 's'} (${names}) · ${usd(perRun)}/run · ${usd(monthly, 2)}/month`;
}

/** A CrewAI agent's hover: its model, each of its tasks' cost, and their sum. */
export function crewAgentMarkdown(name: string, tasks: [AgentCost, ...AgentCost[]], previous = false): vscode.MarkdownString {
  const [first] = tasks;
  const perRun = tasks.reduce((sum, t) => sum + t.estimate.costPerRunUsd, 0);
  const monthly = tasks.reduce((sum, t) => sum + t.monthlyUsd, 0);
  const lines = [
    `**${name}** · CrewAI agent · ${first.estimate.model} · runs on ${first.estimate.runsOn}`,
    '',
    ...tasks.map(
      (t) =>
        `- ${t.estimate.agent}: ${usd(t.estimate.costPerRunUsd)}/run (${t.estimate.inputTokens.toLocaleString('en-US')} → ${t.estimate.outputTokens.toLocaleString('en-US')} tokens) · ${usd(t.monthlyUsd, 2)}/month`,
    ),
    '',
    `All its tasks: ${usd(perRun)} per run · ${usd(perRun * 1000, 2)} per 1,000 parties · ${usd(monthly, 2)} per month (${first.volume.partiesPerMonth.toLocaleString('en-US')} parties × ${first.volume.rerunFactor} runs)`,
    `Prices: ${first.prices.source.split(',')[0]}, as of ${first.prices.date}`,
  ];
  if (previous) lines.push('_As estimated before the latest edit. Updating…_');
  return new vscode.MarkdownString(lines.join('  \n'));
}

/** The one-line summary a CodeLens shows. */
export function summary(cost: AgentCost): string {
  const e = cost.estimate;
  const learned = e.outputTokensSource === 'learned' ? ` (learned, ${e.learnedFrom} runs)` : '';
  const tokens = e.kind === 'compute' ? 'no tokens' : `${inputCount(e)} → ${e.outputTokens.toLocaleString('en-US')} tokens${learned}`;
  const drift = driftText(e);
  return `${modelName(e)} · ${tokens} · ${usd(e.costPerRunUsd)}/run · ${usd(cost.monthlyUsd, 2)}/month${drift ? ` · ⚠ ${drift}` : ''}`;
}

/** The hover's Markdown; `previous`: the figures are those of the version before the latest edit (see costOf). */
export function hoverMarkdown(cost: AgentCost, previous = false): vscode.MarkdownString {
  const e = cost.estimate;
  const parts = Object.entries(e.breakdown)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${usd(v)}`)
    .join(', ');
  const llm = Object.entries({
    input: e.llmParts.inputUsd,
    'cache read': e.llmParts.cacheReadUsd,
    'cache write': e.llmParts.cacheWriteUsd,
    output: e.llmParts.outputUsd,
  })
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${usd(v)}`)
    .join(', ');
  const calibration = e.calibration ? `approximate, × ${e.calibration.factor} as ${e.calibration.runs} billed runs of ${e.calibration.model} showed` : '';
  const counted = {
    counted: 'counted',
    approximate: "approximate: counted with o200k, not the model's own tokenizer",
    calibrated: calibration,
    declared: 'declared',
    learned: 'learned',
    none: '',
  }[e.tokenCount];
  const output = e.outputTokensSource === 'learned' ? 'out (learned)' : `out (configured)`;
  const lines = [
    `**${e.agent}** · ${e.model ? `${e.model} · runs on ${e.runsOn}${e.runsOn === 'offline' ? ' (usage counted locally)' : ''}${e.provider ? ` · prices of ${e.provider}` : ''}` : 'compute (no model)'}`,
    '',
    e.kind === 'compute'
      ? 'Tokens: none (a built-in function)'
      : `Tokens: ${inputCount(e)} in (${counted}) → ${e.outputTokens.toLocaleString('en-US')} ${output}${e.contextWindow ? ` of a ${e.contextWindow.toLocaleString('en-US')}-token window` : ''}`,
    `Cost per run: ${usd(e.costPerRunUsd)}${parts ? ` (${parts})` : ''}${e.costPerRunP90Usd !== undefined ? ` · p90 ${usd(e.costPerRunP90Usd)}` : ''}`,
  ];
  if (e.learning)
    lines.push(
      `Estimate: ${e.outputTokensSource === 'learned' ? '' : `configured (expectedOutputTokens ${e.configuredOutputTokens.toLocaleString('en-US')}); `}${e.learning.why}`,
    );
  const drift = driftText(e);
  if (drift) lines.push(`⚠ **Drift:** ${drift} (mean actual ${usd(e.learning!.actualMeanCostUsd ?? 0)} over ${e.learning!.window} runs)`);
  if (llm && e.kind !== 'compute')
    lines.push(
      `Model charges: ${llm}${e.tierAbove ? ` · long-context rate (prompt above ${e.tierAbove.toLocaleString('en-US')} tokens)` : ''}${e.batch && !e.batchUnavailable ? ' · through the Batch API (batch: true), at its discount' : ''}`,
    );
  lines.push(
    `Per 1,000 parties: ${usd(cost.perThousandUsd, 2)} · per month: ${usd(cost.monthlyUsd, 2)} (${cost.volume.partiesPerMonth.toLocaleString('en-US')} parties × ${cost.volume.rerunFactor} runs)`,
  );
  const p = e.production;
  if (p)
    lines.push(
      `Production: p50 ${usd(p.costUsd.p50)} per run (p90 ${usd(p.costUsd.p90)}), ${p.calls.p50} call${p.calls.p50 === 1 ? '' : 's'} at the median, over the latest ${p.window} of ${p.runs.toLocaleString('en-US')} traced runs`,
    );
  const o = cost.observed;
  if (o)
    lines.push(
      `Observed: ${o.executions} executions, ${o.hits} cache hits (${(o.hitRate * 100).toFixed(0)} %), effective ${usd(o.effectiveCostUsd ?? 0)} per run`,
    );
  else lines.push('Observed: no runs yet');
  const better = cost.rightSizing?.suggested;
  if (better)
    lines.push(
      `Cheaper model that would do: ${better.model}${better.provider ? ` (${better.provider})` : ''} (${usd(better.costPerRunUsd)}/run, saves ${usd(cost.rightSizing!.savingPerMonthUsd, 2)}/month)`,
    );
  lines.push(
    `Prices: ${cost.prices.source.split(',')[0]}, as of ${cost.prices.date}${cost.prices.overridden.includes(e.model ?? '') ? ' (this model: partycost.json prices)' : ''}`,
  );
  if (previous)
    lines.push('_As estimated before the latest edit, which left this agent and the settings as they were; its upstream agents may have changed. Updating…_');
  return new vscode.MarkdownString(lines.join('  \n'));
}
