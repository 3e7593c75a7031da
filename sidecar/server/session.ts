import { statSync } from 'node:fs';
import path from 'node:path';
import { Providers } from '../providers/registry';
import { cacheNamespace, ResultCache } from '../cache/resultCache';
import { configFileName, loadConfigFile, loadConfigText } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import type { Problem } from '../config/problems';
import { PartyService } from '../service/partyService';
import { defaultDatabasePath, openDatabase } from '../store/database';
import type { Db } from '../store/database';
import { PartyStore } from '../store/partyStore';
import { Ledger } from '../ledger/ledger';
import { Learner } from '../ledger/learning';
import type { ConfigProblem, InitializeParams } from '../protocol';

/** A request that cannot be served as asked: the message is for the user. */
export class SessionError extends Error {}

/**
 * The sidecar's hold on one workspace: its database and cache for the whole session, and the party service, rebuilt
 * whenever the configuration file changes on disk.
 */
export class SidecarSession {
  readonly configPath: string;
  readonly db: Db;
  readonly cache: ResultCache;
  /** What the ledger teaches estimates of the configuration being edited (saved or not). */
  readonly learner: Learner;
  private service?: { mtimeMs: number; parties: PartyService };

  constructor(readonly params: InitializeParams) {
    this.configPath = params.configPath ?? path.join(params.workspace, configFileName);
    const dbPath = params.dbPath ?? path.join(params.workspace, defaultDatabasePath);
    this.db = openDatabase(dbPath, { name: path.relative(params.workspace, dbPath) || dbPath });
    this.cache = new ResultCache({ db: this.db, redisUrl: params.redisUrl, namespace: cacheNamespace(params.workspace) });
    this.learner = new Learner(new Ledger(this.db));
  }

  /** The party service for the configuration as it is on disk now. */
  parties(): PartyService {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.configPath).mtimeMs;
    } catch {
      throw new SessionError(`no configuration at ${this.configPath}: run "Party Cost: Create Sample Configuration"`);
    }
    if (this.service?.mtimeMs !== mtimeMs) {
      const loaded = loadConfigFile(this.configPath, path.basename(this.configPath));
      if (!loaded.config) {
        const errors = loaded.problems.filter((p) => p.severity === 'error').length;
        throw new SessionError(`${path.basename(this.configPath)} has ${errors} problem${errors === 1 ? '' : 's'}; see the Problems panel`);
      }
      const config = loaded.config;
      this.service = { mtimeMs, parties: new PartyService(config, loaded.prices, new PartyStore(this.db), new Providers(config), this.cache) };
    }
    return this.service.parties;
  }

  /** New prices are in force: the party service is built again with them. */
  pricesChanged(): void {
    this.service = undefined;
  }

  /** Every problem of a configuration text, with 0-based ranges. */
  validate(text: string): ConfigProblem[] {
    return problemsOf(loadConfigText(text, path.basename(this.configPath)));
  }

  async close(): Promise<void> {
    await this.cache.close();
    this.db.close();
  }
}

export function problemsOf(loaded: LoadedConfig): ConfigProblem[] {
  return loaded.problems.map((problem: Problem) => {
    const start = loaded.document.lines.position(problem.offset);
    const end = loaded.document.lines.position(problem.offset + problem.length);
    return {
      severity: problem.severity,
      message: problem.message,
      start: { line: start.line - 1, character: start.column - 1 },
      end: { line: end.line - 1, character: end.column - 1 },
    };
  });
}
