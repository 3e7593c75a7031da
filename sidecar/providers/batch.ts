import { keysIn, redact } from '../shared/redact';
import { providerProfile } from './profiles';
import type { Completion, CompletionRequest, FailureKind } from './provider';
import { kindOfStatus } from './provider';

/** One call of a batch: its id within the batch (ours: party and agent) and the request as a direct call would send it. */
export interface BatchItem {
  customId: string;
  request: Pick<CompletionRequest, 'model' | 'messages' | 'maxOutputTokens' | 'stablePrefix' | 'promptCache'>;
}

/** Where a batch stands, in the vendor's word and ours: still running, or ended (its results can be read). */
export interface BatchStatus {
  id: string;
  ended: boolean;
  /** The vendor's own status (OpenAI's `in_progress`, `completed`, `expired`…; Anthropic's processing status). */
  status: string;
  /** When the whole batch failed or expired before any result: why. */
  failure?: string;
}

/** One call's outcome: its completion (usage as billed, at batch prices), or why it has none. */
export type BatchOutcome = { customId: string; completion: Completion } | { customId: string; failure: 'failed' | 'expired' | 'canceled'; detail: string };

/**
 * A vendor's batch API, as its official SDK speaks it: submit many calls at once (billed at the batch discount,
 * answered within the vendor's window), see where they stand, read the outcomes. Each method fails with a
 * BatchApiError when the vendor refuses or cannot be reached.
 */
export interface BatchDriver {
  readonly provider: 'openai' | 'anthropic';
  submit(items: BatchItem[]): Promise<string>;
  status(id: string): Promise<BatchStatus>;
  outcomes(id: string): Promise<BatchOutcome[]>;
}

/**
 * A call to a vendor's batch API that failed: the vendor, what was being done and why, in one line with no key in
 * it. Nothing retries it as a whole: a batch sent again is a batch paid twice.
 */
export class BatchApiError extends Error {
  constructor(
    readonly provider: BatchDriver['provider'],
    readonly kind: FailureKind,
    step: string,
    detail: string,
    readonly status?: number,
  ) {
    super(redact(`${provider} batch API: ${kind}${status ? ` (${status})` : ''} while ${step}: ${detail}`.replace(/\s+/g, ' '), keysIn(process.env)));
  }

  /** The vendor does not know what was asked for: a batch (or its results) it no longer keeps, or another account's. */
  get notFound(): boolean {
    return this.status === 404;
  }
}

/** The error classes of a vendor's SDK that tell its failures apart (OpenAI's and Anthropic's have the same shape). */
export interface SdkErrors {
  APIError: abstract new (...args: never[]) => Error & { readonly status: number | undefined };
  APIConnectionError: abstract new (...args: never[]) => Error;
}

/** One call to a vendor's batch API (the SDK retries what is worth it); the SDK's failure becomes a BatchApiError. */
export async function batchCall<T>(provider: BatchDriver['provider'], errors: SdkErrors, step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // A connection error is an APIError without a status: told apart first.
    if (error instanceof errors.APIConnectionError) throw new BatchApiError(provider, 'connection', step, `cannot reach the server: ${error.message}`);
    if (!(error instanceof errors.APIError) || !error.status) throw error;
    const { kind } = kindOfStatus(error.status);
    const hint = kind === 'authentication' ? `; check the API key (${providerProfile(provider).keyVariables.join(' or ')})` : '';
    // The SDK's message starts with the status, which the error already names.
    throw new BatchApiError(provider, kind, step, `${error.message.replace(/^\d{3} /, '')}${hint}`, error.status);
  }
}
