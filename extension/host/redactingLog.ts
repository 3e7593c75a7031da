import type * as vscode from 'vscode';
import { redact } from '../../sidecar/shared/redact';

/** The keys the sidecar was given, so the output channel can take them out of what it shows. */
export const knownKeys: string[] = [];

/** Every text the extension shows (output channel, messages) passes the redactor first. */
export function clean(text: string): string {
  return redact(text, knownKeys);
}

/** The output channel, with every line redacted before it is written. */
export function redactingLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const args = (rest: unknown[]): unknown[] => rest.map((a) => (typeof a === 'string' ? clean(a) : a));
  return {
    get name() {
      return channel.name;
    },
    get logLevel() {
      return channel.logLevel;
    },
    onDidChangeLogLevel: channel.onDidChangeLogLevel,
    trace: (message, ...rest) => channel.trace(clean(message), ...args(rest)),
    debug: (message, ...rest) => channel.debug(clean(message), ...args(rest)),
    info: (message, ...rest) => channel.info(clean(message), ...args(rest)),
    warn: (message, ...rest) => channel.warn(clean(message), ...args(rest)),
    error: (error, ...rest) => channel.error(clean(typeof error === 'string' ? error : (error.stack ?? error.message)), ...args(rest)),
    append: (value) => channel.append(clean(value)),
    appendLine: (value) => channel.appendLine(clean(value)),
    replace: (value) => channel.replace(clean(value)),
    clear: () => channel.clear(),
    show: (preserveFocus?: unknown) => channel.show(preserveFocus as boolean | undefined),
    hide: () => channel.hide(),
    dispose: () => channel.dispose(),
  };
}
