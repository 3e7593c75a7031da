// Langfuse observation exports into model calls, agent runs and tool calls: the UI's and the API's JSON (camelCase:
// id, traceId, type, name, startTime, endTime, parentObservationId, model, usageDetails, costDetails,
// calculatedTotalCost, metadata; langfuse-js ObservationsView) and the blob-storage export's JSON lines and CSV
// (snake_case: trace_id, start_time, provided_model_name, usage_details, cost_details, total_cost; langfuse-docs
// blob-storage-export-fields.mdx, where CSV holds objects as JSON text and times as `YYYY-MM-DD HH:MM:SS.ffffff` UTC).
//
// Langfuse keeps usage types apart and sums them into a total ("If no total usage type is ingested, Langfuse sums up
// all usage type units"; its integrations subtract cached from `input` and reasoning from `output`). So the whole
// prompt is every `input…` type plus Anthropic-named cache types, the whole answer every `output…` type.
// GENERATION and EMBEDDING observations are calls, AGENT ones runs, TOOL ones tool calls; the others only link them.
import { countIn, objectOf, RecordFields } from './recordFields';
import type { ImportProblem, SourceRecord } from './records';
import { linkRuns } from './runs';
import type { SpanLink } from './spanIndex';
import { unixNanoOf } from './timestamps';
import type { AgentRun, MappedBatch, ModelCall, TokenUsage, ToolCall, UsageAdjustment } from './traceTypes';

const cacheRead = ['input_cached_tokens', 'input_cache_read', 'input_cache_read_tokens', 'cache_read_input_tokens'];
const cacheWrite = ['cache_creation_input_tokens', 'input_cache_creation', 'input_cache_write', 'input_cache_creation_tokens'];
const reasoning = ['output_reasoning_tokens', 'output_reasoning'];

/** What Langfuse observation records map to, with the records that could not be read. */
export function langfuseBatch(records: readonly SourceRecord[]): MappedBatch & { problems: ImportProblem[] } {
  const batch: MappedBatch & { problems: ImportProblem[] } = { calls: [], runs: [], tools: [], nestedCallsDropped: 0, problems: [] };
  const links: SpanLink[] = [];
  for (const { line, fields } of records) {
    const row = new RecordFields(fields);
    const id = row.text('id');
    const start = unixNanoOf(row.value('startTime'));
    if (id === undefined) batch.problems.push({ line, message: 'no id: not a Langfuse observation' });
    else if (start === undefined)
      batch.problems.push({ line, message: `observation ${id}: startTime ${JSON.stringify(row.value('startTime') ?? null)} is not a time` });
    else links.push(addObservation(batch, row, id, start));
  }
  linkRuns(batch, links);
  return batch;
}

function addObservation(batch: MappedBatch, row: RecordFields, id: string, start: string): SpanLink {
  const link: SpanLink = { traceId: row.text('traceId') ?? id, spanId: id };
  const parent = row.text('parentObservationId');
  if (parent) link.parentSpanId = parent;
  const times = { startUnixNano: start, endUnixNano: unixNanoOf(row.value('endTime')) ?? start };
  const type = row.text('type')?.toUpperCase();
  const name = row.text('name');
  const attributes = attributesOf(row);
  const agentName = textIn(attributes, 'agent_name', 'agent', 'gen_ai.agent.name', 'agent.name');
  if (type === 'GENERATION' || type === 'EMBEDDING') {
    batch.calls.push(callOf(row, link, times, name, agentName, attributes));
  } else if (type === 'AGENT') {
    const run: AgentRun = {
      traceId: link.traceId,
      spanId: id,
      agentName: agentName ?? name ?? id,
      startUnixNano: times.startUnixNano,
      endUnixNano: times.endUnixNano,
      convention: 'langfuse',
    };
    if (link.parentSpanId) run.parentSpanId = link.parentSpanId;
    batch.runs.push(run);
  } else if (type === 'TOOL') {
    const tool: ToolCall = { traceId: link.traceId, spanId: id, startUnixNano: times.startUnixNano, endUnixNano: times.endUnixNano };
    if (link.parentSpanId) tool.parentSpanId = link.parentSpanId;
    if (name) tool.toolName = name;
    if (agentName) tool.agentName = agentName;
    batch.tools.push(tool);
  }
  return link;
}

