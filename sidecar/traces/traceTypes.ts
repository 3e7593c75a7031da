// The shapes of sidecar/traces/: spans as decoded from OTLP, and the model calls, agent runs and tool calls mapped
// from them or imported from spend exports. Plain data (JSON-safe: times are decimal strings of Unix nanoseconds).

/** An attribute's value as OTLP's AnyValue carries it; int64 values arrive as numbers, bytes as base64 text. */
export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue };

/** A span's or a resource's attributes by key (a null-prototype object: a key never reaches Object.prototype). */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** One span of a decoded ExportTraceServiceRequest. */
export interface SpanRecord {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** The parent's span id; absent on a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Start, Unix nanoseconds as a decimal string (a uint64 does not fit a number). */
  startUnixNano: string;
  endUnixNano: string;
  attributes: Attributes;
  /** The attributes of the resource that sent the span (`service.name`, …), shared by its spans. */
  resource: Attributes;
  /** The instrumentation scope's name, e.g. `openinference.instrumentation.openai`. */
  scopeName?: string;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

/** Where a call's figures came from: an attribute family of a trace, or a spend export. */
export type Convention = 'gen_ai' | 'gen_ai_legacy' | 'openinference' | 'vercel_ai' | 'litellm' | 'langfuse';

/** Token counts of one model call, normalised: every count is a whole number, 0 when not reported. */
export interface TokenUsage {
  /** The whole prompt, cached parts included (OpenTelemetry's `gen_ai.usage.input_tokens` meaning). */
  inputTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cacheReadTokens: number;
  /** The part of `inputTokens` written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /** The whole answer, reasoning included. */
  outputTokens: number;
  /** The part of `outputTokens` spent on reasoning. */
  reasoningTokens: number;
}

/**
 * A correction the mapping made to reach `TokenUsage`'s meaning: the source reported the prompt without its cached
 * parts (`cacheAddedToInput`), the answer without its reasoning (`reasoningAddedToOutput`), or only a total
 * (`inputFromTotal`: the prompt is the total less the answer).
 */
export type UsageAdjustment = 'cacheAddedToInput' | 'reasoningAddedToOutput' | 'inputFromTotal';

/** One call of a model: a chat, completion or embedding span, or a spend row. */
export interface ModelCall {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** The span or observation name. */
  name?: string;
  startUnixNano: string;
  endUnixNano: string;
  /** Lowercase provider name as reported (`openai`, `anthropic`, `aws.bedrock`, …). */
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  usage: TokenUsage;
  /** Corrections made to `usage`; absent when none. */
  adjustments?: UsageAdjustment[];
  /** The agent: the call's own attribute, else its run's. */
  agentName?: string;
  workflowName?: string;
  /** The task it ran for, when a span above names one (CrewAI's `crewai.task.name`, an OpenLLMetry task span). */
  taskName?: string;
  /** The operation as reported: `chat`, `embeddings`, `ai.generateText.doGenerate`, `acompletion`, … */
  operation?: string;
  /** A cost the source computed (`gen_ai.usage.cost`, `llm.cost.total`, LiteLLM's spend, Langfuse's total). */
  reportedCostUsd?: number;
  /** The resource's `service.name`. */
  serviceName?: string;
  /** The span id of the agent run (invoke_agent or AGENT span) the call ran in. */
  runSpanId?: string;
  /** The answer came from a proxy's response cache (LiteLLM `cache_hit`): no provider was called. */
  servedFromCache?: true;
  /** Where the figures came from. */
  convention: Convention;
  /** Who and what the call was for, as the source names it (LiteLLM `user`, `team_id`; Langfuse `userId`, …). */
  labels?: Record<string, string>;
}

/** One run of an agent: an `invoke_agent` span, an OpenInference AGENT span or a Langfuse AGENT observation. */
export interface AgentRun {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  agentName: string;
  workflowName?: string;
  /** The task the run performs, when it or a span above names one. */
  taskName?: string;
  startUnixNano: string;
  endUnixNano: string;
  serviceName?: string;
  /** The run span of the agent that invoked this one, if any. */
  parentRunSpanId?: string;
  /** Usage the run span reports for itself (some frameworks sum their calls there); the calls are not changed. */
  reportedUsage?: TokenUsage;
  reportedCostUsd?: number;
  convention: Convention;
}

/** One tool execution: an `execute_tool` span, an OpenInference TOOL span, a Vercel `ai.toolCall` span. */
export interface ToolCall {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  toolName?: string;
  agentName?: string;
  startUnixNano: string;
  endUnixNano: string;
  runSpanId?: string;
}

/** What a batch of spans (or an imported file) maps to. */
export interface MappedBatch {
  calls: ModelCall[];
  runs: AgentRun[];
  tools: ToolCall[];
  /** Calls left out because another call nested in them reported the same call's tokens (instrumented twice). */
  nestedCallsDropped: number;
}
