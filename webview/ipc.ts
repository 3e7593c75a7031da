import { initialStateElementId, readyCommand } from './protocol';
import type { CommandType, NotificationType, ReplyMessage, RequestType } from './protocol';

/** What `acquireVsCodeApi()` gives a webview (the part this code uses). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Where messages from the host arrive: the window, or a stand-in in tests. */
export interface MessageSource {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A request the host did not answer in time, or answered with an error. */
export class RequestFailedError extends Error {}

/**
 * The view's end of the contract: commands, requests with ids and a timeout, notifications by type. Created once
 * per view; `ready()` sends the handshake after the initial render.
 */
export class WebviewIpc {
  private nextId = 1;
  private readonly pending = new Map<number, { settle: (reply: ReplyMessage<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly handlers: { type: NotificationType<unknown>; handler: (params: unknown) => void }[] = [];

  constructor(
    private readonly api: VsCodeApi,
    source: MessageSource,
    private readonly timeoutMs = 30_000,
  ) {
    source.addEventListener('message', (event) => this.receive(event.data));
  }

  command<P>(type: CommandType<P>, params: P): void {
    this.api.postMessage({ kind: 'command', method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestFailedError(`${type.method} got no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        timer,
        settle: (reply) => (reply.error !== undefined ? reject(new RequestFailedError(reply.error)) : resolve(reply.result as R)),
      });
      this.api.postMessage({ kind: 'request', method: type.method, id, params });
    });
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.handlers.push({ type: type as NotificationType<unknown>, handler: handler as (params: unknown) => void });
  }

  /** The handshake: the view has rendered its initial state and listens now. */
  ready(): void {
    this.command(readyCommand, {});
  }

  private receive(message: unknown): void {
    const reply = message as ReplyMessage<unknown>;
    if (reply && typeof reply === 'object' && reply.kind === 'reply') {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      clearTimeout(waiting.timer);
      waiting.settle(reply);
      return;
    }
    for (const { type, handler } of this.handlers) if (type.is(message)) handler(message.params);
  }
}

/** The state the host embedded in the view's HTML, as JSON in `<script type="application/json" id="initial-state">`. */
export function readInitialState<T>(document: { getElementById(id: string): { textContent: string | null } | null }): T | undefined {
  const text = document.getElementById(initialStateElementId)?.textContent;
  return text ? (JSON.parse(text) as T) : undefined;
}
