import * as vscode from 'vscode';
import { disposeAll } from '../host/lifecycle';
import { readyCommand, runActionCommand, viewActions } from '../../webview/protocol';
import type { CommandType, NotificationType, RequestType, ViewName, ViewState } from '../../webview/protocol';
import { webviewHtml, webviewRoot } from './webviewHtml';

/** When a view painted its first state, measured from the moment its host was created. */
export interface ViewPaint {
  view: ViewName;
  ms: number;
}

const paints = new vscode.EventEmitter<ViewPaint>();
/** Fires each time a view paints its initial state (the bench measures command-to-first-paint with it). */
export const onDidPaintView = paints.event;

type Handler = (params: unknown) => unknown;

/** How long a view may take to send its ready handshake before its page is loaded again. */
export const readyTimeoutMs = 4000;
/**
 * How long a page that has not started is loaded again: code-server's webview service worker waits 30 s on a
 * resource request it will not get an answer for, and no new webview starts meanwhile (see reloadUntilReady).
 */
export const startWithinMs = 45_000;

/**
 * The host's end of one webview: renders the page with the initial state, waits for the ready handshake, then sends
 * state notifications; answers the view's requests and runs its commands. Holds its own disposables.
 */
export class ViewHost<S extends ViewState> implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private painted = false;
  /** The state written into the page; a page reloaded after being hidden starts from it again. */
  private readonly htmlState: S;
  private readonly created = performance.now();
  private readonly commands = new Map<string, { type: CommandType<unknown>; handler: Handler }>();
  private readonly requests = new Map<string, { type: RequestType<unknown, unknown>; handler: Handler }>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  private readonly page: () => string;

  constructor(
    private readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    private readonly stateType: NotificationType<S>,
    private state: S,
    title: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)] };
    webview.html = webviewHtml(webview, extensionUri, state, title);
    this.htmlState = state;
    this.disposables.push(webview.onDidReceiveMessage((message: unknown) => void this.receive(message)));
    this.page = () => webviewHtml(webview, extensionUri, state, title);
  }

  /** Resolves true once the view has sent its ready handshake, false if it has not within `timeoutMs`. */
  whenReady(timeoutMs = readyTimeoutMs): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * In a browser-hosted VS Code (code-server), a webview can come up blank. Each webview registers its own version
   * of the service worker that serves webview resources and waits until that version takes over; the browser lets
   * it take over only once the current version has no request in flight, and a request whose page was closed
   * before its answer came stays in flight for the worker's 30 s timeout. Meanwhile every new webview waits, and a
   * page whose resource request was lost that way never runs its script. Opening the panel anew registers yet
   * another version and waits the same; writing the page again is what helps: it waits for the worker as before,
   * and loads its scripts afresh once the worker serves them. So: written again every few seconds until the view
   * starts or `startWithinMs` passes (then the view stays blank, with a warning). Resolves true once started.
   */
  async reloadUntilReady(withinMs = startWithinMs): Promise<boolean> {
    // Each round waits `readyTimeoutMs` for the handshake: `waited` is the time since the page was first written.
    for (let waited = readyTimeoutMs; ; waited += readyTimeoutMs) {
      if (await this.whenReady()) return true;
      if (this.disposed) return false;
      if (waited >= withinMs) {
        this.log.warn(`the ${this.state.view} view did not start within ${Math.round(withinMs / 1000)} s; close it and open it again`);
        return false;
      }
      this.log.warn(`the ${this.state.view} view did not start within ${waited / 1000} s; loading its page again`);
      try {
        this.webview.html = this.page();
      } catch {
        return false; // closed meanwhile: VS Code refuses a disposed webview's page
      }
    }
  }

  get current(): S {
    return this.state;
  }

  /** The view's new state: sent now if the view listens, else once it is ready. */
  update(state: S): void {
    this.state = state;
    if (!this.ready) return;
    void this.webview.postMessage({ kind: 'notification', method: this.stateType.method, params: state });
  }

  onCommand<P>(type: CommandType<P>, handler: (params: P) => unknown): void {
    this.commands.set(type.method, { type: type as CommandType<unknown>, handler: handler as Handler });
  }

  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => Promise<R> | R): void {
    this.requests.set(type.method, { type: type as RequestType<unknown, unknown>, handler: handler as Handler });
  }

  /** A message from the page: nothing ill-typed reaches a handler; what does not fit is logged and ignored. */
  private async receive(message: unknown): Promise<void> {
    if (readyCommand.is(message)) return this.onReady();
    if (runActionCommand.is(message)) {
      const problem = runActionCommand.problem(message);
      if (problem) this.log.warn(`the ${this.state.view} view asked for a command views may not run (${problem})`);
      else if (viewActions.includes(message.params.command)) void vscode.commands.executeCommand(message.params.command);
      return;
    }
    const method = (message as { method?: unknown })?.method;
    const command = typeof method === 'string' ? this.commands.get(method) : undefined;
    if (command?.type.is(message)) {
      const problem = command.type.problem(message);
      if (problem) return this.log.warn(`ignored ${message.method} from the ${this.state.view} view: ${problem}`);
      return void this.safely(() => command.handler(message.params));
    }
    const request = typeof method === 'string' ? this.requests.get(method) : undefined;
    if (request?.type.is(message)) {
      const problem = request.type.problem(message);
      if (!problem) return this.answer(request.handler, message.id, message.method, message.params);
      this.log.warn(`refused ${message.method} from the ${this.state.view} view: ${problem}`);
      return void this.webview.postMessage({ kind: 'reply', method: message.method, id: message.id, error: `invalid params: ${problem}` });
    }
    this.log.warn(`a view sent a message no handler takes: ${JSON.stringify(message)?.slice(0, 200)}`);
  }

  private onReady(): void {
    this.ready = true;
    for (const waiter of this.readyWaiters.splice(0)) waiter();
    if (!this.painted) paints.fire({ view: this.state.view, ms: performance.now() - this.created });
    this.painted = true;
    // The state may have moved on since the page was written (while it loaded, or while it was hidden).
    if (this.state !== this.htmlState) this.update(this.state);
  }

  private async answer(handler: Handler, id: number, method: string, params: unknown): Promise<void> {
    try {
      const result = await handler(params);
      void this.webview.postMessage({ kind: 'reply', method, id, result });
    } catch (error) {
      void this.webview.postMessage({ kind: 'reply', method, id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async safely(work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (error) {
      void vscode.window.showErrorMessage(`Party Cost: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    disposeAll(this.disposables);
  }
}
