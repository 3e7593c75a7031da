// The span attribute names the mapping reads, by convention family, and where each is defined.
//
// OpenTelemetry GenAI semantic conventions (status Development): open-telemetry/semantic-conventions v1.41.0,
//   model/gen-ai/registry.yaml — gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model,
//   gen_ai.usage.input_tokens ("SHOULD include all types of input tokens, including cached tokens"),
//   gen_ai.usage.cache_read.input_tokens and gen_ai.usage.cache_creation.input_tokens ("SHOULD be included in
//   gen_ai.usage.input_tokens"), gen_ai.usage.output_tokens, gen_ai.usage.reasoning.output_tokens ("SHOULD be included
//   in gen_ai.usage.output_tokens"), gen_ai.operation.name (chat, generate_content, text_completion, embeddings,
//   retrieval, create_agent, invoke_agent, execute_tool, invoke_workflow), gen_ai.agent.name, gen_ai.workflow.name,
//   gen_ai.tool.name. Since v1.42 these live in open-telemetry/semantic-conventions-genai; the main repository keeps
//   them in model/gen-ai/deprecated/registry-deprecated.yaml, beside the older gen_ai.system,
//   gen_ai.usage.prompt_tokens and gen_ai.usage.completion_tokens ("Deprecated, use gen_ai.usage.input_tokens").
// OpenLLMetry (traceloop/openllmetry, opentelemetry-semantic-conventions-ai and
//   opentelemetry-instrumentation-anthropic/__init__.py): gen_ai.system ("Anthropic"), llm.request.type,
//   gen_ai.usage.cache_read_input_tokens / cache_creation_input_tokens, gen_ai.usage.reasoning_tokens,
//   traceloop.span.kind (workflow, task, agent, tool) with traceloop.entity.name and traceloop.workflow.name.
//   Its Anthropic instrumentation sends input = Anthropic's input_tokens + cache read + cache creation.
// OpenInference (Arize-ai/openinference, spec/semantic_conventions.md): openinference.span.kind (LLM, EMBEDDING,
//   CHAIN, TOOL, AGENT, …), llm.provider (the host), llm.system (the vendor), llm.model_name (the model that answered),
//   llm.request.model_name / llm.response.model_name, llm.token_count.prompt / completion / total,
//   llm.token_count.prompt_details.cache_read / cache_write, llm.token_count.completion_details.reasoning,
//   llm.cost.total (USD), agent.name, tool.name.
// Vercel AI SDK (vercel/ai, content/docs/03-ai-sdk-core/60-telemetry.mdx and packages/ai/src/generate-text/
//   generate-text.ts): spans ai.generateText / ai.streamText / ai.generateObject / ai.streamObject / ai.embed(Many)
//   wrap provider calls ai.<fn>.doGenerate / doStream / doEmbed and tool calls ai.toolCall; attributes ai.operationId,
//   ai.model.id, ai.model.provider (`anthropic.messages`, `openai.chat`, …), ai.response.model,
//   ai.telemetry.functionId, ai.usage.promptTokens / completionTokens (v4), ai.usage.inputTokens / outputTokens /
//   reasoningTokens / cachedInputTokens (v5), ai.usage.inputTokenDetails.{noCache,cacheRead,cacheWrite}Tokens and
//   ai.usage.outputTokenDetails.reasoningTokens (v6), ai.usage.tokens (embeddings), ai.toolCall.name.

/** OpenTelemetry GenAI names, current and deprecated. */
export const genAi = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  agentName: 'gen_ai.agent.name',
  workflowName: 'gen_ai.workflow.name',
  toolName: 'gen_ai.tool.name',
  /** Not in the conventions; the common name for a cost (OpenLIT, Laminar). */
  cost: 'gen_ai.usage.cost',
} as const;

/** CrewAI's names (its own telemetry and the OpenLLMetry / OpenInference CrewAI instrumentations): the task a span runs. */
export const crewai = {
  taskName: 'crewai.task.name',
  agentRole: 'crewai.agent.role',
} as const;

/** OpenLLMetry's own names. */
export const traceloop = {
  requestType: 'llm.request.type',
  spanKind: 'traceloop.span.kind',
  entityName: 'traceloop.entity.name',
  workflowName: 'traceloop.workflow.name',
} as const;

/** OpenInference names. */
export const openInference = {
  spanKind: 'openinference.span.kind',
  provider: 'llm.provider',
  system: 'llm.system',
  modelName: 'llm.model_name',
  requestModel: 'llm.request.model_name',
  responseModel: 'llm.response.model_name',
  totalTokens: 'llm.token_count.total',
  cost: 'llm.cost.total',
  agentName: 'agent.name',
  toolName: 'tool.name',
} as const;

/** Vercel AI SDK names. */
export const vercelAi = {
  operationId: 'ai.operationId',
  modelId: 'ai.model.id',
  provider: 'ai.model.provider',
  responseModel: 'ai.response.model',
  functionId: 'ai.telemetry.functionId',
  toolName: 'ai.toolCall.name',
  providerMetadata: 'ai.response.providerMetadata',
  /** Present from v6 on, where ai.usage.inputTokens counts the cached parts. */
  inputDetails: ['ai.usage.inputTokenDetails.noCacheTokens', 'ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.inputTokenDetails.cacheWriteTokens'],
  /** A provider call (the wrappers around it carry the same usage summed over steps). */
  providerCall: /^ai\.\w+\.do(?:Generate|Stream|Embed)$/,
  toolCall: 'ai.toolCall',
} as const;

/** The families whose prompt and answer counts a span may carry, each with its own names, in the order tried. */
export const tokenFamilies = [
  {
    convention: 'vercel_ai',
    input: ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'],
    output: ['ai.usage.outputTokens', 'ai.usage.completionTokens'],
  },
  { convention: 'gen_ai', input: ['gen_ai.usage.input_tokens'], output: ['gen_ai.usage.output_tokens'] },
  { convention: 'gen_ai_legacy', input: ['gen_ai.usage.prompt_tokens'], output: ['gen_ai.usage.completion_tokens'] },
  { convention: 'openinference', input: ['llm.token_count.prompt'], output: ['llm.token_count.completion'] },
] as const;

/** Detail counts, whichever family names them (a span rarely names one count twice). */
export const cacheReadNames = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.cachedInputTokens',
];
export const cacheWriteNames = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'ai.usage.inputTokenDetails.cacheWriteTokens',
];
export const reasoningNames = [
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.token_count.completion_details.reasoning',
  'ai.usage.outputTokenDetails.reasoningTokens',
  'ai.usage.reasoningTokens',
];

/** gen_ai.operation.name values that are not a model call. */
export const nonCallOperations = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow', 'retrieval']);
