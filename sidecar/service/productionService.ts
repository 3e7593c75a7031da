import type { Usage } from '../contract/party';
import type { LedgerOrigin, UnattributedAgent } from '../contract/ledger';
import { UserError } from '../contract/errors';
import { didYouMean } from '../config/nearest';
import { executionCost, executionParts } from '../cost/usageCost';
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
  const store = ws.store();
  const loaded = configurationOf(ws);
  const prices = loaded?.prices ?? priceBook();
  const attribute = loaded
    ? attributor(loaded.config, loaded.crew, store.ledger.aliases())
    : (names: { agentName?: string; taskName?: string }): Attribution => ({
        name: names.agentName ?? names.taskName ?? '(unnamed)',
        reason: 'no configuration in the workspace',
      });
  const perRun = loaded ? new Map(estimate(loaded.config, loaded.prices).agents.map((a) => [a.agent, a.costPerRunUsd])) : new Map<string, number>();
  const hashes = new Map<string, string>();
  const hashOf = (agent: string): string => {
    let hash = hashes.get(agent);
    if (hash === undefined) hashes.set(agent, (hash = promptHash(agentDefinition(loaded!.config.agents[agent]!, loaded!.config))));
    return hash;
  };

  const entries: LedgerEntry[] = [];
  const unpriced = new Set<string>();
  const agents = new Map<string, IngestedAgent>();
  const groups = groupRuns(batch).filter((group) => group.calls.length > 0);
  for (const group of groups) {
    const attribution = attribute({
      ...(group.agentName !== undefined ? { agentName: group.agentName } : {}),
      ...(taskOf(group) !== undefined ? { taskName: taskOf(group)! } : {}),
    });
    const agent = attribution.agent ?? attribution.name;
    const run = `${group.traceId}/${group.run?.spanId ?? `agent:${group.agentName ?? ''}`}`;
    const seen = agents.get(agent) ?? {
      agent,
      attributed: attribution.agent !== undefined,
      ...(attribution.agent !== undefined ? { via: attribution.via } : { reason: attribution.reason }),
      runs: 0,
      calls: 0,
      costUsd: 0,
    };
    seen.runs += 1;
    agents.set(agent, seen);
    group.calls.forEach((call, i) => {
      const priced = pricedCall(call, prices);
      if (!priced.known && priced.model) unpriced.add(priced.model);
      entries.push({
        partyId: '',
        agent,
        provider: call.provider ?? 'unknown',
        model: priced.model,
        at: priced.at.toISOString(),
        usage: priced.usage,
        // The run's estimate on its first call: a run's calls sum to it, as its costs do.
        estimatedCostUsd: i === 0 && attribution.agent !== undefined ? (perRun.get(attribution.agent) ?? null) : null,
        actualCostUsd: call.servedFromCache ? 0 : priced.costUsd,
        parts: priced.parts,
        cached: call.servedFromCache === true,
        savedUsd: call.servedFromCache ? priced.costUsd : 0,
        ...(attribution.agent !== undefined ? { promptHash: hashOf(attribution.agent) } : {}),
        origin,
        run,
        span: `${call.traceId}/${call.spanId}`,
        ...(call.reportedCostUsd !== undefined ? { reportedCostUsd: call.reportedCostUsd } : {}),
        attributed: attribution.agent !== undefined,
      });
    });
  }
  const recorded = store.ledger.recordTraced(entries);
  // Which entries were new is not told per row; the report's sums are the batch's, its counts say how many were new.
  for (const entry of entries) {
    const seen = agents.get(entry.agent)!;
    seen.calls += 1;
    seen.costUsd += entry.actualCostUsd;
  }
  const reported = entries.filter((e) => e.reportedCostUsd !== undefined);
  return {
    calls: entries.length,
    recorded,
    duplicates: entries.length - recorded,
    runs: groups.length,
    costUsd: roundUsd(entries.reduce((total, e) => total + e.actualCostUsd, 0)),
    reportedCostUsd: reported.length ? roundUsd(reported.reduce((total, e) => total + e.reportedCostUsd!, 0)) : null,
    agents: [...agents.values()].map((a) => ({ ...a, costUsd: roundUsd(a.costUsd) })).sort((a, b) => b.costUsd - a.costUsd || a.agent.localeCompare(b.agent)),
    unpriced: [...unpriced].sort(),
  };
}

/** The task a run (or its first call) names. */
function taskOf(group: RunGroup): string | undefined {
  return group.run?.taskName ?? group.calls.find((call) => call.taskName !== undefined)?.taskName;
}

/** A call priced from the catalogue: by the model that answered (else the one asked for), provider-qualified when bare fails. */
function pricedCall(
  call: ModelCall,
  prices: PriceBook,
): { model: string | null; known: boolean; usage: Usage; costUsd: number; parts: LedgerEntry['parts']; at: Date } {
  const named = call.responseModel ?? call.requestModel ?? null;
  const provider = call.provider?.split('.').at(-1);
  const model = named && !prices.model(named) && provider && prices.model(`${provider}/${named}`) ? `${provider}/${named}` : named;
  const usage: Usage = { ...call.usage, source: 'actual' };
  const at = new Date(Number(BigInt(call.startUnixNano || '0') / 1_000_000n) || Date.now());
  const known = model !== null && prices.model(model) !== undefined;
  if (!known) {
    // Not in the catalogue: what the source reported is the best figure there is.
    const reported = call.reportedCostUsd ?? 0;
    return { model, known, usage, costUsd: reported, parts: null, at };
  }
  return { model, known, usage, costUsd: toUsd(executionCost({}, model, usage, prices, at)), parts: executionParts({}, model, usage, prices, at), at };
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
  return { moved: ws.store().ledger.alias(name, agent, promptHash(agentDefinition(config, loaded.config)), new Date().toISOString()) };
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
