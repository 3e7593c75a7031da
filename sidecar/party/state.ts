import type { AgentResult, PartyEvent, PartyState } from '../contract/party';
import { usageOf } from './usage';

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

/** A result as stored by any release, in today's shape (older ones carry an older usage shape). */
function resultOf(stored: AgentResult): AgentResult {
  return { ...stored, usage: usageOf(stored.usage) };
}

/** A stored state (a snapshot's) in today's shape. */
export function stateOf(stored: PartyState): PartyState {
  return { ...stored, results: Object.fromEntries(Object.entries(stored.results).map(([agent, result]) => [agent, resultOf(result)])) };
}

/** A stored event in today's shape. */
export function eventOf(stored: PartyEvent): PartyEvent {
  if (stored.type === 'agent_completed') return { ...stored, result: resultOf(stored.result) };
  if (stored.type === 'party_resumed') return { ...stored, state: stateOf(stored.state) };
  return stored;
}
