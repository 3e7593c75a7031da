import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Providers } from '../providers/registry';
import type { LoadedConfig } from '../sources/load';
import type { PartyConfig } from '../config/schema';
import { PartyService } from '../service/partyService';
import { defaultDatabasePath, openDatabase, storeError } from '../store/database';
import { PartyStore } from '../store/partyStore';
import { cacheNamespace, ResultCache } from '../cache/resultCache';
import type { CliArgs } from './args';
import { displayPath, requireConfig } from './configFile';
import type { Output } from './output';
import { Ledger } from '../ledger/ledger';
import { Learner } from '../ledger/learning';

/** The most a command waits for a Redis connection to prove itself before its first lookup. */
const redisHeadStartMs = 50;

/** The database a command uses: `--db`, else `PARTYCOST_DB`, else `.partycost/partycost.db` in the workspace. */
export function databasePath(args: CliArgs, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = args.db ?? env.PARTYCOST_DB;
  return chosen ? path.resolve(cwd, chosen) : path.join(args.workspace, defaultDatabasePath);
}

/** The shared cache tier: `--redis`, else `PARTYCOST_REDIS_URL`; none when neither is set. */
export function redisUrl(args: CliArgs, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return args.redis ?? (env.PARTYCOST_REDIS_URL || undefined);
}

/** How a command opens the workspace database: named as shown to the user, waiting `PARTYCOST_BUSY_TIMEOUT_MS` for a lock. */
function databaseOptions(shown: string): { name: string; busyTimeoutMs?: number } {
  return { name: shown, busyTimeoutMs: Number(process.env.PARTYCOST_BUSY_TIMEOUT_MS) || undefined };
}

/**
 * Opens the engine for one command, runs `work`, and closes the database whatever happens; SQLite failures become
 * one sentence naming the file.
 */
export async function withParties<T>(
  args: CliArgs,
  cwd: string,
  out: Output,
  work: (service: PartyService, dbFile: string) => Promise<T> | T,
  loaded: LoadedConfig & { config: PartyConfig } = requireConfig(args, cwd, out.warn),
): Promise<T> {
  const file = databasePath(args, cwd);
  const shown = displayPath(file, cwd);
  const db = openDatabase(file, databaseOptions(shown));
  const cache = new ResultCache({ db, redisUrl: redisUrl(args), namespace: cacheNamespace(args.workspace) });
  try {
    // A short command gives a Redis that answers a head start (lookups never wait); a refused one costs nothing, a
    // hung one at most the probe's 15 ms.
    await cache.redisConnected(redisHeadStartMs);
    const service = new PartyService(loaded.config, loaded.prices, new PartyStore(db), new Providers(loaded.config), cache);
    return await work(service, shown);
  } catch (error) {
    throw error instanceof Database.SqliteError ? storeError(error, shown) : error;
  } finally {
    await cache.close().catch(() => {});
    db.close();
  }
}

/**
 * The workspace's ledger and a learner over it, for a command that only reads (an estimate learns from the runs):
 * none when the database does not exist (nothing is created), or cannot be opened, said once on stderr.
 */
export function withLedger<T>(args: CliArgs, cwd: string, out: Output, work: (read?: { db: Database.Database; ledger: Ledger; learner: Learner }) => T): T {
  const file = databasePath(args, cwd);
  if (!existsSync(file)) return work(undefined);
  const shown = displayPath(file, cwd);
  let db: Database.Database;
  try {
    db = openDatabase(file, databaseOptions(shown));
  } catch (error) {
    out.warn(`partycost: estimating without learned figures: ${error instanceof Error ? error.message : String(error)}`);
    return work(undefined);
  }
  try {
    const ledger = new Ledger(db);
    return work({ db, ledger, learner: new Learner(ledger) });
  } catch (error) {
    throw error instanceof Database.SqliteError ? storeError(error, shown) : error;
  } finally {
    db.close();
  }
}
