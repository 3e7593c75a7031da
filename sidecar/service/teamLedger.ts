import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { hostname, userInfo } from 'node:os';
import type { PartyConfig } from '../config/schema';
import { windowStarts } from '../budget/windows';
import type { LedgerEntry } from '../store/ledger';
import type { SqliteStore } from '../store/sqliteStore';
import { NewerTeamLedgerError, TeamDatabase } from '../store/teamDatabase';
import type { TeamWindow } from '../store/teamDatabase';
import { TeamSpool } from '../store/teamSpool';
import { limitText } from '../contract/budget';
import type { TeamLedgerStatus } from '../contract/budget';

/** Where the team ledger is: `PARTYCOST_LEDGER_URL` (it wins), else partycost.json's `ledger.url`. */
export interface TeamLedgerSettings {
  url: string;
  from: 'PARTYCOST_LEDGER_URL' | 'ledger.url';
}

export function teamLedgerSettings(config: PartyConfig | undefined, env: NodeJS.ProcessEnv = process.env): TeamLedgerSettings | undefined {
  if (env.PARTYCOST_LEDGER_URL) return { url: env.PARTYCOST_LEDGER_URL, from: 'PARTYCOST_LEDGER_URL' };
  const url = config?.ledger?.url;
  return url ? { url, from: 'ledger.url' } : undefined;
}

/**
 * A ledger URL as it may be shown, logged or kept: no password (in the user part, or a `password` parameter), no
 * parameters at all (they may carry certificates' keys). Text that is not a URL shows as its scheme alone.
 */
export function displayLedgerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}${parsed.password ? ':***' : ''}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return '(a ledger URL that is not a URL)';
  }
}

/** Who records an execution: the user and machine names (never anything secret). */
export function recorder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {}
  return `${user}@${hostname()}`;
}

/**
 * How long a command waits for the team ledger when it needs it, beyond the head start it had while the command
 * loaded (a slow or hung team ledger adds no more than this); the connection goes on being made meanwhile.
 */
export const defaultConnectMs = 50;
/** How long making the connection may take at all before the team ledger counts as unreachable until the next try. */
const connectTimeoutMs = 10_000;
/** How long a call's reservation holds when its process dies without settling it. */
export const reservationTtlMs = 10 * 60_000;
const pushBatch = 500;
const pullBatch = 2_000;

/** A call's reservation in the team ledger: settled once its execution is recorded, or released when it failed. */
export interface TeamReservation {
  settle(): Promise<void>;
  release(): Promise<void>;
}

/**
 * A workspace's link to its team's ledger: executions of ours go there through the spool (each once, by key, in
 * order), the other workspaces' come back into the workspace's own ledger (so every figure read here, learned ones
 * and spend alike, is the team's), and a call reserves what it may cost against the team's limits before it is made.
 * An unreachable team ledger never stops work: executions wait in the spool, limits hold on the team's spend last
 * seen plus the spool, and the status says so.
 */
export class TeamLedger {
  private db?: TeamDatabase;
  private connecting?: Promise<TeamDatabase | undefined>;
  /** Whether the server answered the probe (a PostgreSQL SSLRequest) within 50 ms of the start. */
  private answered: Promise<boolean> = Promise.resolve(false);
  private problem?: string;
  private lastSync?: string;
  private readonly spool: TeamSpool;
  readonly display: string;
  /** Names the team ledger in team_state: its URL without the password, hashed. */
  private readonly identity: string;

  constructor(
    private readonly store: SqliteStore,
    readonly settings: TeamLedgerSettings,
    private readonly workspace: string,
    readonly ranBy = recorder(),
  ) {
    this.spool = new TeamSpool(store.db);
    this.display = displayLedgerUrl(settings.url);
    this.identity = createHash('sha256').update(this.display).digest('hex').slice(0, 16);
    store.ledger.sharedBy = ranBy;
    this.lastSync = this.spool.state(`synced:${this.identity}`);
  }

