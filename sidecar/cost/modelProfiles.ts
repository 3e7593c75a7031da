/** What right-sizing weighs besides price: a quality score (0–1) and a typical latency for a short answer. */
export interface ModelProfile {
  quality: number;
  latencyMs: number;
}

/**
 * Indicative profiles, Party Cost Inspector's own ranking (not a benchmark): override any model's `quality` and
 * `latencyMs` under `prices` in partycost.json.
 */
export const bundledProfiles: { source: string; models: Record<string, ModelProfile> } = {
  source: "indicative quality (0–1) and typical latency of a 500-token answer, Party Cost Inspector's own ranking",
  models: {
    'gpt-4.1': { quality: 0.92, latencyMs: 1_000 },
    'gpt-4o': { quality: 0.9, latencyMs: 900 },
    'o4-mini': { quality: 0.88, latencyMs: 2_500 },
    'gpt-4.1-mini': { quality: 0.82, latencyMs: 600 },
    'gpt-4o-mini': { quality: 0.75, latencyMs: 500 },
    'gpt-4.1-nano': { quality: 0.65, latencyMs: 350 },
    'gpt-3.5-turbo': { quality: 0.55, latencyMs: 400 },
  },
};
