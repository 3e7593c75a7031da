import type Database from 'better-sqlite3';
import type { Db } from './database';
import { UserError } from '../contract/errors';
import { Projection } from './projection';
import { PendingParty } from './pendingParty';
import { Statements } from './statements';
import { emptyParty, eventOf, replay, stateOf } from '../party/state';
import type { PartyEvent, PartyState, SnapshotType } from '../contract/party';
import { Ledger } from './ledger';
import { LeaseLostError, Leases } from './leases';
import type { Fence } from './leases';
import type { LedgerEntry } from './ledger';
import type { PartySummary, SnapshotInfo, StoredEvent } from '../contract/party';

/** An automatic snapshot is written once this many events have passed since the last snapshot. */
export const autoSnapshotEvery = 10;

/** A party that does not exist, named for the user. */
export class UnknownPartyError extends UserError {
  constructor(readonly partyId: string) {
    super(`unknown party "${partyId}"; "partycost party list" shows the parties`);
  }
}

/**
 * The event-sourced party store: an append-only event log per party, its projection into current-state tables, and
 * versioned snapshots. Every change commits with its events in one transaction.
 */
export class PartyStore {
  private readonly projection: Projection;
  private readonly sql: Statements;
  /** The spend ledger, written in the transaction of the events its entries belong to. */
  readonly ledger: Ledger;
  /** Leases every process on this database respects: one runner per party. */
  readonly leases: Leases;

  /** better-sqlite3 builds a transaction function's wrappers on each db.transaction call: built once here. */
  private readonly runTransaction: Database.Transaction<(work: () => unknown) => unknown>;
  /** How deep inside `transaction` the caller is: an append at depth > 0 joins the open change. */
  private depth = 0;
  /** The open transaction's changes to the projection, per party, written just before it commits. */
  private readonly pending = new Map<string, PendingParty>();

  constructor(readonly db: Db) {
    this.runTransaction = db.transaction((work: () => unknown) => {
      this.depth += 1;
      try {
        const result = work();
        this.flush();
        return result;
      } finally {
        this.depth -= 1;
      }
    });
    this.projection = new Projection(db);
    this.sql = new Statements(db);
    this.ledger = new Ledger(db);
    this.leases = new Leases(db);
  }

  createParty(name?: string): PartyState {
    return this.transaction(() => {
      const row = this.sql.get('SELECT coalesce(max(rowid), 0) + 1 AS n FROM parties').get() as { n: number };
      const id = `P${row.n}`;
      const now = new Date().toISOString();
      this.sql
        .get("INSERT INTO parties (id, name, status, last_seq, next_input, has_run, created_at, updated_at) VALUES (?, '', 'draft', 0, 1, 0, ?, ?)")
        .run(id, now, now);
      this.appendInTransaction(id, [{ type: 'party_created', name: name ?? `Party ${row.n}` }]);
      return this.load(id);
    });
  }

  /**
   * Appends events (and ledger entries) atomically; returns the sequence number of the last event. Under a `fence`
   * (a run's lease), a holder that lost the lease writes no event: only its ledger entries, since what it was paid
   * for was billed, and then it is told (LeaseLostError).
   */
  append(partyId: string, events: PartyEvent[], ledger: LedgerEntry[] = [], fence?: Fence): number {
    const seq = this.transaction(() => {
      if (fence && !this.leases.holds(fence.name, fence.owner)) {
        if (ledger.length) this.ledger.append(ledger);
        return undefined;
      }
      return this.appendInTransaction(partyId, events, ledger);
    });
    if (seq === undefined) throw new LeaseLostError(`party ${partyId}`);
    return seq;
  }

  /**
   * One change: its events, their effect on the party (kept pending, written once before the transaction commits),
   * its ledger entries, and an automatic snapshot when `autoSnapshotEvery` events have passed since the latest one.
   */
  private appendInTransaction(partyId: string, events: PartyEvent[], ledger: LedgerEntry[] = [], autoSnapshot = true): number {
    const party = this.pendingFor(partyId);
    const insert = this.sql.get('INSERT INTO events (party_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)');
    const at = new Date().toISOString();
    for (const event of events) {
      party.lastSeq += 1;
      insert.run(partyId, party.lastSeq, event.type, JSON.stringify(event), at);
      party.record(event);
    }
    if (ledger.length) this.ledger.append(ledger);
    if (autoSnapshot && party.lastSeq - party.snapshotSeq >= autoSnapshotEvery) this.writeSnapshot(partyId, 'auto', party.lastSeq, this.load(partyId));
    return party.lastSeq;
  }

  /** The party's pending changes in the open transaction; its row is read once per transaction. */
  private pendingFor(partyId: string): PendingParty {
    let party = this.pending.get(partyId);
    if (!party) {
      const row = this.projection.partyRow(partyId);
      if (!row) throw new UnknownPartyError(partyId);
      this.pending.set(partyId, (party = new PendingParty(row.state, row.lastSeq, row.snapshotSeq)));
    }
    return party;
  }

  /**
   * Runs `work` as one change in one immediate transaction. A nested call joins the open change (no savepoint):
   * what fails inside it fails the whole change, which is what every caller wants of one change.
   */
  transaction<T>(work: () => T): T {
    if (this.depth > 0) return work();
    try {
      return this.runTransaction.immediate(work) as T;
    } finally {
      // Written before the commit, or rolled back with the transaction: either way nothing is pending any more.
      this.pending.clear();
    }
  }

