import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { LedgerEntry } from './ledger';
import type { SpooledExecution } from './teamSpool';

/**
 * The team ledger's schema, versioned as SQLite's is (partycost_team_schema holds the version; each step runs once,
 * in order, in one transaction under an advisory lock so two workspaces migrating at once do it once).
 * 1: executions (each once by its key: the workspace made it; `entry` is the ledger entry as recorded, so another
 * workspace records it again as is), and reservations: what calls in flight may cost, counted against the team's
 * limits until they settle or expire.
 */
export const teamMigrations: string[] = [
  `
  CREATE TABLE executions (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    at timestamptz NOT NULL,
    agent text NOT NULL,
    cost_usd double precision NOT NULL,
    ran_by text NOT NULL,
    workspace text NOT NULL,
    entry jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX executions_at ON executions (at) INCLUDE (cost_usd);
  CREATE TABLE reservations (
    id uuid PRIMARY KEY,
    agent text NOT NULL,
    amount_usd double precision NOT NULL,
    ran_by text NOT NULL,
    expires_at timestamptz NOT NULL
  );
  `,
];

/** Advisory lock keys: one for the schema, one that orders every write (so ids follow commits: a pull misses none). */
const schemaLock = 0x7061_7274;
const writeLock = 0x7061_7275;

/** An execution as the team ledger holds it. */
export interface TeamExecution {
  id: number;
  key: string;
  ranBy: string;
  entry: LedgerEntry;
}

/** A spend limit's window as the team ledger checks it. */
export interface TeamWindow {
  limit: 'daily' | 'weekly' | 'monthly';
  since: Date;
  limitUsd: number;
}

/** What a reservation found: room (its id), or the window that is spent. */
export type ReserveOutcome = { id: string } | { refused: TeamWindow; spentUsd: number; reservedUsd: number };

export class NewerTeamLedgerError extends Error {}

/**
 * A team ledger on PostgreSQL, through a pool of `pg` clients: its migrations, pushing a workspace's executions
 * (each once, by key), pulling the others', the team's spend per window, and reservations. Every statement is
 * prepared (named); every write takes the write lock, so executions get ids in the order they commit.
 */
export class TeamDatabase {
  private constructor(private readonly pool: pg.Pool) {}

