import type { ServerResponse } from 'node:http';
import { masked, pieces, sendEvents, sendJson, startStandin } from './standin';
import type { PlannedFailure, Protocol, RecordedRequest, Standin, StandinUsage } from './standin';

/**
 * A local server speaking OpenAI's chat-completions protocol at POST /v1/chat/completions: a JSON completion, or with
 * `stream: true` server-sent chunks ending with the usage chunk (`stream_options.include_usage`) and `[DONE]`.
 */
export function startOpenAIStandin(): Promise<Standin> {
  return startStandin(openAIProtocol, '/v1');
}

let sequence = 0;

function usageOf(usage: StandinUsage) {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
  };
}

export const openAIProtocol: Protocol = {
  route(method, url) {
    return method === 'POST' && url.split('?')[0] === '/v1/chat/completions' ? { streamed: false } : null;
  },

  userText(body) {
    const users = ((body.messages as { role: string; content: unknown }[] | undefined) ?? []).filter((m) => m.role === 'user');
    const content = users[users.length - 1]?.content;
    return typeof content === 'string' ? content : JSON.stringify(content ?? '');
  },

  success(res: ServerResponse, request: RecordedRequest, { content, usage, cut }) {
    const id = `chatcmpl-standin-${++sequence}`;
    const model = String(request.body.model ?? 'unknown');
    const created = Math.floor(Date.now() / 1000);
    if (request.body.stream === true) {
      request.streamed = true;
      const chunk = (delta: object, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      const events = [
        { data: chunk({ role: 'assistant', content: '' }, null) },
        ...pieces(content).map((text) => ({ data: chunk({ content: text }, null) })),
        { data: chunk({}, 'stop') },
        { data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(usage) } },
      ];
      sendEvents(res, events, cut);
      if (!cut) return;
      return;
    }
    const body = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: usageOf(usage),
    };
    if (cut) return cutBody(res, body);
    sendJson(res, 200, body);
  },

  failure(res: ServerResponse, request: RecordedRequest, planned: PlannedFailure) {
    const message = planned.message;
    switch (planned.status) {
      case 429:
        return sendJson(
          res,
          429,
          { error: { message: message ?? 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
          planned.retryAfterSeconds !== undefined ? { 'retry-after': String(planned.retryAfterSeconds) } : {},
        );
      case 401:
        // Like OpenAI, the answer shows the key it got, masked.
        return sendJson(res, 401, {
          error: {
            message: message ?? `Incorrect API key provided: ${masked(request.headers.authorization)}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        });
      case 400:
        return sendJson(res, 400, { error: { message: message ?? 'Invalid request: messages must not be empty.', type: 'invalid_request_error', code: null } });
      default:
        return sendJson(res, planned.status, { error: { message: message ?? 'The server had an error while processing your request.', type: 'server_error' } });
    }
  },
};

/** Headers and half of a JSON body, then the connection drops. */
export function cutBody(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.write(text.slice(0, Math.floor(text.length / 2)));
  res.destroy();
}
