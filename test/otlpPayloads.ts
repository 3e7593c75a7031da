// OTLP payloads made by the OpenTelemetry JS SDK itself, never written by hand: spans recorded by a
// BasicTracerProvider into an InMemorySpanExporter, serialised by otlp-transformer's JSON and protobuf serialisers
// (the ones the SDK's OTLP/HTTP exporters send).
import { ROOT_CONTEXT, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A span to record, with its children; times in milliseconds since 1970 when given. */
export interface SpanSpec {
  name: string;
  attributes?: Attributes;
  children?: SpanSpec[];
  startMs?: number;
  endMs?: number;
}

/** The spans of `specs` as the SDK records them (children end before their parent), one trace per root spec. */
export function recordSpans(specs: SpanSpec[], resource: Attributes = { 'service.name': 'party-planner' }): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('partycost-traces-test', '1.0.0');
  for (const spec of specs) record(tracer, spec, ROOT_CONTEXT);
  return exporter.getFinishedSpans();
}

function record(tracer: Tracer, spec: SpanSpec, parent: Context): void {
  // Dates, not numbers: the SDK reads a small number as a performance.now() reading.
  const span = tracer.startSpan(spec.name, { attributes: spec.attributes, startTime: spec.startMs === undefined ? undefined : new Date(spec.startMs) }, parent);
  const context = trace.setSpan(parent, span);
  for (const child of spec.children ?? []) record(tracer, child, context);
  span.end(spec.endMs === undefined ? undefined : new Date(spec.endMs));
}

/** The spans as an `application/x-protobuf` ExportTraceServiceRequest. */
export function protobufBody(spans: ReadableSpan[]): Uint8Array {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('the SDK serialised nothing');
  return body;
}

/** The spans as an `application/json` ExportTraceServiceRequest. */
export function jsonBody(spans: ReadableSpan[]): Uint8Array {
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('the SDK serialised nothing');
  return body;
}

/** The spans' OTLP/JSON request as text. */
export function jsonText(spans: ReadableSpan[]): string {
  return new TextDecoder().decode(jsonBody(spans));
}

/** An SDK time ([seconds, nanoseconds]) as Unix nanoseconds in decimal text. */
export function unixNano([seconds, nanos]: [number, number]): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}
