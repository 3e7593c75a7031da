import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';

let found: string | null | undefined;

/**
 * better-sqlite3's native module built for the running Node's ABI, when one sits beside its own build as
 * `build/node-v<ABI>-<platform>-<arch>/better_sqlite3.node` (the VSIX ships one per supported Node: scripts/nodes.mjs);
 * undefined leaves better-sqlite3 to its own build, made for the Node that installed it.
 */
export function sqliteBinding(): string | undefined {
  if (found === undefined) {
    const root = path.dirname(require.resolve('better-sqlite3/package.json'));
    const file = path.join(root, 'build', `node-v${process.versions.modules}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
    found = existsSync(file) ? file : null;
  }
  return found ?? undefined;
}

/** `options` for `new Database(file, options)` with the native module for this Node; tests that open a database use it too. */
export function sqliteOptions(options: Database.Options = {}): Database.Options {
  return { nativeBinding: sqliteBinding(), ...options };
}
