export type EncodingName = 'o200k_base' | 'cl100k_base';

/** One chat message as sent to the chat completions API. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  name?: string;
}

/** How a model's tokens are counted: exactly with its own encoding, or approximately with o200k. */
export interface Tokenization {
  encoding: EncodingName;
  exact: boolean;
}

type Encoder = typeof import('gpt-tokenizer/encoding/o200k_base');

// Each encoding takes about 0.2 s to load, so it is loaded on first use.
const encoders: Partial<Record<EncodingName, Encoder>> = {};
function encoder(name: EncodingName): Encoder {
  return (encoders[name] ??= name === 'o200k_base' ? require('gpt-tokenizer/encoding/o200k_base') : require('gpt-tokenizer/encoding/cl100k_base'));
}

const o200kFamilies = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)(\b|-|$)/;
const cl100kFamilies = /^(gpt-4|gpt-3\.5)(\b|-|$)/;

const approximate: Tokenization = { encoding: 'o200k_base', exact: false };

/**
 * The encoding of an OpenAI model (`gpt-4o`, `openai/gpt-5`, `azure:gpt-4.1`…) counts exactly; every other model
 * (Claude, Gemini, Mistral…) is counted with o200k and marked approximate.
 */
export function tokenizationFor(model: string): Tokenization {
  const qualified = /^([\w.-]+)[/:](.+)$/.exec(model);
  const vendor = qualified?.[1]?.toLowerCase();
  const bare = vendor === 'openai' || vendor === 'azure' ? (qualified?.[2] ?? '') : qualified ? '' : model;
  if (o200kFamilies.test(bare)) return { encoding: 'o200k_base', exact: true };
  if (cl100kFamilies.test(bare)) return { encoding: 'cl100k_base', exact: true };
  return approximate;
}

// Special-token text such as "<|endoftext|>" in a prompt is ordinary text to the API, so it is counted as such.
const plainText = { disallowedSpecial: new Set<string>() };

export function countText(text: string, encoding: EncodingName): number {
  return encoder(encoding).countTokens(text, plainText);
}

/** Per message: 3 framing tokens plus role and content (and name + 1); per reply: 3 priming tokens. */
export const chatOverhead = { perMessage: 3, perName: 1, perReply: 3 } as const;

/** The prompt tokens the chat completions API reports as `usage.prompt_tokens` for these messages. */
export function countChat(messages: readonly ChatMessage[], encoding: EncodingName): number {
  let tokens = chatOverhead.perReply;
  for (const message of messages) {
    tokens += chatOverhead.perMessage + countText(message.role, encoding) + countText(message.content, encoding);
    if (message.name) tokens += chatOverhead.perName + countText(message.name, encoding);
  }
  return tokens;
}
