import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What a stand-in for a model vendor shares, whatever protocol it speaks: a plan of answers, each taken by the first
 * later request it matches, and a record of every request. The vendor modules (openai.ts, anthropic.ts, gemini.ts)
 * speak the protocols as the official SDKs parse them: JSON, and server-sent events when the request streams.
 */

/** Token counts a success reports, vendor-neutral: each vendor module puts them in its own fields. */
export interface StandinUsage {
  /** The whole prompt, cache parts included. */
  input: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** The whole answer, reasoning included. */
  output: number;
  reasoning?: number;
}

/** Which request a planned answer takes: a substring of, or a pattern over, the request's last user text. */
type Match = { match?: string | RegExp };

export type Planned = Match &
  (
    | { status: 200; usage?: StandinUsage; content?: string; cut?: boolean }
    | { status: 429; retryAfterSeconds?: number; message?: string }
    | { status: 400 | 401 | 500 | 503 | 529; message?: string }
    | { hang: true }
    /** A whole answer, status 200, that is not the vendor's JSON: a broken body, or a stream event that does not parse. */
    | { malformed: true }
  );

export type PlannedSuccess = Extract<Planned, { status: 200 }>;
export type PlannedFailure = Exclude<Planned, { status: 200 } | { hang: true } | { malformed: true }>;

/** One request a stand-in received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The last user message's text, for matching requests to agents. */
  userText: string;
  streamed: boolean;
}

/** How one vendor's protocol reads a request and writes answers. */
export interface Protocol {
  /** The route of a model call, or null for any other path (answered 404). */
  route(method: string, url: string): { streamed: boolean; model?: string } | null;
  userText(body: Record<string, unknown>): string;
  success(res: ServerResponse, request: RecordedRequest, answer: { content: string; usage: StandinUsage; cut: boolean }): void;
  failure(res: ServerResponse, request: RecordedRequest, planned: PlannedFailure): void;
  /** The event name a stream's first event carries, where the vendor names its events (its SDK skips unnamed ones). */
  firstEvent?: string;
}

export interface Standin {
  /** Where the SDK is pointed (its base URL). */
  baseURL: string;
  requests: RecordedRequest[];
  plan(...answers: Planned[]): void;
  pending(): Planned[];
  close(): Promise<void>;
}

/** The content a success carries when the plan names none: derived from the request, so equal prompts answer equally. */
export function defaultContent(userText: string): string {
  return `Fake answer to: ${userText}`;
}

/** The usage a success reports when the plan names none: about four characters a token, nothing cached. */
export function defaultUsage(body: Record<string, unknown>, content: string): StandinUsage {
  return { input: Math.ceil(JSON.stringify(body).length / 4), output: Math.ceil(content.length / 4) };
}

export async function startStandin(protocol: Protocol, basePath: string): Promise<Standin> {
  const requests: RecordedRequest[] = [];
  const queue: Planned[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `stand-in failed: ${String(error)}` } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const route = protocol.route(req.method ?? '', req.url ?? '');
    if (!route) return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { error: { message: 'the body is not JSON' } });
    }
    const request: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      userText: protocol.userText(body),
      streamed: route.streamed,
    };
    requests.push(request);
    const index = queue.findIndex(
      (planned) =>
        planned.match === undefined || (typeof planned.match === 'string' ? request.userText.includes(planned.match) : planned.match.test(request.userText)),
    );
    const planned: Planned = index >= 0 ? queue.splice(index, 1)[0] : { status: 200 };
    if ('hang' in planned) return; // never answered: the client times out and drops the connection
    if ('malformed' in planned) return sendMalformed(res, route.streamed || body.stream === true, protocol.firstEvent);
    if (planned.status !== 200) return protocol.failure(res, request, planned);
    const content = planned.content ?? defaultContent(request.userText);
    protocol.success(res, request, { content, usage: planned.usage ?? defaultUsage(body, content), cut: planned.cut === true });
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
    baseURL: `http://127.0.0.1:${port}${basePath}`,
    requests,
    plan: (...answers) => void queue.push(...answers),
    pending: () => [...queue],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections and requests left hanging would hold the server open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Server-sent events, one `data:` (and optional `event:`) per event. With `cut`, the connection is destroyed after
 * about half of them: the stream ends mid-way, as a dropped connection does.
 */
export function sendEvents(res: ServerResponse, events: { event?: string; data: unknown }[], cut: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const shown = cut ? events.slice(0, Math.max(1, Math.floor(events.length / 2))) : events;
  for (const { event, data } of shown) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  if (cut) res.destroy();
  else res.end();
}

/** A complete answer that does not parse: JSON cut short but with its full length declared, or an event of such JSON. */
function sendMalformed(res: ServerResponse, streamed: boolean, event: string | undefined): void {
  const broken = '{"id":"answer-1","choices":[{"index":0,';
  if (!streamed) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(broken) });
    return void res.end(broken);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.end(`${event ? `event: ${event}\n` : ''}data: ${broken}\n\n`);
}

/** Text split into a few pieces, as a stream delivers it. */
export function pieces(text: string, count = 3): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/** A key shown as the vendors' error messages show it: its start and end only. */
export function masked(key: string | undefined): string {
  const bare = key?.replace(/^Bearer\s+/i, '') ?? '';
  return bare.length > 8 ? `${bare.slice(0, 3)}${'*'.repeat(bare.length - 7)}${bare.slice(-4)}` : '***';
}
