import type { Usage } from '../contract/party';
import type { LedgerOrigin, UnattributedAgent } from '../contract/ledger';
import { UserError } from '../contract/errors';
import { didYouMean } from '../config/nearest';
import { llmParts, partsInUsd } from '../cost/usageCost';
import { roundUsd, toUsd } from '../cost/money';
import { priceBook } from '../cost/prices';
import type { PriceBook } from '../cost/prices';
import { estimate } from '../estimate/estimate';
import { attributor } from '../learning/attribution';
import type { Attribution } from '../learning/attribution';
import { agentDefinition, promptHash } from '../planner/keys';
import type { LedgerEntry } from '../store/ledger';
import { groupRuns } from '../traces/runs';
import type { RunGroup } from '../traces/runs';
import { importTraceFile } from '../traces/traceImport';

export { importFormats } from '../traces/traceImport';
export type { ImportFormat } from '../traces/traceImport';
import type { ImportFormat, ImportResult } from '../traces/traceImport';
import type { MappedBatch, ModelCall } from '../traces/traceTypes';
import type { ValidConfig, Workspace } from './workspace';

/**
 * Production truth: the calls of agents that ran elsewhere (traces collected over OTLP, exports imported from files)
 * into the ledger, once each (a call's trace and span ids), attributed to the configuration's agents, priced from the
 * catalogue at the prices of their day, beside what the source said they cost. An attributed call teaches the agent
 * as it is now configured (its prompt hash), so the next estimate learns from production as from our own runs; an
 * unattributed one is kept under the source's name, shown, and can be mapped later (`mapAgent`).
 */

/** What one batch of calls did to the ledger. */
export interface IngestReport {
  /** Calls in the batch, and how many were new (the rest had arrived before: a redelivery, or by file and by HTTP). */
  calls: number;
  recorded: number;
  duplicates: number;
  /** Agent runs the calls belong to. */
  runs: number;
  /** What the new calls cost at catalogue prices, and what their sources reported (null when none reported). */
  costUsd: number;
  reportedCostUsd: number | null;
  /** Per agent named, attributed or not. */
  agents: IngestedAgent[];
  /** Models no catalogue knows: their calls are recorded at the cost the source reported, else at 0. */
  unpriced: string[];
}

export interface IngestedAgent {
  /** The configured agent, or the source's name when it matches none. */
  agent: string;
  attributed: boolean;
  /** How it was matched, or why it was not. */
  via?: string;
  reason?: string;
  runs: number;
  calls: number;
  costUsd: number;
}

/** The configuration when there is a valid one (attribution needs it); none otherwise, and every call stays the source's. */
function configurationOf(ws: Workspace): ValidConfig | undefined {
  try {
    return ws.config();
  } catch {
    return undefined;
  }
}

/** Records a batch's calls in the ledger in one transaction: when this returns, they are durable. */
export function ingest(ws: Workspace, batch: MappedBatch, origin: Exclude<LedgerOrigin, 'run'>): IngestReport {
  const recording = new Recording(ws, origin);
  const groups = groupRuns(batch).filter((group) => group.calls.length > 0);
  recording.record(groups);
  return recording.report();
}

/** Per configuration loaded (a workspace keeps one until its files change): each agent's estimate per run and prompt hash. */
const configured = new WeakMap<ValidConfig, { perRun: Map<string, number>; hashes: Map<string, string> }>();

function agentsOf(loaded: ValidConfig): { perRun: Map<string, number>; hashes: Map<string, string> } {
  let known = configured.get(loaded);
  if (!known) {
    known = { perRun: new Map(estimate(loaded.config, loaded.prices).agents.map((a) => [a.agent, a.costPerRunUsd])), hashes: new Map() };
    configured.set(loaded, known);
  }
  return known;
}

