import * as vscode from 'vscode';
import { disposeAll } from './lifecycle';
import path from 'node:path';
import type { NotificationType, RequestType } from 'vscode-jsonrpc';
import { findNodeRuntime } from '../sidecar/nodeRuntime';
import { SidecarClient } from '../sidecar/sidecarClient';
import { partiesChangedNotification, runProgressNotification, runWaitingNotification, statusNotification } from '../../sidecar/protocol';
import type { RunParams } from '../../sidecar/protocol';
import type { AgentProgress } from '../../sidecar/contract/plan';
import { settings } from './settings';
import { keyEnvironment } from './secrets';
import { knownKeys, redactingLog } from './redactingLog';
import { keysIn } from '../../sidecar/shared/redact';
import { locateConfig, sourceFiles } from '../../sidecar/shared/configLocation';
import type { ConfigLocation } from '../../sidecar/shared/configLocation';

/**
 * The extension's one context: two cleanup lists, one for the extension's life and one for a sidecar session
 * (released on restart, in reverse order), and the sidecar client, started on first need.
 */
export class PartyCostContext implements vscode.Disposable {
  private readonly extCleanup: vscode.Disposable[] = [];
  private sessionCleanup: vscode.Disposable[] = [];
  private client?: SidecarClient;
  private readonly partiesChanged = new vscode.EventEmitter<void>();
  private readonly sidecarStarted = new vscode.EventEmitter<void>();
  /** Fires when parties change (in any command) and after a sidecar (re)start, so views re-synchronise. */
  readonly onDidChangeParties = this.partiesChanged.event;
  readonly onDidStartSidecar = this.sidecarStarted.event;
  private readonly runProgress = new vscode.EventEmitter<AgentProgress & Pick<RunParams, 'runId'>>();
  /** Per-agent progress of every run (filter by run id). */
  readonly onRunProgress = this.runProgress.event;
  private readonly runWaiting = new vscode.EventEmitter<{ runId: string; party: string; holder: string }>();
  /** A run waits for another process that runs the same party. */
  readonly onRunWaiting = this.runWaiting.event;
  private readonly configFileChanged = new vscode.EventEmitter<'saved' | 'created' | 'deleted'>();
  /** Fires when a configuration file is saved in an editor, or created or deleted on disk (the sample command writes it). */
  readonly onDidChangeConfigFile = this.configFileChanged.event;
  readonly log: vscode.LogOutputChannel;
  /** Where the configuration is and its files, found once and again after a watched file changes. */
  private located?: { location: ConfigLocation; files: string[] };

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = redactingLog(vscode.window.createOutputChannel('Party Cost Inspector', { log: true }));
    this.pushExtCleanup(this.log, this.partiesChanged, this.sidecarStarted, this.runProgress, this.runWaiting, this.configFileChanged);
    this.watchConfigFile();
  }

  /**
   * One watcher for the whole extension: partycost.json and a crew's YAML files (created, deleted, saved in an
   * editor). Views and context keys listen to onDidChangeConfigFile.
   */
  private watchConfigFile(): void {
    const workspace = this.workspace;
    if (!workspace) return;
    const fire = (change: 'saved' | 'created' | 'deleted') => (): void => {
      this.located = undefined;
      this.configFileChanged.fire(change);
    };
    const config = path
      .relative(workspace, this.configPath ?? path.join(workspace, 'partycost.json'))
      .split(path.sep)
      .join('/');
    // A crew is read from its YAML, its Python, its project's pyproject.toml, uv.lock and .env, or its crew.jsonc.
    const pattern = `{${config},**/agents.yaml,**/agents.yml,**/tasks.yaml,**/tasks.yml,**/*.py,**/pyproject.toml,**/uv.lock,**/.env,**/*.jsonc}`;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(workspace), pattern), false, true, false);
    this.pushExtCleanup(
      watcher,
      watcher.onDidCreate(fire('created')),
      watcher.onDidDelete(fire('deleted')),
      vscode.workspace.onDidSaveTextDocument((document) => this.isSourceFile(document.uri.fsPath) && fire('saved')()),
    );
  }

  /** The configuration's files (partycost.json, a crew's YAML), the main one first; none when there is none yet. */
  sourceFiles(): string[] {
    const workspace = this.workspace;
    if (!workspace) return [];
    if (!this.located) {
      const location = locateConfig(workspace, this.configPath, true);
      this.located = { location, files: sourceFiles(location) };
    }
    return this.located.files;
  }

  /** Whether the workspace has a configuration: partycost.json, or a CrewAI project. */
  hasConfiguration(): boolean {
    return this.sourceFiles().length > 0;
  }

  /** Whether a file is one the configuration is read from. */
  isSourceFile(file: string): boolean {
    const resolved = path.resolve(file);
    return this.sourceFiles().some((source) => path.resolve(source) === resolved);
  }

  /** Production calls were recorded, or an agent mapped: estimates (learned figures, production) are asked again. */
  productionChanged(): void {
    this.partiesChanged.fire();
  }

  /** New prices are in force (Update Prices): whatever shows a cost asks again. */
  pricesChanged(): void {
    this.configFileChanged.fire('saved');
    this.partiesChanged.fire();
  }

  pushExtCleanup(...disposables: vscode.Disposable[]): void {
    this.extCleanup.push(...disposables);
  }

  pushSessionCleanup(...disposables: vscode.Disposable[]): void {
    this.sessionCleanup.push(...disposables);
  }

  /** The workspace folder the sidecar serves (the first one). */
  get workspace(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  get configPath(): string | undefined {
    return this.workspace && path.resolve(this.workspace, settings().configPath);
  }

  /** The pid of the running sidecar (tests use it to kill the sidecar on purpose). */
  get sidecarPid(): number | undefined {
    return this.client?.pid;
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P, options: { token?: vscode.CancellationToken; noTimeout?: boolean } = {}): Promise<R> {
    const client = await this.sidecar();
    return client.request(type, params, options);
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.sessionClient().onNotification(type, handler);
  }

  private sidecar(): Promise<SidecarClient> {
    const client = this.sessionClient();
    return client.ready().then(() => client);
  }

  private sessionClient(): SidecarClient {
    if (this.client) return this.client;
    const workspace = this.workspace;
    if (!workspace) throw new Error('Party Cost Inspector needs an open folder');
    const node = findNodeRuntime(settings().nodePath);
    if ('error' in node) {
      void vscode.window.showErrorMessage(node.error, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'partycost.nodePath');
      });
      throw new Error(node.error);
    }
    const client = new SidecarClient({
      command: node.path,
      args: [this.extension.asAbsolutePath(path.join('bin', 'partycost.js')), 'serve', '--stdio'],
      env: () => this.sidecarEnv(),
      initialize: {
        workspace,
        configPath: this.configPath,
        dbPath: settings().dbPath ? path.resolve(workspace, settings().dbPath!) : undefined,
        redisUrl: settings().redisUrl,
        // In a workspace VS Code does not trust, API keys go only to the vendors' endpoints and those the user names.
        trusted: vscode.workspace.isTrusted,
      },
      requestTimeoutMs: settings().requestTimeoutMs,
      log: (line) => this.log.info(line),
      onState: (state, detail) => this.onSidecarState(state, detail),
    });
    client.onNotification(partiesChangedNotification, () => this.partiesChanged.fire());
    client.onNotification(runProgressNotification, (progress) => this.runProgress.fire(progress));
    client.onNotification(runWaitingNotification, (waiting) => {
      this.log.info(`run of party ${waiting.party} waits: ${waiting.holder} is running it`);
      this.runWaiting.fire(waiting);
    });
    client.onNotification(statusNotification, (status) => {
      if (status.state === 'error') this.log.error(`sidecar reported: ${status.message}`);
    });
    this.client = client;
    this.pushSessionCleanup({ dispose: () => void client.stop() });
    return client;
  }

  private onSidecarState(state: string, detail?: string): void {
    this.log.info(`sidecar ${state}${detail ? `: ${detail}` : ''}`);
    if (state === 'running') {
      this.sidecarStarted.fire();
      this.partiesChanged.fire();
    }
    if (state === 'gave up') {
      void vscode.window.showErrorMessage(`Party Cost Inspector stopped restarting its sidecar: ${detail}.`, 'Restart Sidecar', 'Show Log').then((choice) => {
        if (choice === 'Restart Sidecar') void vscode.commands.executeCommand('partycost.restartSidecar');
        if (choice === 'Show Log') this.log.show();
      });
    }
  }

  /** The environment the sidecar gets: the providers' keys from secret storage (never from settings or logs). */
  private async sidecarEnv(): Promise<NodeJS.ProcessEnv> {
    const env = { ...process.env, ...(await keyEnvironment(this.extension.secrets)) };
    knownKeys.splice(0, knownKeys.length, ...keysIn(env));
    return env;
  }

  /** Ends the sidecar session (its cleanup list in reverse) and starts a new one. */
  async restartSidecar(): Promise<void> {
    await this.endSession();
    await this.sidecar();
  }

  private async endSession(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    disposeAll(this.sessionCleanup);
    await client?.stop();
  }

  /** Stops the sidecar; `deactivate` returns this promise. */
  async shutdown(): Promise<void> {
    await this.endSession();
    this.dispose();
  }

  dispose(): void {
    disposeAll(this.extCleanup);
  }
}
