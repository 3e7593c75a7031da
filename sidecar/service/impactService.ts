import { UserError } from '../contract/errors';
import type { ImpactReport } from '../contract/impact';
import { impactSummary } from '../contract/impact';
import { partiesRunWith, partyImpacts } from '../impact/impact';
import { impactReport } from '../impact/impactReport';
import { batchPollMs } from '../providers/batchedCall';
import type { StoredResults } from '../store/storedResults';
import { BatchRefresh } from './batchRefresh';
import type { BatchRefreshReport } from './batchRefresh';
import { configAt, learningOf } from './estimateService';
import { RunCancelledError, RunFailedError } from './runner';
import type { ValidConfig, Workspace } from './workspace';

/** A workspace with no database yet: no parties. */
const noParties: StoredResults = { agents: new Set(), definitionText: () => '', forEach: () => undefined };

/**
 * Every stored party's delta plan under the configuration (against the configuration each party's results were
 * produced with, which their keys record; or, with `against`, as if they had been produced with the configuration at
 * that git revision): which agents re-run in how many parties, why, and what it costs at list and batch prices.
 */
export function impactOf(ws: Workspace, loaded: ValidConfig, options: { against?: string; byParty?: boolean } = {}): ImpactReport {
  const old = options.against === undefined ? undefined : configAt(ws, options.against).config;
  const parties = ws.storeIfExists()?.results.parties() ?? noParties;
  const impacts = partyImpacts(loaded.config, old ? partiesRunWith(old, parties) : parties);
  return impactReport(loaded.config, loaded.prices, impacts, {
    against: options.against ?? "each party's results",
    byParty: options.byParty === true,
    learning: learningOf(ws, loaded.config),
  });
}

/** The impact on every stored party as the editor shows it: per party, with its one-line summary. */
export function editorImpact(ws: Workspace): ImpactReport & { summary: string } {
  const loaded = ws.config();
  const report = impactOf(ws, loaded, { byParty: true });
  return { ...report, summary: impactSummary(report) };
}

/** One party's refresh: what ran, what it cost, or why it failed. */
export interface PartyRefresh {
  party: string;
  executed: number;
  costUsd: number;
  error?: string;
}

export interface RefreshOptions {
  /** The parties to refresh (default: those the configuration affects); an unknown one is refused before any runs. */
  parties?: string[];
  signal?: AbortSignal;
  /** Before the first party: the parties that will be refreshed. */
  onStart?: (parties: string[]) => void;
  /** After each party. */
  onParty?: (done: PartyRefresh, index: number, of: number) => void;
}

/** The parties the configuration affects: those whose impact re-runs or deletes an agent. */
function affected(ws: Workspace, loaded: ValidConfig): string[] {
  return partyImpacts(loaded.config, ws.store().results.parties())
    .filter((p) => p.agents.length > 0)
    .map((p) => p.party);
}

/**
 * Brings parties up to date, one after the other, each with its delta plan. A party that fails is reported with its
 * cause and the others go on; a cancel stops after the agents running, keeping every result that finished.
 */
export async function refreshParties(ws: Workspace, loaded: ValidConfig, options: RefreshOptions = {}): Promise<{ parties: string[]; done: PartyRefresh[] }> {
  const service = ws.parties(loaded);
  await ws.connectedCache();
  const unknown = (options.parties ?? []).filter((party) => !service.store.has(party));
  if (unknown.length) throw new UserError(`no part${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}; "partycost party list" shows them`);
  const parties = options.parties ?? affected(ws, loaded);
  options.onStart?.(parties);
  const done: PartyRefresh[] = [];
  for (const [i, party] of parties.entries()) {
    if (options.signal?.aborted) break;
    try {
      const report = await service.run(party, { signal: options.signal });
      done.push({ party, executed: report.executed, costUsd: report.costUsd });
    } catch (error) {
      if (error instanceof RunCancelledError) break;
      const message = error instanceof RunFailedError || error instanceof Error ? error.message : String(error);
      done.push({ party, executed: 0, costUsd: 0, error: message });
    }
    options.onParty?.(done.at(-1)!, i, parties.length);
  }
  return { parties, done };
}

/** How long between two status reads of a batch, and how many before a refresh stops waiting (environment, for tests). */
function pollSettings(env: NodeJS.ProcessEnv): { pollMs: number; maxPolls?: number } {
  const pollMs = batchPollMs(env);
  const maxPolls = env.PARTYCOST_BATCH_MAX_POLLS === undefined || env.PARTYCOST_BATCH_MAX_POLLS === '' ? undefined : Number(env.PARTYCOST_BATCH_MAX_POLLS);
  return { pollMs, ...(maxPolls !== undefined && Number.isFinite(maxPolls) ? { maxPolls } : {}) };
}

/**
 * Brings parties up to date through the vendors' batch APIs, level by level (see batchRefresh.ts); the batches an
 * earlier refresh submitted are collected first.
 */
export async function refreshThroughBatches(
  ws: Workspace,
  loaded: ValidConfig,
  options: { parties?: string[]; signal?: AbortSignal; onStart?: (parties: string[]) => void; onLine?: (line: string) => void },
): Promise<BatchRefreshReport> {
  const parties = options.parties ?? affected(ws, loaded);
  options.onStart?.(parties);
  const refresh = new BatchRefresh(ws.store(), loaded.config, loaded.prices, await ws.connectedCache(), {
    parties,
    ...pollSettings(process.env),
    signal: options.signal,
    onLine: options.onLine,
    // The endpoints this workspace names that the user trusts with keys (as its runs have them).
    trust: ws.endpointTrust(),
  });
  return refresh.run();
}
