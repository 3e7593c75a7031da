import { OfflineProvider } from './offline';
import { legacySettingsProvider, providerProfile } from './profiles';
import type { BatchProvider, ProviderName } from './profiles';
import { ProviderSetupError } from './provider';
import { isLoopback } from '../shared/loopback';
import type { Provider } from './provider';
import type { BatchDriver } from './batch';
import { BatchedCalls, batchPollMs } from './batchedCall';

/** How one provider is reached: its endpoint, per-attempt timeout and retries. */
export interface ProviderSettings {
  /** The endpoint, as the SDK is pointed at it (the vendor's own when none is configured). */
  baseURL: string;
  /** Whether the endpoint is another server than the vendor's (an OpenAI-compatible one, a proxy, a stand-in). */
  custom: boolean;
  timeoutMs: number;
  maxRetries: number;
}

/** One provider's settings in partycost.json (`providers.<name>`, or the older `provider` section). */
interface ProviderConfig {
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
  cacheGroup?: string;
}

/** The part of a configuration the providers read. */
export interface ProvidersConfig {
  provider?: ProviderConfig;
  providers?: Partial<Record<Exclude<ProviderName, 'offline'>, ProviderConfig>>;
}

/** A remote provider's own settings: `providers.<name>`, else (for the legacy provider) the older `provider` section. */
function ownSettings(name: ProviderName, config: ProvidersConfig): ProviderConfig | undefined {
  if (!providerProfile(name).remote) return undefined;
  const own = config.providers?.[name as Exclude<ProviderName, 'offline'>];
  return name === legacySettingsProvider ? { ...config.provider, ...own } : own;
}

/** Who named a provider's endpoint: the workspace's configuration, the user's environment, or no one (the vendor's). */
type EndpointSource = 'workspace' | 'environment' | 'vendor';

/** A provider's base URL: its own settings' baseURL, the SDK's variable, the vendor's own; and who named it. */
function baseURLOf(name: ProviderName, config: ProvidersConfig, env: NodeJS.ProcessEnv): { baseURL: string; custom: boolean; source: EndpointSource } {
  const profile = providerProfile(name);
  if (!profile.remote || !profile.endpoint) return { baseURL: name, custom: false, source: 'vendor' };
  const fromWorkspace = ownSettings(name, config)?.baseURL;
  const fromEnvironment = env[profile.baseURLVariable ?? ''] || undefined;
  const configured = fromWorkspace ?? fromEnvironment;
  const source: EndpointSource =
    configured === undefined || configured === profile.endpoint
      ? 'vendor'
      : fromWorkspace === undefined || fromWorkspace === fromEnvironment
        ? 'environment'
        : 'workspace';
  return { baseURL: configured ?? profile.endpoint, custom: configured !== undefined && configured !== profile.endpoint, source };
}

/** An endpoint as trust and result keys compare it: scheme and host in lower case, no default port, no trailing slash. */
export function endpointOf(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseURL;
  }
}

/** Whether the user trusts an endpoint a workspace names (`partycost trust`, VS Code's workspace trust). */
export type EndpointTrust = (endpoint: string) => boolean;

/**
 * Where a key from the environment may go: the vendor's own endpoint, one the user's environment names, or one this
 * workspace names that the user trusted; over plain http only to this machine. A cloned repository's partycost.json
 * cannot send the user's key to a server of its choosing.
 */
