import type { PartyConfig } from '../config/schema';
import { UserError } from '../contract/errors';
import { didYouMean } from '../config/nearest';
import type { PriceBook } from '../cost/prices';
import { toUsd } from '../cost/money';
import { executionCost } from '../cost/usageCost';
import type { ResultCache } from '../cache/resultCache';
import type { CachedResult } from '../planner/decide';
import { budgetLevels } from '../contract/budget';
import { budgetState } from '../budget/budget';
import type { TeamLedger } from './teamLedger';
import { cheaperModels, withCheaperModels } from '../estimate/rightSize';
import type { BudgetState } from '../contract/budget';
import { runParty, RunCancelledError } from './runner';
import type { RunOptions } from './runner';
import type { RunReport } from '../contract/plan';
import type { Providers } from '../providers/registry';
import { canonicalJson, sha256 } from '../hashing/hash';
import { planParty } from '../planner/plan';
import type { Plan } from '../contract/plan';
import { partyGraph } from '../planner/partyGraph';
import { assembleContext } from '../context/assemble';
import { learnedEnough, outputTokensOf } from '../context/agentTokens';
import { estimate } from '../estimate/estimate';
import type { TokenBudget } from '../protocol';
import type { PartyStore } from '../store/partyStore';
import { holderText, holdLease, LeaseHeldError } from '../store/leases';
import type { LeaseHolder } from '../store/leases';
import type { PartySummary, SnapshotInfo, StoredEvent } from '../contract/party';
import { routerFor } from '../party/routing';
import { Learner } from '../learning/learning';
import type { Learning } from '../contract/cost';
import type { Router } from '../party/routing';
import type { PartyInput, PartyState } from '../contract/party';
import type { ResumeResult } from '../contract/party';

/** A mistake in what the user asked for (an unknown input, agent or version), worded for them. */
export class RequestError extends UserError {}

/** How a run takes its party's lease. */
export interface PartyRunOptions {
  /** Wait while another run holds the party (default), or refuse at once. */
  wait?: boolean;
  /** Another run holds the party: called once, as waiting begins. */
  onWait?: (holder: string) => void;
  /** The party's lease is held: the run is about to plan and execute. */
  onStart?: () => Promise<void> | void;
}

/** The party commands of the engine, shared by the CLI and the sidecar server. */
export class PartyService {
  readonly configHash: string;
  private readonly router: Router;
  /** What the ledger teaches estimates of this configuration. */
  readonly learner: Learner;

  constructor(
    readonly config: PartyConfig,
    readonly prices: PriceBook,
    readonly store: PartyStore,
    /** The workspace's providers; each agent runs on its own. */
    readonly providers: Providers,
    readonly cache?: ResultCache,
    learner?: Learner,
    /** The team ledger the workspace shares: each execution reserves against the team's limits. */
    readonly team?: TeamLedger,
  ) {
    this.configHash = sha256(canonicalJson(config));
    this.router = routerFor(config);
    this.learner = learner ?? new Learner(store.ledger);
  }

  /** What the ledger's runs teach this configuration's estimates (remembered until the ledger grows). */
  learning(): Learning {
    return this.learner.learningFor(this.config);
  }

  create(name: string | undefined, inputs: string[] = []): { party: PartyState; inputs: PartyInput[] } {
    return this.store.transaction(() => {
      const party = this.store.createParty(name);
      this.store.append(party.id, [{ type: 'configuration_changed', configHash: this.configHash }]);
      return { party: this.store.load(party.id), inputs: inputs.map((text) => this.addInput(party.id, text)) };
    });
  }

  list(): PartySummary[] {
    return this.store.list();
  }

  /** Routes the input with the local classifier and records it with the agents it reached. */
  addInput(partyId: string, text: string): PartyInput {
    const trimmed = text.trim();
    if (!trimmed) throw new RequestError('an input needs some text');
    return this.store.transaction(() => {
      const state = this.store.load(partyId);
      const input = { id: `i${state.nextInput}`, text: trimmed, agents: [...this.router(trimmed)] };
      this.store.append(partyId, [{ type: 'input_added', input }]);
      return input;
    });
  }

