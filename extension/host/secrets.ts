import type * as vscode from 'vscode';

/** The providers whose API keys VS Code keeps, the secret each is kept under, and the variable the sidecar reads. */
export const keyedProviders = {
  openai: { label: 'OpenAI', secret: 'partycost.openaiApiKey', variable: 'OPENAI_API_KEY' },
  anthropic: { label: 'Anthropic', secret: 'partycost.anthropicApiKey', variable: 'ANTHROPIC_API_KEY' },
  gemini: { label: 'Google Gemini', secret: 'partycost.geminiApiKey', variable: 'GEMINI_API_KEY' },
} as const;

export type KeyedProvider = keyof typeof keyedProviders;

/** A provider's key in VS Code's secret storage: handed to the sidecar's environment, never to settings or logs. */
export function storeKey(secrets: vscode.SecretStorage, provider: KeyedProvider, key: string): Thenable<void> {
  const { secret } = keyedProviders[provider];
  return key ? secrets.store(secret, key) : secrets.delete(secret);
}

/** The keys stored, as the environment variables the sidecar reads (a stored key wins over the window's own). */
export async function keyEnvironment(secrets: vscode.SecretStorage): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const { secret, variable } of Object.values(keyedProviders)) {
    const key = await secrets.get(secret);
    if (key) env[variable] = key;
  }
  return env;
}
