import { statSync } from 'node:fs';
import path from 'node:path';
import { Providers } from '../providers/registry';
import { cacheNamespace, ResultCache } from '../cache/resultCache';
import { linesOf, loadConfig } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import { locateConfig, mainFile, readIfFile, sourceFiles } from '../shared/configLocation';
import type { ConfigLocation } from '../shared/configLocation';
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

/** Unsaved texts by absolute path, as an editor holds them. */
export type OpenTexts = Record<string, string>;

/**
 * The sidecar's hold on one workspace: its database and cache for the whole session, and the party service, rebuilt
 * whenever a file of the configuration (partycost.json, a crew's YAML) changes on disk.
 */
export class SidecarSession {
  readonly db: Db;
  readonly cache: ResultCache;
  /** What the ledger teaches estimates of the configuration being edited (saved or not). */
  readonly learner: Learner;
  private service?: { stamp: string; parties: PartyService; loaded: LoadedConfig };

  constructor(readonly params: InitializeParams) {
    const dbPath = params.dbPath ?? path.join(params.workspace, defaultDatabasePath);
    this.db = openDatabase(dbPath, { name: path.relative(params.workspace, dbPath) || dbPath });
    this.cache = new ResultCache({ db: this.db, redisUrl: params.redisUrl, namespace: cacheNamespace(params.workspace) });
    this.learner = new Learner(new Ledger(this.db));
  }

  /** Where the configuration is now: the configured partycost.json, else a CrewAI project in the workspace. */
  location(): ConfigLocation {
    return locateConfig(this.params.workspace, this.params.configPath, true);
  }

  /** The main configuration file (partycost.json, or a crew's tasks.yaml). */
  get configPath(): string {
    return mainFile(this.location());
  }

  /** The configuration with the editor's unsaved texts over the files on disk. */
  load(texts: OpenTexts = {}): LoadedConfig {
    const workspace = this.params.workspace;
    return loadConfig(this.location(), {
      read: (file) => texts[path.resolve(file)] ?? readIfFile(file),
      display: (file) => path.relative(workspace, file) || path.basename(file),
    });
  }

  /** The party service for the configuration as it is on disk now. */
  parties(): PartyService {
    const location = this.location();
    const files = sourceFiles(location);
    if (files.length === 0) throw new SessionError(`no configuration at ${mainFile(location)}: run "Party Cost: Create Sample Configuration"`);
    const stamp = files.map((file) => `${file}@${mtimeOf(file)}`).join('|');
    if (this.service?.stamp !== stamp) {
      const loaded = this.load();
      if (!loaded.config) {
        const errors = loaded.problems.filter((p) => p.severity === 'error').length;
        throw new SessionError(`${loaded.file} has ${errors} problem${errors === 1 ? '' : 's'}; see the Problems panel`);
      }
      const config = loaded.config;
      this.service = { stamp, loaded, parties: new PartyService(config, loaded.prices, new PartyStore(this.db), new Providers(config), this.cache) };
    }
    return this.service.parties;
  }

  /** The configuration the party service was built from (after parties()). */
  loaded(): LoadedConfig {
    this.parties();
    return this.service!.loaded;
  }

  /** New prices are in force: the party service is built again with them. */
  pricesChanged(): void {
    this.service = undefined;
  }

  /** Every problem of the configuration with an editor's text of one file (the main one when `file` is omitted). */
  validate(text: string, file?: string, texts: OpenTexts = {}): ConfigProblem[] {
    return problemsOf(this.load(withText(texts, file ?? this.configPath, text)));
  }

  async close(): Promise<void> {
    await this.cache.close();
    this.db.close();
  }
}

/** The unsaved texts with one more, by absolute path. */
export function withText(texts: OpenTexts = {}, file: string, text: string | undefined): OpenTexts {
  const all: OpenTexts = {};
  for (const [name, value] of Object.entries(texts)) all[path.resolve(name)] = value;
  if (text !== undefined) all[path.resolve(file)] = text;
  return all;
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Problems with 0-based ranges, each with its file's absolute path when it has one. */
export function problemsOf(loaded: LoadedConfig): ConfigProblem[] {
  return loaded.problems.map((problem: Problem) => {
    const lines = linesOf(loaded, problem);
    const start = lines.position(problem.offset);
    const end = lines.position(problem.offset + problem.length);
    const file = loaded.files.find((f) => f.name === (problem.file ?? loaded.file))?.path;
    return {
      severity: problem.severity,
      message: problem.message,
      start: { line: start.line - 1, character: start.column - 1 },
      end: { line: end.line - 1, character: end.column - 1 },
      ...(file ? { file } : {}),
    };
  });
}
