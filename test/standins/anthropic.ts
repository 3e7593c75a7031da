import type { ServerResponse } from 'node:http';
import { cutBody } from './openai';
import { masked, pieces, sendEvents, sendJson, startStandin } from './standin';
import type { PlannedFailure, Protocol, RecordedRequest, Standin, StandinUsage } from './standin';

/**
 * A local server speaking Anthropic's Messages API at POST /v1/messages: a JSON message, or with `stream: true` the
 * events message_start, content_block_start/delta/stop, message_delta, message_stop. Usage as Anthropic reports it:
 * `input_tokens` is the uncached part only, beside `cache_creation_input_tokens` and `cache_read_input_tokens`.
 */
export function startAnthropicStandin(): Promise<Standin> {
  return startStandin(anthropicProtocol, '');
}

let sequence = 0;

function usageOf(usage: StandinUsage, output = usage.output) {
  const read = usage.cacheRead ?? 0;
  const written = usage.cacheWrite ?? 0;
  return { input_tokens: usage.input - read - written, cache_creation_input_tokens: written, cache_read_input_tokens: read, output_tokens: output };
}

/** Block texts of a message's content, or the string itself. */
function texts(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((block: { text?: string }) => block.text ?? '').join('') : '';
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'api_error',
  529: 'overloaded_error',
};

export const anthropicProtocol: Protocol = {
  firstEvent: 'message_start',
  route(method, url) {
    return method === 'POST' && url.split('?')[0] === '/v1/messages' ? { streamed: false } : null;
  },

  userText(body) {
    const users = ((body.messages as { role: string; content: unknown }[] | undefined) ?? []).filter((m) => m.role === 'user');
    return texts(users[users.length - 1]?.content);
  },

  success(res: ServerResponse, request: RecordedRequest, { content, usage, cut }) {
    const id = `msg_standin_${++sequence}`;
    const model = String(request.body.model ?? 'unknown');
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: content }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: usageOf(usage),
    };
    if (request.body.stream !== true) return cut ? cutBody(res, message) : sendJson(res, 200, message);
    request.streamed = true;
    const events = [
      { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: usageOf(usage, 1) } } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      ...pieces(content).map((text) => ({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      })),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ];
    sendEvents(res, events, cut);
  },

  failure(res: ServerResponse, request: RecordedRequest, planned: PlannedFailure) {
    const type = errorTypes[planned.status] ?? 'api_error';
    const fallback: Record<number, string> = {
      400: 'messages: at least one message is required',
      401: `invalid x-api-key: ${masked(String(request.headers['x-api-key'] ?? request.headers.authorization ?? ''))}`,
      429: 'Number of request tokens has exceeded your per-minute rate limit',
      529: 'Overloaded',
    };
    const headers: Record<string, string> =
      planned.status === 429 && planned.retryAfterSeconds !== undefined ? { 'retry-after': String(planned.retryAfterSeconds) } : {};
    sendJson(res, planned.status, { type: 'error', error: { type, message: planned.message ?? fallback[planned.status] ?? 'Internal server error' } }, headers);
  },
};
