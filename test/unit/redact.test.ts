import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keysIn, redact, redacted } from '../../sidecar/shared/redact';

// sidecar/shared/redact.ts: what a vendor or a proxy echoes of a key (masked, cut short, percent-encoded in a URL)
// never leaves a process, and ordinary text stays as it is.

const openai = 'sk-proj-abc123DEF456ghi789JKL012mnoCANARY';
const anthropic = 'sk-ant-api03-ECHOCANARYanthropic0123456789';
const gemini = 'AIzaSyECHOCANARYgemini0123456789abcdef';
/** A key of a proxy the user runs (LiteLLM and the like): any characters, some of which a URL must encode. */
const proxy = 'pc+proxy/CANARY=0123!4567~89';
const keys = [openai, anthropic, gemini, proxy];

test("a vendor's masked echo is redacted: Google's asterisks in the middle, as OpenAI's", () => {
  const said = '400 API key not valid: AIzaCana**********CDEF. Please pass a valid API key.';
  assert.equal(redact(said), `400 API key not valid: ${redacted}. Please pass a valid API key.`);
  assert.equal(redact(said, keys), redact(said));
  assert.equal(redact('Incorrect API key provided: sk-proj-********************CDEF.'), `Incorrect API key provided: ${redacted}.`);
});

test('a configured key percent-encoded in a URL, a query string or a form is redacted, hex digits in either case', () => {
  const component = encodeURIComponent(proxy);
  const spellings = {
    encodeURIComponent: component,
    'lower-case hex': component.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    URLSearchParams: new URLSearchParams({ key: proxy }).toString().slice('key='.length),
  };
  assert.equal(new Set([proxy, ...Object.values(spellings)]).size, 4, 'four different spellings');
  for (const [how, spelled] of Object.entries(spellings)) {
    const said = `GET https://proxy.example/v1/models?key=${spelled}&alt=json: 401`;
    assert.equal(redact(said, keysIn({ OPENAI_API_KEY: proxy })), `GET https://proxy.example/v1/models?key=${redacted}&alt=json: 401`, how);
  }
});

test('the start of a configured key, as vendors echo it cut short, is redacted from fourteen characters on', () => {
  for (const key of keys)
    for (let length = 14; length <= key.length; length++) {
      const said = `401 Invalid API key: ${key.slice(0, length)}… (check the key)`;
      assert.equal(redact(said, keys), `401 Invalid API key: ${redacted}… (check the key)`, key.slice(0, length));
    }
  assert.equal(redact('Invalid API key sk-proj-abc123…', [openai]), `Invalid API key ${redacted}…`);
  // Four characters of the secret are enough when the vendor's prefix is short; eight in all for any key.
  assert.equal(redact('key sk-proj-abc1… refused', [openai]), `key ${redacted}… refused`);
  assert.equal(redact('key pc+proxy… refused', [proxy]), `key ${redacted}… refused`);
});

test("words and vendors' prefixes stay, even when a configured key begins with them", () => {
  const words = 'birthday-party-CANARY-0123456789';
  const text = 'the sk-learn library, task-based plans and a birthday party: OpenAI keys start with sk-proj-, Anthropic ones with sk-ant-api03-';
  assert.equal(redact(text, [...keys, words]), text);
  assert.equal(redact('key sk-proj-abc refused', [openai]), 'key sk-proj-abc refused', 'three characters of the secret');
  assert.equal(redact('proxy said: birthday-party-CA… is not a key', [words]), `proxy said: ${redacted}… is not a key`);
});