/** One batch being recorded: what attribution and pricing need, read once, and what was recorded so far. */
class Recording {
  private readonly store: ReturnType<Workspace['store']>;
  private readonly loaded: ValidConfig | undefined;
  private readonly prices: PriceBook;
  private readonly attribute: (names: { agentName?: string; taskName?: string }) => Attribution;
  private readonly perRun: Map<string, number>;
  private readonly hashes: Map<string, string>;
  private readonly unpriced = new Set<string>();
  private readonly agents = new Map<string, IngestedAgent>();
  private calls = 0;
  private recorded = 0;
  private runs = 0;
  private costUsd = 0;
  private reportedCostUsd: number | null = null;

  constructor(
    ws: Workspace,
    private readonly origin: Exclude<LedgerOrigin, 'run'>,
  ) {
    this.store = ws.store();
    const loaded = configurationOf(ws);
    this.loaded = loaded;
    this.prices = loaded?.prices ?? priceBook();
    this.attribute = loaded
      ? attributor(loaded.config, loaded.crew, this.store.ledger.aliases())
      : (names) => ({ name: names.agentName ?? names.taskName ?? '(unnamed)', reason: 'no configuration in the workspace' });
    const known = loaded ? agentsOf(loaded) : undefined;
    this.perRun = known?.perRun ?? new Map();
    this.hashes = known?.hashes ?? new Map();
  }

  private hashOf(agent: string): string {
    let hash = this.hashes.get(agent);
    if (hash === undefined) this.hashes.set(agent, (hash = promptHash(agentDefinition(this.loaded!.config.agents[agent]!, this.loaded!.config))));
    return hash;
  }

  /** Attributes, prices and records these runs' calls in one transaction. */
  record(groups: RunGroup[]): void {
    const entries: LedgerEntry[] = [];
    for (const group of groups) {
      const task = taskOf(group);
      const attribution = this.attribute({
        ...(group.agentName !== undefined ? { agentName: group.agentName } : {}),
        ...(task !== undefined ? { taskName: task } : {}),
      });
      const attributed = attribution.agent !== undefined;
      const agent = attribution.agent ?? attribution.name;
      const run = `${group.traceId}/${group.run?.spanId ?? `agent:${group.agentName ?? ''}`}`;
      const seen = this.agents.get(agent) ?? {
        agent,
        attributed,
        ...(attributed ? { via: attribution.via } : { reason: attribution.reason }),
        runs: 0,
        calls: 0,
        costUsd: 0,
      };
      seen.runs += 1;
      this.agents.set(agent, seen);
      group.calls.forEach((call, i) => {
        const priced = pricedCall(call, this.prices);
        if (!priced.known && priced.model) this.unpriced.add(priced.model);
        const actualCostUsd = call.servedFromCache ? 0 : priced.costUsd;
        seen.calls += 1;
        seen.costUsd += actualCostUsd;
        this.costUsd += actualCostUsd;
        if (call.reportedCostUsd !== undefined) this.reportedCostUsd = (this.reportedCostUsd ?? 0) + call.reportedCostUsd;
        entries.push({
          partyId: '',
          agent,
          provider: call.provider ?? 'unknown',
          model: priced.model,
          at: priced.at.toISOString(),
          usage: priced.usage,
          // The run's estimate on its first call: a run's calls sum to it, as its costs do.
          estimatedCostUsd: i === 0 && attributed ? (this.perRun.get(agent) ?? null) : null,
          actualCostUsd,
          parts: priced.parts,
          cached: call.servedFromCache === true,
          savedUsd: call.servedFromCache ? priced.costUsd : 0,
          ...(attributed ? { promptHash: this.hashOf(agent) } : {}),
          origin: this.origin,
          run,
          span: `${call.traceId}/${call.spanId}`,
          spanStartMs: priced.startMs,
          ...(call.reportedCostUsd !== undefined ? { reportedCostUsd: call.reportedCostUsd } : {}),
          attributed,
        });
      });
    }
    this.runs += groups.length;
    this.calls += entries.length;
    this.recorded += this.store.ledger.recordTraced(entries);
  }

