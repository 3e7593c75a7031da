/**
 * What each provider can do, in one place: nothing outside this folder names a vendor to decide something (the price
 * catalogue names sellers, and the configuration's schema lists these names, both from here).
 */

/** The providers an agent can run on, as partycost.json names them. */
export const providerNames = ['offline', 'openai', 'anthropic', 'gemini'] as const;

export type ProviderName = (typeof providerNames)[number];

/** What runs a compute agent: its built-in function, no model, no provider. */
export const builtinProvider = 'builtin';

/** The provider of an agent that names none, when `defaults` names none either: no key, no network, no spend. */
export const defaultProvider: ProviderName = 'offline';

export interface ProviderProfile {
  name: ProviderName;
  /**
   * Calls leave the machine: a key is needed (an OpenAI-compatible server of another kind may take none), and a
   * result depends on the endpoint that answered it, so the endpoint is part of its key.
   */
  remote: boolean;
  /** The price catalogue's vendor whose models it serves (a call for another vendor's model is refused); none: any. */
  servesVendor?: string;
  /** Answers stream (usage with the last piece), as the vendors advise for long ones; `own endpoint`: not from another server. */
  streams: 'always' | 'own endpoint' | 'never';
  /**
   * `batch: true` agents: `api`, through the vendor's batch API we drive (and `refresh --batch` too), at its discount;
   * `counted`, priced at the discount as the vendor would bill them (the offline provider answers at once); `none`,
   * at list prices (no batch API driven).
   */
  batch: 'api' | 'counted' | 'none';
  /** Another server at a configured endpoint may take no key (a local OpenAI-compatible one: Ollama, vLLM, LM Studio). */
  keylessElsewhere: boolean;
  /** The vendor's own endpoint; the SDK's variable for another one; the variables that hold its key. */
  endpoint?: string;
  baseURLVariable?: string;
  keyVariables: string[];
}

const profiles: Record<ProviderName, ProviderProfile> = {
  offline: { name: 'offline', remote: false, streams: 'always', batch: 'counted', keylessElsewhere: true, keyVariables: [] },
  openai: {
    name: 'openai',
    remote: true,
    // OpenAI-compatible servers (Ollama, vLLM, LM Studio, Azure) serve other vendors' models too.
    streams: 'own endpoint',
    batch: 'api',
    keylessElsewhere: true,
    endpoint: 'https://api.openai.com/v1',
    baseURLVariable: 'OPENAI_BASE_URL',
    keyVariables: ['OPENAI_API_KEY'],
  },
  anthropic: {
    name: 'anthropic',
    remote: true,
    servesVendor: 'anthropic',
    streams: 'always',
    batch: 'api',
    keylessElsewhere: false,
    endpoint: 'https://api.anthropic.com',
    baseURLVariable: 'ANTHROPIC_BASE_URL',
    keyVariables: ['ANTHROPIC_API_KEY'],
  },
  gemini: {
    name: 'gemini',
    remote: true,
    servesVendor: 'google',
    streams: 'always',
    // Gemini's batch API is not driven: `batch: true` agents there are priced and run at list prices.
    batch: 'none',
    keylessElsewhere: false,
    endpoint: 'https://generativelanguage.googleapis.com',
    baseURLVariable: 'GOOGLE_GEMINI_BASE_URL',
    keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  },
};

/** A provider's profile; `builtin` (a compute agent) is local and has no batch API. */
export function providerProfile(name: ProviderName | typeof builtinProvider): ProviderProfile {
  return name === builtinProvider ? profiles.offline : profiles[name];
}

/** Whether calls to a provider stream, at its endpoint (`custom`: another server than the vendor's). */
export function streams(name: ProviderName, custom: boolean): boolean {
  const { streams: how } = profiles[name];
  return how === 'always' || (how === 'own endpoint' && !custom);
}

/** The provider whose settings the older `provider` section of partycost.json holds (its other fields: every provider's). */
export const legacySettingsProvider: ProviderName = 'openai';

/** The providers whose batch API we drive. */
export const batchProviders = providerNames.filter((name) => profiles[name].batch === 'api') as ('openai' | 'anthropic')[];

/** A provider whose batch API we drive. */
export type BatchProvider = (typeof batchProviders)[number];

export function isBatchProvider(name: string): name is BatchProvider {
  return (batchProviders as string[]).includes(name);
}
