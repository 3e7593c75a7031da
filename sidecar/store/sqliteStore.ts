import type { Db } from './database';
import { openDatabase } from './database';
import { AppliedAdviceTable } from './appliedAdvice';
import { BatchTable } from './batches';
import { SqliteDriver } from './cacheEntries';
import type { SqliteOptions } from './cacheEntries';
import { CacheCounters } from './cacheCounters';
import type { Ledger } from './ledger';
import type { Leases } from './leases';
import { PartyStore } from './partyStore';
import { ResultsTable } from './storedResults';

/** What the result cache keeps in the workspace database: its L3 tier, its statistics, and the producers' leases. */
export interface CacheTables {
  counters: CacheCounters;
  leases: Leases;
  /** The SQLite tier over the cache_entries table. */
  entries(options?: SqliteOptions): SqliteDriver;
}

/**
 * A workspace's SQLite database and every repository on it: parties (events, snapshots, projection), the ledger,
 * stored results as the analyses read them, applied advice, batches, and the result cache's tables.
 */
export class SqliteStore {
  readonly parties: PartyStore;
  readonly ledger: Ledger;
  readonly results: ResultsTable;
  readonly applied: AppliedAdviceTable;
  readonly batches: BatchTable;
  readonly cache: CacheTables;

  constructor(readonly db: Db) {
    this.parties = new PartyStore(db);
    this.ledger = this.parties.ledger;
    this.results = new ResultsTable(db);
    this.applied = new AppliedAdviceTable(db);
    this.batches = new BatchTable(db);
    this.cache = { counters: new CacheCounters(db), leases: this.parties.leases, entries: (options) => new SqliteDriver(db, options) };
  }

  /** Opens (creating and migrating when need be) the database at `file`; `name` is how errors show it. */
  static open(file: string, options: { busyTimeoutMs?: number; name?: string } = {}): SqliteStore {
    return new SqliteStore(openDatabase(file, options));
  }

  close(): void {
    this.db.close();
  }
}
