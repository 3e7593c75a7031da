/** Token usage of one agent execution, and whether it was measured by the provider or counted locally. */
export interface Usage {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  /** `actual` when the provider reported it, `estimated` when counted locally (the offline provider). */
  source: 'actual' | 'estimated';
}

/** An input of a party and the agents it was routed to when it was added. */
export interface PartyInput {
  id: string;
  text: string;
  agents: string[];
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

/** What context assembly did for one run: the prompt's size, its budget, and each upstream result's form. */
export interface ContextRecord {
  tokens: number;
  budget: number;
  prunedTokens: number;
  upstream: { agent: string; form: 'whole' | 'summary' | 'reference' | 'none'; tokensWhole: number; tokensUsed: number }[];
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

export function emptyParty(id: string): PartyState {
  return { id, name: '', status: 'draft', inputs: [], results: {}, nextInput: 1, hasRun: false, configHash: null };
}

/** The pure transition of a party by one event. */
export function applyEvent(state: PartyState, event: PartyEvent): PartyState {
  switch (event.type) {
    case 'party_created':
      return { ...state, name: event.name, status: 'draft' };
    case 'input_added':
      return { ...edited(state), inputs: [...state.inputs, event.input], nextInput: Math.max(state.nextInput, inputNumber(event.input.id) + 1) };
    case 'input_removed':
      return { ...edited(state), inputs: state.inputs.filter((input) => input.id !== event.inputId) };
    case 'agent_completed':
      return { ...state, results: { ...state.results, [event.result.agent]: event.result } };
    case 'agent_result_deleted': {
      const { [event.agent]: _deleted, ...results } = state.results;
      return { ...state, results };
    }
    case 'configuration_changed':
      return { ...state, configHash: event.configHash };
    case 'run_completed':
      return { ...state, hasRun: true };
    case 'snapshot_saved':
      return event.snapshotType === 'auto' ? state : { ...state, status: event.snapshotType };
    case 'party_resumed':
      return { ...event.state, id: state.id, status: 'editing', nextInput: Math.max(state.nextInput, event.state.nextInput) };
  }
}

/** A final party that is edited becomes a party being edited again. */
function edited(state: PartyState): PartyState {
  return state.status === 'final' ? { ...state, status: 'editing' } : state;
}

export function inputNumber(id: string): number {
  return Number(id.replace(/^i/, '')) || 0;
}

export function replay(state: PartyState, events: Iterable<PartyEvent>): PartyState {
  let current = state;
  for (const event of events) current = applyEvent(current, event);
  return current;
}
