// Decoded spans into model calls, agent runs and tool calls. The attribute names and the documents that define them
// are in spanConventions.ts; how token counts are normalised, vendor quirks included, in spanUsage.ts.
//
// A span is a model call when it says so (gen_ai.operation.name chat / text_completion / generate_content /
// embeddings / any other inference operation, OpenInference LLM or EMBEDDING, Vercel ai.*.doGenerate / doStream /
// doEmbed, OpenLLMetry llm.request.type), or, failing any such mark, when it reports tokens. Vercel's wrapper spans
// (ai.generateText, …) repeat their steps' usage and are not calls. When calls nest (an SDK instrumented twice, a
// framework span over the client's), the innermost call that reports tokens is kept and the others are dropped.
import { numberOf, textOf } from './attributeRead';
import { linkRuns } from './runs';
import { SpanIndex, type SpanLink } from './spanIndex';
import { crewai, genAi, nonCallOperations, openInference, traceloop, vercelAi } from './spanConventions';
import { hasTokens, spanUsage, type SpanUsage } from './spanUsage';
import type { AgentRun, Attributes, MappedBatch, ModelCall, SpanRecord, ToolCall } from './traceTypes';

type Role = 'call' | 'agent' | 'tool' | 'other' | 'unmarked';

const costNames = [genAi.cost, openInference.cost];

interface Candidate {
  span: SpanRecord;
  provider?: string;
  usage: SpanUsage;
  tokens: boolean;
}

/** The model calls, agent runs and tool calls of a batch of spans (a request's, or several requests' together). */
export function mapSpans(spans: readonly SpanRecord[]): MappedBatch {
  const batch: MappedBatch = { calls: [], runs: [], tools: [], nestedCallsDropped: 0 };
  const candidates: (Candidate & SpanLink)[] = [];
  for (const span of spans) {
    const role = roleOf(span.attributes, span.name);
    if (role === 'agent') batch.runs.push(agentRun(span));
    else if (role === 'tool') batch.tools.push(toolCall(span));
    else if (role === 'call' || role === 'unmarked') {
      const vercel = isVercel(span);
      const provider = providerOf(span.attributes, vercel);
      const usage = spanUsage(span.attributes, provider, vercel);
      const tokens = hasTokens(usage.usage);
      if (role === 'call' || tokens) candidates.push({ traceId: span.traceId, spanId: span.spanId, span, provider, usage, tokens });
    }
  }
  for (const candidate of innermost(new SpanIndex(candidates), spans, candidates)) batch.calls.push(modelCall(candidate));
  batch.nestedCallsDropped = candidates.length - batch.calls.length;
  linkRuns(
    batch,
    spans,
    (span) => textOf(span.attributes, genAi.workflowName, traceloop.workflowName),
    (span) =>
      textOf(span.attributes, crewai.taskName) ??
      (textOf(span.attributes, traceloop.spanKind) === 'task' ? textOf(span.attributes, traceloop.entityName) : undefined),
  );
  return batch;
}

function roleOf(attributes: Attributes, name: string): Role {
  const operation = textOf(attributes, genAi.operation);
  if (operation === 'invoke_agent') return 'agent';
  if (operation === 'execute_tool') return 'tool';
  const kind = textOf(attributes, openInference.spanKind)?.toUpperCase();
  if (kind === 'AGENT') return 'agent';
  if (kind === 'TOOL') return 'tool';
  if (kind === 'LLM' || kind === 'EMBEDDING') return 'call';
  const vercel = textOf(attributes, vercelAi.operationId) ?? (name.startsWith('ai.') ? name.split(' ')[0] : undefined);
  if (vercel !== undefined) return vercelAi.providerCall.test(vercel) ? 'call' : vercel === vercelAi.toolCall ? 'tool' : 'other';
  if (kind !== undefined) return 'other';
  if (operation !== undefined) return nonCallOperations.has(operation) ? 'other' : 'call';
  const traceloopKind = textOf(attributes, traceloop.spanKind);
  if (traceloopKind === 'agent') return 'agent';
  if (traceloopKind === 'tool') return 'tool';
  return textOf(attributes, traceloop.requestType) !== undefined ? 'call' : 'unmarked';
}

/** The candidates that stay calls: see the file's comment. */
function innermost(candidates: SpanIndex<Candidate & SpanLink>, spans: readonly SpanRecord[], all: (Candidate & SpanLink)[]): Candidate[] {
  const index = new SpanIndex(spans);
  const coveredBelow = new Set<Candidate>();
  const hasCallAbove = new Set<Candidate>();
  for (const candidate of all) {
    index.find(candidate.traceId, candidate.span.parentSpanId, (span) => {
      const above = candidates.get(span.traceId, span.spanId);
      if (above === undefined) return undefined;
      hasCallAbove.add(candidate);
      if (candidate.tokens) coveredBelow.add(above);
      return undefined;
    });
  }
  return all.filter((c) => !coveredBelow.has(c) && (c.tokens || !hasCallAbove.has(c)));
}

