// An OTLP/HTTP trace body, as `POST /v1/traces` receives it, into SpanRecords: protobuf or JSON by content type,
// gzip by content encoding. The protobuf is decoded by protobufjs against opentelemetry-proto's schema, never by hand.
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { exportTraceRequestType } from './otlpSchema';
import { requestFromJson } from './otlpJson';
import { spanRecords, type TraceRequestMessage } from './otlpMessages';
import type { SpanRecord } from './traceTypes';

/** The encodings of an ExportTraceServiceRequest. */
export type OtlpFormat = 'protobuf' | 'json';

/** Limits of one decode. */
export interface DecodeOptions {
  /** Refuse a gzip body that inflates past this many bytes (default 64 MiB): a small body must not fill memory. */
  maxInflatedBytes?: number;
}

/** A body that could not be decoded. Its message is one line naming the cause, meant to be shown as it is. */
export class TraceDecodeError extends Error {
  override name = 'TraceDecodeError';
  /** Where in the (inflated) protobuf body decoding stopped, when it was protobuf. */
  readonly offset?: number;

  constructor(message: string, offset?: number) {
    super(message.replace(/\s*\n\s*/g, ' '));
    if (offset !== undefined) this.offset = offset;
  }
}

const defaultMaxInflated = 64 * 1024 * 1024;
const gzipMagic = [0x1f, 0x8b];

/**
 * The spans of an OTLP/HTTP `ExportTraceServiceRequest` body.
 * @param contentType the request's Content-Type (`application/x-protobuf`, `application/json`, parameters allowed);
 *   absent: JSON if the body starts with `{`, else protobuf.
 * @param contentEncoding the request's Content-Encoding: `gzip`, or absent / `identity`. A gzip body is also
 *   recognised by its magic bytes, which neither encoding can start with.
 * @throws TraceDecodeError with a one-line message when the body cannot be read.
 */
export function decodeTraceRequest(body: Uint8Array, contentType?: string, contentEncoding?: string, options: DecodeOptions = {}): SpanRecord[] {
  const named = formatOf(contentType);
  const bytes = inflate(body, contentEncoding, options.maxInflatedBytes ?? defaultMaxInflated);
  const format = named ?? sniff(bytes);
  return spanRecords(format === 'json' ? decodeJson(bytes) : decodeProtobuf(bytes));
}

/**
 * The spans of an OTLP/JSON `ExportTraceServiceRequest` already parsed (a line of the Collector's file exporter).
 * @throws TraceDecodeError with a one-line message when the value does not fit the schema.
 */
export function spansOfJsonRequest(value: unknown): SpanRecord[] {
  try {
    return spanRecords(requestFromJson(value));
  } catch (error) {
    throw new TraceDecodeError(`OTLP JSON does not fit ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}

/** The format a Content-Type names; undefined when absent. */
export function formatOf(contentType: string | undefined): OtlpFormat | undefined {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!media) return undefined;
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  throw new TraceDecodeError(`unsupported content type "${media}": OTLP/HTTP bodies are application/x-protobuf or application/json`);
}

function inflate(body: Uint8Array, contentEncoding: string | undefined, maxBytes: number): Uint8Array {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (!['', 'identity', 'gzip', 'x-gzip'].includes(encoding)) {
    throw new TraceDecodeError(`unsupported content encoding "${encoding}": OTLP/HTTP bodies are gzip or not encoded`);
  }
  const gzipped = encoding.endsWith('gzip') || (body[0] === gzipMagic[0] && body[1] === gzipMagic[1]);
  if (!gzipped) return body;
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TraceDecodeError(`gzip body inflates past ${Math.round(maxBytes / 1024 / 1024)} MiB`);
    }
    throw new TraceDecodeError(`gzip body does not inflate: ${(error as Error).message}`);
  }
}

function sniff(bytes: Uint8Array): OtlpFormat {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b ? 'json' : 'protobuf';
  }
  return 'protobuf';
}

function decodeProtobuf(bytes: Uint8Array): TraceRequestMessage {
  // One reader for the whole body (nested messages are read from it), so its position is where decoding stopped.
  const reader = protobuf.Reader.create(bytes);
  try {
    return exportTraceRequestType().decode(reader) as unknown as TraceRequestMessage;
  } catch (error) {
    const message = (error as Error).message;
    const at = /offset \d+/.test(message) ? '' : ` at offset ${reader.pos}`;
    throw new TraceDecodeError(`OTLP protobuf body does not decode: ${message}${at}`, reader.pos);
  }
}

function decodeJson(bytes: Uint8Array): TraceRequestMessage {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TraceDecodeError('OTLP JSON body is not UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TraceDecodeError(`OTLP JSON body is not JSON: ${(error as Error).message}`);
  }
  try {
    return requestFromJson(value);
  } catch (error) {
    throw new TraceDecodeError(`OTLP JSON body does not fit ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}
