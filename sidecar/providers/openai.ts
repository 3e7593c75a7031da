import OpenAI from 'openai';
import { countChat, countText, tokenizationFor } from '../cost/tokens';
import { TransientProviderError } from './provider';
import type { Completion, CompletionRequest, Provider } from './provider';

export interface OpenAIOptions {
  /** OpenAI, Azure OpenAI, or any OpenAI-compatible server (Ollama, vLLM, LM Studio). */
  baseURL?: string;
  /** From the environment or VS Code's secret storage; never from a file, never logged. */
  apiKey?: string;
}

/** Chat completions through the `openai` SDK; usage (cached tokens included) is taken from the response. */
export class OpenAIProvider implements Provider {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(options: OpenAIOptions) {
    if (!options.apiKey && !options.baseURL) {
      throw new Error('the openai provider needs an API key: set OPENAI_API_KEY (or, in VS Code, run "Party Cost: Set OpenAI API Key")');
    }
    // A local OpenAI-compatible server usually needs no key; the SDK insists on one.
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'no-key', maxRetries: 0 });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    try {
      const response = await this.client.chat.completions.create({ model: request.model, messages: request.messages }, { signal: request.signal });
      const output = response.choices[0]?.message?.content ?? '';
      const usage = response.usage;
      if (!usage) {
        const { encoding } = tokenizationFor(request.model);
        return { output, usage: { inputTokens: countChat(request.messages, encoding), cachedTokens: 0, outputTokens: countText(output, encoding), source: 'estimated' } };
      }
      return {
        output,
        usage: {
          inputTokens: usage.prompt_tokens,
          cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
          outputTokens: usage.completion_tokens,
          source: 'actual',
        },
      };
    } catch (error) {
      throw classify(error);
    }
  }
}

/** Rate limits, server errors and dropped connections are worth another try; the rest fail with their cause. */
function classify(error: unknown): Error {
  if (error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIConnectionError) return new TransientProviderError(`cannot reach the provider: ${error.message}`);
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const detail = `provider answered ${status}: ${error.message}`;
    if (status === 429 || status === 408 || status === 409 || status >= 500) return new TransientProviderError(detail, retryAfterMs(error.headers));
    if (status === 401) return new Error(`${detail}; check the API key (OPENAI_API_KEY)`);
    return new Error(detail);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after-ms') ?? headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isNaN(seconds)) return undefined;
  return headers?.get('retry-after-ms') ? seconds : seconds * 1000;
}
