import type { PartyConfig } from '../config/schema';
import { OfflineProvider } from './offline';
import { OpenAIProvider } from './openai';
import type { Provider } from './provider';
import type { RetryPolicy } from './retry';

/** The configured provider; the OpenAI key comes from the environment only. */
export function createProvider(config: PartyConfig, env: NodeJS.ProcessEnv = process.env): Provider {
  if (config.defaults?.provider === 'openai') return new OpenAIProvider({ baseURL: config.provider?.baseURL, apiKey: env.OPENAI_API_KEY });
  return new OfflineProvider(Number(env.PARTYCOST_OFFLINE_LATENCY_MS) || 0);
}

/** Per-attempt timeout and retries from the configuration's `provider` settings. */
export function providerRunOptions(config: PartyConfig): { timeoutMs: number; retry?: Partial<RetryPolicy> } {
  return {
    timeoutMs: config.provider?.timeoutMs ?? 60_000,
    retry: config.provider?.maxRetries !== undefined ? { retries: config.provider.maxRetries } : undefined,
  };
}
