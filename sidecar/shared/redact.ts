/**
 * The one redactor every text passes before it leaves a process (CLI output, logs, JSON-RPC errors, the output
 * channel): the configured API keys, and anything shaped like a vendor's key, are replaced. A provider's error may
 * quote the key it was sent; the user must never see it printed back.
 */

/** The environment variables that hold API keys. */
export const keyVariables = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'] as const;

/**
 * Shapes of vendors' keys: OpenAI `sk-…` (`sk-proj-…`), Anthropic `sk-ant-…`, Google `AIza…`; masked echoes too
 * (`sk-pr****XYZ`, Google's `AIzaCana****CDEF`).
 */
const keyShaped = /\b(?:(?:sk-|AIza)[A-Za-z0-9_-]*\*{3,}[A-Za-z0-9_*-]*|sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{20,})/g;

/** The start all keys of a vendor share (`sk-proj-`, `sk-ant-api03-`, `AIza`): no secret, written in docs and errors. */
const vendorPrefix = /^(?:sk-ant-[a-z]+\d*-|sk-[A-Za-z]+-|sk-|AIza(?:Sy)?)/;

/** A word of prose (`birthday`, `Party`, `RSVP`), which a key a user made up may begin with. */
const word = /^(?:[A-Z]?[a-z]+|[A-Z]+)$/;

/** From this many characters on, a key's start is redacted whatever it looks like. */
const alwaysEnough = 14;

export const redacted = '[redacted]';

/** The API keys an environment holds (long enough to be keys). */
export function keysIn(env: Record<string, string | undefined>): string[] {
  return keyVariables.map((name) => env[name]).filter((key): key is string => typeof key === 'string' && key.trim().length >= 8);
}

/** The text with every key in `keys` (whole, cut short or percent-encoded), and every key-shaped string, redacted. */
export function redact(text: string, keys: readonly string[] = []): string {
  let clean = text;
  for (const key of keys) if (key.trim()) clean = clean.replace(keyPattern(key.trim()), redactRun);
  return clean.replace(keyShaped, redacted);
}

/**
 * How many characters of a key's start are enough to redact it: vendors echo a key cut short (`sk-proj-abc123…`).
 * Four characters past the vendor's prefix, as vendors show no more of a key themselves (`sk-…abcd`), so the prefix
 * alone stays; eight at least, so a key's start is not a common word or name; fourteen at most, as no vendor's
 * prefix is written that far (`sk-ant-api03-` is thirteen) without a key following.
 */
function enoughOf(key: string): number {
  const prefix = vendorPrefix.exec(key)?.[0] ?? '';
  return Math.min(key.length, alwaysEnough, Math.max(8, prefix.length + 4));
}

/** One pattern per configured key, made once: the same few keys redact every line. */
const patterns = new Map<string, RegExp>();

/**
 * The key's first characters (see enoughOf), and the rest of the run they start, each character as it is or
 * percent-encoded, as in a URL, a query string or a form.
 */
function keyPattern(key: string): RegExp {
  let pattern = patterns.get(key);
  if (pattern) return pattern;
  const start = [...key.slice(0, enoughOf(key))].map((ch) => `(?:${escaped(ch)}|${percentEncoded(ch)})`).join('');
  const others = [...new Set(key.replace(/[A-Za-z0-9_*-]/g, ''))].map(escaped).join('|');
  pattern = new RegExp(`${start}(?:[A-Za-z0-9_*-]|%[0-9A-Fa-f]{2}${others ? `|${others}` : ''})*`, 'g');
  patterns.set(key, pattern);
  return pattern;
}

/** A run a key's pattern found: redacted, unless it is a word the key happens to begin with. */
const redactRun = (run: string): string => (run.length < alwaysEnough && word.test(run) ? run : redacted);

const escaped = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** `%2B` or `%2b`: the character's UTF-8 bytes as percent-encoders write them, hex digits in either case. */
function percentEncoded(ch: string): string {
  const pairs = [...new TextEncoder().encode(ch)].map((byte) => byte.toString(16).padStart(2, '0'));
  return pairs.map((pair) => `%${pair.replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`)}`).join('');
}
