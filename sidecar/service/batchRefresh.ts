import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { PartyConfig } from '../config/schema';
import type { PriceBook } from '../cost/prices';
import type { ResultCache } from '../cache/resultCache';
import { UserError } from '../contract/errors';
import type { RunReport } from '../contract/plan';
import { noUsage } from '../party/usage';
import { BatchApiError } from '../providers/batch';
import type { BatchDriver, BatchItem, BatchOutcome } from '../providers/batch';
import type { Completion, CompletionRequest, Provider } from '../providers/provider';
import { ProviderSetupError } from '../providers/provider';
import { endpointOf, Providers } from '../providers/registry';
import type { EndpointTrust } from '../providers/registry';
import { batchProviders } from '../providers/profiles';
import type { BatchProvider } from '../providers/profiles';
import type { SqliteStore } from '../store/sqliteStore';
import type { BatchItemRow } from '../store/batches';
import { PartyService } from './partyService';
import { RunCancelledError, RunFailedError } from './runner';

/** The vendors with a batch API we drive. */
type BatchVendor = BatchProvider;

/** A call held back for a batch: the run that made it fails that agent, and a later pass serves the batch's answer. */
export class BatchDeferral extends Error {}

/** What identifies a call across passes and restarts: its model, messages and answer limit. */
export function requestHash(request: Pick<CompletionRequest, 'model' | 'messages' | 'maxOutputTokens'>): string {
  return createHash('sha256')
    .update(JSON.stringify([request.model, request.messages, request.maxOutputTokens]))
    .digest('hex');
}

/**
 * A batch item's custom id, unique in its pass: the party and agent as Anthropic's Message Batches accept ids
 * (`^[a-zA-Z0-9_-]{1,64}$`; the API refuses the whole batch otherwise), any other character as `_`, a number added
 * when two names come out alike. OpenAI takes any string; the same id serves both.
 */