  removeInput(partyId: string, inputId: string): PartyInput {
    return this.store.transaction(() => {
      const state = this.store.load(partyId);
      const input = state.inputs.find((candidate) => candidate.id === inputId);
      if (!input) {
        const ids = state.inputs.map((i) => i.id);
        throw new RequestError(`party ${partyId} has no input "${inputId}"${didYouMean(inputId, ids)}; its inputs: ${ids.join(', ') || 'none'}`);
      }
      this.store.append(partyId, [{ type: 'input_removed', inputId }]);
      return input;
    });
  }

  /**
   * What the budget changes in a plan or run: from the second threshold on, the cheaper models right-sizing finds are
   * named in the plan's budget line, and with `limits.applyCheaperModels` the agents run on them.
   */
  private underBudget(budget: BudgetState): { config: PartyConfig; note: string } {
    if (budgetLevels.indexOf(budget.level) < budgetLevels.indexOf('cheaper')) return { config: this.config, note: '' };
    const better = cheaperModels(this.config, this.prices, { learning: this.learning() });
    const apply = this.config.limits?.applyCheaperModels === true;
    const list = better.map((s) => `${s.agent} → ${s.suggested.model} (saves $${s.savingPerRunUsd.toFixed(6)}/run)`).join(', ');
    const note = better.length ? `; cheaper models ${apply ? 'applied' : 'that would do'}: ${list}` : '';
    return { config: apply ? withCheaperModels(this.config, better) : this.config, note };
  }

  /** The spend limits' state now, from the ledger. */
  budget(now = Date.now()): BudgetState {
    return budgetState(
      this.config,
      (since) => this.store.ledger.spentSince(since),
      now,
      (since) => this.store.ledger.prunedSince(since),
    );
  }

  /**
   * The delta plan, with cache hits: planned once, then again with the cache entries of the keys it asked about,
   * until no new key comes up (a hit makes its dependents' keys known).
   */
  async plan(partyId: string, force: string[] = []): Promise<Plan> {
    this.checkAgents(force);
    const state = this.store.load(partyId);
    const found = new Map<string, CachedResult | undefined>();
    const budget = this.budget();
    const { config, note } = this.underBudget(budget);
    const estimated = estimate(config, this.prices, undefined, this.learner.learningFor(config));
    for (;;) {
      const asked = new Set<string>();
      const cached = (key: string): CachedResult | undefined => {
        asked.add(key);
        return found.get(key);
      };
      const plan = planParty({ config, prices: this.prices, state, force, cached, budget, estimate: estimated });
      if (plan.budget) plan.budget.message += note;
      const fresh = [...asked].filter((key) => !found.has(key));
      if (!this.cache || !fresh.length) return plan;
      for (const key of fresh) found.set(key, await this.lookup(key));
    }
  }

  private async lookup(key: string): Promise<CachedResult | undefined> {
    const hit = await this.cache!.cache.peek(key);
    if (!hit) return undefined;
    const agent = this.config.agents[hit.entry.agent] ?? {};
    return { tier: hit.tier, resultHash: hit.entry.resultHash, costUsd: toUsd(executionCost(agent, hit.entry.model, hit.entry.usage, this.prices)) };
  }

  /**
   * Runs the party's delta plan under its lease: one runner per party across every process on the database. A second
   * run waits for the first (then plans afresh, reusing what it produced), or with `wait: false` refuses at once.
   */
  async run(partyId: string, options: RunOptions & PartyRunOptions = {}): Promise<RunReport> {
    this.checkAgents(options.force ?? []);
    this.store.load(partyId);
    const onWait = options.onWait && ((holder: LeaseHolder) => options.onWait?.(holderText(holder)));
    const lease = await holdLease(this.store.leases, `party:${partyId}`, `party ${partyId}`, { wait: options.wait, onWait, signal: options.signal }).catch(
      (error: unknown) => {
        // Cancelled while waiting for another run: nothing ran.
        if (options.signal?.aborted) throw new RunCancelledError({ party: partyId, agents: [], executed: 0, costUsd: 0, savedCostUsd: 0 });
        if (error instanceof LeaseHeldError)
          throw new UserError(`party ${partyId} is being run by ${holderText(error.holder)}; try again when it is done`, [], 'party-busy');
        throw error;
      },
    );
    try {
      await options.onStart?.();
      const { config } = this.underBudget(this.budget());
      const context = {
        config,
        prices: this.prices,
        store: this.store,
        providers: this.providers,
        configHash: this.configHash,
        cache: this.cache,
        budget: () => this.budget(),
        learning: this.learner.learningFor(config),
        fence: { name: `party:${partyId}`, owner: lease.owner },
        ...(this.team ? { reserve: (agent: string, estimateUsd: number) => this.team!.reserve(config, agent, estimateUsd) } : {}),
      };
      return await runParty(context, partyId, options);
    } finally {
      lease.release();
    }
  }