  /**
   * Starts connecting (once; again after a failure) in the background: a command starts it first thing, so the
   * connection is made while it loads its configuration and prices.
   */
  start(): void {
    if (this.db || this.connecting) return;
    // Without a password of its own, the driver would send the user's PGPASSWORD or ~/.pgpass: never to a server a
    // workspace names.
    if (this.settings.from === 'ledger.url' && !safePassword(this.settings.url)) {
      this.problem =
        "partycost.json's ledger.url has no password, and your PGPASSWORD or ~/.pgpass is sent only to a team ledger you name: set PARTYCOST_LEDGER_URL";
      return;
    }
    this.answered = answers(this.settings.url, connectTimeoutMs);
    this.connecting = TeamDatabase.open(this.settings.url, { connectTimeoutMs: connectTimeoutMs }).then(
      (db) => {
        this.db = db;
        this.problem = undefined;
        this.connecting = undefined;
        return db;
      },
      (error: unknown) => {
        this.problem = this.reason(error);
        this.connecting = undefined;
        return undefined;
      },
    );
  }

  /**
   * The connection, waiting for it at most `waitMs` (50 ms by default: a slow team ledger never holds a command up
   * longer); undefined when it is not there by then (it goes on connecting for the next use) or cannot be made.
   */
  async connect(waitMs = defaultConnectMs): Promise<TeamDatabase | undefined> {
    this.start();
    if (this.db) return this.db;
    const pending = this.connecting;
    if (!pending) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => setImmediate(() => resolve(undefined)), waitMs);
      timer.unref();
    });
    // A server that answered the probe is waited for: it is there, only busy making the connection (a backend, a
    // password exchange). One that did not answer within the probe's 50 ms is not waited for beyond `waitMs`.
    // The probe started with the command: it has had the command's own start as a head start, and `waitMs` more.
    const alive = await Promise.race([this.answered, late.then(() => false)]);
    const db = await Promise.race([pending, alive ? pending : late]);
    clearTimeout(timer);
    if (!db && !this.problem) this.problem = `no answer within ${waitMs} ms`;
    return db;
  }

  /** Why the team ledger failed, in one line without the URL's password. */
  private reason(error: unknown): string {
    if (error instanceof NewerTeamLedgerError) return error.message;
    const text = error instanceof Error ? error.message : String(error);
    const password = safePassword(this.settings.url);
    const said = password ? text.split(password).join('***') : text;
    return /timeout|timed out/i.test(said) ? `no answer within the connect timeout (${said})` : said;
  }

  /** The team ledger failed mid-way: the next use connects again. */
  private async lost(error: unknown): Promise<void> {
    this.problem = this.reason(error);
    const db = this.db;
    this.db = undefined;
    await db?.close().catch(() => {});
  }

  /**
   * Pushes the spool and pulls what other workspaces recorded since the last pull (for at most `pullMs`; the rest
   * next time). Unreachable: nothing changes here and the status says why.
   */
  async sync(options: { waitMs?: number; pullMs?: number } = {}): Promise<TeamLedgerStatus> {
    const db = await this.connect(options.waitMs);
    if (db) {
      try {
        await this.push(db);
        const until = Date.now() + (options.pullMs ?? 2_000);
        const cursorName = `cursor:${this.identity}`;
        let cursor = Number(this.spool.state(cursorName) ?? 0);
        for (;;) {
          const rows = await db.pull(cursor, pullBatch);
          if (rows.length === 0) break;
          this.store.ledger.recordPulled(rows.map((row): LedgerEntry => ({ ...row.entry, partyId: '', teamKey: row.key, ranBy: row.ranBy })));
          cursor = rows[rows.length - 1]!.id;
          this.spool.setState(cursorName, String(cursor));
          if (rows.length < pullBatch || Date.now() > until) break;
        }
        this.lastSync = new Date().toISOString();
        this.spool.setState(`synced:${this.identity}`, this.lastSync);
      } catch (error) {
        await this.lost(error);
      }
    }
    return this.status();
  }

  private async push(db: TeamDatabase): Promise<void> {
    for (;;) {
      const pending = this.spool.pending(pushBatch);
      if (pending.length === 0) return;
      await db.push(pending, this.workspace);
      this.spool.delivered(pending.map((p) => p.ledgerId));
    }
  }

  /**
   * Reserves what a call may cost against the team's limits: a reservation, the refusal naming the spent window, or
   * undefined when no limit is set or the team ledger cannot be reached (the local budget, on the team's spend last
   * seen plus the spool, has already been checked).
   */
  async reserve(config: PartyConfig, agent: string, estimateUsd: number, now = Date.now()): Promise<TeamReservation | { refused: string } | undefined> {
    const windows = limitWindows(config, now);
    if (windows.length === 0) return undefined;
    const db = await this.connect();
    if (!db) return undefined;
    try {
      const outcome = await db.reserve(agent, estimateUsd, this.ranBy, windows, reservationTtlMs);
      if ('refused' in outcome) {
        const { refused, spentUsd, reservedUsd } = outcome;
        return {
          refused: `refused by the team's ${refused.limit} limit (${limitText(config.limits![refused.limit]!)}): $${spentUsd.toFixed(6)} spent${reservedUsd > 0 ? ` and $${reservedUsd.toFixed(6)} reserved by calls in flight` : ''} (team ledger ${this.display})`,
        };
      }
      return {
        settle: async () => {
          try {
            const executions = this.spool.pending(pushBatch);
            await db.settle(outcome.id, executions, this.workspace);
            this.spool.delivered(executions.map((p) => p.ledgerId));
          } catch (error) {
            // The execution waits in the spool; the reservation expires.
            await this.lost(error);
          }
        },
        release: async () => {
          await db.release(outcome.id).catch((error: unknown) => this.lost(error));
        },
      };
    } catch (error) {
      await this.lost(error);
      return undefined;
    }
  }

  status(): TeamLedgerStatus {
    const waiting = this.spool.waiting();
    return {
      kind: 'team',
      url: this.display,
      from: this.settings.from,
      reachable: this.db !== undefined,
      ...(this.problem && !this.db ? { problem: this.problem } : {}),
      ...(this.lastSync ? { syncedAt: this.lastSync } : {}),
      spooled: waiting.executions,
      spooledUsd: waiting.costUsd,
      ranBy: this.ranBy,
    };
  }

  /**
   * Pushes what is left in the spool, waiting at most `waitMs` (what is not pushed by then stays in the spool, and a
   * push that landed unseen lands once: by key), then lets go of the connection.
   */
  async close(waitMs = defaultConnectMs): Promise<void> {
    const db = await this.connect(waitMs);
    if (db) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.push(db).catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    // A connection still being made is ended once it is.
    void this.connecting?.then((late) => late?.close().catch(() => {}));
    this.db = undefined;
    void db?.close().catch(() => {});
  }
}