  /**
   * Connects (within `connectTimeoutMs`) and brings the schema up to date. A schema newer than this release knows is
   * refused (NewerTeamLedgerError), untouched.
   */
  static async open(url: string, options: { connectTimeoutMs: number; applicationName?: string }): Promise<TeamDatabase> {
    // The client loads when a team ledger is configured: a workspace without one never pays for it.
    const { Pool } = (await import('pg')).default;
    const pool = new Pool({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      max: 4,
      idleTimeoutMillis: 10_000,
      application_name: options.applicationName ?? 'partycost',
      // A server that stops answering mid-query fails the query instead of holding the command.
      query_timeout: 10_000,
    });
    // An idle client whose server went away reports it here; the next query gets a fresh one.
    pool.on('error', () => {});
    const db = new TeamDatabase(pool);
    try {
      await db.migrate();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return db;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [schemaLock]);
      await client.query('CREATE TABLE IF NOT EXISTS partycost_team_schema (version integer NOT NULL)');
      const row = (await client.query<{ version: number }>('SELECT version FROM partycost_team_schema')).rows[0];
      const version = row?.version ?? 0;
      if (version > teamMigrations.length) {
        throw new NewerTeamLedgerError(
          `its schema version ${version} is newer than this Party Cost Inspector understands (${teamMigrations.length}); update it`,
        );
      }
      for (let v = version; v < teamMigrations.length; v++) await client.query(teamMigrations[v]!);
      if (row === undefined) await client.query('INSERT INTO partycost_team_schema (version) VALUES ($1)', [teamMigrations.length]);
      else if (version < teamMigrations.length) await client.query('UPDATE partycost_team_schema SET version = $1', [teamMigrations.length]);
    });
  }

  /** The schema version the team ledger is at. */
  async version(): Promise<number> {
    return (await this.pool.query<{ version: number }>('SELECT version FROM partycost_team_schema')).rows[0]?.version ?? 0;
  }

  private static async insert(client: pg.PoolClient, executions: SpooledExecution[], workspace: string): Promise<void> {
    if (executions.length === 0) return;
    await client.query({
      name: 'partycost-push',
      text: `INSERT INTO executions (key, at, agent, cost_usd, ran_by, workspace, entry)
             SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::jsonb[])
             ON CONFLICT (key) DO NOTHING`,
      values: [
        executions.map((e) => e.key),
        executions.map((e) => e.entry.at),
        executions.map((e) => e.entry.agent),
        executions.map((e) => (e.entry.cached ? 0 : e.entry.actualCostUsd)),
        executions.map((e) => e.ranBy),
        executions.map(() => workspace),
        executions.map((e) => JSON.stringify(e.entry)),
      ],
    });
  }

  /** Records executions (those it has, by key, are left as they are): a push sent again counts once. */
  async push(executions: SpooledExecution[], workspace: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query({ name: 'partycost-write-lock', text: 'SELECT pg_advisory_xact_lock($1)', values: [writeLock] });
      await TeamDatabase.insert(client, executions, workspace);
    });
  }

  /** Executions after id `after`, oldest first, at most `limit`. */
  async pull(after: number, limit: number): Promise<TeamExecution[]> {
    const rows = await this.pool.query<{ id: string; key: string; ran_by: string; entry: LedgerEntry }>({
      name: 'partycost-pull',
      text: 'SELECT id, key, ran_by, entry FROM executions WHERE id > $1 ORDER BY id LIMIT $2',
      values: [after, limit],
    });
    return rows.rows.map((row) => ({ id: Number(row.id), key: row.key, ranBy: row.ran_by, entry: row.entry }));
  }

  private static async spent(client: pg.PoolClient | pg.Pool, windows: TeamWindow[]): Promise<{ spent: number[]; reserved: number }> {
    const row = (
      await client.query<{ spent: number[]; reserved: number }>({
        name: 'partycost-spent',
        text: `SELECT array(SELECT coalesce(sum(e.cost_usd), 0) FROM unnest($1::timestamptz[]) WITH ORDINALITY AS w(since, n)
                 LEFT JOIN executions e ON e.at >= w.since GROUP BY w.n ORDER BY w.n) AS spent,
               (SELECT coalesce(sum(amount_usd), 0) FROM reservations WHERE expires_at > now()) AS reserved`,
        values: [windows.map((w) => w.since.toISOString())],
      })
    ).rows[0]!;
    return { spent: row.spent.map(Number), reserved: Number(row.reserved) };
  }

  /** The team's spend in each window (executions recorded), and what calls in flight have reserved. */
  async spend(windows: TeamWindow[]): Promise<{ spent: number[]; reserved: number }> {
    return TeamDatabase.spent(this.pool, windows);
  }

  /**
   * Reserves what a call may cost, unless a window's spend with what is reserved has reached its limit (the call
   * that starts below it may cross it: at most one call's estimate over). Expired reservations (their process died)
   * are dropped first.
   */
  async reserve(agent: string, amountUsd: number, ranBy: string, windows: TeamWindow[], ttlMs: number): Promise<ReserveOutcome> {
    return this.transaction(async (client) => {
      await client.query({ name: 'partycost-write-lock', text: 'SELECT pg_advisory_xact_lock($1)', values: [writeLock] });
      await client.query({ name: 'partycost-expire', text: 'DELETE FROM reservations WHERE expires_at <= now()' });
      const { spent, reserved } = await TeamDatabase.spent(client, windows);
      const full = windows.findIndex((w, i) => spent[i]! + reserved >= w.limitUsd);
      if (full >= 0) return { refused: windows[full]!, spentUsd: spent[full]!, reservedUsd: reserved };
      const id = randomUUID();
      await client.query({
        name: 'partycost-reserve',
        text: `INSERT INTO reservations (id, agent, amount_usd, ran_by, expires_at) VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')`,
        values: [id, agent, amountUsd, ranBy, ttlMs],
      });
      return { id };
    });
  }

  /** The call is done: its executions recorded and its reservation gone, at once (never both counted, nor neither). */
  async settle(reservation: string, executions: SpooledExecution[], workspace: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query({ name: 'partycost-write-lock', text: 'SELECT pg_advisory_xact_lock($1)', values: [writeLock] });
      await TeamDatabase.insert(client, executions, workspace);
      await client.query({ name: 'partycost-release', text: 'DELETE FROM reservations WHERE id = $1', values: [reservation] });
    });
  }

  async release(reservation: string): Promise<void> {
    await this.pool.query({ name: 'partycost-release', text: 'DELETE FROM reservations WHERE id = $1', values: [reservation] });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
