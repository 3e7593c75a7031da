// A decoded ExportTraceServiceRequest (protobufjs messages, from the wire or from OTLP JSON) flattened into
// SpanRecords: ids in hex, times as decimal strings, attributes as plain values.
import type { AttributeValue, Attributes, SpanRecord } from './traceTypes';

/** protobufjs's 64-bit integer (a `long` Long) or a plain number when it fits. */
type Int64 = number | { low: number; high: number };

interface AnyValueMessage {
  /** The name of the oneof member that is set (protobufjs's virtual oneof property). */
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values: AnyValueMessage[] };
  kvlistValue?: { values: KeyValueMessage[] };
  bytesValue?: Uint8Array;
}

interface KeyValueMessage {
  key: string;
  value?: AnyValueMessage | null;
}

interface SpanMessage {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes: KeyValueMessage[];
  status?: { code: number } | null;
}

/** The parts of an ExportTraceServiceRequest message the spans are read from. */
export interface TraceRequestMessage {
  resourceSpans: {
    resource?: { attributes: KeyValueMessage[] } | null;
    scopeSpans: { scope?: { name: string } | null; spans: SpanMessage[] }[];
  }[];
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const maxDepth = 32;

/** Every span of the request, in the order sent. */
export function spanRecords(request: TraceRequestMessage): SpanRecord[] {
  const records: SpanRecord[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = attributes(resourceSpans.resource?.attributes ?? []);
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scopeName = scopeSpans.scope?.name || undefined;
      for (const span of scopeSpans.spans) records.push(spanRecord(span, resource, scopeName));
    }
  }
  return records;
}

function spanRecord(span: SpanMessage, resource: Attributes, scopeName: string | undefined): SpanRecord {
  const record: SpanRecord = {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    name: span.name,
    kind: span.kind,
    startUnixNano: uint64Text(span.startTimeUnixNano),
    endUnixNano: uint64Text(span.endTimeUnixNano),
    attributes: attributes(span.attributes),
    resource,
    statusCode: span.status?.code ?? 0,
  };
  if (span.parentSpanId.length > 0) record.parentSpanId = hex(span.parentSpanId);
  if (scopeName !== undefined) record.scopeName = scopeName;
  return record;
}

/** Lowercase hex of a byte string (ids are 8 or 16 bytes: a table beats a Buffer view). */
export function hex(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += hexDigits[bytes[i]!];
  return text;
}

function attributes(list: KeyValueMessage[], depth = 0): Attributes {
  const out: Record<string, AttributeValue> = Object.create(null);
  for (const { key, value } of list) {
    const plain = value ? anyValue(value, depth) : undefined;
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

function anyValue(value: AnyValueMessage, depth: number): AttributeValue | undefined {
  switch (value.value) {
    case 'stringValue':
      return value.stringValue;
    case 'intValue':
      return int64Number(value.intValue ?? 0);
    case 'doubleValue':
      return value.doubleValue;
    case 'boolValue':
      return value.boolValue;
    case 'arrayValue':
      if (depth >= maxDepth) return undefined;
      return (value.arrayValue?.values ?? []).map((item) => anyValue(item, depth + 1)).filter((item) => item !== undefined);
    case 'kvlistValue':
      return depth >= maxDepth ? undefined : attributes(value.kvlistValue?.values ?? [], depth + 1);
    case 'bytesValue':
      return Buffer.from(value.bytesValue ?? []).toString('base64');
    default:
      return undefined;
  }
}

/** A signed int64 as a number (exact up to 2^53, which token counts never reach). */
function int64Number(value: Int64): number {
  return typeof value === 'number' ? value : value.high * 0x1_0000_0000 + (value.low >>> 0);
}

/** An unsigned fixed64 (a time in nanoseconds, beyond 2^53) as exact decimal text. */
function uint64Text(value: Int64): string {
  if (typeof value === 'number') return String(Math.max(0, Math.trunc(value)));
  return ((BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
}
