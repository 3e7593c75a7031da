import type { Usage } from '../contract/party';

/** A usage as older releases stored it (`cachedTokens` for cache reads, no cache writes or reasoning). */
type StoredUsage = Partial<Usage> & { cachedTokens?: number };

/** A stored usage in today's shape, whatever release wrote it (events, snapshots and cache entries keep old ones). */
export function usageOf(stored: StoredUsage): Usage {
  return {
    inputTokens: stored.inputTokens ?? 0,
    cacheReadTokens: stored.cacheReadTokens ?? stored.cachedTokens ?? 0,
    cacheWriteTokens: stored.cacheWriteTokens ?? 0,
    outputTokens: stored.outputTokens ?? 0,
    reasoningTokens: stored.reasoningTokens ?? 0,
    source: stored.source ?? 'estimated',
  };
}

/** No tokens: a compute agent's usage. */
export const noUsage: Usage = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'estimated' };
