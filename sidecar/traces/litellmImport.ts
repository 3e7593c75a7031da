// LiteLLM proxy spend logs into model calls: rows of its `LiteLLM_SpendLogs` table (BerriAI/litellm schema.prisma,
// `model LiteLLM_SpendLogs`), as `GET /spend/logs` answers them (a JSON array) or as a CSV dump of the table.
//
// Columns read: request_id (the call), session_id (groups a conversation's calls; else each call is its own trace),
// call_type, spend (USD, LiteLLM's own price), prompt_tokens, completion_tokens, total_tokens, model, model_group,
// custom_llm_provider, startTime, endTime, user, team_id, end_user, cache_hit (a proxy cache hit: no provider call),
// status, request_tags, agent_id, and metadata (JSON): its `usage_object` or `additional_usage_values` (litellm
// proxy/_types.py SpendLogsMetadata: "provider-specific usage information - e.g. prompt caching") give
// cache_read_input_tokens, cache_creation_input_tokens, prompt_tokens_details.cached_tokens and
// completion_tokens_details.reasoning_tokens; `spend_logs_metadata` holds what the caller asked to log.
// LiteLLM reports prompt_tokens in OpenAI's meaning (cached tokens included); a row whose prompt is smaller than its
// cache counts is corrected like a span (spanUsage.ts).
import { countIn, objectOf, RecordFields } from './recordFields';
import type { ImportProblem, SourceRecord } from './records';
import { reconcileUsage } from './spanUsage';
import { unixNanoOf } from './timestamps';
import type { ModelCall, TokenUsage } from './traceTypes';

/** The calls of LiteLLM spend-log rows; a row that cannot be a call is a problem on its line. */
export function litellmCalls(records: readonly SourceRecord[]): { calls: ModelCall[]; problems: ImportProblem[] } {
  const calls: ModelCall[] = [];
  const problems: ImportProblem[] = [];
  for (const { line, fields } of records) {
    const outcome = litellmCall(new RecordFields(fields));
    if (typeof outcome === 'string') problems.push({ line, message: outcome });
    else calls.push(outcome);
  }
  return { calls, problems };
}

/** A call, or why the row is none. */
function litellmCall(row: RecordFields): ModelCall | string {
  const requestId = row.text('request_id');
  if (requestId === undefined) return 'no request_id: not a LiteLLM spend-log row';
  const start = unixNanoOf(row.value('startTime'));
  if (start === undefined) return `request ${requestId}: startTime ${JSON.stringify(row.value('startTime') ?? null)} is not a time`;
  const metadata = row.object('metadata');
  const usage = usageOf(row, metadata);
  const call: ModelCall = {
    traceId: row.text('session_id') ?? requestId,
    spanId: requestId,
    startUnixNano: start,
    endUnixNano: unixNanoOf(row.value('endTime')) ?? start,
    usage,
    convention: 'litellm',
  };
  const adjustments = reconcileUsage(usage);
  if (adjustments.length > 0) call.adjustments = adjustments;
  const provider = row.text('custom_llm_provider')?.toLowerCase();
  if (provider) call.provider = provider;
  const model = row.text('model');
  if (model) call.requestModel = model;
  const agent = agentOf(row, metadata);
  if (agent) call.agentName = agent;
  const operation = row.text('call_type');
  if (operation) call.operation = operation;
  const spend = row.number('spend');
  if (spend !== undefined) call.reportedCostUsd = spend;
  if (row.flag('cache_hit')) call.servedFromCache = true;
  const labels = labelsOf(row);
  if (Object.keys(labels).length > 0) call.labels = labels;
  return call;
}

function usageOf(row: RecordFields, metadata: Record<string, unknown> | undefined): TokenUsage {
  const details = objectOf(metadata?.usage_object) ?? objectOf(metadata?.additional_usage_values);
  const promptDetails = objectOf(details?.prompt_tokens_details);
  const completionDetails = objectOf(details?.completion_tokens_details);
  const input = row.number('prompt_tokens');
  const output = row.number('completion_tokens');
  const total = row.number('total_tokens');
  return {
    inputTokens: Math.round(input ?? (total !== undefined && output !== undefined ? total - output : 0)),
    cacheReadTokens: countIn(details, 'cache_read_input_tokens') ?? countIn(promptDetails, 'cached_tokens') ?? 0,
    cacheWriteTokens: countIn(details, 'cache_creation_input_tokens') ?? 0,
    outputTokens: Math.round(output ?? 0),
    reasoningTokens: countIn(completionDetails, 'reasoning_tokens') ?? 0,
  };
}

/** The agent: logged by the caller in spend_logs_metadata or metadata, an `agent:` tag, or the agent_id column. */
function agentOf(row: RecordFields, metadata: Record<string, unknown> | undefined): string | undefined {
  const logged = objectOf(metadata?.spend_logs_metadata);
  for (const source of [logged, metadata]) {
    for (const name of ['agent_name', 'agent']) {
      const value = source?.[name];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  const tags = row.value('request_tags');
  const list = Array.isArray(tags) ? tags : typeof tags === 'string' && tags.startsWith('[') ? safeArray(tags) : [];
  const tag = list.find((item): item is string => typeof item === 'string' && /^agent[:=]./.test(item));
  return tag?.slice('agent:'.length) ?? row.text('agent_id');
}

function labelsOf(row: RecordFields): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const name of ['user', 'team_id', 'end_user', 'model_group', 'status']) {
    const value = row.text(name);
    if (value) labels[name] = value;
  }
  return labels;
}

function safeArray(text: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}
