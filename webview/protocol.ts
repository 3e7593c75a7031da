/**
 * The contract between the extension and its webviews: every message declared once, imported by both ends. Three
 * kinds (as GitLens's IPC): a command (view → host, no reply), a request (view → host, answered by a reply with
 * the same id, within a timeout), a notification (host → view). Each type has an `is()` guard, so neither end ever
 * switches on bare strings. A view starts from the state embedded in its HTML, then sends the ready command.
 */
import type { Plan } from '../sidecar/planner/plan';
import type { RunReport } from '../sidecar/agents/runner';

/** A command message: fire and forget. */
export interface CommandMessage<P> {
  kind: 'command';
  method: string;
  params: P;
}

/** A request message: the host answers with a reply carrying the same id. */
export interface RequestMessage<P> {
  kind: 'request';
  method: string;
  id: number;
  params: P;
}

/** The host's answer to a request: a result or an error sentence. */
export interface ReplyMessage<R> {
  kind: 'reply';
  method: string;
  id: number;
  result?: R;
  error?: string;
}

/** A notification message: host → view. */
export interface NotificationMessage<P> {
  kind: 'notification';
  method: string;
  params: P;
}

function isMessage(value: unknown, kind: string, method: string): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind && (value as { method?: unknown }).method === method;
}

/** A command the view sends; `is` recognises it on the host. */
export class CommandType<P> {
  readonly kind = 'command';
  constructor(readonly method: string) {}
  is(value: unknown): value is CommandMessage<P> {
    return isMessage(value, 'command', this.method);
  }
}

/** A request the view sends and the host answers. */
export class RequestType<P, R> {
  readonly kind = 'request';
  constructor(readonly method: string) {}
  is(value: unknown): value is RequestMessage<P> {
    return isMessage(value, 'request', this.method) && typeof (value as { id?: unknown }).id === 'number';
  }
  isReply(value: unknown): value is ReplyMessage<R> {
    return isMessage(value, 'reply', this.method) && typeof (value as { id?: unknown }).id === 'number';
  }
}

/** A notification the host sends; `is` recognises it in the view. */
export class NotificationType<P> {
  readonly kind = 'notification';
  constructor(readonly method: string) {}
  is(value: unknown): value is NotificationMessage<P> {
    return isMessage(value, 'notification', this.method);
  }
}

/** view → host: the view has rendered its initial state and listens; the host may now send notifications. */
export const readyCommand = new CommandType<Record<string, never>>('webview/ready');

/** view → host: run the party's delta plan (optionally forcing agents); progress comes as notifications. */
export const runPlanCommand = new CommandType<{ party: string; force?: string[] }>('plan/run');

/** view → host: the party's current delta plan. */
export const getPlanRequest = new RequestType<{ party: string }, Plan>('plan/get');

/** host → view: a new delta plan for the party the view shows (after an edit, a run, a configuration change). */
export const planChangedNotification = new NotificationType<{ party: string; plan: Plan }>('plan/changed');

/** host → view: one agent of a run the view started made progress. */
export const runProgressNotification = new NotificationType<{ party: string; agent: string; action: string; state: 'started' | 'done' | 'failed' }>('run/progress');

/** host → view: the run finished. */
export const runFinishedNotification = new NotificationType<{ party: string; report: RunReport | null; error?: string }>('run/finished');

/** The id of the script element that carries a view's initial state as JSON. */
export const initialStateElementId = 'initial-state';
