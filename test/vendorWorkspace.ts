import type { TestContext } from 'node:test';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAnthropicStandin } from './standins/anthropic';
import { startGeminiStandin } from './standins/gemini';
import { startOpenAIStandin } from './standins/openai';
import type { Standin } from './standins/standin';

// What the tests of a party on three vendors share: canary keys, a stand-in of each vendor's API that the SDKs' own
// environment variables point at, and the mixed-vendors example as a fresh workspace.

export const keys = {
  OPENAI_API_KEY: 'sk-proj-CANARYopenai0123456789abcdef',
  ANTHROPIC_API_KEY: 'sk-ant-api03-CANARYanthropic0123456789',
  GEMINI_API_KEY: 'AIzaSyCANARYgemini0123456789abcdefgh',
};

/** The three stand-ins, closed after the test, and the environment (keys, base URLs) that points the SDKs at them. */
export async function vendorStandins(t: TestContext): Promise<{ anthropic: Standin; gemini: Standin; openai: Standin; env: Record<string, string> }> {
  const [anthropic, gemini, openai] = await Promise.all([startAnthropicStandin(), startGeminiStandin(), startOpenAIStandin()]);
  t.after(() => Promise.all([anthropic.close(), gemini.close(), openai.close()]));
  const env = { ...keys, ANTHROPIC_BASE_URL: anthropic.baseURL, GOOGLE_GEMINI_BASE_URL: gemini.baseURL, OPENAI_BASE_URL: openai.baseURL };
  return { anthropic, gemini, openai, env };
}

/** A fresh workspace with examples/mixed-vendors/partycost.json. */
export function mixedVendorsWorkspace(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `partycost-${prefix}-`));
  copyFileSync(path.resolve('examples/mixed-vendors/partycost.json'), path.join(dir, 'partycost.json'));
  return dir;
}

/** Every file below a folder, with its bytes. */
export function filesIn(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesIn(file) : [{ file, bytes: readFileSync(file) }];
  });
}
