import { z } from 'zod';
import { providerNames } from '../providers/profiles';

/**
 * The schema of `partycost.json`. Its field names are a public contract (DESIGN.md §2): the JSON Schema contributed
 * to VS Code is generated from it (`partycost schema`), and the validator reports its issues with file positions.
 */

const count = z.number().int().nonnegative();
const amount = z.number().nonnegative();

const handlesSchema = z
  .strictObject({
    keywords: z.array(z.string().min(1)).optional().describe('Words that route an input here (case-insensitive, whole words).'),
    patterns: z.array(z.string().min(1)).optional().describe('Regular expressions (case-insensitive) that route an input here.'),
    numbers: z.array(z.string().min(1)).optional().describe('Units after a number that route an input here, e.g. "guests" for "75 guests".'),
  })
  .describe('Classifier rules that route an input to this agent; one input may route to several agents.');

const normalizeSchema = z
  .strictObject({
    words: z.array(z.string().min(1)).optional().describe('An input normalises to the first of these words it contains, e.g. a theme word.'),
    roundTo: z.number().positive().optional().describe('Numbers in an input are rounded to a multiple of this, e.g. 25 guests.'),
  })
  .describe('How routed inputs are normalised before they enter the cache key.');

const ttlSchema = z.union([amount.describe('Seconds.'), z.string().regex(/^\d+(s|m|h|d)$/, 'a duration such as "90s", "30m", "12h" or "7d"')]);

const cacheSchema = z.strictObject({
  ttl: ttlSchema.optional().describe('How long a cached result stays valid (default 7d).'),
  normalize: normalizeSchema.optional(),
});

const resourcesSchema = z
  .strictObject({
    vectorQueries: amount.optional(),
    computeSeconds: amount.optional(),
    cacheOps: amount.optional(),
    sqlQueries: amount.optional(),
  })
  .describe('Non-model resources one run of the agent uses.');

const toolSchema = z
  .strictObject({
    name: z.string().min(1).describe('The function name the model calls.'),
    description: z.string().optional().describe('What the tool does, as the model is told.'),
    parameters: z.record(z.string(), z.unknown()).optional().describe("The tool's arguments as a JSON Schema object."),
    resultTokens: count.max(1_000_000).optional().describe('Tokens one call of the tool adds to the conversation (its result); default 500.'),
  })
  .describe('A function tool the model is given with every call: its definition is billed as input, and each call of it is another model call.');

const callsSchema = z.union([
  count.min(1).max(1_000).describe('Model calls per run.'),
  z.strictObject({ p50: count.min(1).max(1_000), p90: count.min(1).max(1_000) }).describe('Model calls per run: the median and the 90th percentile.'),
]);

/** The providers an agent can run on (sidecar/providers/provider.ts names the same). */
const providerName = z.enum(providerNames);

export const agentSchema = z.strictObject({
  kind: z.enum(['llm', 'compute']).optional().describe('llm calls a model; compute runs a built-in function (no tokens).'),
  model: z.string().min(1).optional().describe('Model name; defaults to defaults.model.'),
  provider: providerName.optional().describe('The provider this agent runs on; defaults to defaults.provider (offline when unset).'),
  system: z.string().optional().describe('Optional system message.'),
  prompt: z.string().optional().describe('The user message: a template over {{inputs}} and {{upstreamAgent}} results.'),
  expectedInputTokens: count.max(10_000_000, 'at most 10,000,000 (no model reads more)').optional().describe('Overrides the counted prompt for estimates.'),
  expectedOutputTokens: count
    .max(1_000_000, 'at most 1,000,000 (no model writes more in one answer)')
    .optional()
    .describe('Expected completion tokens per run (default 256).'),
  contextBudget: count.optional().describe('Maximum prompt tokens.'),
  dependsOn: z.array(z.string().min(1)).optional().describe('Upstream agent names.'),
  handles: handlesSchema.optional(),
  tools: z
    .array(toolSchema)
    .optional()
    .describe('Function tools sent with each call: a run is then a loop of calls, each re-sending the conversation and the results so far.'),
  expectedCalls: callsSchema.optional().describe('Model calls per run (default 1; with tools, 3 at the median and 6 at p90, up to maxCalls).'),
  maxCalls: count.min(1).max(1_000).optional().describe("The most model calls one run makes (an agent loop's bound, e.g. CrewAI's max_iter + 1)."),
  toolsInPrompt: z
    .boolean()
    .optional()
    .describe('The tools are described in the system message, not sent as function definitions (a ReAct agent: CrewAI on a model without function calling).'),
  outputSchema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("A JSON Schema the answer must follow, sent with the call as structured output (OpenAI's response_format): billed as input."),
  cache: cacheSchema.optional(),
  resources: resourcesSchema.optional(),
  minQuality: z.number().min(0).max(1).optional().describe('Minimum model quality (0–1) for right-sizing.'),
  maxLatencyMs: amount.optional().describe('Maximum acceptable model latency for right-sizing.'),
  essential: z.boolean().optional().describe('false lets a budget limit defer this agent (and the advisor consider the Batch API for it).'),
  promptCache: z
    .enum(['5m', '1h', '24h', 'off'])
    .optional()
    .describe(
      'The vendor prompt cache of the stable prefix: Anthropic 5m (default) or 1h breakpoints, or off (no breakpoint); OpenAI 24h asks for extended retention (gpt-5 family, gpt-4.1); Gemini caches implicitly.',
    ),
  batch: z.boolean().optional().describe("Run through the vendor's Batch API (OpenAI, Anthropic): half price, answers within 24 hours."),
});

