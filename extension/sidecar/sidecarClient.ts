import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CancellationToken, MessageConnection, NotificationType, RequestType } from 'vscode-jsonrpc/node';
import { initializeRequest } from '../../sidecar/protocol';
import type { InitializeParams, InitializeResult } from '../../sidecar/protocol';
import { RestartPolicy } from './restartPolicy';

export type ClientState = 'stopped' | 'starting' | 'running' | 'restarting' | 'gave up';

export interface SidecarClientOptions {
  /** The Node executable and the arguments that start `partycost serve --stdio`. */
  command: string;
  args: string[];
  /** The sidecar's environment, or how to get it at each start (secrets are read then). */
  env?: NodeJS.ProcessEnv | (() => Promise<NodeJS.ProcessEnv>);
  initialize: InitializeParams;
  /** A request unanswered this long means a hung sidecar: it is killed and restarted (runs are exempt). */
  requestTimeoutMs?: number;
  policy?: RestartPolicy;
  log: (line: string) => void;
  onState?: (state: ClientState, detail?: string) => void;
}

/** A request that failed because of the sidecar process itself (crash, hang), not because of what was asked. */
export class SidecarUnavailableError extends Error {}

type Registration = (connection: MessageConnection) => void;

/**
 * The extension's end of the sidecar: starts it on first need, speaks the protocol over its stdio, restarts it when
 * it crashes or hangs (within the restart policy), and stops it for good on `stop`.
 */
export class SidecarClient {
  private child?: ChildProcess;
  private connection?: MessageConnection;
  private starting?: Promise<MessageConnection>;
  private readonly registrations: Registration[] = [];
  private readonly policy: RestartPolicy;
  private stopping = false;
  state: ClientState = 'stopped';
  info?: InitializeResult;

  constructor(private readonly options: SidecarClientOptions) {
    this.policy = options.policy ?? new RestartPolicy();
  }

  /** The process id of the running sidecar, if any. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Notifications are registered once and survive restarts. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    const register: Registration = (connection) => connection.onNotification(type, handler);
    this.registrations.push(register);
    if (this.connection) register(this.connection);
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P, options: { token?: CancellationToken; noTimeout?: boolean } = {}): Promise<R> {
    const connection = await this.ready();
    const source = new CancellationTokenSource();
    options.token?.onCancellationRequested(() => source.cancel());
    // By the declared type's method: TypeScript cannot pick sendRequest's overload for a generic RequestType.
    const answer = connection.sendRequest<R>(type.method, params, source.token);
    if (options.noTimeout) return this.unlessGone(answer);
    const timeoutMs = this.options.requestTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        source.cancel();
        this.options.log(`sidecar did not answer ${type.method} within ${timeoutMs} ms; restarting it`);
        this.child?.kill('SIGKILL');
        reject(new SidecarUnavailableError(`the Party Cost sidecar did not answer within ${timeoutMs / 1000} s and was restarted; try again`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.unlessGone(answer), hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Turns the connection's own "disposed"/"closed" failures into one sentence about the sidecar. */
  private async unlessGone<R>(answer: Promise<R>): Promise<R> {
    try {
      return await answer;
    } catch (error) {
      if (this.child?.exitCode !== null || !this.connection)
        throw new SidecarUnavailableError(`the Party Cost sidecar stopped while answering (${(error as Error).message})`);
      throw error;
    }
  }

  /** The connection to a running, initialised sidecar, starting one if needed. */
  ready(): Promise<MessageConnection> {
    if (this.connection) return Promise.resolve(this.connection);
    if (this.state === 'gave up')
      return Promise.reject(new SidecarUnavailableError('the Party Cost sidecar crashed too often and was not restarted; run "Party Cost: Restart Sidecar"'));
    this.starting ??= this.launch().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(): Promise<MessageConnection> {
    this.stopping = false;
    this.setState('starting');
    const env = typeof this.options.env === 'function' ? await this.options.env() : (this.options.env ?? process.env);
    const child = spawn(this.options.command, this.options.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (text: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .forEach((line) => this.options.log(line)),
    );
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new SidecarUnavailableError(`the Party Cost sidecar exited at start (${signal ?? `code ${code}`})`))),
    );
    const spawnFailed = new Promise<never>((_, reject) =>
      child.once('error', (error) => reject(new SidecarUnavailableError(`cannot start the Party Cost sidecar: ${error.message}`))),
    );
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.registrations.forEach((register) => register(connection));
    connection.listen();
    try {
      this.info = await Promise.race([connection.sendRequest(initializeRequest, this.options.initialize), exited, spawnFailed]);
    } catch (error) {
      connection.dispose();
      child.kill('SIGKILL');
      this.options.log((error as Error).message);
      this.crashed(child);
      throw error;
    }
    child.once('exit', (code, signal) => this.onExit(child, connection, code, signal));
    this.connection = connection;
    this.options.log(`sidecar ${child.pid} ready (Party Cost ${this.info.version}, Node ${this.info.node})`);
    this.setState('running');
    return connection;
  }

  private onExit(child: ChildProcess, connection: MessageConnection, code: number | null, signal: NodeJS.Signals | null): void {
    connection.dispose();
    if (this.connection === connection) this.connection = undefined;
    if (this.stopping) return;
    this.options.log(`sidecar ${child.pid} exited (${signal ?? `code ${code}`})`);
    this.crashed(child);
  }

  /** A crash: restart within the policy (the extension re-synchronises its views on "running"), else give up. */
  private crashed(child: ChildProcess): void {
    if (this.child !== child || this.stopping) return;
    this.child = undefined;
    if (!this.policy.crashed()) {
      this.setState('gave up', `the sidecar crashed ${this.policy.maxCrashes} times in ${this.policy.windowMs / 60_000} minutes`);
      return;
    }
    this.setState('restarting');
    // After the failed start (if this was one) has settled, so ready() launches anew instead of returning it.
    setImmediate(() => this.ready().catch(() => {}));
  }

  /** Starts afresh after the policy gave up (the "Restart Sidecar" command). */
  async restart(): Promise<void> {
    await this.stop();
    this.policy.reset();
    this.state = 'stopped';
    await this.ready();
  }

  /** Stops the sidecar and waits for its process to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.connection?.dispose();
    this.connection = undefined;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      child.kill('SIGTERM');
      await gone;
      clearTimeout(timer);
    }
    this.setState('stopped');
  }

  private setState(state: ClientState, detail?: string): void {
    this.state = state;
    this.options.onState?.(state, detail);
  }
}
