import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceDecodeError, decodeTraceRequest, formatOf } from '../traces/otlpDecode';
import { mapSpans } from '../traces/spanMapping';
import { ingest } from './productionService';
import type { IngestReport } from './productionService';
import type { Workspace } from './workspace';

/**
 * An OTLP/HTTP trace receiver (OpenTelemetry's protocol specification, "OTLP/HTTP"): `POST /v1/traces` with an
 * ExportTraceServiceRequest in `application/x-protobuf` or `application/json`, gzip-encoded or not. A batch is
 * answered 200 (an empty ExportTraceServiceResponse in the request's encoding) only once its calls are committed to
 * the ledger (in one transaction), so an answered batch is never lost and an exporter retries what was not answered. A body that does not
 * decode is 400 (not retryable: the same body fails again); one above 20 MiB is 413; a database that cannot be written
 * is 503 with Retry-After, so the exporter tries again.
 */

/** The largest body accepted (OTLP exporters send a few MiB at most). */
export const maxBodyBytes = 20 * 1024 * 1024;

export interface CollectorOptions {
  port: number;
  host: string;
  /** Each batch recorded, with the request's span count. */
  onBatch?: (report: IngestReport, spans: number) => void;
  /** A request refused (its status and why), for the log. */
  onRefused?: (status: number, reason: string) => void;
}

export interface RunningCollector {
  /** Where it listens (the port chosen when 0 was asked). */
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the receiver; it stops with `close()` (requests in flight are finished first). */
export function startCollector(ws: Workspace, options: CollectorOptions): Promise<RunningCollector> {
  const server = createServer((request, response) => {
    handle(ws, request, response, options).catch((error: Error) => refuse(response, 500, `internal error: ${error.message}`, options));
  });
  server.requestTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        host: address.address,
        port: address.port,
        url: `http://${host}:${address.port}/v1/traces`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function handle(ws: Workspace, request: IncomingMessage, response: ServerResponse, options: CollectorOptions): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/v1/traces') return refuse(response, 404, `${path} is not served: traces go to /v1/traces`, options);
  if (request.method !== 'POST') return refuse(response, 405, 'traces are sent with POST', options, { Allow: 'POST' });
  const contentType = request.headers['content-type'];
  let format: ReturnType<typeof formatOf>;
  try {
    format = formatOf(contentType);
  } catch (error) {
    return refuse(response, 415, (error as Error).message, options);
  }
  if (!format) return refuse(response, 415, 'no content type: OTLP/HTTP bodies are application/x-protobuf or application/json', options);
  const body = await readBody(request);
  if (body === 'too large') return refuse(response, 413, `the body is over the ${maxBodyBytes}-byte limit`, options, { Connection: 'close' });
  let spans: ReturnType<typeof decodeTraceRequest>;
  try {
    spans = decodeTraceRequest(body, contentType, header(request.headers['content-encoding']));
  } catch (error) {
    if (error instanceof TraceDecodeError) return refuse(response, 400, error.message, options);
    throw error;
  }
  let report: IngestReport;
  try {
    report = ingest(ws, mapSpans(spans), 'collected');
  } catch (error) {
    // The ledger could not take it (locked, full, read-only): not answered as received, so the exporter retries.
    return refuse(response, 503, `the ledger cannot be written now: ${(error as Error).message}`, options, { 'Retry-After': '5' });
  }
  options.onBatch?.(report, spans.length);
  // An empty ExportTraceServiceResponse: every span accepted.
  if (format === 'json') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{}');
  } else {
    response.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': '0' });
    response.end();
  }
}

/**
 * The request's body, or `too large` past the limit: the rest is read and dropped (kept nowhere), so the client
 * hears the 413 instead of a reset connection; a sender that does not stop after three times the limit is cut off.
 */
function readBody(request: IncomingMessage): Promise<Uint8Array | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(request.headers['content-length']);
    if (declared > 3 * maxBodyBytes) {
      resolve('too large');
      request.destroy();
      return;
    }
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else if (size > 3 * maxBodyBytes) request.destroy();
    });
    request.on('end', () => resolve(size > maxBodyBytes ? 'too large' : Buffer.concat(chunks)));
    request.on('close', () => resolve('too large'));
    request.on('error', reject);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An error answer: OTLP's Status message as JSON (`{"code", "message"}`), a line of text for the log. */
function refuse(response: ServerResponse, status: number, reason: string, options: CollectorOptions, headers: Record<string, string> = {}): void {
  options.onRefused?.(status, reason);
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify({ code: status === 400 ? 3 : status === 503 ? 14 : 2, message: reason }));
}
