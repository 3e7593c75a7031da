import { roundUsd, toUsd } from '../cost/money';
import { executionCost, executionParts } from '../cost/usageCost';
import { estimate } from '../estimate/estimate';
import { splitModelName } from '../cost/catalogue';
import { agentProvider } from '../config/agents';
import type { Providers } from '../providers/registry';
import type { ProviderName } from '../providers/profiles';
import { providerProfile, streams } from '../providers/profiles';
import type { LedgerEntry } from '../store/ledger';
import { noUsage } from '../party/usage';
import { keysIn, redact } from '../shared/redact';
import type { AgentResult, ContextRecord, PartyEvent, PartyState } from '../contract/party';
import type { PartyStore } from '../store/partyStore';
import { LeaseLostError } from '../store/leases';
import type { Fence } from '../store/leases';
import { databaseFailure } from '../store/database';
import { blockDecision, decide } from '../planner/decide';
import { blockedBy } from '../budget/budget';
import type { BudgetState } from '../contract/budget';
import type { Learning } from '../contract/cost';
import { UserError } from '../contract/errors';
import type { Decision } from '../planner/decide';
import { promptHash } from '../planner/keys';
import { resultHash } from '../hashing/hash';
import { partyGraph } from '../planner/partyGraph';
import type { AgentFacts } from '../planner/partyGraph';
import { situation } from '../planner/plan';
import type { PlanInput } from '../planner/plan';
import { partyBudget } from '../providers/compute';
import { assembleContext } from '../context/assemble';
import type { Completion } from '../providers/provider';
import { defaultRetryPolicy, withRetries } from '../providers/retry';
import type { RetryPolicy } from '../providers/retry';
import { defaultOutputTokens } from '../context/agentTokens';
import type { CacheEntry } from '../store/cacheEntries';
import type { TierName } from '../contract/cache';
import type { ResultCache } from '../cache/resultCache';
import type { AgentOutcome, AgentProgress, RunReport } from '../contract/plan';

export interface RunOptions {
  force?: string[];
  /** Agents that may execute at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Per attempt of one agent; default: its provider's `timeoutMs` (60 s). */
  timeoutMs?: number;
  /** Default: its provider's `maxRetries` (3) with exponential backoff. */
  retry?: Partial<RetryPolicy>;
  onProgress?: (progress: AgentProgress) => void;
  now?: () => number;
}

/** A run stopped by a failed agent; the results of the agents that finished are stored and reused next time. */
export class RunFailedError extends UserError {
  constructor(
    readonly agent: string,
    readonly reason: string,
    readonly report: RunReport,
  ) {
    super(`agent "${agent}" failed: ${reason}`, [], 'run-failed');
  }
}

export class RunCancelledError extends UserError {
  constructor(readonly report: RunReport) {
    super('the run was cancelled; finished agents are kept and the rest run next time', [], 'run-cancelled');
  }
}

export interface RunContext extends Omit<PlanInput, 'state' | 'force' | 'now' | 'cached' | 'budget' | 'estimate'> {
  /** What the ledger teaches the estimates (each agent's learned tokens). */
  learning?: Learning;
  store: PartyStore;
  /** The workspace's providers: each agent runs on its own (agent `provider`, else `defaults.provider`). */
  providers: Providers;
  configHash: string;
  /** The shared result cache; without it every execute calls the provider. */
  cache?: ResultCache;
  /** The budget now (spend read afresh): checked before each execution, as spend grows during a run. */
  budget?: () => BudgetState;
  /** The party's lease as this run holds it: checked before each call that may be billed and at each write. */
  fence?: Fence;
  /**
   * With a team ledger: reserves what an execution may cost against the team's limits before its call, settled once
   * it is recorded (released when it failed); a refusal blocks the agent as the budget does.
   */
  reserve?: (agent: string, estimateUsd: number) => Promise<Reservation | { refused: string } | undefined>;
}