function modelCall({ span, provider, usage }: Candidate): ModelCall {
  const a = span.attributes;
  // Object literals, not spreads: an object spread and then extended is ~40 times slower to build on Node 20.
  const call: ModelCall = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    startUnixNano: span.startUnixNano,
    endUnixNano: span.endUnixNano,
    usage: usage.usage,
    convention: usage.convention ?? conventionOf(span),
  };
  if (span.parentSpanId !== undefined) call.parentSpanId = span.parentSpanId;
  if (provider !== undefined) call.provider = provider;
  const requestModel = textOf(a, genAi.requestModel, vercelAi.modelId, openInference.requestModel);
  if (requestModel !== undefined) call.requestModel = requestModel;
  const responseModel = textOf(a, genAi.responseModel, vercelAi.responseModel, openInference.responseModel, openInference.modelName);
  if (responseModel !== undefined) call.responseModel = responseModel;
  if (usage.adjustments.length > 0) call.adjustments = usage.adjustments;
  const agentName = textOf(a, genAi.agentName, openInference.agentName, vercelAi.functionId);
  if (agentName !== undefined) call.agentName = agentName;
  const workflowName = textOf(a, genAi.workflowName, traceloop.workflowName);
  if (workflowName !== undefined) call.workflowName = workflowName;
  const operation = textOf(a, genAi.operation, vercelAi.operationId, traceloop.requestType);
  if (operation !== undefined) call.operation = operation;
  const cost = numberOf(a, costNames);
  if (cost !== undefined) call.reportedCostUsd = cost;
  const service = serviceOf(span);
  if (service !== undefined) call.serviceName = service;
  return call;
}

function agentRun(span: SpanRecord): AgentRun {
  const a = span.attributes;
  const fromName = span.name.startsWith('invoke_agent ') ? span.name.slice('invoke_agent '.length) : span.name;
  const agentName = textOf(a, genAi.agentName, openInference.agentName, crewai.agentRole, traceloop.entityName) ?? fromName;
  const run: AgentRun = {
    traceId: span.traceId,
    spanId: span.spanId,
    agentName,
    startUnixNano: span.startUnixNano,
    endUnixNano: span.endUnixNano,
    convention: conventionOf(span),
  };
  assign(run, 'parentSpanId', span.parentSpanId);
  assign(run, 'workflowName', textOf(a, genAi.workflowName, traceloop.workflowName));
  assign(run, 'taskName', textOf(a, crewai.taskName));
  assign(run, 'serviceName', serviceOf(span));
  const usage = spanUsage(a, providerOf(a, false), false);
  if (hasTokens(usage.usage)) run.reportedUsage = usage.usage;
  assign(run, 'reportedCostUsd', numberOf(a, costNames));
  return run;
}

function toolCall(span: SpanRecord): ToolCall {
  const a = span.attributes;
  const tool: ToolCall = { traceId: span.traceId, spanId: span.spanId, startUnixNano: span.startUnixNano, endUnixNano: span.endUnixNano };
  assign(tool, 'parentSpanId', span.parentSpanId);
  assign(tool, 'toolName', textOf(a, genAi.toolName, openInference.toolName, vercelAi.toolName, traceloop.entityName));
  assign(tool, 'agentName', textOf(a, genAi.agentName, openInference.agentName));
  return tool;
}

/** The provider in lowercase; a Vercel span's `anthropic.messages` loses its API suffix. */
function providerOf(attributes: Attributes, vercel: boolean): string | undefined {
  if (vercel) {
    const id = textOf(attributes, vercelAi.provider, genAi.system)?.toLowerCase();
    return id?.includes('.') ? id.slice(0, id.lastIndexOf('.')) : id;
  }
  return textOf(attributes, genAi.provider, genAi.system, openInference.provider, openInference.system)?.toLowerCase();
}

function isVercel(span: SpanRecord): boolean {
  return span.attributes[vercelAi.operationId] !== undefined || span.name.startsWith('ai.');
}

function conventionOf(span: SpanRecord): ModelCall['convention'] {
  const a = span.attributes;
  if (isVercel(span)) return 'vercel_ai';
  if (a[openInference.spanKind] !== undefined) return 'openinference';
  if (a[genAi.provider] !== undefined || a[genAi.operation] !== undefined) return 'gen_ai';
  return 'gen_ai_legacy';
}

function serviceOf(span: SpanRecord): string | undefined {
  return textOf(span.resource, 'service.name');
}

/** Sets an optional field only when there is a value, so absent fields stay absent. */
function assign<T, K extends keyof T>(target: T, field: K, value: T[K] | undefined): void {
  if (value !== undefined) target[field] = value;
}
