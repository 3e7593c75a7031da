import { UserError } from '../contract/errors';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from './database';
import { Statements } from './statements';

/** Who holds a lease: a process (on this machine or another sharing the database) and since when. */
export interface LeaseHolder {
  owner: string;
  pid: number;
  host: string;
  since: string;
}

export type LeaseAttempt = { acquired: true; owner: string } | { acquired: false; holder: LeaseHolder };

/** This process, as leases name it; each lease it takes adds a counter, so two of its own runs exclude each other too. */
const processToken = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
let taken = 0;

/** How long a lease lives without a heartbeat: a holder that stops (SIGKILL, a lost machine) frees it after this. */
export const leaseTtlMs = 15_000;

/**
 * Leases in the workspace database, shared by every process that opens it (the CLI, the sidecar, a second terminal):
 * one runner per party, one producer per result key. A lease is taken over when its holder's heartbeat is older than
 * the TTL, or when the holder is a process of this machine that no longer exists, so a SIGKILLed holder blocks no one.
 */
export class Leases {
  private readonly sql: Statements;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    readonly ttlMs = leaseTtlMs,
  ) {
    this.sql = new Statements(db);
  }

  /** Takes the lease on `name` (`party:P1`, `key:…`) unless someone alive holds it; says who does. */
  take(name: string): LeaseAttempt {
    return this.db
      .transaction((): LeaseAttempt => {
        const row = this.sql.get('SELECT owner, pid, host, since, heartbeat FROM leases WHERE name = ?').get(name) as
          | (LeaseHolder & { heartbeat: number })
          | undefined;
        if (row && !this.stale(row)) return { acquired: false, holder: { owner: row.owner, pid: row.pid, host: row.host, since: row.since } };
        const owner = `${processToken}:${++taken}`;
        this.sql
          .get(
            'INSERT INTO leases (name, owner, pid, host, since, heartbeat) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, since = excluded.since, heartbeat = excluded.heartbeat',
          )
          .run(name, owner, process.pid, hostname(), new Date(this.now()).toISOString(), this.now());
        return { acquired: true, owner };
      })
      .immediate();
  }

  /** Whether `owner` holds the lease still (a holder that stopped long enough was taken over). */
  holds(name: string, owner: string): boolean {
    return this.sql.get('SELECT 1 FROM leases WHERE name = ? AND owner = ?').get(name, owner) !== undefined;
  }

  /** Keeps a lease alive; false when it was taken over meanwhile. */
  heartbeat(name: string, owner: string): boolean {
    return this.sql.get('UPDATE leases SET heartbeat = ? WHERE name = ? AND owner = ?').run(this.now(), name, owner).changes > 0;
  }

  /**
   * Releases a lease. A database that cannot be written just now (locked, full) leaves it to expire: it never masks
   * the outcome of the work the lease guarded.
   */
  release(name: string, owner: string): void {
    try {
      this.sql.get('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, owner);
    } catch {
      // expires after the TTL without heartbeats, or at once when this process has ended
    }
  }

  /** Heartbeats a held lease until the returned function stops them; the timer never keeps the process alive. */
  keepAlive(name: string, owner: string): () => void {
    const beat = setInterval(
      () => {
        try {
          this.heartbeat(name, owner);
        } catch {
          // a beat missed while the database is locked; the next one (well within the TTL) keeps the lease
        }
      },
      Math.max(50, this.ttlMs / 3),
    );
    beat.unref();
    return () => clearInterval(beat);
  }

  private stale(row: LeaseHolder & { heartbeat: number }): boolean {
    if (this.now() - row.heartbeat > this.ttlMs) return true;
    return row.host === hostname() && !alive(row.pid);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "process 1234 on host-a since 12:00:01": a holder as a message names it. */
export function holderText(holder: LeaseHolder): string {
  return `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} since ${holder.since.slice(11, 19)} UTC`;
}

/** A lease held: kept alive by a heartbeat until released. */
export interface HeldLease {
  owner: string;
  release(): void;
}

export interface HoldOptions {
  /** Give up at once when someone holds it (`--no-wait`). */
  wait?: boolean;
  signal?: AbortSignal;
  /** Called once, when the lease is found held and waiting begins. */
  onWait?: (holder: LeaseHolder) => void;
  pollMs?: number;
}

/** A lease, named, as its holder writes under it: each write checks it still holds it (a fencing token). */
export interface Fence {
  name: string;
  owner: string;
}

/** A holder that stopped (frozen, suspended) past the lease's life and was taken over: it writes nothing more. */
export class LeaseLostError extends UserError {
  constructor(what: string) {
    super(`${what} was taken over by another process while this one was stopped: this one writes nothing more`, [], 'party-busy');
  }
}

/** A lease that someone else holds, and the caller would not wait. */
export class LeaseHeldError extends UserError {
  constructor(
    readonly holder: LeaseHolder,
    what: string,
  ) {
    super(`${what} is held by ${holderText(holder)}`, [], 'party-busy');
  }
}

/** Takes a lease, waiting (polling) while another live holder has it, and keeps it alive until it is released. */
export async function holdLease(leases: Leases, name: string, what: string, options: HoldOptions = {}): Promise<HeldLease> {
  let waited = false;
  for (;;) {
    const attempt = leases.take(name);
    if (attempt.acquired) {
      const stop = leases.keepAlive(name, attempt.owner);
      return {
        owner: attempt.owner,
        release: () => {
          stop();
          leases.release(name, attempt.owner);
        },
      };
    }
    if (options.wait === false) throw new LeaseHeldError(attempt.holder, what);
    if (!waited) options.onWait?.(attempt.holder);
    waited = true;
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