  /** What the batch did. Which calls were new is not told per call: the sums are the batch's, the counts say how many were new. */
  report(): IngestReport {
    return {
      calls: this.calls,
      recorded: this.recorded,
      duplicates: this.calls - this.recorded,
      runs: this.runs,
      costUsd: roundUsd(this.costUsd),
      reportedCostUsd: this.reportedCostUsd === null ? null : roundUsd(this.reportedCostUsd),
      agents: [...this.agents.values()]
        .map((a) => ({ ...a, costUsd: roundUsd(a.costUsd) }))
        .sort((a, b) => b.costUsd - a.costUsd || a.agent.localeCompare(b.agent)),
      unpriced: [...this.unpriced].sort(),
    };
  }
}

/** The task a run (or its first call) names. */
function taskOf(group: RunGroup): string | undefined {
  return group.run?.taskName ?? group.calls.find((call) => call.taskName !== undefined)?.taskName;
}

/** A call priced from the catalogue: by the model that answered (else the one asked for), provider-qualified when bare fails. */
function pricedCall(
  call: ModelCall,
  prices: PriceBook,
): { model: string | null; known: boolean; usage: Usage; costUsd: number; parts: LedgerEntry['parts']; at: Date; startMs: number } {
  const named = call.responseModel ?? call.requestModel ?? null;
  const provider = call.provider?.split('.').at(-1);
  const model = named && !prices.model(named) && provider && prices.model(`${provider}/${named}`) ? `${provider}/${named}` : named;
  const usage: Usage = { ...call.usage, source: 'actual' };
  // The call's start as its source says (0 when it does not say, then dated when it arrived).
  const startMs = call.startUnixNano.length > 6 ? Number(call.startUnixNano.slice(0, -6)) : 0;
  const at = new Date(startMs || Date.now());
  // Priced once: the parts, and the cost their sum (a traced call has no resources of ours).
  const priced = llmParts(model, usage, prices, { at, batch: usage.batch === true });
  if (!priced) {
    // Not in the catalogue: what the source reported is the best figure there is.
    return { model, known: false, usage, costUsd: call.reportedCostUsd ?? 0, parts: null, at, startMs };
  }
  return { model, known: true, usage, costUsd: toUsd(priced.total), parts: partsInUsd(priced), at, startMs };
}

/** One file imported: its format, records, problems by line, and what reached the ledger. */
export interface FileImport {
  file: string;
  format: ImportFormat;
  records: number;
  problems: ImportResult['problems'];
  report: IngestReport;
}

/** `partycost import`: each file read (its format told, or the one given), mapped, and ingested. */
export function importFile(ws: Workspace, file: string, text: string, format?: ImportFormat): FileImport {
  const read = importTraceFile(text, format ? { format } : {});
  const report = ingest(ws, read, 'imported');
  return { file, format: read.format, records: read.records, problems: read.problems, report };
}

/** Maps a source's agent name to a configured agent: the calls recorded under it, and those to come, are the agent's. */
export function mapAgent(ws: Workspace, name: string, agent: string): { moved: number } {
  const loaded = ws.config();
  const config = loaded.config.agents[agent];
  if (!config) throw new UserError(`no agent "${agent}" in the configuration${didYouMean(agent, Object.keys(loaded.config.agents))}`);
  const moved = ws.store().ledger.alias(name, agent, promptHash(agentDefinition(config, loaded.config)), new Date().toISOString());
  ws.learner()?.forget();
  return { moved };
}

/** The agents traces named that match no configured one, the most expensive first. */
export function unattributedAgents(ws: Workspace): UnattributedAgent[] {
  return ws.storeIfExists()?.ledger.unattributed() ?? [];
}

/** What production spent today (UTC), over how many runs. */
export function productionToday(ws: Workspace): { costUsd: number; runs: number; calls: number } {
  const store = ws.storeIfExists();
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  return store ? store.ledger.productionSince(midnight.toISOString()) : { costUsd: 0, runs: 0, calls: 0 };
}
