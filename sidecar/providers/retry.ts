import { setTimeout as delay } from 'node:timers/promises';
import { ProviderError } from './provider';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

export interface RetryPolicy {
  /** Tries after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 10_000, sleep: realSleep };

/**
 * Calls `attempt` until it succeeds, retrying transient failures with exponential backoff and full jitter (or the
 * delay the server asked for). A per-attempt timeout counts as transient; the caller's own abort never does.
 */
export async function withRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, policy: RetryPolicy, signal: AbortSignal, timeoutMs: number): Promise<T> {
  for (let tries = 0; ; tries++) {
    // A timer of our own rather than AbortSignal.timeout: a timeout signal held only by AbortSignal.any can be
    // garbage-collected before it fires, and the attempt then waits for the server forever.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const attemptSignal = AbortSignal.any([signal, timeout.signal]);
    try {
      return await attempt(attemptSignal);
    } catch (error) {
      signal.throwIfAborted();
      const timedOut = attemptSignal.aborted;
      const transient = timedOut || (error instanceof ProviderError && error.transient);
      if (!transient || tries >= policy.retries)
        throw timedOut ? new Error(`timed out after ${timeoutMs} ms (${tries + 1} tries)`) : withTries(error, tries + 1);
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tries * Math.random());
      const asked = error instanceof ProviderError ? error.retryAfterMs : undefined;
      await policy.sleep(Math.min(policy.maxDelayMs, asked ?? backoff), signal);
    } finally {
      clearTimeout(timer);
    }
  }
}

function withTries(error: unknown, tries: number): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(tries > 1 ? `${message} (after ${tries} tries)` : message);
}
