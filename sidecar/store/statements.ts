import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** Prepares each SQL text once per connection: better-sqlite3 does not cache, and preparing dominates small writes. */
export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) this.cache.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}
