/**
 * The one redactor every text passes before it leaves a process (CLI output, logs, JSON-RPC errors, the output
 * channel): the configured API keys, and anything shaped like a vendor's key, are replaced. A provider's error may
 * quote the key it was sent; the user must never see it printed back.
 */

/** The environment variables that hold API keys. */
export const keyVariables = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'] as const;

/** Shapes of vendors' keys: OpenAI `sk-…` (`sk-proj-…`), Anthropic `sk-ant-…`, Google `AIza…`; masked echoes too. */
const keyShaped = /\b(?:sk-[A-Za-z0-9_-]*\*{3,}[A-Za-z0-9_*-]*|sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{20,})/g;

export const redacted = '[redacted]';

/** The API keys an environment holds (long enough to be keys). */
export function keysIn(env: Record<string, string | undefined>): string[] {
  return keyVariables.map((name) => env[name]).filter((key): key is string => typeof key === 'string' && key.trim().length >= 8);
}

/** The text with every key in `keys`, and every key-shaped string, replaced by `[redacted]`. */
export function redact(text: string, keys: readonly string[] = []): string {
  let clean = text;
  for (const key of keys) if (key && clean.includes(key)) clean = clean.split(key).join(redacted);
  return clean.replace(keyShaped, redacted);
}
