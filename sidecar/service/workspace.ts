import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { cacheNamespace, ResultCache } from '../cache/resultCache';
import type { PartyConfig } from '../config/schema';
import { UserError } from '../contract/errors';
import { loadCatalogue } from '../cost/catalogueUpdate';
import { Learner } from '../learning/learning';
import { Providers } from '../providers/registry';
import type { EndpointTrust } from '../providers/registry';
import { endpointTrust } from './trust';
import { locateConfig, mainFile, readConfigFile, sourceFiles } from '../shared/configLocation';
import type { ConfigLocation } from '../shared/configLocation';
import { loadConfig, problemLines } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import { asStoreError, defaultDatabasePath, NewerDatabaseError } from '../store/database';
import { SqliteStore } from '../store/sqliteStore';
import { PartyService } from './partyService';
import { TeamLedger, teamLedgerSettings } from './teamLedger';
import type { TeamLedgerStatus } from '../contract/budget';

/** Unsaved texts by absolute path, as an editor holds them. */
export type OpenTexts = Record<string, string>;

/** A configuration that loaded without errors (its warnings are in `problems`). */
export type ValidConfig = LoadedConfig & { config: PartyConfig };

export interface WorkspaceOptions {
  /** The workspace folder. */
  root: string;
  /** The configuration named by the user (`--config`, `partycost.configPath`): a partycost.json, a crew's folder or YAML file. */
  config?: string;
  /** With a named configuration that does not exist, look for one in the workspace anyway (the sidecar does). */
  detect?: boolean;
  /** The database file (default `.partycost/partycost.db` in the workspace). */
  db?: string;
  /** The user trusts this workspace (VS Code's workspace trust): its configuration's endpoints may receive keys. */
  trusted?: boolean;
  /** The shared cache tier; none when unset. */
  redisUrl?: string;
  /** How long a short-lived caller lets Redis connect before its first lookup (lookups never wait for it). */
  redisHeadStartMs?: number;
  /** How long a command waits for another process's lock on the database. */
  busyTimeoutMs?: number;
  /** How a file is named to the user (default: relative to the workspace). */
  display?: (file: string) => string;
  /** What a user is told to do when there is no configuration, or it has problems. */
  hints?: { missing?: string; problems?: string };
  /** The environment settings are read from (PARTYCOST_LEDGER_URL); default the process's. */
  env?: NodeJS.ProcessEnv;
  /** A warning the work goes on after (a database that cannot be read for learned figures). */
  warn?: (line: string) => void;
}

/**
 * One workspace, as the CLI and the sidecar both see it: where its configuration is and its loading, its database
 * and every repository on it, the result cache, the ledger's learner, the providers and the price catalogue. Each is
 * made when first asked for and closed with the workspace; the use cases (this folder's other files) take it.
 */
export class Workspace {
  readonly root: string;
  readonly databaseFile: string;
  private opened?: SqliteStore;
  /** The database that could not be opened for reading, said once. */
  private unreadable = false;
  private resultCache?: ResultCache;
  private teamLedger?: TeamLedger;
  private ledgerLearner?: Learner;
  /** The party service for the configuration on disk, with the files' modification times it was built from. */
  private service?: { stamp: string; loaded: ValidConfig; parties: PartyService };
  /** The configuration on disk as last loaded, with its files' modification times (a trace receiver asks per batch). */
  private loaded?: { stamp: string; loaded: ValidConfig };

  constructor(readonly options: WorkspaceOptions) {
    this.root = path.resolve(options.root);
    this.databaseFile = options.db ? path.resolve(options.db) : path.join(this.root, defaultDatabasePath);
  }

  /**
   * The endpoints of this workspace's configuration the user trusts with keys: all of them in a workspace VS Code
   * trusts, else those `partycost trust` recorded.
   */
  endpointTrust(): EndpointTrust {
    return this.options.trusted ? () => true : endpointTrust(this.root);
  }

  /** How a file is named to the user. */
  display(file: string): string {
    return this.options.display ? this.options.display(file) : path.relative(this.root, file) || path.basename(file);
  }

