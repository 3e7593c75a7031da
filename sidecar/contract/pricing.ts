import { UserError } from './errors';

/**
 * What-if pricing: the share of each prompt's input tokens billed at the cached-input price, and whether agents run
 * through the Batch API (its input, output and the cached price, all at the batch discount). No tokenizer here, so
 * the extension host can import it without carrying the estimate's dependencies.
 */
export interface Pricing {
  cachedInputShare: number;
  batch: boolean;
}

export const listPricing: Pricing = { cachedInputShare: 0, batch: false };

/** A what-if pricing that cannot be priced; its message is for the user. */
export class PricingError extends UserError {}

/** The pricing, checked (it may come from a webview or over JSON-RPC); a PricingError says what is wrong. */
export function checkedPricing(value: unknown): Pricing {
  const pricing = value as Partial<Pricing> | null | undefined;
  const share = pricing?.cachedInputShare;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new PricingError(`cachedInputShare must be between 0 and 1, not ${String(share)}`);
  if (typeof pricing?.batch !== 'boolean') throw new PricingError(`batch must be true or false, not ${String(pricing?.batch)}`);
  return { cachedInputShare: share, batch: pricing.batch };
}

/** Where the prices in force come from, and how fresh they are. */
export interface CatalogueInfo {
  source: string;
  /** The day the data is from: the pinned release's date, or the day an update fetched it. */
  date: string;
  version: string;
  /** Set when the data was fetched by an update rather than bundled. */
  fetchedAt?: string;
  providers: number;
  models: number;
}

/** A model's prices per 1M tokens today, as `partycost prices` lists them. */
export interface ModelPriceSheet {
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd?: number;
  cacheWriteUsd?: number;
  /** Anthropic's price to write a prefix cached for 1 hour (the 5-minute write is `cacheWriteUsd`). */
  cacheWrite1hUsd?: number;
  tiers?: { aboveInputTokens: number; inputUsd: number; outputUsd: number }[];
}

/** One model's row of `partycost prices --json`. */
export interface ModelRow extends ModelPriceSheet {
  provider: string;
  model: string;
  contextWindow?: number;
}
