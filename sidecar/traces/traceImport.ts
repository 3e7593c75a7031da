// `partycost import FILE`'s reading, as a pure function over the file's text: which export it is (or the one named
// with --format), its records, and what they map to. A record that cannot be read is a problem on its line and the
// others are still read; only a file whose format cannot be told is refused.
//
// Formats: OTLP/JSON as the OpenTelemetry Collector's file exporter writes it (one ExportTraceServiceRequest per line,
// or one per file), LiteLLM spend logs (litellmImport.ts), Langfuse observations (langfuseImport.ts).
import { langfuseBatch } from './langfuseImport';
import { litellmCalls } from './litellmImport';
import { TraceDecodeError, spansOfJsonRequest } from './otlpDecode';
import { RecordFields } from './recordFields';
import { containerOf, readRecords, type Container, type ImportProblem, type SourceRecord } from './records';
import { mapSpans } from './spanMapping';
import type { MappedBatch, SpanRecord } from './traceTypes';

/** The exports `partycost import` reads. */
export type ImportFormat = 'otlp-json' | 'litellm' | 'langfuse';

/** The formats, for `--format`'s help and its check. */
export const importFormats: readonly ImportFormat[] = ['otlp-json', 'litellm', 'langfuse'];

/** What a file holds, mapped, with its unreadable records. */
export interface ImportResult extends MappedBatch {
  format: ImportFormat;
  container: Container;
  /** Records read (requests for OTLP, rows otherwise), problems not included. */
  records: number;
  problems: ImportProblem[];
}

/** Refusal of a whole file: its format cannot be told. The message is one line. */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
}

/**
 * The model calls, runs and tool calls of an export file's text.
 * @param options.format the file's format; absent, it is told from the first record's fields.
 * @throws ImportFormatError when no format is given and the records do not show one.
 */
export function importTraceFile(text: string, options: { format?: ImportFormat } = {}): ImportResult {
  const container = containerOf(text);
  const read = readRecords(text, container);
  const format = options.format ?? detectFormat(read.records);
  const batch = mapRecords(format, read.records);
  const problems = [...read.problems, ...batch.problems].sort((a, b) => a.line - b.line);
  return {
    format,
    container,
    records: read.records.length - batch.problems.length,
    calls: batch.calls,
    runs: batch.runs,
    tools: batch.tools,
    nestedCallsDropped: batch.nestedCallsDropped,
    problems,
  };
}

/**
 * The format the first records show: `resourceSpans` is OTLP; `request_id` with `spend` or token columns is LiteLLM;
 * `traceId` with `type`, `usageDetails` or a model field is Langfuse.
 * @throws ImportFormatError when none fits.
 */
export function detectFormat(records: readonly SourceRecord[]): ImportFormat {
  const first = records[0];
  if (first === undefined) throw new ImportFormatError('no record could be read, so the format cannot be told: pass --format');
  const row = new RecordFields(first.fields);
  if (row.has('resourceSpans')) return 'otlp-json';
  if (row.has('request_id') && (row.has('spend') || row.has('prompt_tokens') || row.has('call_type'))) return 'litellm';
  if (row.has('traceId') && (row.has('type') || row.has('usageDetails') || row.has('providedModelName') || row.has('calculatedTotalCost'))) return 'langfuse';
  const names = Object.keys(first.fields).slice(0, 6).join(', ');
  throw new ImportFormatError(`cannot tell the format from the fields of line ${first.line} (${names}): pass --format ${importFormats.join(', ')}`);
}

function mapRecords(format: ImportFormat, records: readonly SourceRecord[]): MappedBatch & { problems: ImportProblem[] } {
  if (format === 'litellm') {
    const { calls, problems } = litellmCalls(records);
    return { calls, runs: [], tools: [], nestedCallsDropped: 0, problems };
  }
  if (format === 'langfuse') return langfuseBatch(records);
  const spans: SpanRecord[] = [];
  const problems: ImportProblem[] = [];
  for (const { line, fields } of records) {
    try {
      for (const span of spansOfJsonRequest(fields)) spans.push(span);
    } catch (error) {
      if (!(error instanceof TraceDecodeError)) throw error;
      problems.push({ line, message: error.message });
    }
  }
  return { ...mapSpans(spans), problems };
}