  /** Where the configuration is now: the named one, else partycost.json in the workspace, else a CrewAI project. */
  location(): ConfigLocation {
    return locateConfig(this.root, this.options.config, this.options.detect ?? this.options.config === undefined);
  }

  /** The main configuration file (partycost.json, or a crew's tasks.yaml). */
  configFile(): string {
    return mainFile(this.location());
  }

  /** Every file the configuration is read from, the main one first (none: there is no configuration). */
  sourceFiles(): string[] {
    return sourceFiles(this.location(), (file) => this.read(file));
  }

  /** The configuration with an editor's unsaved texts over the files on disk; problems and all. */
  load(texts: OpenTexts = {}): LoadedConfig {
    return loadConfig(this.location(), { read: (file) => texts[path.resolve(file)] ?? this.read(file), display: (file) => this.display(file) });
  }

  /** A configuration file's text; one too large or not a regular file is refused, named as the user sees it. */
  private read(file: string): string | undefined {
    return readConfigFile(file, this.display(file));
  }

  /** The configuration as it is on disk, valid, or a UserError saying why not (each problem as a detail line). */
  config(): ValidConfig {
    const location = this.location();
    const files = sourceFiles(location, (file) => this.read(file));
    if (files.length === 0) throw new UserError(`no configuration at ${this.display(mainFile(location))}${this.options.hints?.missing ?? ''}`);
    const stamp = files.map((file) => `${file}@${mtimeOf(file)}`).join('|');
    if (this.service?.stamp === stamp) return this.service.loaded;
    if (this.loaded?.stamp === stamp) return this.loaded.loaded;
    const loaded = this.load();
    if (!loaded.config) throw configProblems(loaded, this.options.hints?.problems);
    this.loaded = { stamp, loaded: loaded as ValidConfig };
    return loaded as ValidConfig;
  }

  /** The workspace's database and its repositories, created and migrated when need be. */
  store(): SqliteStore {
    if (!this.opened) {
      try {
        this.opened = SqliteStore.open(this.databaseFile, { name: this.display(this.databaseFile), busyTimeoutMs: this.options.busyTimeoutMs });
      } catch (error) {
        throw this.failure(error);
      }
      // The environment wins: the configuration is read only when it does not name the team ledger.
      const env = this.options.env ?? process.env;
      const settings = teamLedgerSettings(env.PARTYCOST_LEDGER_URL ? undefined : this.quietConfig(), env);
      if (settings) this.teamLedger = new TeamLedger(this.opened, settings, path.basename(this.root));
    }
    return this.opened;
  }

  /** The configuration on disk when it loads, else nothing (for settings read on the side, as the team ledger's). */
  private quietConfig(): PartyConfig | undefined {
    try {
      return this.config().config;
    } catch {
      return undefined;
    }
  }

  /** The team ledger (PostgreSQL) the workspace shares, when one is configured: its database is opened first. */
  team(): TeamLedger | undefined {
    this.store();
    return this.teamLedger;
  }

  /**
   * Brings the workspace's ledger up to date with the team's, when there is a team ledger: pushes the spool, pulls
   * what others recorded. A team ledger that does not connect within `connectMs` (50 ms) is left for the next time.
   */
  async syncTeam(options: { waitMs?: number; pullMs?: number } = {}): Promise<TeamLedgerStatus> {
    if (!existsSync(this.databaseFile) && !teamLedgerSettings(this.quietConfig(), this.options.env ?? process.env)) return { kind: 'local' };
    const team = this.team();
    return team ? team.sync(options) : { kind: 'local' };
  }

  /**
   * Starts connecting to a team ledger the environment names (PARTYCOST_LEDGER_URL), before anything else: a command
   * calls it first, so the connection is made while it loads. One named in partycost.json starts on first use.
   */
  startTeam(): void {
    if ((this.options.env ?? process.env).PARTYCOST_LEDGER_URL) this.team()?.start();
  }

  /** Where spend is counted: the workspace's own ledger, or the team's (and how it stands). */
  ledgerStatus(): TeamLedgerStatus {
    return this.team()?.status() ?? { kind: 'local' };
  }

