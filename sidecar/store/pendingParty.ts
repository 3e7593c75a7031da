import type { AgentResult, PartyEvent, PartyInput, PartyState } from '../contract/party';
import { applyEvent } from '../party/state';

/**
 * One party's changes inside an open store transaction, not yet written to the projection tables: its state as the
 * reducer derives it, and the net effect on its inputs and results (an input added and removed in the same
 * transaction touches no row). The events themselves are inserted at once; this is written before the transaction
 * commits, or dropped with it when it rolls back, so the tables never disagree with the log on disk.
 *
 * The state starts as the party row's fields alone; once the whole state has been read (a snapshot, a `load`), it is
 * complete and kept current in memory, so the rest of the transaction reads no table to know it.
 */
export class PendingParty {
  /** Inputs to insert (the value) or delete (null), by input id. */
  readonly inputs = new Map<string, PartyInput | null>();
  /** Results to write (the value) or delete (null), by agent. */
  readonly results = new Map<string, AgentResult | null>();
  /** A state that replaces every input and result (party_resumed); the maps apply after it. */
  replaced: PartyState | undefined;

  /** The next snapshot version, once a snapshot in this transaction has asked for it. */
  nextVersion: number | undefined;
  private whole = false;

  constructor(
    public state: PartyState,
    public lastSeq: number,
    public snapshotSeq: number,
  ) {}

  /** The whole state (inputs and results included), once known. */
  get complete(): PartyState | undefined {
    return this.whole ? this.state : undefined;
  }

  /** The whole state, read from the tables after the pending changes were written. */
  completeWith(state: PartyState): void {
    this.state = state;
    this.whole = true;
  }

  record(event: PartyEvent): void {
    switch (event.type) {
      case 'input_added':
        this.inputs.set(event.input.id, event.input);
        break;
      case 'input_removed':
        // An input id is never reused, so one added in this transaction is not in the table yet: forget it.
        if (this.inputs.get(event.inputId)) this.inputs.delete(event.inputId);
        else this.inputs.set(event.inputId, null);
        break;
      case 'agent_completed':
        this.results.set(event.result.agent, event.result);
        break;
      case 'agent_result_deleted':
        this.results.set(event.agent, null);
        break;
      case 'party_resumed':
        this.replaced = event.state;
        this.inputs.clear();
        this.results.clear();
        break;
      default:
        break;
    }
    // Before the state is complete its inputs and results hold only this transaction's: unread, the row is written.
    this.state = applyEvent(this.state, event);
  }

  /** Marks everything as written. */
  written(): void {
    this.inputs.clear();
    this.results.clear();
    this.replaced = undefined;
  }
}
