import type { ChatMessage } from '../cost/tokens';
import type { Usage } from '../contract/party';
import { keysIn, redact } from '../shared/redact';
import type { ProviderName } from './profiles';

/**
 * The part of a prompt that repeats across parties (the system message, and upstream results placed before the
 * agent's own inputs): messages before `message` whole, and `messages[message]` up to character `chars`. Providers
 * with explicit prompt caching put their breakpoint at its end.
 */
export interface StablePrefix {
  message: number;
  chars: number;
}

/** One model call an agent makes. */
export interface CompletionRequest {
  agent: string;
  model: string;
  messages: ChatMessage[];
  expectedOutputTokens: number;
  /** The most tokens the answer may take (Anthropic requires one). */
  maxOutputTokens: number;
  stablePrefix?: StablePrefix;
  /** The agent's `promptCache`: Anthropic's breakpoint lifetime or none, OpenAI's extended retention. */
  promptCache?: '5m' | '1h' | '24h' | 'off';
  /** The agent's `batch`: its call goes through the vendor's Batch API (priced at the batch discount). */
  batch?: boolean;
  signal: AbortSignal;
  /** Stream the answer; each piece of text is passed here as it arrives, and usage comes with the end. */
  onText?: (text: string) => void;
}

export interface Completion {
  output: string;
  usage: Usage;
}

/** A model provider: the offline generator, or a driver speaking one vendor's protocol through its official SDK. */
export interface Provider {
  readonly name: ProviderName;
  complete(request: CompletionRequest): Promise<Completion>;
}

/** Why a call failed, as far as deciding what to do next goes. */
export type FailureKind =
  | 'rate limited'
  | 'overloaded'
  | 'server error'
  | 'timeout'
  | 'connection'
  | 'stream cut'
  | 'malformed answer'
  | 'invalid request'
  | 'authentication'
  | 'not found'
  | 'refused';

/**
 * A provider call that failed, naming the provider, the model and the cause; `transient` failures are worth another
 * try (after `retryAfterMs` when the server asked for a delay).
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly model: string,
    readonly kind: FailureKind,
    detail: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    // A vendor's message may quote the key it was sent: it never leaves in one.
    super(redact(`${provider} ${model}: ${kind}${status ? ` (${status})` : ''}: ${detail}`, keysIn(process.env)));
  }
}

/** A provider that cannot be used as configured (no key, a bad base URL): fails the agent at once. */
export class ProviderSetupError extends Error {}

/**
 * An answer that does not parse (a proxy's error page, a body or stream event broken in transit): worth another try,
 * as the next answer is likely whole; `undefined` for any other error.
 */
export function malformedAnswer(provider: ProviderName, model: string, error: unknown): ProviderError | undefined {
  const cause = error instanceof Error && error.cause instanceof SyntaxError ? error.cause : error;
  if (!(cause instanceof SyntaxError)) return undefined;
  return new ProviderError(provider, model, 'malformed answer', `the answer is not valid JSON (${cause.message})`, true);
}

/** The failure kind and whether it is transient, from an HTTP status. */
export function kindOfStatus(status: number): { kind: FailureKind; transient: boolean } {
  if (status === 429) return { kind: 'rate limited', transient: true };
  if (status === 529) return { kind: 'overloaded', transient: true };
  if (status === 503) return { kind: 'overloaded', transient: true };
  if (status === 408 || status === 504) return { kind: 'timeout', transient: true };
  if (status === 409 || status >= 500) return { kind: 'server error', transient: true };
  if (status === 401 || status === 403) return { kind: 'authentication', transient: false };
  if (status === 404) return { kind: 'not found', transient: false };
  return { kind: status === 400 || status === 413 || status === 422 ? 'invalid request' : 'refused', transient: false };
}

/** A delay the server asked for: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  if (Number.isFinite(Number(after))) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