function callOf(
  row: RecordFields,
  link: SpanLink,
  times: { startUnixNano: string; endUnixNano: string },
  name: string | undefined,
  agentName: string | undefined,
  attributes: Record<string, unknown>,
): ModelCall {
  const { usage, adjustments } = usageOf(row);
  const call: ModelCall = {
    traceId: link.traceId,
    spanId: link.spanId,
    startUnixNano: times.startUnixNano,
    endUnixNano: times.endUnixNano,
    usage,
    convention: 'langfuse',
  };
  if (link.parentSpanId) call.parentSpanId = link.parentSpanId;
  if (name) call.name = name;
  if (adjustments.length > 0) call.adjustments = adjustments;
  const provider = textIn(attributes, 'provider', 'ls_provider', 'gen_ai.provider.name', 'gen_ai.system');
  if (provider) call.provider = provider.toLowerCase();
  const model = row.text('model', 'providedModelName');
  if (model) call.requestModel = model;
  if (agentName) call.agentName = agentName;
  const cost = costOf(row);
  if (cost !== undefined) call.reportedCostUsd = cost;
  const labels: Record<string, string> = {};
  for (const label of ['userId', 'sessionId', 'environment']) {
    const value = row.text(label);
    if (value) labels[label] = value;
  }
  if (Object.keys(labels).length > 0) call.labels = labels;
  return call;
}

/** Usage from `usageDetails` (or the deprecated `usage`: input, output, total). */
function usageOf(row: RecordFields): { usage: TokenUsage; adjustments: UsageAdjustment[] } {
  const usageDetails = row.object('usageDetails');
  const details = (usageDetails && Object.keys(usageDetails).length > 0 ? usageDetails : row.object('usage')) ?? {};
  const sum = (pattern: RegExp) =>
    Object.keys(details)
      .filter((key) => pattern.test(key))
      .reduce((total, key) => total + (countIn(details, key) ?? 0), 0);
  const outputTokens = sum(/^output(?:_|$)/);
  let inputTokens = sum(/^input(?:_|$)/) + (countIn(details, 'cache_read_input_tokens') ?? 0) + (countIn(details, 'cache_creation_input_tokens') ?? 0);
  const adjustments: UsageAdjustment[] = [];
  const total = countIn(details, 'total');
  if (inputTokens === 0 && total !== undefined && total > outputTokens) {
    inputTokens = total - outputTokens;
    adjustments.push('inputFromTotal');
  }
  const usage = {
    inputTokens,
    cacheReadTokens: countIn(details, ...cacheRead) ?? 0,
    cacheWriteTokens: countIn(details, ...cacheWrite) ?? 0,
    outputTokens,
    reasoningTokens: countIn(details, ...reasoning) ?? 0,
  };
  return { usage, adjustments };
}

/** The total cost: costDetails.total, the computed total, or costDetails' parts summed. */
function costOf(row: RecordFields): number | undefined {
  const details = row.object('costDetails');
  const total = details?.total;
  if (typeof total === 'number') return total;
  const computed = row.number('calculatedTotalCost', 'totalCost');
  if (computed !== undefined) return computed;
  const parts = Object.values(details ?? {}).filter((value): value is number => typeof value === 'number');
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : undefined;
}

/** The observation's metadata, with the span attributes Langfuse keeps under `metadata.attributes` when it got OTLP. */
function attributesOf(row: RecordFields): Record<string, unknown> {
  const metadata = row.object('metadata') ?? {};
  return { ...metadata, ...(objectOf(metadata.attributes) ?? {}) };
}

function textIn(object: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = object[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