/** What a call reserved against a shared limit. */
export interface Reservation {
  settle(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Executes a party's delta plan: agents in dependency order, independent ones concurrently (bounded), each decided
 * again with its upstream agents' actual result hashes, so an upstream agent that returns an unchanged result cuts
 * off its downstream agents (early cutoff). Every completion commits with its event and ledger entry.
 */
export async function runParty(context: RunContext, partyId: string, options: RunOptions = {}): Promise<RunReport> {
  const run = new PartyRun(context, context.store.load(partyId), options);
  return run.execute();
}

class PartyRun {
  private readonly settled = new Map<string, { hash: string | null; output: string | null }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly outcomes: AgentOutcome[] = [];
  private readonly blocked = new Set<string>();
  private failure: { agent: string; reason: string } | undefined;
  private readonly signal: AbortSignal;
  private readonly retry: RetryPolicy;
  private readonly input: Pick<PlanInput, 'state' | 'force' | 'now' | 'cached'>;
  /** What the plan estimates each agent's execution costs, recorded beside what it actually cost. */
  private readonly estimates: Map<string, number>;
  /** Our count of the prompt each executed agent sent, recorded beside what the vendor billed. */
  private readonly counted = new Map<string, number>();
  /** What executing agents reserved against the team's limits, until each is settled or released. */
  private readonly reservations = new Map<string, Reservation>();

  constructor(
    private readonly context: RunContext,
    private readonly state: PartyState,
    private readonly options: RunOptions,
  ) {
    this.signal = options.signal ?? new AbortController().signal;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.input = { state, force: options.force, now: (options.now ?? Date.now)() };
    this.estimates = new Map(estimate(context.config, context.prices, undefined, context.learning).agents.map((a) => [a.agent, a.costPerRunUsd]));
  }

  async execute(): Promise<RunReport> {
    if (this.state.configHash !== this.context.configHash) {
      this.write([{ type: 'configuration_changed', configHash: this.context.configHash }]);
    }
    const waiting = partyGraph(this.context.config, this.state);
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    while (waiting.length || this.running.size) {
      if (!this.failure && !this.signal.aborted) this.startReady(waiting, concurrency);
      if (this.running.size === 0) break;
      await Promise.race(this.running.values());
    }
    const report = this.report();
    if (this.failure) throw new RunFailedError(this.failure.agent, this.failure.reason, report);
    if (this.signal.aborted) throw new RunCancelledError(report);
    this.write([
      {
        type: 'run_completed',
        executed: report.agents.filter((a) => a.action === 'execute').map((a) => a.agent),
        deleted: report.agents.filter((a) => a.action === 'delete').map((a) => a.agent),
      },
    ]);
    return report;
  }

  /** Events (with ledger entries) under the run's lease: a run taken over writes only what it was billed, then stops. */
  private write(events: PartyEvent[], ledger: LedgerEntry[] = []): void {
    this.context.store.append(this.state.id, events, ledger, this.context.fence);
  }

  /** Before a call that may be billed: a run whose lease was taken over (it was stopped too long) pays for nothing more. */
  private checkFence(): void {
    const fence = this.context.fence;
    if (fence && !this.context.store.leases.holds(fence.name, fence.owner)) throw new LeaseLostError(`party ${this.state.id}`);
  }

  private startReady(waiting: AgentFacts[], concurrency: number): void {
    for (let i = 0; i < waiting.length && this.running.size < concurrency; ) {
      const facts = waiting[i]!;
      if (!facts.dependsOn.every((dep) => this.settled.has(dep))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      const decided = decide(situation(facts, this.input, (dep) => ({ hash: this.settled.get(dep)!.hash })));
      // The budget is checked when the agent executes (a cache hit is allowed at any level); blocked upstream now.
      this.settle(
        facts,
        blockDecision(
          decided,
          undefined,
          facts.dependsOn.filter((dep) => this.blocked.has(dep)),
        ),
      );
    }
  }

  private settle(facts: AgentFacts, decision: Decision): void {
    const stored = this.state.results[facts.name];
    const outcome = (fields: Partial<AgentOutcome> = {}): AgentOutcome => ({
      agent: facts.name,
      action: decision.action,
      cause: decision.cause,
      ...(decision.detail ? { detail: decision.detail } : {}),
      costUsd: 0,
      savedCostUsd: 0,
      durationMs: 0,
      ...fields,
    });
    switch (decision.action) {
      case 'reuse':
        this.settled.set(facts.name, { hash: stored!.resultHash, output: stored!.output });
        this.outcomes.push(outcome({ savedCostUsd: toUsd(executionCost(facts.agent, stored!.model, stored!.usage, this.context.prices)) }));
        return;
      case 'skip':
        this.settled.set(facts.name, { hash: null, output: null });
        return;
      case 'blocked':
        this.block(facts, decision, outcome);
        return;
      case 'delete':
        this.write([{ type: 'agent_result_deleted', agent: facts.name }]);
        this.settled.set(facts.name, { hash: null, output: null });
        this.outcomes.push(outcome());
        this.options.onProgress?.({ agent: facts.name, action: 'delete', cause: decision.cause, state: 'done' });
        return;
      default: {
        const task = this.executeAgent(facts, decision, outcome).finally(() => this.running.delete(facts.name));
        this.running.set(facts.name, task);
      }
    }
  }

  /** A blocked agent keeps the result it has; its dependents that would execute are blocked too. */
  private block(facts: AgentFacts, decision: Decision, outcome: (fields: Partial<AgentOutcome>) => AgentOutcome): void {
    const stored = this.state.results[facts.name];
    this.blocked.add(facts.name);
    this.settled.set(facts.name, { hash: stored?.resultHash ?? null, output: stored?.output ?? null });
    this.outcomes.push(outcome({ action: decision.action, cause: decision.cause, detail: decision.detail }));
    this.options.onProgress?.({ agent: facts.name, action: 'blocked', cause: decision.cause, state: 'done', error: decision.detail });
  }

  /**
   * Whether the budget lets the agent execute: 'execute', or, when it does not, a cache hit (allowed at any level),
   * or the blocked decision.
   */
  private async admit(facts: AgentFacts, decision: Decision): Promise<'execute' | { entry: CacheEntry; tier: TierName } | Decision> {
    let budgetBlock = this.context.budget && blockedBy(this.context.budget(), facts.agent.essential !== false);
    if (!budgetBlock && this.context.reserve && facts.agent.kind !== 'compute') {
      const reserved = await this.context.reserve(facts.name, this.estimates.get(facts.name) ?? 0);
      if (reserved && 'refused' in reserved) budgetBlock = reserved.refused;
      else if (reserved) this.reservations.set(facts.name, reserved);
    }
    if (!budgetBlock) return 'execute';
    const found = decision.cause === 'forced' ? undefined : await this.context.cache?.cache.get(decision.key!);
    return found ?? blockDecision(decision, budgetBlock, []);
  }

  /** The agent's reservation, settled (its execution recorded) or released (no call billed, or it failed). */
  private async endReservation(agent: string, settle: boolean): Promise<void> {
    const reservation = this.reservations.get(agent);
    if (!reservation) return;
    this.reservations.delete(agent);
    await (settle ? reservation.settle() : reservation.release());
  }

  private async executeAgent(facts: AgentFacts, decision: Decision, outcome: (fields: Partial<AgentOutcome>) => AgentOutcome): Promise<void> {
    const progress = (state: AgentProgress['state'], extra: Partial<AgentProgress> = {}): void =>
      this.options.onProgress?.({ agent: facts.name, action: 'execute', cause: decision.cause, state, ...extra });
    try {
      const admitted = await this.admit(facts, decision);
      if (admitted !== 'execute' && 'action' in admitted) return this.block(facts, admitted, outcome);
      if (admitted === 'execute') {
        this.checkFence();
        progress('started');
      }
      const { entry, tier } = admitted === 'execute' ? await this.produce(facts, decision) : admitted;
      const result = this.result(facts, decision, entry);
      if (tier) {
        // A hit spends nothing new: it saves what producing the entry took, at today's prices.
        this.write([{ type: 'agent_completed', result }], [this.ledgerEntry(facts, result, true)]);
        this.context.cache!.stats.saved(facts.name, result.costUsd, entry.durationMs, entry.usage.inputTokens + entry.usage.outputTokens);
        this.outcomes.push(outcome({ action: 'cache_hit', cause: 'cached elsewhere', tier, savedCostUsd: result.costUsd }));
        this.options.onProgress?.({ agent: facts.name, action: 'cache_hit', cause: 'cached elsewhere', state: 'done', tier });
      } else {
        this.write([{ type: 'agent_completed', result }], [{ ...this.ledgerEntry(facts, result, false), cause: decision.cause }]);
        this.outcomes.push(outcome({ costUsd: result.costUsd, durationMs: entry.durationMs }));
        progress('done', { costUsd: result.costUsd });
      }
      await this.endReservation(facts.name, !tier);
      this.settled.set(facts.name, { hash: result.resultHash, output: result.output });
    } catch (error) {
      await this.endReservation(facts.name, false);
      // A database that cannot be written (locked, disk full) is named as the cause, in the user's words.
      const reason = databaseFailure(error) ?? redact(error instanceof Error ? error.message : String(error), keysIn(process.env));
      if (!this.signal.aborted) this.failure ??= { agent: facts.name, reason };
      progress('failed', { error: reason });
    }
  }

  /** The agent's result from the cache (`tier` names where), or produced now and written to the cache. */
  private async produce(facts: AgentFacts, decision: Decision): Promise<{ entry: CacheEntry; tier: TierName | null }> {
    const upstreamOutputs = Object.fromEntries(facts.dependsOn.map((dep) => [dep, this.settled.get(dep)!.output]));
    const key = decision.key!;
    const make = async (): Promise<CacheEntry> => {
      const started = performance.now();
      const { completion, context } = await this.complete(facts, upstreamOutputs);
      const now = (this.options.now ?? Date.now)();
      const model = (facts.definition.model as string | null) ?? null;
      const durationMs = performance.now() - started;
      const entry: CacheEntry = {
        key,
        agent: facts.name,
        output: completion.output,
        resultHash: resultHash(completion.output),
        model,
        usage: completion.usage,
        durationMs,
        createdAt: now,
        expiresAt: now + facts.ttlMs,
      };
      return context ? { ...entry, context } : entry;
    };
    const cache = this.context.cache?.cache;
    if (!cache) return { entry: await make(), tier: null };
    if (decision.cause !== 'forced') return cache.getOrProduce(key, make);
    const entry = await make();
    await cache.set(entry);
    return { entry, tier: null };
  }

  /** The completion, and how the prompt was assembled within the agent's context budget (if it has one). */
  private async complete(facts: AgentFacts, upstream: Record<string, string | null>): Promise<{ completion: Completion; context?: ContextRecord }> {
    if (facts.agent.kind === 'compute') {
      return { completion: { output: partyBudget(upstream), usage: noUsage } };
    }
    const model = facts.definition.model as string;
    const assembly = assembleContext({
      agent: facts.agent,
      model,
      inputs: facts.inputs,
      upstream: Object.fromEntries(facts.dependsOn.map((dep) => [dep, { output: upstream[dep] as string | null, resultHash: this.settled.get(dep)!.hash }])),
    });
    if (assembly.overBudget) {
      throw new Error(`its prompt needs ${assembly.tokens} tokens even with upstream results as references, over its contextBudget of ${assembly.budget}`);
    }
    this.counted.set(facts.name, assembly.tokens);
    const name = agentProvider(facts.agent, this.context.config) as ProviderName;
    const provider = await this.context.providers.get(name);
    const settings = this.context.providers.settings(name);
    const expectedOutputTokens = facts.agent.expectedOutputTokens ?? defaultOutputTokens;
    const request = {
      agent: facts.name,
      // The vendor's own spelling: `anthropic/claude-haiku-4-5` goes to Anthropic as `claude-haiku-4-5`.
      model: splitModelName(model).model,
      messages: assembly.messages,
      expectedOutputTokens,
      maxOutputTokens: Math.max(expectedOutputTokens, this.context.prices.model(model)?.maxOutputTokens ?? fallbackMaxOutputTokens),
      stablePrefix: assembly.stablePrefix,
      ...(facts.agent.promptCache ? { promptCache: facts.agent.promptCache } : {}),
      ...(facts.agent.batch ? { batch: true } : {}),
      // Streamed, as the vendors advise for long answers; OpenAI-compatible servers get whole calls (not all of them
      // report usage in a stream).
      ...(streams(name, settings.custom) ? { onText: noText } : {}),
    };
    const retry = { ...this.retry, retries: this.options.retry?.retries ?? settings.maxRetries };
    // A batch call waits for the vendor's batch window (24 hours), not for one answer.
    const timeoutMs = facts.agent.batch && providerProfile(name).batch === 'api' ? batchWindowMs : (this.options.timeoutMs ?? settings.timeoutMs);
    const completion = await withRetries((signal) => provider.complete({ ...request, signal }), retry, this.signal, timeoutMs);
    if (assembly.budget === null) return { completion };
    return { completion, context: { tokens: assembly.tokens, budget: assembly.budget, prunedTokens: assembly.prunedTokens, upstream: assembly.upstream } };
  }

  private result(facts: AgentFacts, decision: Decision, entry: CacheEntry): AgentResult {
    return {
      agent: facts.name,
      key: decision.key!,
      resultHash: entry.resultHash,
      output: entry.output,
      definition: facts.definition,
      inputs: facts.inputs,
      upstream: Object.fromEntries(facts.dependsOn.map((dep) => [dep, this.settled.get(dep)!.hash])),
      usage: entry.usage,
      model: entry.model,
      costUsd: toUsd(executionCost(facts.agent, entry.model, entry.usage, this.context.prices, new Date((this.options.now ?? Date.now)()))),
      durationMs: entry.durationMs,
      completedAt: new Date((this.options.now ?? Date.now)()).toISOString(),
      ...(entry.context ? { context: entry.context } : {}),
    };
  }

  /** The ledger's record of an execution, or of a result served from the cache (which cost nothing). */
  private ledgerEntry(facts: AgentFacts, result: AgentResult, cached: boolean): LedgerEntry {
    const at = new Date(result.completedAt);
    return {
      partyId: this.state.id,
      agent: facts.name,
      provider: agentProvider(facts.agent, this.context.config),
      model: result.model,
      at: result.completedAt,
      usage: result.usage,
      estimatedCostUsd: this.estimates.get(facts.name) ?? null,
      actualCostUsd: cached ? 0 : result.costUsd,
      parts: cached ? null : executionParts(facts.agent, result.model, result.usage, this.context.prices, at),
      cached,
      savedUsd: cached ? result.costUsd : 0,
      prunedTokens: cached ? 0 : (result.context?.prunedTokens ?? 0),
      promptHash: promptHash(facts.definition),
      ...(cached || !this.counted.has(facts.name) ? {} : { countedInputTokens: this.counted.get(facts.name) }),
    };
  }

  private report(): RunReport {
    const executed = this.outcomes.filter((o) => o.action === 'execute');
    const total = (field: 'costUsd' | 'savedCostUsd'): number => roundUsd(this.outcomes.reduce((sum, o) => sum + o[field], 0));
    const refused = this.outcomes.find((o) => o.cause === 'over budget')?.detail;
    return {
      party: this.state.id,
      agents: this.outcomes,
      executed: executed.length,
      costUsd: total('costUsd'),
      savedCostUsd: total('savedCostUsd'),
      ...(refused ? { refused } : {}),
    };
  }
}

/** The longest a batch call waits: the vendors' 24-hour window and an hour to spare. */
const batchWindowMs = 25 * 3_600_000;

/** The answer's text as it streams in: a run needs only the whole. */
const noText = (): void => {};

/** The answer's limit when no catalogue knows the model's maximum output. */
const fallbackMaxOutputTokens = 8_192;