  /**
   * The database when it exists and can be read: a command that only reads (an estimate learns from the runs) creates
   * nothing, and goes on without it when it cannot be opened (said once). One from a newer release is refused instead:
   * figures read around it would be silently wrong (no parties, no ledger).
   */
  storeIfExists(): SqliteStore | undefined {
    if (this.opened) return this.opened;
    if (this.unreadable || !existsSync(this.databaseFile)) return undefined;
    try {
      return this.store();
    } catch (error) {
      if (error instanceof NewerDatabaseError) throw error;
      this.unreadable = true;
      this.options.warn?.(`estimating without learned figures: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** What the ledger teaches estimates; none without a database. */
  learner(): Learner | undefined {
    const store = this.storeIfExists();
    if (!store) return undefined;
    this.ledgerLearner ??= new Learner(store.ledger);
    return this.ledgerLearner;
  }

  /** The result cache: memory, Redis when configured, and the database's table. */
  cache(): ResultCache {
    this.resultCache ??= new ResultCache({ tables: this.store().cache, redisUrl: this.options.redisUrl, namespace: cacheNamespace(this.root) });
    return this.resultCache;
  }

  /**
   * The result cache, once Redis (when configured) has had its head start: one that answers is used from the first
   * lookup; a refused one costs nothing, a hung one at most the probe's 15 ms.
   */
  async connectedCache(): Promise<ResultCache> {
    const cache = this.cache();
    if (this.options.redisHeadStartMs) await cache.redisConnected(this.options.redisHeadStartMs);
    return cache;
  }

  /** The party commands for the configuration on disk (or for `loaded`), rebuilt when one of its files changes. */
  parties(loaded?: ValidConfig): PartyService {
    if (loaded) return this.partiesFor(loaded, 'given');
    const files = this.sourceFiles();
    const stamp = files.map((file) => `${file}@${mtimeOf(file)}`).join('|');
    if (this.service?.stamp === stamp) return this.service.parties;
    return this.partiesFor(this.config(), stamp);
  }

  private partiesFor(loaded: ValidConfig, stamp: string): PartyService {
    const store = this.store();
    const parties = new PartyService(
      loaded.config,
      loaded.prices,
      store.parties,
      new Providers(loaded.config, process.env, {}, this.endpointTrust()),
      this.cache(),
      this.learner(),
      this.teamLedger,
    );
    this.service = { stamp, loaded, parties };
    return parties;
  }

  /** New prices are in force: what was built with the old ones is built again. */
  pricesChanged(): void {
    this.service = undefined;
    this.loaded = undefined;
  }

  /** Puts the workspace's stored prices in force (else the bundled ones); a problem with them is returned, said. */
  async loadPrices(): Promise<string | undefined> {
    const problem = (await loadCatalogue(this.root)).problem;
    this.pricesChanged();
    return problem;
  }

  /** A failure of the database as the user's sentence naming its file; anything else as it is. */
  failure(error: unknown): unknown {
    return asStoreError(error, this.display(this.databaseFile));
  }

  async close(): Promise<void> {
    await this.teamLedger?.close();
    this.teamLedger = undefined;
    await this.resultCache?.close().catch(() => {});
    this.opened?.close();
    this.resultCache = undefined;
    this.opened = undefined;
    this.service = undefined;
    this.loaded = undefined;
    this.ledgerLearner = undefined;
  }
}

/** A configuration that did not load: how many problems, and each as `file:line:column: message`. */
export function configProblems(loaded: LoadedConfig, hint = ''): UserError {
  const errors = loaded.problems.filter((p) => p.severity === 'error').length;
  return new UserError(`${loaded.file} has ${errors} problem${errors === 1 ? '' : 's'}${hint}`, problemLines(loaded));
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Unsaved texts by absolute path, with one more (an editor's text of `file`). */
export function withText(texts: OpenTexts = {}, file: string, text: string | undefined): OpenTexts {
  const all: OpenTexts = {};
  for (const [name, value] of Object.entries(texts)) all[path.resolve(name)] = value;
  if (text !== undefined) all[path.resolve(file)] = text;
  return all;
}
