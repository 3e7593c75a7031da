// OTLP/JSON into the same protobufjs message the wire format decodes to. OTLP/JSON differs from protobuf's canonical
// JSON mapping in two ways protobufjs's fromObject does not know: trace and span ids are hex, not base64, and
// receivers accept the proto's snake_case field names beside lowerCamelCase. Both are normalised first; fromObject
// then checks every field's type and reads int64 given as a string or a number and enums given by number or name.
import { exportTraceRequestType } from './otlpSchema';
import type { TraceRequestMessage } from './otlpMessages';

/** The fields that hold ids in hex (spans' and links' trace, span and parent span ids). */
const idFields = new Set(['traceId', 'spanId', 'parentSpanId']);
const hexPattern = /^(?:[0-9a-fA-F]{2})*$/;

/** Thrown when an OTLP/JSON request does not fit the schema; the message is one line. */
export class OtlpJsonError extends Error {
  override name = 'OtlpJsonError';
}

/** A parsed OTLP/JSON `ExportTraceServiceRequest` as a protobufjs message. */
export function requestFromJson(value: unknown): TraceRequestMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OtlpJsonError(`expected an ExportTraceServiceRequest object, got ${describe(value)}`);
  }
  try {
    return exportTraceRequestType().fromObject(normalise(value) as Record<string, unknown>) as unknown as TraceRequestMessage;
  } catch (error) {
    if (error instanceof OtlpJsonError) throw error;
    // protobufjs names the field by its type's full name: ".opentelemetry.proto.trace.v1.Span.attributes: array expected".
    throw new OtlpJsonError(String((error as Error).message).replace(/^\.?opentelemetry\.proto\./, ''));
  }
}

function normalise(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (value === null || typeof value !== 'object') return idFields.has(field) ? idBytes(field, value) : value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') continue;
    const name = key.includes('_') ? camelCase(key) : key;
    out[name] = normalise(item, name);
  }
  return out;
}

function idBytes(field: string, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !hexPattern.test(value)) {
    throw new OtlpJsonError(`${field} must be a hex string (OTLP/JSON), got ${describe(value)}`);
  }
  return Buffer.from(value, 'hex');
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
