import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { defaultContent, sendJson } from './standin';

/**
 * Local servers speaking the vendors' batch protocols as their official SDKs use them: OpenAI's Files and Batch API
 * (a JSONL upload as multipart form data, a batch, its status, output and error files) and Anthropic's Message
 * Batches (create, status, results as JSONL from the batch's results URL). A batch ends after a planned number of
 * status reads; each item succeeds, fails or expires as planned (by a substring of its custom id).
 */
export interface BatchPlan {
  /** Status reads before a batch ends (default 1: the first read says in progress, the second ended). */
  readsBeforeEnd?: number;
  /** Outcomes by a substring of the custom id; others succeed. */
  items?: { match: string; outcome: 'failed' | 'expired' }[];
  /** The whole batch expires with no answer (OpenAI) . */
  expireAll?: boolean;
}

export interface BatchStandin {
  baseURL: string;
  /** Every request, method and path, in order (uploads with their JSONL). */
  requests: { method: string; path: string; body: string }[];
  /** The batches created: id → their items' custom ids. */
  batches: Map<string, string[]>;
  close(): Promise<void>;
}

interface Item {
  customId: string;
  userText: string;
  model: string;
}

interface Batch {
  id: string;
  items: Item[];
  reads: number;
  created: number;
}

/** What a planned outcome says of an item. */
function outcomeOf(plan: BatchPlan, item: Item): 'succeeded' | 'failed' | 'expired' {
  return plan.items?.find((p) => item.customId.includes(p.match))?.outcome ?? 'succeeded';
}

function usageFor(item: Item, content: string): { input: number; output: number } {
  return { input: Math.ceil(item.userText.length / 4) + 10, output: Math.ceil(content.length / 4) };
}

function lastUserText(messages: { role: string; content: unknown }[]): string {
  const users = messages.filter((m) => m.role === 'user');
  const content = users[users.length - 1]?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((block: { text?: string }) => block.text ?? '').join('');
  return '';
}

