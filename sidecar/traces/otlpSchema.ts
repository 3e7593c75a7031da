// The OTLP trace request's protobuf type, built once from the JSON descriptor that scripts/otlpDescriptor.mjs
// generates out of opentelemetry-proto v1.11.0 (sidecar/traces/proto/, Apache-2.0). Loading the descriptor takes a
// few milliseconds; parsing the .proto text at every start would take longer and ship the files.
import protobuf from 'protobufjs';
import descriptor from './otlpDescriptor.json';

const requestName = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
let requestType: protobuf.Type | undefined;

/** The `ExportTraceServiceRequest` message type (built on first use, then shared). */
export function exportTraceRequestType(): protobuf.Type {
  requestType ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType(requestName);
  return requestType;
}
