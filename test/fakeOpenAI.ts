import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Token counts a planned success reports (`cached_tokens` goes into `prompt_tokens_details`). */
export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

/**
 * Which request a planned response answers: a substring of, or a pattern over, the request's last user message.
 * A response without `match` answers the next request whatever it asks.
 */
type Match = { match?: string | RegExp };

export type PlannedResponse = Match &
  (
    | { status: 200; usage?: FakeUsage; content?: string }
    | { status: 429; retryAfterSeconds?: number }
    | { status: 401 | 500 | 503; message?: string }
    | { hang: true }
  );

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The Authorization header as sent. */
  authorization: string | undefined;
  /** The parsed JSON body (model, messages, ...). */
  body: ChatBody;
  /** The content of the last user message, for matching requests to agents. */
  userMessage: string;
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  [field: string]: unknown;
}

export interface FakeOpenAI {
  /** For `new OpenAIProvider({ baseURL })` or the configuration's `provider.baseURL`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Queues responses; each answers the first later request it matches, in the order planned. */
  plan(...responses: PlannedResponse[]): void;
  /** Planned responses no request has taken yet. */
  pending(): PlannedResponse[];
  close(): Promise<void>;
}

/** The content a success carries when the plan names none: derived from the request, so equal prompts answer equally. */
export function defaultContent(userMessage: string): string {
  return `Fake answer to: ${userMessage}`;
}

/** The usage a success reports when the plan names none: about four characters a token, nothing cached. */
export function defaultUsage(body: ChatBody, content: string): FakeUsage {
  const prompt = (body.messages ?? []).reduce((chars, m) => chars + String(m.content ?? '').length, 0);
  return { prompt_tokens: Math.ceil(prompt / 4) + 3, completion_tokens: Math.ceil(content.length / 4), cached_tokens: 0 };
}

/**
 * A local server speaking the OpenAI chat-completions protocol at POST /v1/chat/completions, answering from a plan
 * (successes with given usage, rate limits, server errors, requests that never get an answer) and recording every
 * request. With nothing planned for a request it answers 200.
 */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queue: PlannedResponse[] = [];
  const sockets = new Set<Socket>();
  let sequence = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server failed: ${String(error)}`, type: 'server_error' } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
      return;
    }
    let body: ChatBody;
    try {
      body = JSON.parse(text) as ChatBody;
    } catch {
      sendJson(res, 400, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    const userMessage = lastUserMessage(body);
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body, userMessage });

    const index = queue.findIndex((planned) => matches(planned, userMessage));
    const planned: PlannedResponse = index >= 0 ? queue.splice(index, 1)[0] : { status: 200 };
    if ('hang' in planned) return; // never answered: the client times out and drops the connection

    switch (planned.status) {
      case 200: {
        const content = planned.content ?? defaultContent(userMessage);
        const usage = planned.usage ?? defaultUsage(body, content);
        sequence += 1;
        sendJson(res, 200, {
          id: `chatcmpl-fake-${sequence}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'unknown',
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.prompt_tokens + usage.completion_tokens,
            prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
          },
        });
        return;
      }
      case 429: {
        const headers: Record<string, string> = planned.retryAfterSeconds !== undefined ? { 'retry-after': String(planned.retryAfterSeconds) } : {};
        sendJson(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, headers);
        return;
      }
      case 401:
        // Like OpenAI, the answer shows only a masked form of the key it got.
        sendJson(res, 401, {
          error: { message: planned.message ?? `Incorrect API key provided: ${masked(req.headers.authorization)}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
        });
        return;
      default:
        sendJson(res, planned.status, { error: { message: planned.message ?? 'The server had an error while processing your request.', type: 'server_error' } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    plan: (...responses) => {
      queue.push(...responses);
    },
    pending: () => [...queue],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections and requests left hanging would hold the server open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function matches(planned: PlannedResponse, userMessage: string): boolean {
  if (planned.match === undefined) return true;
  return typeof planned.match === 'string' ? userMessage.includes(planned.match) : planned.match.test(userMessage);
}

function lastUserMessage(body: ChatBody): string {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  const content = users[users.length - 1]?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

function masked(authorization: string | undefined): string {
  const key = authorization?.replace(/^Bearer\s+/i, '') ?? '';
  return key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : '***';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
