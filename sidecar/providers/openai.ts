import OpenAI from 'openai';
import { countChat, countText, tokenizationFor } from '../cost/tokens';
import { openaiExtendedRetention } from './promptCaching';
import { kindOfStatus, malformedAnswer, ProviderError, retryAfterMs } from './provider';
import type { Completion, CompletionRequest, Provider } from './provider';

export interface OpenAIOptions {
  /** OpenAI, Azure OpenAI, or any OpenAI-compatible server (Ollama, vLLM, LM Studio). */
  baseURL?: string;
  /** From the environment or VS Code's secret storage; never from a file, never logged. */
  apiKey?: string;
}

type OpenAIUsage = OpenAI.Completions.CompletionUsage;

/**
 * Chat completions through the `openai` SDK, whole or streamed (`include_usage`); usage is taken from the response:
 * cached prompt tokens as cache reads, `completion_tokens_details.reasoning_tokens` as reasoning (inside output).
 */
export class OpenAIProvider implements Provider {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(options: OpenAIOptions) {
    // A local OpenAI-compatible server usually needs no key; the SDK insists on one.
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'no-key', maxRetries: 0 });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    try {
      return request.onText ? await this.stream(request, request.onText) : await this.whole(request);
    } catch (error) {
      throw classify(error, request.model);
    }
  }

  private async whole(request: CompletionRequest): Promise<Completion> {
    const response = await this.client.chat.completions.create(
      { model: request.model, messages: request.messages, ...retention(request) },
      { signal: request.signal },
    );
    const output = response.choices[0]?.message?.content ?? '';
    return { output, usage: usageOf(response.usage, request, output) };
  }

  private async stream(request: CompletionRequest, onText: (text: string) => void): Promise<Completion> {
    const stream = await this.client.chat.completions.create(
      { model: request.model, messages: request.messages, ...retention(request), stream: true, stream_options: { include_usage: true } },
      { signal: request.signal },
    );
    let output = '';
    let usage: OpenAIUsage | undefined;
    let finished = false;
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content;
      if (text) {
        output += text;
        onText(text);
      }
      if (chunk.choices[0]?.finish_reason) finished = true;
      if (chunk.usage) usage = chunk.usage;
    }
    if (!finished) throw new ProviderError('openai', request.model, 'stream cut', 'the answer stopped before it finished', true);
    return { output, usage: usageOf(usage, request, output) };
  }
}

/** The response's usage in our shape; a server that reports none (some compatible ones) is counted locally. */
export function usageOf(usage: OpenAIUsage | undefined | null, request: CompletionRequest, output: string): Completion['usage'] {
  if (!usage) {
    const { encoding } = tokenizationFor(request.model);
    return {
      inputTokens: countChat(request.messages, encoding),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: countText(output, encoding),
      reasoningTokens: 0,
      source: 'estimated',
    };
  }
  return {
    inputTokens: usage.prompt_tokens,
    cacheReadTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0,
    outputTokens: usage.completion_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    source: 'actual',
  };
}

/** Rate limits, server errors and dropped connections are worth another try; the rest fail with their cause. */
function classify(error: unknown, model: string): Error {
  if (error instanceof ProviderError || error instanceof OpenAI.APIUserAbortError) return error;
  const malformed = malformedAnswer('openai', model, error);
  if (malformed) return malformed;
  if (error instanceof OpenAI.APIConnectionError) return new ProviderError('openai', model, 'connection', `cannot reach the server: ${error.message}`, true);
  if (error instanceof OpenAI.APIError && error.status) {
    const { kind, transient } = kindOfStatus(error.status);
    const hint = kind === 'authentication' ? '; check the API key (OPENAI_API_KEY, or in VS Code "Party Cost: Set API Key")' : '';
    return new ProviderError('openai', model, kind, `${error.message}${hint}`, transient, retryAfterMs(error.headers), error.status);
  }
  if (error instanceof OpenAI.APIError) return new ProviderError('openai', model, 'stream cut', error.message, true);
  return error instanceof Error ? error : new Error(String(error));
}

/** `promptCache: "24h"` on a model with extended retention asks OpenAI to keep the cached prefix for a day. */
export function retention(request: Pick<CompletionRequest, 'model' | 'promptCache'>): { prompt_cache_retention?: '24h' } {
  return request.promptCache === '24h' && openaiExtendedRetention(request.model) ? { prompt_cache_retention: '24h' } : {};
}
