// Writes sidecar/traces/otlpDescriptor.json, the protobufjs JSON descriptor of an OTLP ExportTraceServiceRequest, from
// the opentelemetry-proto files kept in sidecar/traces/proto/ (v1.11.0, Apache-2.0). The sidecar loads the descriptor
// instead of parsing .proto text at every start; test/unit/traces.test.ts holds it equal to what this script writes.
// Usage: node scripts/otlpDescriptor.mjs [--check]   (--check: exit 1 if the committed descriptor is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = path.join(root, 'sidecar', 'traces', 'proto');
const target = path.join(root, 'sidecar', 'traces', 'otlpDescriptor.json');

/** The descriptor as text: protobufjs's own parser over the .proto files, field names in camelCase. */
export function otlpDescriptorText() {
  const schema = new protobuf.Root();
  schema.resolvePath = (_origin, file) => path.join(protoDir, file);
  schema.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  schema.resolveAll();
  return `${JSON.stringify(schema.toJSON(), null, 1)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = otlpDescriptorText();
  if (process.argv.includes('--check')) {
    const stale = readFileSync(target, 'utf8') !== text;
    console.log(stale ? `${path.relative(root, target)} is stale: run node scripts/otlpDescriptor.mjs` : 'descriptor up to date');
    process.exit(stale ? 1 : 0);
  }
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)} (${text.length} bytes)`);
}
