import Anthropic from '@anthropic-ai/sdk';
import type { CacheControlEphemeral, MessageParam, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { countChat, countText } from '../cost/tokens';
import type { ChatMessage } from '../cost/tokens';
import { anthropicCacheMinimum } from './promptCaching';
import { kindOfStatus, malformedAnswer, ProviderError, retryAfterMs } from './provider';
import type { Completion, CompletionRequest, Provider, StablePrefix } from './provider';

export interface AnthropicOptions {
  baseURL?: string;
  /** ANTHROPIC_API_KEY or VS Code's secret storage; never from a file, never logged. */
  apiKey: string;
}

type AnthropicUsage = Anthropic.Messages.Usage;

/**
 * Claude through the official SDK's Messages API, whole or streamed. The stable prefix of the prompt (system, and
 * upstream results placed before the agent's own inputs) gets a `cache_control` breakpoint when it reaches the
 * model's minimum cacheable length, so parties that share it read it from Anthropic's prompt cache.
 */
export class AnthropicProvider implements Provider {
  readonly name = 'anthropic';
  private readonly client: Anthropic;

  constructor(options: AnthropicOptions) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const params = { model: request.model, max_tokens: request.maxOutputTokens, ...anthropicPrompt(request) };
    try {
      if (!request.onText) {
        const message = await this.client.messages.create({ ...params, stream: false }, { signal: request.signal });
        return { output: textOf(message.content), usage: usageOf(message.usage) };
      }
      const stream = this.client.messages.stream(params, { signal: request.signal });
      stream.on('text', request.onText);
      const message = await stream.finalMessage();
      if (!message.stop_reason) throw new ProviderError('anthropic', request.model, 'stream cut', 'the answer stopped before it finished', true);
      return { output: textOf(message.content), usage: usageOf(message.usage) };
    } catch (error) {
      throw classify(error, request.model);
    }
  }
}

/** The system blocks and messages, with the cache breakpoint at the end of a long enough stable prefix. */
export function anthropicPrompt(request: Pick<CompletionRequest, 'model' | 'messages' | 'stablePrefix' | 'promptCache'>): {
  system?: TextBlockParam[];
  messages: MessageParam[];
} {
  const prefix = request.promptCache !== 'off' && request.stablePrefix && endOfPrefix(request.messages, request.stablePrefix);
  const cut = prefix && prefixTokens(request.messages, prefix) >= anthropicCacheMinimum(request.model) ? prefix : undefined;
  const breakpoint: CacheControlEphemeral = request.promptCache === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };
  const blocks = request.messages.map((message, i) => blocksOf(message, i, cut, breakpoint));
  const system = request.messages.flatMap((m, i) => (m.role === 'system' ? blocks[i]! : []));
  const messages = request.messages.flatMap((m, i): MessageParam[] => (m.role === 'system' ? [] : [{ role: m.role, content: blocks[i]! }]));
  return { ...(system.length ? { system } : {}), messages };
}

/** A prefix ending at the very start of a message ends with the message before it. */
function endOfPrefix(messages: ChatMessage[], prefix: StablePrefix): StablePrefix | undefined {
  if (prefix.chars > 0) return prefix;
  return prefix.message > 0 ? { message: prefix.message - 1, chars: messages[prefix.message - 1]!.content.length } : undefined;
}

/** The prefix's size, counted with o200k (Claude's own tokenizer is not public; its counts run somewhat higher). */
function prefixTokens(messages: ChatMessage[], prefix: StablePrefix): number {
  const before = messages.slice(0, prefix.message);
  return (before.length ? countChat(before, 'o200k_base') : 0) + countText(messages[prefix.message]?.content.slice(0, prefix.chars) ?? '', 'o200k_base');
}

/** One message's text blocks: split at the prefix's end, the first part carrying the breakpoint. */
function blocksOf(message: ChatMessage, index: number, cut: StablePrefix | undefined, breakpoint: CacheControlEphemeral): TextBlockParam[] {
  if (!cut || index !== cut.message || cut.chars <= 0) return [{ type: 'text', text: message.content }];
  const prefix = message.content.slice(0, cut.chars);
  const rest = message.content.slice(cut.chars);
  return rest
    ? [
        { type: 'text', text: prefix, cache_control: breakpoint },
        { type: 'text', text: rest },
      ]
    : [{ type: 'text', text: prefix, cache_control: breakpoint }];
}

export function textOf(content: Anthropic.Messages.ContentBlock[]): string {
  return content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** Anthropic's `input_tokens` is the uncached part only: the prompt is it plus the cache writes and reads. */
export function usageOf(usage: AnthropicUsage): Completion['usage'] {
  const written = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + written + read,
    cacheReadTokens: read,
    cacheWriteTokens: written,
    outputTokens: usage.output_tokens,
    reasoningTokens: 0,
    source: 'actual',
  };
}

function classify(error: unknown, model: string): Error {
  if (error instanceof ProviderError || error instanceof Anthropic.APIUserAbortError) return error;
  const malformed = malformedAnswer('anthropic', model, error);
  if (malformed) return malformed;
  if (error instanceof Anthropic.APIConnectionError)
    return new ProviderError('anthropic', model, 'connection', `cannot reach the server: ${error.message}`, true);
  if (error instanceof Anthropic.APIError && error.status) {
    const { kind, transient } = kindOfStatus(error.status);
    const hint = kind === 'authentication' ? '; check the API key (ANTHROPIC_API_KEY, or in VS Code "Party Cost: Set API Key")' : '';
    return new ProviderError('anthropic', model, kind, `${error.message}${hint}`, transient, retryAfterMs(error.headers), error.status);
  }
  // The SDK's own errors mid-stream (an event stream that ends without its message), or the body cut off: worth
  // another try.
  if (error instanceof Anthropic.AnthropicError || error instanceof TypeError)
    return new ProviderError('anthropic', model, 'stream cut', (error as Error).message, true);
  return error instanceof Error ? error : new Error(String(error));
}