async function serve(
  basePath: string,
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer, base: string) => Promise<void>,
): Promise<{ baseURL: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on(
      'end',
      () =>
        void handle(req, res, Buffer.concat(chunks), base).catch((error: unknown) =>
          sendJson(res, 500, { error: { message: `stand-in failed: ${String(error)}` } }),
        ),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL: `${base}${basePath}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** OpenAI's Files + Batch API on /v1. */
export async function startOpenAIBatchStandin(plan: BatchPlan = {}): Promise<BatchStandin> {
  const requests: BatchStandin['requests'] = [];
  const files = new Map<string, string>();
  const batches = new Map<string, Batch & { inputFile: string; outputFile?: string; errorFile?: string }>();
  let sequence = 0;
  const view = (b: Batch & { outputFile?: string; errorFile?: string }, status: string) => ({
    id: b.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: null,
    input_file_id: 'file',
    completion_window: '24h',
    status,
    output_file_id: b.outputFile ?? null,
    error_file_id: b.errorFile ?? null,
    created_at: b.created,
    request_counts: { total: b.items.length, completed: 0, failed: 0 },
  });
  const finish = (b: Batch & { outputFile?: string; errorFile?: string }): void => {
    const output: string[] = [];
    const errors: string[] = [];
    for (const item of b.items) {
      const outcome = plan.expireAll ? 'expired' : outcomeOf(plan, item);
      if (outcome === 'succeeded') {
        const content = defaultContent(item.userText);
        const usage = usageFor(item, content);
        const body = {
          id: `chatcmpl-${item.customId}`,
          object: 'chat.completion',
          created: b.created,
          model: item.model,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: {
            prompt_tokens: usage.input,
            completion_tokens: usage.output,
            total_tokens: usage.input + usage.output,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        };
        output.push(
          JSON.stringify({
            id: `batch_req_${++sequence}`,
            custom_id: item.customId,
            response: { status_code: 200, request_id: `req_${sequence}`, body },
            error: null,
          }),
        );
      } else if (outcome === 'expired') {
        errors.push(
          JSON.stringify({
            id: `batch_req_${++sequence}`,
            custom_id: item.customId,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          }),
        );
      } else {
        errors.push(
          JSON.stringify({
            id: `batch_req_${++sequence}`,
            custom_id: item.customId,
            response: {
              status_code: 400,
              request_id: `req_${sequence}`,
              body: { error: { message: 'Invalid request: the model refused the input.', type: 'invalid_request_error' } },
            },
            error: null,
          }),
        );
      }
    }
    if (output.length) files.set((b.outputFile = `file-out-${b.id}`), `${output.join('\n')}\n`);
    if (errors.length) files.set((b.errorFile = `file-err-${b.id}`), `${errors.join('\n')}\n`);
  };
  const server = await serve('/v1', async (req, res, raw) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    requests.push({ method: req.method ?? '', path, body: raw.toString('utf8') });
    if (req.method === 'POST' && path === '/v1/files') {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
      const file = form.get('file') as File;
      const id = `file-in-${++sequence}`;
      files.set(id, await file.text());
      return sendJson(res, 200, {
        id,
        object: 'file',
        bytes: file.size,
        created_at: 0,
        filename: file.name,
        purpose: String(form.get('purpose')),
        status: 'processed',
      });
    }
    if (req.method === 'POST' && path === '/v1/batches') {
      const body = JSON.parse(raw.toString('utf8')) as { input_file_id: string; endpoint: string };
      const input = files.get(body.input_file_id);
      if (!input) return sendJson(res, 404, { error: { message: `no file ${body.input_file_id}` } });
      const items = input
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as { custom_id: string; body: { model: string; messages: { role: string; content: unknown }[] } })
        .map((line) => ({ customId: line.custom_id, model: line.body.model, userText: lastUserText(line.body.messages) }));
      const batch = { id: `batch_${++sequence}`, items, reads: 0, created: Math.floor(Date.now() / 1000), inputFile: body.input_file_id };
      batches.set(batch.id, batch);
      return sendJson(res, 200, view(batch, 'validating'));
    }
    const batchRead = /^\/v1\/batches\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && batchRead) {
      const batch = batches.get(batchRead[1]);
      if (!batch) return sendJson(res, 404, { error: { message: 'No batch found' } });
      batch.reads += 1;
      if (batch.reads <= (plan.readsBeforeEnd ?? 1)) return sendJson(res, 200, view(batch, 'in_progress'));
      if (!batch.outputFile && !batch.errorFile) finish(batch);
      return sendJson(res, 200, view(batch, plan.expireAll ? 'expired' : 'completed'));
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (req.method === 'GET' && content) {
      const text = files.get(content[1]);
      if (text === undefined) return sendJson(res, 404, { error: { message: 'No such file' } });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  });
  return standinOf(server, requests, batches);
}

function standinOf(server: { baseURL: string; close(): Promise<void> }, requests: BatchStandin['requests'], batches: Map<string, Batch>): BatchStandin {
  return {
    baseURL: server.baseURL,
    requests,
    get batches() {
      return new Map([...batches].map(([id, b]) => [id, b.items.map((i) => i.customId)]));
    },
    close: () => server.close(),
  };
}

/** Anthropic's Message Batches on /v1/messages/batches (the SDK's base URL is the server's root). */
export async function startAnthropicBatchStandin(plan: BatchPlan = {}): Promise<BatchStandin> {
  const requests: BatchStandin['requests'] = [];
  const batches = new Map<string, Batch>();
  let sequence = 0;
  const view = (b: Batch, base: string, ended: boolean) => {
    const counts = { processing: ended ? 0 : b.items.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (ended) for (const item of b.items) counts[({ succeeded: 'succeeded', failed: 'errored', expired: 'expired' } as const)[outcomeOf(plan, item)]] += 1;
    const at = new Date(b.created * 1000).toISOString();
    return {
      id: b.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: counts,
      ended_at: ended ? at : null,
      created_at: at,
      expires_at: at,
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${base}/v1/messages/batches/${b.id}/results` : null,
    };
  };
  const server = await serve('', async (req, res, raw, base) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    requests.push({ method: req.method ?? '', path, body: raw.toString('utf8') });
    if (req.method === 'POST' && path === '/v1/messages/batches') {
      const body = JSON.parse(raw.toString('utf8')) as {
        requests: { custom_id: string; params: { model: string; messages: { role: string; content: unknown }[] } }[];
      };
      // As the API checks it: each custom id matches ^[a-zA-Z0-9_-]{1,64}$ and is unique within the batch.
      const ids = body.requests.map((r) => r.custom_id);
      const bad = ids.findIndex((id, i) => !/^[a-zA-Z0-9_-]{1,64}$/.test(id) || ids.indexOf(id) !== i);
      if (bad >= 0) {
        const message = `requests.${bad}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$' and be unique within the batch`;
        return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message } });
      }
      const items = body.requests.map((r) => ({ customId: r.custom_id, model: r.params.model, userText: lastUserText(r.params.messages) }));
      const batch = { id: `msgbatch_${++sequence}`, items, reads: 0, created: Math.floor(Date.now() / 1000) };
      batches.set(batch.id, batch);
      return sendJson(res, 200, view(batch, base, false));
    }
    const read = /^\/v1\/messages\/batches\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && read) {
      const batch = batches.get(read[1]);
      if (!batch) return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'batch not found' } });
      batch.reads += 1;
      return sendJson(res, 200, view(batch, base, batch.reads > (plan.readsBeforeEnd ?? 1)));
    }
    const results = /^\/v1\/messages\/batches\/([^/]+)\/results$/.exec(path);
    if (req.method === 'GET' && results) {
      const batch = batches.get(results[1]);
      if (!batch) return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'batch not found' } });
      const lines = batch.items.map((item) => {
        const outcome = outcomeOf(plan, item);
        if (outcome === 'expired') return { custom_id: item.customId, result: { type: 'expired' } };
        if (outcome === 'failed')
          return {
            custom_id: item.customId,
            result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: too large for this model' } } },
          };
        const content = defaultContent(item.userText);
        const usage = usageFor(item, content);
        const message = {
          id: `msg_${item.customId}`,
          type: 'message',
          role: 'assistant',
          model: item.model,
          content: [{ type: 'text', text: content }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        };
        return { custom_id: item.customId, result: { type: 'succeeded', message } };
      });
      const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
      res.writeHead(200, { 'content-type': 'application/binary', 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
  });
  return standinOf(server, requests, batches);
}
