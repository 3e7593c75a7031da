/**
 * The shapes of a party that cross the contract: its inputs, its agents' results and their usage, its state and the
 * events of its log, as the sidecar stores them and the extension shows them.
 */
import type { Plan } from './plan';

/**
 * Token usage of one agent execution in one shape for every provider, and whether the provider reported it or it was
 * counted locally. Each driver converts its vendor's fields into it once (Anthropic's `input_tokens` excludes the
 * cache parts; Gemini's `promptTokenCount` includes them).
 */
export interface Usage {
  /** The whole prompt, cache reads and writes included. */
  inputTokens: number;
  /** Prompt tokens read from the provider's prompt cache (part of inputTokens). */
  cacheReadTokens: number;
  /** Prompt tokens written to the provider's prompt cache (part of inputTokens). */
  cacheWriteTokens: number;
  /** The answer, reasoning included. */
  outputTokens: number;
  /** Reasoning ("thinking") tokens (part of outputTokens). */
  reasoningTokens: number;
  /** `actual` when the provider reported it, `estimated` when counted locally (the offline provider). */
  source: 'actual' | 'estimated';
  /** Billed through the vendor's batch API, at its discount (the cost recorded with it says so; not kept beyond it). */
  batch?: true;
}

/** An input of a party and the agents it was routed to when it was added. */
export interface PartyInput {
  id: string;
  text: string;
  agents: string[];
}

/** What context assembly did for one run: the prompt's size, its budget, and each upstream result's form. */
export interface ContextRecord {
  tokens: number;
  budget: number;
  prunedTokens: number;
  upstream: { agent: string; form: 'whole' | 'summary' | 'reference' | 'none'; tokensWhole: number; tokensUsed: number }[];
}

/** The stored result of an agent, with what its key was computed from (so a plan can name the cause of a change). */
export interface AgentResult {
  agent: string;
  key: string;
  resultHash: string;
  output: string;
  definition: Record<string, unknown>;
  inputs: string[];
  upstream: Record<string, string | null>;
  usage: Usage;
  model: string | null;
  /** What producing the result cost, in USD, at the prices of the time. */
  costUsd: number;
  durationMs: number;
  completedAt: string;
  /** How the prompt was assembled within the agent's contextBudget (absent without a budget or for compute). */
  context?: ContextRecord;
}

export type PartyStatus = 'draft' | 'editing' | 'final';
export type SnapshotType = 'draft' | 'auto' | 'final';

/** Everything a party is: replaying its events from nothing (or from a snapshot) gives exactly this. */
export interface PartyState {
  id: string;
  name: string;
  status: PartyStatus;
  inputs: PartyInput[];
  results: Record<string, AgentResult>;
  /** The number the next input id gets (`i1`, `i2`, …); ids are never reused. */
  nextInput: number;
  /** Whether any run completed, so a plan can tell "never ran" from "input added". */
  hasRun: boolean;
  configHash: string | null;
}

/** The events of a party's append-only log (DESIGN.md §3). */
export type PartyEvent =
  | { type: 'party_created'; name: string }
  | { type: 'input_added'; input: PartyInput }
  | { type: 'input_removed'; inputId: string }
  | { type: 'agent_completed'; result: AgentResult }
  | { type: 'agent_result_deleted'; agent: string }
  | { type: 'configuration_changed'; configHash: string }
  | { type: 'run_completed'; executed: string[]; deleted: string[] }
  | { type: 'snapshot_saved'; version: number; snapshotType: SnapshotType }
  | { type: 'party_resumed'; version: number; state: PartyState };

/** One event of a party's log with its sequence number and time. */
export interface StoredEvent {
  seq: number;
  at: string;
  event: PartyEvent;
}

/** One snapshot of a party: its version, type and the sequence number it covers. */
export interface SnapshotInfo {
  version: number;
  type: SnapshotType;
  seq: number;
  at: string;
}

/** A party as the parties list shows it. */
export interface PartySummary {
  id: string;
  name: string;
  status: PartyStatus;
  inputs: number;
  results: number;
  events: number;
  snapshots: number;
  updatedAt: string;
}

/** One party's inputs and results. */
export interface PartyDetails {
  id: string;
  name: string;
  status: PartyStatus;
  inputs: PartyInput[];
  /** The agents with a stored result. */
  results: { agent: string; completedAt: string; costUsd: number }[];
}

/** A resumed party: where its state came from, and the delta plan from there. */
export interface ResumeResult {
  party: string;
  /** The snapshot the state came from, and how many later events were replayed on top of it. */
  fromVersion: number | null;
  eventsReplayed: number;
  restored: boolean;
  plan: Plan;
}