  /** Writes the pending changes of one party (or of all) to the projection tables, inside the open transaction. */
  private flush(partyId?: string): void {
    for (const [id, party] of this.pending) if (partyId === undefined || id === partyId) this.projection.write(id, party);
  }

  /** The current state, from the projection. */
  load(partyId: string): PartyState {
    const pending = this.pending.get(partyId);
    if (pending?.complete) return pending.complete;
    // The row's fields live in the pending state until written: write them (and the rest) before reading the tables.
    if (pending) this.flush(partyId);
    const state = this.projection.load(partyId);
    if (!state) throw new UnknownPartyError(partyId);
    pending?.completeWith(state);
    return state;
  }

  list(): PartySummary[] {
    this.flush();
    const rows = this.sql
      .get(
        `SELECT p.id, p.name, p.status, p.last_seq AS events, p.updated_at AS updatedAt,
           (SELECT count(*) FROM inputs i WHERE i.party_id = p.id) AS inputs,
           (SELECT count(*) FROM results r WHERE r.party_id = p.id) AS results,
           (SELECT count(*) FROM snapshots s WHERE s.party_id = p.id) AS snapshots
         FROM parties p ORDER BY p.rowid`,
      )
      .all() as PartySummary[];
    return rows;
  }

  /** Saves a draft or final snapshot: a `snapshot_saved` event and the state it leaves, in one transaction. */
  saveSnapshot(partyId: string, type: Exclude<SnapshotType, 'auto'>): SnapshotInfo {
    return this.transaction(() => {
      const version = this.nextVersion(partyId);
      const seq = this.appendInTransaction(partyId, [{ type: 'snapshot_saved', version, snapshotType: type }], [], false);
      return this.writeSnapshot(partyId, type, seq, this.load(partyId), version);
    });
  }

  /** Whether a party exists. */
  has(partyId: string): boolean {
    return this.sql.get('SELECT 1 FROM parties WHERE id = ?').get(partyId) !== undefined;
  }

  private requireParty(partyId: string): void {
    if (!this.has(partyId)) throw new UnknownPartyError(partyId);
  }

  /** The party's next snapshot version, counted in memory for the rest of the transaction. */
  private nextVersion(partyId: string): number {
    const party = this.pendingFor(partyId);
    if (party.nextVersion === undefined) {
      const row = this.sql.get('SELECT coalesce(max(version), 0) + 1 AS v FROM snapshots WHERE party_id = ?').get(partyId) as { v: number };
      party.nextVersion = row.v;
    }
    return party.nextVersion++;
  }

  private writeSnapshot(partyId: string, type: SnapshotType, seq: number, state: PartyState, version = this.nextVersion(partyId)): SnapshotInfo {
    const at = new Date().toISOString();
    this.sql
      .get('INSERT INTO snapshots (party_id, version, type, seq, state, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(partyId, version, type, seq, JSON.stringify(state), at);
    this.pendingFor(partyId).snapshotSeq = seq;
    return { version, type, seq, at };
  }

  snapshots(partyId: string): SnapshotInfo[] {
    this.requireParty(partyId);
    return this.snapshotRows(partyId);
  }

  private snapshotRows(partyId: string): SnapshotInfo[] {
    return this.sql.get('SELECT version, type, seq, at FROM snapshots WHERE party_id = ? ORDER BY version').all(partyId) as SnapshotInfo[];
  }

  events(partyId: string, afterSeq = 0): StoredEvent[] {
    this.requireParty(partyId);
    const rows = this.sql.get('SELECT seq, at, payload FROM events WHERE party_id = ? AND seq > ? ORDER BY seq').all(partyId, afterSeq) as {
      seq: number;
      at: string;
      payload: string;
    }[];
    return rows.map((row) => ({ seq: row.seq, at: row.at, event: eventOf(JSON.parse(row.payload) as PartyEvent) }));
  }

  /** A snapshot's state; undefined when the party has no such version. */
  snapshotState(partyId: string, version: number): (SnapshotInfo & { state: PartyState }) | undefined {
    const row = this.sql.get('SELECT version, type, seq, at, state FROM snapshots WHERE party_id = ? AND version = ?').get(partyId, version) as
      | (SnapshotInfo & { state: string })
      | undefined;
    return row && { ...row, state: stateOf(JSON.parse(row.state) as PartyState) };
  }

  /**
   * The party's state rebuilt from its latest snapshot plus the events after it, so the work does not grow with
   * the length of its history.
   */
  replayLatest(partyId: string): { state: PartyState; fromVersion: number | null; eventsReplayed: number } {
    const latest = this.sql.get('SELECT version, seq, state FROM snapshots WHERE party_id = ? ORDER BY version DESC LIMIT 1').get(partyId) as
      | { version: number; seq: number; state: string }
      | undefined;
    const base = latest ? stateOf(JSON.parse(latest.state) as PartyState) : emptyParty(partyId);
    const events = this.events(partyId, latest?.seq ?? 0).map((e) => e.event);
    return { state: replay(base, events), fromVersion: latest?.version ?? null, eventsReplayed: events.length };
  }
}