/** The password of a URL, when it has one (to blank it out of an error a driver wrote). */
function safePassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** The configured limits' windows now. */
function limitWindows(config: PartyConfig, now: number): TeamWindow[] {
  const limits = config.limits ?? {};
  const starts = windowStarts(now, limits.timeZone ?? 'UTC');
  const of = { daily: starts.day, weekly: starts.week, monthly: starts.month } as const;
  // Refused where the local budget refuses: at the last threshold's fraction of the limit (default all of it).
  const refuseAt = limits.thresholds?.[3] ?? 1;
  return (['daily', 'weekly', 'monthly'] as const).flatMap((limit) =>
    limits[limit] === undefined ? [] : [{ limit, since: new Date(of[limit]), limitUsd: limits[limit]! * refuseAt }],
  );
}

/**
 * Whether a PostgreSQL server answers at the URL's host and port within `timeoutMs`: an SSLRequest (the first
 * packet a client may send) that a live server answers at once with one byte, S or N. A hung server, a host that
 * drops packets, a port nobody listens on: false.
 */
export function answers(url: string, timeoutMs: number): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    port = Number(parsed.port) || 5432;
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    };
    // The caller decides how long it waits for the answer; this only lets go of a probe nobody answers.
    timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    socket.once('connect', () => {
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
    });
    socket.unref();
    socket.once('data', (data) => done(data[0] === 0x53 || data[0] === 0x4e));
    socket.once('error', () => done(false));
  });
}
