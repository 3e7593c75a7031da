import type { Completion, CompletionRequest } from './provider';

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
 * answered within the vendor's window), see where they stand, read the outcomes.
 */
export interface BatchDriver {
  readonly provider: 'openai' | 'anthropic';
  submit(items: BatchItem[]): Promise<string>;
  status(id: string): Promise<BatchStatus>;
  outcomes(id: string): Promise<BatchOutcome[]>;
}