export function batchItemId(party: string, agent: string, taken: ReadonlySet<string>): string {
  const base = `${party}-${agent}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 56);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** A distinct call held back in a pass, under the custom id of the first party and agent that made it. */
interface Deferred {
  customId: string;
  provider: BatchVendor;
  hash: string;
  request: BatchItem['request'];
}

/** A batch's answer to one distinct call; `taken` once a run has recorded it as the execution the vendor billed. */
interface Served {
  outcome: BatchOutcome;
  taken: boolean;
}

export interface BatchRefreshReport {
  parties: { party: string; refreshed: boolean; error?: string }[];
  batches: { id: string; provider: BatchVendor; items: number; succeeded: number; failed: number; expired: number }[];
  /** Batches submitted that had not ended when the refresh stopped waiting: run it again to collect them. */
  waiting: string[];
  executed: number;
  costUsd: number;
}

export interface BatchRefreshOptions {
  parties: string[];
  /** Between two status reads of a batch (default 30 s). */
  pollMs?: number;
  /** Status reads of one batch before the refresh stops waiting (it resumes on the next run); default: no limit. */
  maxPolls?: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The endpoints named by the workspace's configuration that the user trusts with keys (default: none). */
  trust?: EndpointTrust;
}

/** What the next `refresh --batch` does with a batch kept open, or after a stop before submitting. */
const keptOpen = (id: string): string => `batch ${id} is kept, and the next "partycost refresh --batch" collects it`;
const goOn = 'what finished is kept: run "partycost refresh --batch" again to go on';

/**
 * Brings parties up to date through the vendors' batch APIs, level by level of the agent graph: each pass runs every
 * party with its delta plan, as any run does, except that a call to OpenAI or Anthropic is held back (the agent
 * waits) and collected; the pass's distinct calls go out as one batch per vendor, so parties that make the same call
 * pay for it once; their answers are served to the next pass, whose runs record them as ordinary results (usage
 * billed at the batch discount; the other parties find the result in the cache) and hold back the next level's
 * calls. Agents on other providers run directly. Batches are kept in the database until they end, so a refresh that
 * stops waiting (or is killed, or loses the vendor) picks them up on the next run instead of submitting them again.
 * An item that failed or expired fails its agent: that party is reported with the cause, and the others go on.
 */
export class BatchRefresh {
  private readonly service: PartyService;
  private readonly providers: Providers;
  private party = '';
  /** The distinct calls held back in this pass, by request hash. */
  private deferred = new Map<string, Deferred>();
  private deferredIds = new Set<string>();
  /** The parties that had a call held back in this pass. */
  private held = new Set<string>();
  /** Answers by the hash of the request they answer. */
  private readonly served = new Map<string, Served>();
  /** Calls whose batch the vendor lost in this refresh: run again once, then failed. */
  private readonly lost = new Set<string>();
  private readonly report: BatchRefreshReport = { parties: [], batches: [], waiting: [], executed: 0, costUsd: 0 };
  /** Batches whose answers are served but not yet recorded by a pass: marked ended once they are. */
  private collected: string[] = [];

  constructor(
    private readonly store: SqliteStore,
    config: PartyConfig,
    prices: PriceBook,
    cache: ResultCache | undefined,
    private readonly options: BatchRefreshOptions,
  ) {
    const env = options.env ?? process.env;
    this.providers = new Providers(config, env, {}, options.trust);
    const held = (name: BatchVendor): Provider => ({ name, complete: (request) => this.complete(name, request) });
    this.service = new PartyService(
      config,
      prices,
      store.parties,
      new Providers(config, env, Object.fromEntries(batchProviders.map((name) => [name, held(name)])), options.trust),
      cache,
    );
  }

  private complete(provider: BatchVendor, request: CompletionRequest): Promise<Completion> {
    const hash = requestHash(request);
    const served = this.served.get(hash);
    if (served) return this.serve(provider, served);
    this.held.add(this.party);
    // Parties with the same inputs make the same call: it goes out once, and its answer serves every one of them.
    if (!this.deferred.has(hash)) {
      const { model, messages, maxOutputTokens, stablePrefix, promptCache } = request;
      const customId = batchItemId(this.party, request.agent, this.deferredIds);
      this.deferredIds.add(customId);
      this.deferred.set(hash, {
        customId,
        provider,
        hash,
        request: { model, messages, maxOutputTokens, ...(stablePrefix ? { stablePrefix } : {}), ...(promptCache ? { promptCache } : {}) },
      });
    }
    return Promise.reject(new BatchDeferral(`held for a ${provider} batch`));
  }

  /**
   * An answer, to the first run that takes it as billed; a run that needs the same call again (without finding the
   * first one's result in the cache) gets its text at no cost, as the vendor billed it once.
   */
  private serve(provider: BatchVendor, served: Served): Promise<Completion> {
    const { outcome } = served;
    if (!('completion' in outcome)) return Promise.reject(new Error(`its ${provider} batch call ${outcome.failure}: ${outcome.detail}`));
    if (served.taken) return Promise.resolve({ output: outcome.completion.output, usage: { ...noUsage, batch: true } });
    served.taken = true;
    return Promise.resolve(outcome.completion);
  }

  async run(): Promise<BatchRefreshReport> {
    await this.resume();
    if (this.report.waiting.length) return this.finish(new Map());
    const failed = new Map<string, string>();
    for (let level = 1; ; level++) {
      await this.pass(failed);
      // The answers served to this pass are recorded (or their failures reported): their batches are done with. A
      // refresh killed before this point collects them again on its next run.
      this.markEnded();
      if (!this.deferred.size) return this.finish(failed);
      await this.submitAll(level);
      if (this.report.waiting.length) return this.finish(failed);
    }
  }

  /** Batches an earlier refresh submitted and did not see end: collected first, so none is submitted twice. */
  private async resume(): Promise<void> {
    for (const batch of this.store.batches.open()) {
      const moved = batch.baseURL !== undefined && endpointOf(batch.baseURL) !== endpointOf(this.providers.baseURL(batch.provider as BatchVendor));
      this.line(`resuming ${batch.provider} batch ${batch.id}${moved ? ` at ${batch.baseURL}, where it was submitted` : ''}`);
      if (!(await this.collect(batch.id, batch.provider as BatchVendor, batch.items, batch.baseURL))) this.report.waiting.push(batch.id);
    }
  }

  /** Runs every party not failed yet, holding back its calls to the batch vendors. */
  private async pass(failed: Map<string, string>): Promise<void> {
    this.deferred = new Map();
    this.deferredIds = new Set();
    this.held = new Set();
    for (const party of this.options.parties) {
      if (failed.has(party)) continue;
      this.party = party;
      const failure = await this.runParty(party);
      if (failure) failed.set(party, failure);
    }
  }

  /** One party's run: why it failed, or undefined when it finished or only waits for a batch. */
  private async runParty(party: string): Promise<string | undefined> {
    try {
      this.count(await this.service.run(party, { signal: this.options.signal }));
      return undefined;
    } catch (error) {
      if (error instanceof RunCancelledError) throw error;
      if (!(error instanceof RunFailedError)) return error instanceof Error ? error.message : String(error);
      this.count(error.report);
      // A call held back is no failure; a failed answer of a batch is.
      if (this.held.has(party) && !/^its (openai|anthropic) batch call/.test(error.reason)) return undefined;
      return `${error.agent}: ${error.reason}`;
    }
  }

  private count(report: RunReport): void {
    this.report.executed += report.executed;
    this.report.costUsd += report.costUsd;
  }

  /** The pass's distinct calls, one batch per vendor, each waited for (or left open when the refresh stops waiting). */
  private async submitAll(level: number): Promise<void> {
    for (const vendor of batchProviders) {
      const items = [...this.deferred.values()].filter((d) => d.provider === vendor);
      if (!items.length) continue;
      const id = await this.submit(vendor, items);
      this.line(`level ${level}: ${vendor} batch ${id} submitted with ${items.length} call${items.length === 1 ? '' : 's'}`);
      if (!(await this.collect(id, vendor, items))) this.report.waiting.push(id);
    }
  }

  /** Submits one batch and keeps it in the database; a vendor that refuses stops the refresh with nothing sent. */
  private async submit(vendor: BatchVendor, items: Deferred[]): Promise<string> {
    try {
      const driver = await this.providers.batchDriver(vendor);
      const id = await driver.submit(items.map(({ customId, request }) => ({ customId, request })));
      this.store.batches.add({
        id,
        provider: vendor,
        items: items.map(({ customId, hash }) => ({ customId, hash })),
        baseURL: this.providers.baseURL(vendor),
      });
      return id;
    } catch (error) {
      throw stopped(error, goOn);
    }
  }

  /**
   * Waits for a batch to end and serves its answers; false when it stopped waiting first (the batch stays open). A
   * batch the vendor no longer knows is ended here and its calls are run again; any other failure of the vendor
   * stops the refresh, the batch kept for the next one.
   */
  private async collect(id: string, provider: BatchVendor, items: BatchItemRow[], at?: string): Promise<boolean> {
    try {
      const driver = await this.providers.batchDriver(provider, at);
      if (!(await this.waitFor(driver, id))) return false;
      this.serveAll(id, provider, items, await driver.outcomes(id));
      return true;
    } catch (error) {
      if (!(error instanceof BatchApiError && error.notFound)) throw stopped(error, keptOpen(id));
      this.forget(id, provider, items);
      return true;
    }
  }

  /** Reads the batch's status until it ends (true), or until the refresh stops waiting (false). */
  private async waitFor(driver: BatchDriver, id: string): Promise<boolean> {
    for (let polls = 0; ; polls++) {
      const status = await driver.status(id);
      if (status.ended) {
        if (status.failure) this.line(`${driver.provider} batch ${id}: ${status.failure}`);
        return true;
      }
      if (polls >= (this.options.maxPolls ?? Infinity)) {
        this.line(`${driver.provider} batch ${id} is ${status.status}; run the refresh again to collect it`);
        return false;
      }
      await delay(this.options.pollMs ?? 30_000, undefined, { signal: this.options.signal });
    }
  }

  /** Each item's outcome (a failure when the batch returned none), served by its request's hash. */
  private serveAll(id: string, provider: BatchVendor, items: BatchItemRow[], outcomes: BatchOutcome[]): void {
    const byId = new Map(outcomes.map((o) => [o.customId, o]));
    const counts = { succeeded: 0, failed: 0, expired: 0 };
    for (const item of items) {
      const outcome: BatchOutcome = byId.get(item.customId) ?? { customId: item.customId, failure: 'failed', detail: 'the batch returned no answer for it' };
      this.served.set(item.hash, { outcome, taken: false });
      if ('completion' in outcome) counts.succeeded += 1;
      else if (outcome.failure === 'expired') counts.expired += 1;
      else counts.failed += 1;
    }
    this.collected.push(id);
    this.report.batches.push({ id, provider, items: items.length, ...counts });
    this.line(`${provider} batch ${id} ended: ${counts.succeeded} answered, ${counts.failed} failed, ${counts.expired} expired`);
  }

  /**
   * A batch the vendor no longer knows (404): nothing of it can be read, so it is ended, and its calls are held
   * back again and go out in a new batch of this refresh; a call lost a second time fails its agent instead.
   */
  private forget(id: string, provider: BatchVendor, items: BatchItemRow[]): void {
    this.store.batches.end(id);
    const again = items.filter((item) => !this.lost.has(item.hash));
    for (const item of items) {
      const detail = `${provider} no longer knows batch ${id} either, the second batch lost with this call`;
      if (this.lost.has(item.hash)) this.served.set(item.hash, { outcome: { customId: item.customId, failure: 'failed', detail }, taken: false });
      this.lost.add(item.hash);
    }
    const lostTwice = items.length - again.length;
    this.line(
      `${provider} no longer knows batch ${id}: it is ended here, and its ${again.length} call${again.length === 1 ? ' is' : 's are'} run again${lostTwice ? ` (${lostTwice} lost twice fail their agents)` : ''}`,
    );
  }

  private markEnded(): void {
    for (const id of this.collected) this.store.batches.end(id);
    this.collected = [];
  }

  private finish(failed: Map<string, string>): BatchRefreshReport {
    const waiting = this.report.waiting.length > 0;
    this.report.parties = this.options.parties.map((party) =>
      failed.has(party) ? { party, refreshed: false, error: failed.get(party) } : { party, refreshed: !waiting },
    );
    this.report.costUsd = Number(this.report.costUsd.toFixed(6));
    return this.report;
  }

  private line(text: string): void {
    this.options.onLine?.(text);
  }
}

/**
 * A vendor's batch API that refused or could not be reached (or no key to call it with): the refresh stops with one
 * line naming the vendor, the cause and what is kept. Anything else (a cancel, a bug) goes on as it is.
 */
function stopped(error: unknown, kept: string): unknown {
  if (!(error instanceof BatchApiError || error instanceof ProviderSetupError)) return error;
  return new UserError(`refresh --batch stopped: ${error.message}; ${kept}`);
}
