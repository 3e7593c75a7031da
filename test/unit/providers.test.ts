import { providerConformance } from '../providerConformance';
import { AnthropicProvider } from '../../sidecar/providers/anthropic';
import { GeminiProvider } from '../../sidecar/providers/gemini';
import { OpenAIProvider } from '../../sidecar/providers/openai';
import { startAnthropicStandin } from '../standins/anthropic';
import { startGeminiStandin } from '../standins/gemini';
import { startOpenAIStandin } from '../standins/openai';

// Every driver passes the one conformance suite against a local server speaking its vendor's real protocol.

providerConformance({
  name: 'openai',
  model: 'gpt-4o-mini',
  key: 'sk-test-CANARY-openai-0123456789',
  keyVariable: /OPENAI_API_KEY/,
  start: startOpenAIStandin,
  make: (baseURL, apiKey) => new OpenAIProvider({ baseURL, apiKey }),
  sentKey: (request) => request.headers.authorization?.replace(/^Bearer /, ''),
  unreported: ['cacheWrite'],
  overloadStatus: 503,
});

providerConformance({
  name: 'anthropic',
  model: 'claude-haiku-4-5',
  key: 'sk-ant-test-CANARY-anthropic-0123456789',
  keyVariable: /ANTHROPIC_API_KEY/,
  start: startAnthropicStandin,
  make: (baseURL, apiKey) => new AnthropicProvider({ baseURL, apiKey }),
  // SDK 1.15 sends the key as a bearer token (older ones as x-api-key); Anthropic takes either.
  sentKey: (request) => (request.headers['x-api-key'] as string | undefined) ?? request.headers.authorization?.replace(/^Bearer /, ''),
  unreported: ['reasoning'],
  overloadStatus: 529,
});

providerConformance({
  name: 'gemini',
  model: 'gemini-2.5-flash',
  key: 'AIzaTEST-CANARY-gemini-0123456789',
  keyVariable: /GEMINI_API_KEY or GOOGLE_API_KEY/,
  start: startGeminiStandin,
  make: (baseURL, apiKey) => new GeminiProvider({ baseURL, apiKey }),
  sentKey: (request) => request.headers['x-goog-api-key'] as string | undefined,
  unreported: ['cacheWrite'],
  overloadStatus: 503,
});