const modelPriceSchema = z.strictObject({
  input: amount.describe('USD per 1M input tokens.'),
  cachedInput: amount.optional().describe('USD per 1M cached input tokens read (default: input).'),
  cacheWrite: amount.optional().describe('USD per 1M input tokens written to a prompt cache (default: input).'),
  output: amount.describe('USD per 1M output tokens.'),
  batchInput: amount.optional().describe('USD per 1M batch input tokens (default: half of input).'),
  batchOutput: amount.optional().describe('USD per 1M batch output tokens (default: half of output).'),
  contextWindow: count.optional().describe('Maximum prompt plus completion tokens.'),
  maxOutputTokens: count.optional().describe('Maximum completion tokens of one answer.'),
  quality: z.number().min(0).max(1).optional().describe('Quality score (0–1) for right-sizing.'),
  latencyMs: amount.optional().describe('Typical latency for right-sizing.'),
});

const resourcePricesSchema = z.strictObject({
  vectorQuery: amount.optional().describe('USD per vector query (default 0.0001).'),
  computeSecond: amount.optional().describe('USD per compute second (default 0.0001).'),
  cacheOp: amount.optional().describe('USD per cache operation (default 0.000001).'),
  sqlQuery: amount.optional().describe('USD per SQL query (default 0.000005).'),
  orchestration: amount.optional().describe('USD of orchestration overhead per party (default 0.0001).'),
});

const limitsSchema = z.strictObject({
  daily: amount.optional().describe('USD per day.'),
  weekly: amount.optional().describe('USD per week.'),
  monthly: amount.optional().describe('USD per month.'),
  thresholds: z
    .array(z.number().positive())
    .max(4)
    .optional()
    .describe('Fractions of a limit at which to warn, suggest cheaper models, defer non-essential agents, refuse (default [0.5, 0.8, 0.9, 1.0]).'),
  timeZone: z.string().min(1).optional().describe('The IANA time zone whose days, weeks (from Monday) and months the limits count (default UTC).'),
  applyCheaperModels: z
    .boolean()
    .optional()
    .describe('At the second threshold, run agents on the cheaper models right-sizing finds, instead of only suggesting them.'),
});

const ledgerSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL: postgres://user:password@host:5432/database')
      .optional()
      .describe(
        "A team ledger on PostgreSQL that workspaces share (spend, limits, learned figures); PARTYCOST_LEDGER_URL wins over it. Without one, the workspace's SQLite ledger is the ledger.",
      ),
  })
  .describe('Where the ledger is shared.');

const volumeSchema = z.strictObject({
  partiesPerMonth: amount.optional().describe('Parties planned per month (default 1000).'),
  rerunFactor: amount.optional().describe('Runs per party, re-runs included (default 1).'),
});

const learningSchema = z
  .strictObject({
    window: count.min(1).max(1000).optional().describe("How many of an agent's latest runs its learned token figures are taken over (default 20)."),
    minRuns: count
      .min(1)
      .max(1000)
      .optional()
      .describe('Runs of an agent (as now configured) before learned figures replace expectedOutputTokens and the counted prompt (default 5).'),
  })
  .describe("How estimates learn from the ledger's actual runs.");

const providerSettingsSchema = z
  .strictObject({
    baseURL: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The endpoint (another server, a proxy); default: the SDK environment variable, else the vendor's own. Keys come from the environment, never from here.",
      ),
    timeoutMs: amount.optional().describe('Per attempt of one agent (default 60000).'),
    maxRetries: count.optional().describe('Retries of a rate limit, an overload, a server error, a timeout or a cut stream (default 3).'),
    cacheGroup: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Results are shared between endpoints with the same cacheGroup (a team sharing one deployment under two URLs); without one, each endpoint keeps its own.',
      ),
  })
  .describe('How a provider is reached.');

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  defaults: z
    .strictObject({
      model: z.string().min(1).optional(),
      provider: providerName.optional().describe('The provider of agents that name none (default offline).'),
      expectedOutputTokens: count
        .max(1_000_000, 'at most 1,000,000 (no model writes more in one answer)')
        .optional()
        .describe('Expected completion tokens per run of agents (and crew tasks) that set none (default 256).'),
    })
    .optional(),
  provider: providerSettingsSchema
    .optional()
    .describe("The openai provider's endpoint (kept for older configurations; see providers), and every provider's default timeout and retries."),
  providers: z
    .strictObject({ openai: providerSettingsSchema.optional(), anthropic: providerSettingsSchema.optional(), gemini: providerSettingsSchema.optional() })
    .optional()
    .describe('Per provider: baseURL, timeoutMs, maxRetries.'),
  prices: z.record(z.string(), modelPriceSchema).optional().describe('Prices of models the catalogue lacks, or that win over it (USD per 1M tokens).'),
  resourcePrices: resourcePricesSchema.optional(),
  limits: limitsSchema.optional(),
  ledger: ledgerSchema.optional(),
  volume: volumeSchema.optional(),
  learning: learningSchema.optional(),
  crew: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A CrewAI project\'s config directory (holding agents.yaml and tasks.yaml), relative to this file: its tasks are the agents, and "agents" here overrides them by task name.',
    ),
  inputs: z
    .record(z.string().regex(/^[A-Za-z_][\w-]*$/, 'a placeholder name'), z.string())
    .optional()
    .describe("Sample values of a crew's {placeholders} for estimates and checks (main.py's inputs are read too)."),
  agents: z.record(z.string(), agentSchema).default({}).describe('The agents, keyed by name (with "crew": overrides of its tasks, by task name).'),
});

export type PartyConfig = z.infer<typeof configSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type ResourcePrices = z.infer<typeof resourcePricesSchema>;

/** The JSON Schema contributed through `contributes.jsonValidation`. */
export function configJsonSchema(): object {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
}
