import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { PartyConfig } from '../config/schema';
import type { PriceBook } from '../cost/prices';
import type { ResultCache } from '../cache/resultCache';
import type { BatchItem, BatchOutcome } from '../providers/batch';
import type { Completion, CompletionRequest, Provider } from '../providers/provider';
import { Providers } from '../providers/registry';
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

interface Deferred {
  customId: string;
  provider: BatchVendor;
  hash: string;
  request: BatchItem['request'];
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
}

/**
 * Brings parties up to date through the vendors' batch APIs, level by level of the agent graph: each pass runs every
 * party with its delta plan, as any run does, except that a call to OpenAI or Anthropic is held back (the agent
 * waits) and collected; the pass's calls go out as one batch per vendor; their answers are served to the next pass,
 * whose runs record them as ordinary results (usage billed at the batch discount) and hold back the next level's
 * calls. Agents on other providers run directly. Batches are kept in the database until they end, so a refresh that
 * stops waiting (or is killed) picks them up on the next run instead of submitting them again. An item that failed
 * or expired fails its agent: that party is reported with the cause, and the others go on.
 */
export class BatchRefresh {
  private readonly service: PartyService;
  private readonly providers: Providers;
  private party = '';
  private deferred: Deferred[] = [];
  /** Answers by custom id (party/agent), each with the hash of the request it answers. */
  private readonly served = new Map<string, { hash: string; outcome: BatchOutcome }>();
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
    this.providers = new Providers(config, env);
    const held = (name: BatchVendor): Provider => ({ name, complete: (request) => this.complete(name, request) });
    this.service = new PartyService(
      config,
      prices,
      store.parties,
      new Providers(config, env, Object.fromEntries(batchProviders.map((name) => [name, held(name)]))),
      cache,
    );
  }

  private complete(provider: BatchVendor, request: CompletionRequest): Promise<Completion> {
    const customId = `${this.party}/${request.agent}`;
    const hash = requestHash(request);
    const served = this.served.get(customId);
    if (served?.hash === hash) {
      const { outcome } = served;
      if ('completion' in outcome) return Promise.resolve(outcome.completion);
      return Promise.reject(new Error(`its ${provider} batch call ${outcome.failure}: ${outcome.detail}`));
    }
    const { model, messages, maxOutputTokens, stablePrefix, promptCache } = request;
    this.deferred.push({
      customId,
      provider,
      hash,
      request: { model, messages, maxOutputTokens, ...(stablePrefix ? { stablePrefix } : {}), ...(promptCache ? { promptCache } : {}) },
    });
    return Promise.reject(new BatchDeferral(`held for a ${provider} batch`));
  }

  async run(): Promise<BatchRefreshReport> {
    // Batches an earlier refresh submitted and did not see end.
    for (const batch of this.store.batches.open()) {
      this.line(`resuming ${batch.provider} batch ${batch.id}`);
      if (!(await this.collect(batch.id, batch.provider as BatchVendor, batch.items))) this.report.waiting.push(batch.id);
    }
    if (this.report.waiting.length) return this.finish(new Map());
    const failed = new Map<string, string>();
    for (let level = 1; ; level++) {
      this.deferred = [];
      for (const party of this.options.parties) {
        if (failed.has(party)) continue;
        this.party = party;
        try {
          const report = await this.service.run(party, { signal: this.options.signal });
          this.report.executed += report.executed;
          this.report.costUsd += report.costUsd;
        } catch (error) {
          if (error instanceof RunCancelledError) throw error;
          if (error instanceof RunFailedError) {
            this.report.executed += error.report.executed;
            this.report.costUsd += error.report.costUsd;
            if (this.deferred.some((d) => d.customId.startsWith(`${party}/`)) && !/^its (openai|anthropic) batch call/.test(error.reason)) continue;
            failed.set(party, `${error.agent}: ${error.reason}`);
          } else failed.set(party, error instanceof Error ? error.message : String(error));
        }
      }
      // The answers served to this pass are recorded (or their failures reported): their batches are done with. A
      // refresh killed before this point collects them again on its next run.
      this.markEnded();
      if (!this.deferred.length) return this.finish(failed);
      for (const vendor of batchProviders) {
        const items = this.deferred.filter((d) => d.provider === vendor);
        if (!items.length) continue;
        const driver = await this.providers.batchDriver(vendor);
        const id = await driver.submit(items.map(({ customId, request }) => ({ customId, request })));
        const stored: BatchItemRow[] = items.map(({ customId, hash }) => ({ customId, hash }));
        this.store.batches.add({ id, provider: vendor, items: stored });
        this.line(`level ${level}: ${vendor} batch ${id} submitted with ${items.length} call${items.length === 1 ? '' : 's'}`);
        if (!(await this.collect(id, vendor, stored))) this.report.waiting.push(id);
      }
      if (this.report.waiting.length) return this.finish(failed);
    }
  }

  /** Waits for a batch to end and serves its answers; false when it stopped waiting first (the batch stays open). */
  private async collect(id: string, provider: BatchVendor, items: BatchItemRow[]): Promise<boolean> {
    const driver = await this.providers.batchDriver(provider);
    for (let polls = 0; ; polls++) {
      const status = await driver.status(id);
      if (status.ended) {
        if (status.failure) this.line(`${provider} batch ${id}: ${status.failure}`);
        break;
      }
      if (polls >= (this.options.maxPolls ?? Infinity)) {
        this.line(`${provider} batch ${id} is ${status.status}; run the refresh again to collect it`);
        return false;
      }
      await delay(this.options.pollMs ?? 30_000, undefined, { signal: this.options.signal });
    }
    const outcomes = new Map((await driver.outcomes(id)).map((o) => [o.customId, o]));
    const counts = { succeeded: 0, failed: 0, expired: 0 };
    for (const item of items) {
      const outcome: BatchOutcome = outcomes.get(item.customId) ?? {
        customId: item.customId,
        failure: 'failed',
        detail: 'the batch returned no answer for it',
      };
      this.served.set(item.customId, { hash: item.hash, outcome });
      if ('completion' in outcome) counts.succeeded += 1;
      else if (outcome.failure === 'expired') counts.expired += 1;
      else counts.failed += 1;
    }
    this.collected.push(id);
    this.report.batches.push({ id, provider, items: items.length, ...counts });
    this.line(`${provider} batch ${id} ended: ${counts.succeeded} answered, ${counts.failed} failed, ${counts.expired} expired`);
    return true;
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
