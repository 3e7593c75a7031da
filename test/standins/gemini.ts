import type { ServerResponse } from 'node:http';
import { cutBody } from './openai';
import { pieces, sendEvents, sendJson, startStandin } from './standin';
import type { PlannedFailure, Protocol, RecordedRequest, Standin, StandinUsage } from './standin';

/**
 * A local server speaking the Gemini API as `@google/genai` calls it: POST /v1beta/models/{model}:generateContent
 * (JSON) and :streamGenerateContent?alt=sse (server-sent chunks, the last with the finish reason and usage). Usage as
 * Gemini reports it: `promptTokenCount` includes the cached part; `candidatesTokenCount` excludes the thoughts.
 */
export function startGeminiStandin(): Promise<Standin> {
  return startStandin(geminiProtocol, '');
}

function usageOf(usage: StandinUsage) {
  const thoughts = usage.reasoning ?? 0;
  return {
    promptTokenCount: usage.input,
    cachedContentTokenCount: usage.cacheRead ?? 0,
    candidatesTokenCount: usage.output - thoughts,
    thoughtsTokenCount: thoughts,
    totalTokenCount: usage.input + usage.output,
  };
}

function candidate(text: string, finishReason?: string) {
  return { content: { role: 'model', parts: [{ text }] }, ...(finishReason ? { finishReason } : {}), index: 0 };
}

/** Gemini's errors: google.rpc.Status, with RetryInfo on a rate limit; an unknown key is a 400 with API_KEY_INVALID. */
function statusOf(planned: PlannedFailure): { code: number; status: string; message: string; details: object[] } {
  switch (planned.status) {
    case 429:
      return {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: planned.message ?? 'Resource has been exhausted (e.g. check quota).',
        details:
          planned.retryAfterSeconds !== undefined ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${planned.retryAfterSeconds}s` }] : [],
      };
    case 401:
      return {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: planned.message ?? 'API key not valid. Please pass a valid API key.',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      };
    case 400:
      return { code: 400, status: 'INVALID_ARGUMENT', message: planned.message ?? '* GenerateContentRequest.contents: contents is not specified', details: [] };
    case 503:
    case 529:
      return { code: 503, status: 'UNAVAILABLE', message: planned.message ?? 'The model is overloaded. Please try again later.', details: [] };
    default:
      return { code: 500, status: 'INTERNAL', message: planned.message ?? 'An internal error has occurred.', details: [] };
  }
}

export const geminiProtocol: Protocol = {
  route(method, url) {
    const match = /^\/v1beta\/models\/([^:/?]+):(generateContent|streamGenerateContent)(\?.*)?$/.exec(url);
    return method === 'POST' && match ? { streamed: match[2] === 'streamGenerateContent', model: match[1] } : null;
  },

  userText(body) {
    const users = ((body.contents as { role?: string; parts?: { text?: string }[] }[] | undefined) ?? []).filter((c) => c.role !== 'model');
    return (users[users.length - 1]?.parts ?? []).map((p) => p.text ?? '').join('');
  },

  success(res: ServerResponse, request: RecordedRequest, { content, usage, cut }) {
    request.streamed = request.url.includes(':streamGenerateContent');
    const modelVersion = /models\/([^:]+):/.exec(request.url)?.[1] ?? 'unknown';
    if (!request.streamed) {
      const body = { candidates: [candidate(content, 'STOP')], usageMetadata: usageOf(usage), modelVersion };
      return cut ? cutBody(res, body) : sendJson(res, 200, body);
    }
    const parts = pieces(content);
    const events = parts.map((text, i) => ({
      data: {
        candidates: [candidate(text, i === parts.length - 1 ? 'STOP' : undefined)],
        ...(i === parts.length - 1 ? { usageMetadata: usageOf(usage) } : {}),
        modelVersion,
      },
    }));
    sendEvents(res, events, cut);
  },

  failure(res: ServerResponse, _request: RecordedRequest, planned: PlannedFailure) {
    const status = statusOf(planned);
    sendJson(res, status.code, { error: status });
  },
};