  save(partyId: string, type: 'draft' | 'final' = 'draft'): SnapshotInfo {
    return this.store.saveSnapshot(partyId, type);
  }

  /**
   * Without a version: rebuilds the state from the latest snapshot and the events after it, and repairs the current
   * state from that if they ever disagree. With one: restores that snapshot (an event, so history keeps it).
   */
  async resume(partyId: string, version?: number): Promise<ResumeResult> {
    const resumed = this.store.transaction(() => {
      if (version !== undefined) return this.restore(partyId, version);
      const { state, fromVersion, eventsReplayed } = this.store.replayLatest(partyId);
      const current = this.store.load(partyId);
      const restored = canonicalJson(state) !== canonicalJson(current);
      if (restored) this.store.append(partyId, [{ type: 'party_resumed', version: fromVersion ?? 0, state }]);
      return { fromVersion, eventsReplayed, restored };
    });
    return { party: partyId, ...resumed, plan: await this.plan(partyId) };
  }

  private restore(partyId: string, version: number): Omit<ResumeResult, 'party' | 'plan'> {
    const snapshot = this.store.snapshotState(partyId, version);
    if (!snapshot) {
      const versions = this.store.snapshots(partyId).map((s) => `${s.version} (${s.type})`);
      throw new RequestError(
        `party ${partyId} has no snapshot version ${version}; its snapshots: ${versions.join(', ') || 'none yet ("partycost save" writes one)'}`,
      );
    }
    this.store.append(partyId, [{ type: 'party_resumed', version, state: snapshot.state }]);
    return { fromVersion: version, eventsReplayed: 0, restored: true };
  }

  /** Each llm agent's prompt assembled now from the party's inputs and stored upstream results. */
  tokenBudgets(partyId: string): TokenBudget[] {
    const state = this.store.load(partyId);
    const learning = this.learning();
    return partyGraph(this.config, state)
      .filter((facts) => facts.agent.kind !== 'compute' && facts.active)
      .map((facts) => {
        const model = facts.definition.model as string;
        const upstream = Object.fromEntries(
          facts.dependsOn.map((dep) => [dep, { output: state.results[dep]?.output ?? null, resultHash: state.results[dep]?.resultHash ?? null }]),
        );
        const a = assembleContext({ agent: facts.agent, model, inputs: facts.inputs, upstream });
        const learned = learnedEnough(facts.name, learning);
        // The learner calibrates approximately counted models only.
        const calibration = learning.calibration.get(model);
        return {
          agent: facts.name,
          model,
          budget: a.budget,
          tokens: a.tokens,
          parts: a.parts,
          upstream: a.upstream,
          prunedTokens: a.prunedTokens,
          overBudget: a.overBudget,
          outputTokens: outputTokensOf(facts.name, this.config, learning),
          outputTokensSource: learned ? 'learned' : 'configured',
          learnedFrom: learned ? learned.window : 0,
          ...(calibration ? { calibration } : {}),
        };
      });
  }

  history(partyId: string): { party: PartyState; snapshots: SnapshotInfo[]; events: StoredEvent[] } {
    return { party: this.store.load(partyId), snapshots: this.store.snapshots(partyId), events: this.store.events(partyId) };
  }

  /** Throws a RequestError naming the nearest agent for any name the configuration does not have. */
  checkAgents(names: string[]): void {
    const known = Object.keys(this.config.agents);
    for (const name of names) {
      if (!known.includes(name)) throw new RequestError(`unknown agent "${name}"${didYouMean(name, known)}; agents: ${known.join(', ')}`);
    }
  }
}
