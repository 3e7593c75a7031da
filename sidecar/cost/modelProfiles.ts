/** What right-sizing weighs besides price: a quality score (0–1) and a typical latency for a short answer. */
export interface ModelProfile {
  quality: number;
  latencyMs: number;
}

/**
 * Indicative profiles, Party Cost Inspector's own ranking (not a benchmark), of the models right-sizing proposes,
 * by the name a user writes (each resolves to its own vendor in the price catalogue). Override any model's
 * `quality` and `latencyMs`, or add a model, under `prices` in partycost.json.
 */
export const bundledProfiles: { source: string; models: Record<string, ModelProfile> } = {
  source: "indicative quality (0–1) and typical latency of a 500-token answer, Party Cost Inspector's own ranking",
  models: {
    // OpenAI
    'gpt-5': { quality: 0.95, latencyMs: 6_000 },
    o3: { quality: 0.94, latencyMs: 5_000 },
    'gpt-4.1': { quality: 0.92, latencyMs: 1_000 },
    'gpt-4o': { quality: 0.9, latencyMs: 900 },
    'gpt-5-mini': { quality: 0.88, latencyMs: 3_000 },
    'o4-mini': { quality: 0.88, latencyMs: 2_500 },
    'gpt-4.1-mini': { quality: 0.82, latencyMs: 600 },
    'gpt-5-nano': { quality: 0.78, latencyMs: 2_000 },
    'gpt-4o-mini': { quality: 0.75, latencyMs: 500 },
    'gpt-4.1-nano': { quality: 0.65, latencyMs: 350 },
    'gpt-3.5-turbo': { quality: 0.55, latencyMs: 400 },
    // Anthropic
    'claude-opus-4-5': { quality: 0.97, latencyMs: 3_500 },
    'claude-opus-4-1': { quality: 0.96, latencyMs: 4_000 },
    'claude-sonnet-4-5': { quality: 0.95, latencyMs: 2_000 },
    'claude-sonnet-4-0': { quality: 0.93, latencyMs: 2_000 },
    'claude-3-7-sonnet-latest': { quality: 0.9, latencyMs: 2_000 },
    'claude-haiku-4-5': { quality: 0.86, latencyMs: 800 },
    'claude-3-5-haiku-latest': { quality: 0.74, latencyMs: 700 },
    'claude-3-haiku': { quality: 0.6, latencyMs: 500 },
    // Google
    'gemini-2.5-pro': { quality: 0.94, latencyMs: 3_000 },
    'gemini-2.5-flash': { quality: 0.86, latencyMs: 900 },
    'gemini-2.0-flash': { quality: 0.78, latencyMs: 600 },
    'gemini-2.5-flash-lite': { quality: 0.74, latencyMs: 500 },
    'gemini-2.0-flash-lite': { quality: 0.68, latencyMs: 450 },
    // Mistral, DeepSeek, xAI
    'mistral-large-latest': { quality: 0.86, latencyMs: 1_200 },
    'mistral-medium-latest': { quality: 0.82, latencyMs: 900 },
    'mistral-small-latest': { quality: 0.72, latencyMs: 500 },
    'ministral-8b-latest': { quality: 0.6, latencyMs: 400 },
    'deepseek-reasoner': { quality: 0.9, latencyMs: 6_000 },
    'deepseek-chat': { quality: 0.86, latencyMs: 1_500 },
    'grok-4': { quality: 0.94, latencyMs: 4_000 },
    'grok-3-mini': { quality: 0.8, latencyMs: 1_500 },
  },
};
