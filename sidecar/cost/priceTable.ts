/** One model's prices in USD per 1M tokens, and its context window in tokens. */
export interface ModelPrices {
  input: number;
  cachedInput: number;
  output: number;
  batchInput: number;
  batchOutput: number;
  contextWindow: number;
}

/** The bundled price table. Workspace `prices` override it per model. */
export const bundledPrices = {
  source: 'OpenAI API pricing, USD per 1M tokens (platform.openai.com/docs/pricing); Batch API 50 % off',
  date: '2025-06-01',
  models: {
    'gpt-4o': withBatch({ input: 2.5, cachedInput: 1.25, output: 10, contextWindow: 128_000 }),
    'gpt-4o-mini': withBatch({ input: 0.15, cachedInput: 0.075, output: 0.6, contextWindow: 128_000 }),
    'gpt-4.1': withBatch({ input: 2, cachedInput: 0.5, output: 8, contextWindow: 1_047_576 }),
    'gpt-4.1-mini': withBatch({ input: 0.4, cachedInput: 0.1, output: 1.6, contextWindow: 1_047_576 }),
    'gpt-4.1-nano': withBatch({ input: 0.1, cachedInput: 0.025, output: 0.4, contextWindow: 1_047_576 }),
    'o4-mini': withBatch({ input: 1.1, cachedInput: 0.275, output: 4.4, contextWindow: 200_000 }),
    // No cached-input discount for gpt-3.5-turbo: cached tokens bill at the input price.
    'gpt-3.5-turbo': withBatch({ input: 0.5, cachedInput: 0.5, output: 1.5, contextWindow: 16_385 }),
  } as Record<string, ModelPrices>,
};

export function withBatch(prices: Omit<ModelPrices, 'batchInput' | 'batchOutput'> & Partial<ModelPrices>): ModelPrices {
  return { batchInput: prices.input / 2, batchOutput: prices.output / 2, ...prices };
}

/** USD per unit of the non-model resources an agent run uses, and per party for orchestration. */
export interface ResourceUnitPrices {
  vectorQuery: number;
  computeSecond: number;
  cacheOp: number;
  sqlQuery: number;
  orchestration: number;
}

export const defaultResourcePrices: ResourceUnitPrices = {
  vectorQuery: 0.0001,
  computeSecond: 0.0001,
  cacheOp: 0.000001,
  sqlQuery: 0.000005,
  orchestration: 0.0001,
};