function checkEndpoint(name: ProviderName, baseURL: string, source: EndpointSource, keyVariable: string, trust: EndpointTrust): void {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ProviderSetupError(`the ${name} endpoint "${baseURL}" is not a URL`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    throw new ProviderSetupError(
      `the ${name} endpoint ${url.origin} is plain http: ${keyVariable} would cross the network unencrypted; use https (plain http goes only to this machine)`,
    );
  if (source === 'workspace' && !trust(endpointOf(baseURL)))
    throw new ProviderSetupError(
      `this workspace's configuration sends ${name} calls to ${url.origin} (providers.${name}.baseURL), which would receive your ${keyVariable}: run "partycost trust" if you trust this workspace (in VS Code, trust the workspace), or name the endpoint in your environment (${providerProfile(name).baseURLVariable})`,
    );
}

/**
 * Which results a provider's answers may share, for result keys: its endpoint, normalised (scheme and host in lower
 * case, no default port, no trailing slash), so the same model name at two servers never shares a result; or the
 * `cacheGroup` the configuration names, for teams that share results across endpoints on purpose.
 */
export function resultEndpoint(name: ProviderName, config: ProvidersConfig, env: NodeJS.ProcessEnv = process.env): string {
  const group = ownSettings(name, config)?.cacheGroup;
  if (group) return `group:${group}`;
  return endpointOf(baseURLOf(name, config, env).baseURL);
}

export const defaultTimeoutMs = 60_000;
export const defaultMaxRetries = 3;

/**
 * The providers of a workspace, each built on first use with its settings and its key from the environment. Base
 * URLs come from `providers.<name>.baseURL` (the older `provider.baseURL` for openai), else the SDK's environment
 * variable, else the vendor's endpoint; the configuration wins.
 */
export class Providers {
  private readonly built = new Map<ProviderName, Promise<Provider>>();

  constructor(
    private readonly config: ProvidersConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Ready-made providers by name (tests; an extension host that holds its own). */
    private readonly given: Partial<Record<ProviderName, Provider>> = {},
    /** The endpoints of this workspace the user trusts with keys (none unless said). */
    private readonly trust: EndpointTrust = () => false,
  ) {}

  settings(name: ProviderName): ProviderSettings {
    const own = providerProfile(name).remote ? this.config.providers?.[name as Exclude<ProviderName, 'offline'>] : undefined;
    const legacy = this.config.provider;
    const timeoutMs = own?.timeoutMs ?? legacy?.timeoutMs ?? defaultTimeoutMs;
    const maxRetries = own?.maxRetries ?? legacy?.maxRetries ?? defaultMaxRetries;
    const { baseURL, custom } = baseURLOf(name, this.config, this.env);
    return { baseURL, custom, timeoutMs, maxRetries };
  }

  /** The provider, built on first use; a missing key fails here, naming what to set. */
  get(name: ProviderName): Promise<Provider> {
    const given = this.given[name];
    if (given) return Promise.resolve(given);
    let provider = this.built.get(name);
    if (!provider) {
      provider = this.build(name);
      this.built.set(name, provider);
      provider.catch(() => this.built.delete(name));
    }
    return provider;
  }

  /** The provider's endpoint and key, or a ProviderSetupError naming what to set. */
  private reach(name: ProviderName, at?: string): { baseURL: string; apiKey: string | undefined } {
    const { baseURL, custom, source } = at === undefined ? baseURLOf(name, this.config, this.env) : this.elsewhere(name, at);
    const { keyVariables, keylessElsewhere } = providerProfile(name);
    const keyVariable = keyVariables.find((variable) => this.env[variable]);
    const apiKey = keyVariable && this.env[keyVariable];
    // A local OpenAI-compatible server (Ollama, vLLM, LM Studio) usually takes no key; the other vendors' APIs do.
    if (!apiKey && !(keylessElsewhere && custom)) {
      throw new ProviderSetupError(`the ${name} provider needs an API key: set ${keyVariables.join(' or ')} (or, in VS Code, run "Party Cost: Set API Key")`);
    }
    if (apiKey) checkEndpoint(name, baseURL, source, keyVariable!, this.trust);
    return { baseURL, apiKey };
  }

  /**
   * An endpoint other than the one configured now (where an earlier batch went), with where it came from as the key's
   * rules see it: the vendor's own, the one the environment names, or else one a workspace named (trusted or not).
   */
  private elsewhere(name: ProviderName, baseURL: string): { baseURL: string; custom: boolean; source: EndpointSource } {
    const profile = providerProfile(name);
    const fromEnvironment = this.env[profile.baseURLVariable ?? ''] || undefined;
    const same = (other: string | undefined): boolean => other !== undefined && endpointOf(other) === endpointOf(baseURL);
    const source: EndpointSource = same(profile.endpoint) ? 'vendor' : same(fromEnvironment) ? 'environment' : 'workspace';
    return { baseURL, custom: source !== 'vendor', source };
  }

  /** The endpoint the provider's calls go to now, as batches record it. */
  baseURL(name: ProviderName): string {
    return baseURLOf(name, this.config, this.env).baseURL;
  }

  /**
   * The vendor's batch API with its key: OpenAI's Batch API, Anthropic's Message Batches; at the provider's endpoint,
   * or at `at`, where an earlier batch went (a batch is known only there), under the same rules for where a key goes.
   */
  async batchDriver(name: BatchProvider, at?: string): Promise<BatchDriver> {
    const { baseURL, apiKey } = this.reach(name, at !== undefined && endpointOf(at) !== endpointOf(this.baseURL(name)) ? at : undefined);
    if (name === 'openai') return new (await import('./openaiBatch')).OpenAIBatchDriver({ baseURL, apiKey });
    return new (await import('./anthropicBatch')).AnthropicBatchDriver({ baseURL, apiKey: apiKey! });
  }

  private async build(name: ProviderName): Promise<Provider> {
    if (name === 'offline') return new OfflineProvider(Number(this.env.PARTYCOST_OFFLINE_LATENCY_MS) || 0);
    const { baseURL, apiKey } = this.reach(name);
    // The SDKs load only when a provider needs them, so an offline run never pays for them.
    // Calls of agents marked `batch: true` go through the vendor's batch API.
    const batched = (direct: Provider & { name: BatchProvider }): Provider =>
      new BatchedCalls(direct, () => this.batchDriver(direct.name), batchPollMs(this.env));
    if (name === 'openai') return batched(new (await import('./openai')).OpenAIProvider({ baseURL, apiKey }));
    if (name === 'anthropic') return batched(new (await import('./anthropic')).AnthropicProvider({ baseURL, apiKey: apiKey! }));
    return new (await import('./gemini')).GeminiProvider({ baseURL, apiKey: apiKey! });
  }
}
