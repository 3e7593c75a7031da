import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { migrations } from './migrations';
import { UserError } from '../contract/errors';
import { sqliteOptions } from './sqliteBinding';

export type Db = Database.Database;

/** Where the workspace database lives unless `--db` or `PARTYCOST_DB` says otherwise. */
export const defaultDatabasePath = path.join('.partycost', 'partycost.db');

/** An error opening or using the database, worded for the user (locked, read-only, corrupt, newer schema). */
export class StoreError extends UserError {}

/** A database a newer release has migrated: refused by every command, even one that would only read it. */
export class NewerDatabaseError extends StoreError {}

/** Opens (creating if needed) and migrates the database: WAL, foreign keys, temporary data in memory, a busy timeout for concurrent writers. */
export function openDatabase(file: string, options: { busyTimeoutMs?: number; name?: string } = {}): Db {
  if (file !== ':memory:') {
    refuseNewer(file, options.name ?? file);
    mkdirSync(path.dirname(file), { recursive: true });
  }
  let db: Db | undefined;
  try {
    db = new Database(file, sqliteOptions());
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Statement journals (every INSERT on a table with a trigger writes one) and sorts kept in memory, not in temporary
    // files: a batch of traced calls is recorded 3× faster (bench group `collect`).
    db.pragma('temp_store = MEMORY');
    // For migrations that hash what they store (10: each result's definition).
    db.function('partycost_sha256', { deterministic: true }, (text: unknown) => createHash('sha256').update(String(text)).digest('hex'));
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw storeError(error, options.name ?? file);
  }
}

/**
 * Refuses a database of a newer schema before anything opens it: the version is read from the file's header, since a
 * connection, even a read-only one, adds `-wal` and `-shm` files beside a WAL database, and a writing one would switch
 * its journal mode. A header still in the WAL (a newer process has it open) is caught by `migrate`, which writes nothing.
 */
function refuseNewer(file: string, name: string): void {
  const version = headerVersion(file);
  if (version !== undefined && version > migrations.length) throw new NewerDatabaseError(`${name}: ${newerSchema(version)}`);
}

/** `PRAGMA user_version` as the file's header holds it (4 bytes at offset 60); undefined when it is no SQLite file. */
function headerVersion(file: string): number | undefined {
  const header = Buffer.alloc(100);
  let read = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // none yet, or opening it for real says why it cannot be
  }
  return read === header.length && header.toString('latin1', 0, 16) === 'SQLite format 3\0' ? header.readInt32BE(60) : undefined;
}

function newerSchema(version: number): string {
  return `schema version ${version} is newer than this Party Cost Inspector understands (${migrations.length}); update it`;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) throw new NewerDatabaseError(newerSchema(current));
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/** Turns SQLite's codes into a sentence that says what happened to which file and what to do. */
export function storeError(error: unknown, file: string): Error {
  if (error instanceof NewerDatabaseError) return new NewerDatabaseError(`${file}: ${error.message}`);
  if (error instanceof StoreError) return new StoreError(`${file}: ${error.message}`);
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY')) return new StoreError(`${file} is locked by another process; try again when it is done`);
  if (code.startsWith('SQLITE_READONLY')) return new StoreError(`${file} is read-only; check its permissions (and those of its folder)`);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`${file} is not a valid Party Cost Inspector database (${message}); it was left untouched: move it aside to start afresh`);
  }
  if (code === 'SQLITE_CANTOPEN') return new StoreError(`cannot open ${file} (${message})`);
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new StoreError(`cannot write ${file}: ${writeFailure(code, message)}; what failed to write was not saved, everything before it was`);
  }
  return error instanceof Error ? error : new Error(message);
}

/** Why a write failed, for a disk that is full, a file at its size limit, or a device that failed. */
function writeFailure(code: string, message: string): string {
  if (code === 'SQLITE_FULL') return `the disk is full (${message})`;
  // A write past the process's file-size limit (ulimit -f) or a full disk both surface as a failed write.
  if (code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC')
    return `the disk is full, the file reached its size limit, or the device failed (${message}, ${code})`;
  return `${message} (${code})`;
}

/** A SQLite failure as a StoreError naming the file; anything else as it is. */
export function asStoreError(error: unknown, file: string): unknown {
  return error instanceof Database.SqliteError ? storeError(error, file) : error;
}

/** A SQLite failure as the user's sentence (`undefined` for anything else), for errors that surface inside a run. */
export function databaseFailure(error: unknown, file = 'the database'): string | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  return storeError(error, file).message;
}
