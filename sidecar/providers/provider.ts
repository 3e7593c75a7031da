import type { ChatMessage } from '../cost/tokens';
import type { Usage } from '../contract/party';

/** One model call an agent makes. */
export interface CompletionRequest {
  agent: string;
  model: string;
  messages: ChatMessage[];
  expectedOutputTokens: number;
  signal: AbortSignal;
}

export interface Completion {
  output: string;
  usage: Usage;
}

/** Something that answers chat completions: the offline generator or an OpenAI-compatible server. */
export interface Provider {
  readonly name: 'offline' | 'openai';
  complete(request: CompletionRequest): Promise<Completion>;
}

/**
 * A provider failure worth another try (rate limit, server error, timeout, dropped connection), with the delay the
 * server asked for, if any.
 */
export class TransientProviderError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
