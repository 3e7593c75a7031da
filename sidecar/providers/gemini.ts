import { ApiError, GoogleGenAI } from '@google/genai';
import type { Content, GenerateContentParameters, GenerateContentResponse, GenerateContentResponseUsageMetadata } from '@google/genai';
import { kindOfStatus, malformedAnswer, ProviderError } from './provider';
import type { Completion, CompletionRequest, Provider } from './provider';

export interface GeminiOptions {
  baseURL?: string;
  /** GEMINI_API_KEY or GOOGLE_API_KEY, or VS Code's secret storage; never from a file, never logged. */
  apiKey: string;
}

/**
 * Gemini through `@google/genai` (2.x, the line for Node 20): generateContent, whole or streamed. Usage from
 * `usageMetadata`: the prompt includes the implicitly cached part; thoughts bill as output.
 */
export class GeminiProvider implements Provider {
  readonly name = 'gemini';
  private readonly client: GoogleGenAI;

  constructor(options: GeminiOptions) {
    this.client = new GoogleGenAI({ apiKey: options.apiKey, ...(options.baseURL ? { httpOptions: { baseUrl: options.baseURL } } : {}) });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const params = geminiParams(request);
    try {
      if (!request.onText) {
        const response = await this.client.models.generateContent(params);
        return { output: response.text ?? '', usage: usageOf(response.usageMetadata, request.model) };
      }
      let output = '';
      let last: GenerateContentResponse | undefined;
      for await (const chunk of await this.client.models.generateContentStream(params)) {
        const text = chunk.text;
        if (text) {
          output += text;
          request.onText(text);
        }
        last = chunk;
      }
      if (!last?.candidates?.[0]?.finishReason) throw new ProviderError('gemini', request.model, 'stream cut', 'the answer stopped before it finished', true);
      return { output, usage: usageOf(last.usageMetadata, request.model) };
    } catch (error) {
      throw classify(error, request.model);
    }
  }
}

function geminiParams(request: CompletionRequest): GenerateContentParameters {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const contents: Content[] = request.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] }));
  return {
    model: request.model,
    contents,
    config: { ...(system ? { systemInstruction: system } : {}), maxOutputTokens: request.maxOutputTokens, abortSignal: request.signal },
  };
}

/** `promptTokenCount` includes the cached part; `candidatesTokenCount` excludes thoughts, which bill as output. */
function usageOf(usage: GenerateContentResponseUsageMetadata | undefined, model: string): Completion['usage'] {
  if (!usage) throw new ProviderError('gemini', model, 'stream cut', 'the answer came without its usage', true);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    inputTokens: usage.promptTokenCount ?? 0,
    cacheReadTokens: usage.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
    source: 'actual',
  };
}

/** The error body Gemini sends: `{ error: { code, message, status, details: [RetryInfo…] } }`. */
interface GeminiErrorBody {
  error?: { message?: string; status?: string; details?: { '@type'?: string; retryDelay?: string; reason?: string }[] };
}

function classify(error: unknown, model: string): Error {
  if (error instanceof ProviderError) return error;
  const malformed = malformedAnswer('gemini', model, error);
  if (malformed) return malformed;
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (error instanceof ApiError) {
    const body = parseBody(error.message);
    // An unknown key is a 400 with reason API_KEY_INVALID.
    const badKey = body?.error?.details?.some((d) => d.reason === 'API_KEY_INVALID') || body?.error?.status === 'UNAUTHENTICATED';
    const { kind, transient } = badKey ? { kind: 'authentication' as const, transient: false } : kindOfStatus(error.status);
    const delay = body?.error?.details?.find((d) => d['@type']?.endsWith('RetryInfo'))?.retryDelay;
    const retryAfter = delay && /^\d+(\.\d+)?s$/.test(delay) ? Number(delay.slice(0, -1)) * 1000 : undefined;
    const hint = kind === 'authentication' ? '; check the API key (GEMINI_API_KEY or GOOGLE_API_KEY, or in VS Code "Party Cost: Set API Key")' : '';
    return new ProviderError('gemini', model, kind, `${body?.error?.message ?? error.message}${hint}`, transient, retryAfter, error.status);
  }
  // fetch's own failures (refused, reset, cut mid-body) and a stream that is not SSE: worth another try.
  if (error instanceof TypeError || (error instanceof Error && /fetch failed|terminated|ECONNRESET|socket|JSON/i.test(error.message))) {
    return new ProviderError('gemini', model, 'connection', error.message, true);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function parseBody(message: string): GeminiErrorBody | undefined {
  try {
    return JSON.parse(message) as GeminiErrorBody;
  } catch {
    return undefined;
  }
}
