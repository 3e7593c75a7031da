import type { AgentResult } from '../contract/party';
import { agentKey, changedFields } from './keys';
import type { AgentDefinition } from './keys';
import type { Action, Cause } from '../contract/plan';

/**
 * What is known of an upstream agent when a downstream one is decided: its result hash (null: no result), or, at
 * plan time, that it will execute and what its result hash was before.
 */
export type UpstreamState = { hash: string | null } | { pending: true; previousHash: string | null };

/** Everything one agent's decision depends on. */
export interface AgentSituation {
  definition: AgentDefinition;
  /** Normalised routed inputs, a sorted set. */
  inputs: string[];
  /** Whether the agent takes part at all: it has inputs, or (without `handles`) an upstream agent takes part. */
  active: boolean;
  stored: AgentResult | undefined;
  /**
   * Whether the stored key is one this release makes from its definition, inputs and upstream (checked when
   * undefined; impact knows it per definition, for many parties at once).
   */
  storedKeyValid?: boolean;
  upstream: Record<string, UpstreamState>;
  forced: boolean;
  /** Whether the stored result is older than the agent's TTL. */
  expired: boolean;
  /** Whether the party completed a run before, to tell "never ran" from "input added". */
  partyHasRun: boolean;
  /** A shared-cache lookup by key (another party, a teammate). */
  cached?: (key: string) => CachedResult | undefined;
}

/** A result found in the shared cache: the tier that had it, its hash, and what producing it cost. */
export interface CachedResult {
  tier: string;
  resultHash: string;
  costUsd: number;
}

export interface Decision {
  action: Action;
  cause: Cause;
  /** More about the cause: the fields that changed, the inputs added or removed, the upstream agents. */
  detail?: string;
  /** Runs only if an upstream agent that re-runs returns a different result (early cutoff). */
  conditional?: boolean;
  /** The agent's key, when all its upstream results are known. */
  key?: string;
  /** For a cache hit: where it was found and what it saves. */
  hit?: CachedResult;
}

export function decide(s: AgentSituation): Decision {
  if (!s.active) {
    return s.stored
      ? { action: 'delete', cause: s.stored.inputs.length ? 'input removed' : 'upstream changed', detail: 'no inputs left' }
      : { action: 'skip', cause: 'no inputs' };
  }
  const pending = Object.entries(s.upstream).filter((entry): entry is [string, { pending: true; previousHash: string | null }] => 'pending' in entry[1]);
  const key = pending.length ? undefined : agentKey(s.definition, s.inputs, knownHashes(s.upstream));
  if (s.forced) return { action: 'execute', cause: 'forced', key };
  if (key === undefined) {
    const change = definiteChange(s);
    if (change) return { action: 'execute', ...change };
    return { action: 'execute', cause: 'upstream changed', detail: pending.map(([name]) => name).join(', '), conditional: true };
  }
  if (s.stored?.key === key) return s.expired ? { action: 'execute', cause: 'cache expired', key } : { action: 'reuse', cause: 'unchanged', key };
  const hit = s.cached?.(key);
  if (hit) return { action: 'cache_hit', cause: 'cached elsewhere', key, hit };
  // A key that differs with nothing named changed: an upstream result differs from the one the stored result used.
  return { action: 'execute', ...(definiteChange(s) ?? { cause: 'upstream changed' }), key };
}

function knownHashes(upstream: Record<string, UpstreamState>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(upstream).map(([name, state]) => [name, 'hash' in state ? state.hash : null]));
}

/** A change that makes the agent execute whatever its pending upstream agents return. */
function definiteChange(s: AgentSituation): Pick<Decision, 'cause' | 'detail'> | undefined {
  if (!s.stored) return { cause: !s.partyHasRun ? 'never ran' : s.inputs.length ? 'input added' : 'upstream changed' };
  // A stored key that its own definition, inputs and upstream no longer reproduce was made by an older release.
  if (s.storedKeyValid === false || (s.storedKeyValid === undefined && agentKey(s.stored.definition, s.stored.inputs, s.stored.upstream) !== s.stored.key)) {
    return { cause: 'engine changed', detail: 'stored by an older release, whose results this one does not reuse' };
  }
  const fields = changedFields(s.stored.definition, s.definition);
  if (fields.length) return { cause: 'configuration changed', detail: fields.join(', ') };
  const added = s.inputs.filter((input) => !s.stored!.inputs.includes(input));
  const removed = s.stored.inputs.filter((input) => !s.inputs.includes(input));
  if (added.length && removed.length) return { cause: 'input changed', detail: `+${added.join(', +')}; -${removed.join(', -')}` };
  if (added.length) return { cause: 'input added', detail: added.join(', ') };
  if (removed.length) return { cause: 'input removed', detail: removed.join(', ') };
  const changed = Object.entries(s.upstream)
    .filter(([name, state]) => {
      const before = s.stored!.upstream[name] ?? null;
      // A pending upstream with no result before will have one after; one whose previous result this agent did not
      // use has changed already.
      return 'hash' in state ? state.hash !== before : state.previousHash === null || state.previousHash !== before;
    })
    .map(([name]) => name);
  const dropped = Object.keys(s.stored.upstream).filter((name) => !(name in s.upstream) && s.stored!.upstream[name] !== null);
  if (changed.length || dropped.length) return { cause: 'upstream changed', detail: [...changed, ...dropped].join(', ') };
  return undefined;
}

/** An execute the budget does not allow, or that depends on an agent that is blocked: it stays as it is. */
export function blockDecision(decision: Decision, budgetBlock: string | undefined, upstreamBlocked: string[]): Decision {
  if (decision.action !== 'execute') return decision;
  if (budgetBlock) return { action: 'blocked', cause: budgetBlock.startsWith('deferred') ? 'deferred by budget' : 'over budget', detail: budgetBlock };
  if (upstreamBlocked.length) return { action: 'blocked', cause: 'upstream blocked', detail: upstreamBlocked.join(', ') };
  return decision;
}
