// Agent runs: which run each call and tool call belongs to, and a batch grouped into runs.
//
// A run of an agent is its invoke_agent span (or OpenInference AGENT span, Langfuse AGENT observation): a call or
// tool call belongs to the nearest run among its ancestors. Without one, a run is the agent's calls within one trace
// (by the calls' own agent name); calls with no agent at all form one group per trace with no agent name.
import { SpanIndex, type SpanLink } from './spanIndex';
import type { AgentRun, MappedBatch, ModelCall, TokenUsage, ToolCall } from './traceTypes';

/** One run of an agent with what it did. */
export interface RunGroup {
  traceId: string;
  /** Undefined for the calls of a trace that name no agent. */
  agentName?: string;
  /** The run's span; undefined when the run is inferred from its calls' agent name. */
  run?: AgentRun;
  workflowName?: string;
  calls: ModelCall[];
  tools: ToolCall[];
  /** The calls' usage summed. */
  usage: TokenUsage;
  /** The calls' reported costs summed; undefined when no call reported one. */
  reportedCostUsd?: number;
}

const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/**
 * Sets each call's and tool call's `runSpanId` (its nearest enclosing run) and each run's `parentRunSpanId`; fills a
 * missing agent name from the run and a missing workflow name from the nearest span that declares one.
 * @param links every span of the batch, runs and calls included, so that ancestors between them are followed.
 * @param workflowOf the workflow a span declares, if any.
 */
export function linkRuns<T extends SpanLink>(
  batch: MappedBatch,
  links: Iterable<T>,
  workflowOf: (link: T) => string | undefined = () => undefined,
  taskOf: (link: T) => string | undefined = () => undefined,
): void {
  const spans = new SpanIndex(links);
  const runs = new SpanIndex(batch.runs);
  const runAbove = (item: SpanLink) => spans.find(item.traceId, item.parentSpanId, (link) => runs.get(link.traceId, link.spanId));
  const workflowAbove = (item: SpanLink) => spans.find(item.traceId, item.parentSpanId, workflowOf);
  const taskAbove = (item: SpanLink) => spans.find(item.traceId, item.parentSpanId, taskOf);
  for (const run of batch.runs) {
    const parentRun = runAbove(run);
    if (parentRun) run.parentRunSpanId = parentRun.spanId;
    const workflow = run.workflowName ?? workflowAbove(run);
    if (workflow !== undefined) run.workflowName = workflow;
    const task = run.taskName ?? taskAbove(run);
    if (task !== undefined) run.taskName = task;
  }
  for (const item of batch.calls) {
    const run = runAbove(item);
    if (run !== undefined) {
      item.runSpanId = run.spanId;
      item.agentName ??= run.agentName;
    }
    const workflow = item.workflowName ?? run?.workflowName ?? workflowAbove(item);
    if (workflow !== undefined) item.workflowName = workflow;
    const task = run?.taskName ?? taskAbove(item);
    if (task !== undefined) item.taskName = task;
  }
  for (const item of batch.tools) {
    const run = runAbove(item);
    if (run === undefined) continue;
    item.runSpanId = run.spanId;
    item.agentName ??= run.agentName;
  }
}

/** The batch's runs, each with its calls and tool calls, in order of start. */
export function groupRuns(batch: MappedBatch): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  const groupOf = (traceId: string, runSpanId: string | undefined, agentName: string | undefined): RunGroup => {
    const id = runSpanId === undefined ? `${traceId}//${agentName ?? ''}` : key(traceId, runSpanId);
    let group = groups.get(id);
    if (!group) {
      group = { traceId, calls: [], tools: [], usage: emptyUsage() };
      if (agentName !== undefined) group.agentName = agentName;
      groups.set(id, group);
    }
    return group;
  };
  for (const run of batch.runs) {
    const group = groupOf(run.traceId, run.spanId, run.agentName);
    group.run = run;
    if (run.workflowName !== undefined) group.workflowName = run.workflowName;
  }
  for (const call of batch.calls) {
    const group = groupOf(call.traceId, call.runSpanId, call.agentName);
    group.calls.push(call);
    addUsage(group.usage, call.usage);
    if (call.reportedCostUsd !== undefined) group.reportedCostUsd = (group.reportedCostUsd ?? 0) + call.reportedCostUsd;
    if (group.workflowName === undefined && call.workflowName !== undefined) group.workflowName = call.workflowName;
  }
  for (const tool of batch.tools) groupOf(tool.traceId, tool.runSpanId, tool.agentName).tools.push(tool);
  const groupStart = (group: RunGroup) => group.run?.startUnixNano ?? group.calls[0]?.startUnixNano ?? group.tools[0]?.startUnixNano ?? '0';
  for (const group of groups.values()) {
    group.calls.sort(byStart);
    group.tools.sort(byStart);
  }
  return [...groups.values()].sort((a, b) => compareNano(groupStart(a), groupStart(b)));
}

/** A usage of nothing. */
export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}

function addUsage(sum: TokenUsage, usage: TokenUsage): void {
  sum.inputTokens += usage.inputTokens;
  sum.cacheReadTokens += usage.cacheReadTokens;
  sum.cacheWriteTokens += usage.cacheWriteTokens;
  sum.outputTokens += usage.outputTokens;
  sum.reasoningTokens += usage.reasoningTokens;
}

function byStart(a: { startUnixNano: string }, b: { startUnixNano: string }): number {
  return compareNano(a.startUnixNano, b.startUnixNano);
}

/** Decimal texts without leading zeros compare by length, then digit by digit. */
function compareNano(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
