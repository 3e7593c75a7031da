import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { partycost as cli, readDatabase } from './cliProcess';
import type { CliRun } from './cliProcess';
import { startAnthropicBatchStandin, startOpenAIBatchStandin } from './standins/batches';
import type { BatchPlan, BatchStandin } from './standins/batches';
import type { ImpactReport } from '../sidecar/contract/impact';

// What the refresh --batch tests share: the CLI with canary keys, a workspace whose parties the move to OpenAI and
// Anthropic made stale, the two batch stand-ins, and what a vendor was sent.

export const keys = { OPENAI_API_KEY: 'sk-proj-CANARYbatch0123456789abcdef', ANTHROPIC_API_KEY: 'sk-ant-api03-CANARYbatch0123456789' };

/**
 * The vendors' endpoints each workspace's configuration names, named in the environment too (as a user pointing the
 * SDKs at them does), so the keys may go there without `partycost trust`.
 */
const endpoints = new Map<string, Record<string, string>>();

/** `partycost ARGS` with the canary keys, the workspace's endpoints and batches read every 5 ms. */
export function partycost(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return cli(cwd, args, { ...keys, ...endpoints.get(cwd), PARTYCOST_BATCH_POLL_MS: '5', ...env });
}

const config = (openai: string, anthropic: string, providers: boolean): string => `{
  "defaults": { "model": "gpt-4o-mini" },
  "providers": { "openai": { "baseURL": "${openai}" }, "anthropic": { "baseURL": "${anthropic}" } },
  "agents": {
    "theme": {${providers ? '\n      "provider": "openai",' : ''}
      "prompt": "Suggest a party theme for: {{inputs}}",
      "expectedOutputTokens": 100,
      "handles": { "keywords": ["theme"] }
    },
    "menu": {${providers ? '\n      "provider": "anthropic",' : ''}
      "model": "claude-haiku-4-5",
      "prompt": "Plan the menu for {{inputs}} with the theme: {{theme}}",
      "dependsOn": ["theme"],
      "expectedOutputTokens": 100,
      "handles": { "keywords": ["food"] }
    }
  }
}
`;

/** Three parties with inputs of their own. */
export const distinctParties = [
  ['jungle theme', 'vegan food'],
  ['pirate theme', 'pizza food'],
  ['space theme', 'fruit food'],
];

/** A new workspace whose configuration (`text`) names the vendors at these base URLs. */
export function batchWorkspace(openai: { baseURL: string }, anthropic: { baseURL: string }, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-batch-'));
  endpoints.set(dir, { OPENAI_BASE_URL: openai.baseURL, ANTHROPIC_BASE_URL: anthropic.baseURL });
  writeFileSync(path.join(dir, 'partycost.json'), text);
  return dir;
}

/** Parties (P1, P2, …) run offline, then the agents moved to OpenAI and Anthropic (at these base URLs): all stale. */
export async function staleWorkspace(openai: { baseURL: string }, anthropic: { baseURL: string }, parties = distinctParties): Promise<string> {
  const dir = batchWorkspace(openai, anthropic, config(openai.baseURL, anthropic.baseURL, false));
  for (const inputs of parties) {
    assert.equal((await partycost(dir, ['party', 'create', ...inputs.flatMap((i) => ['--input', i])])).code, 0);
  }
  for (let i = 1; i <= parties.length; i++) assert.equal((await partycost(dir, ['run', `P${i}`])).code, 0);
  writeFileSync(path.join(dir, 'partycost.json'), config(openai.baseURL, anthropic.baseURL, true));
  const impact = JSON.parse((await partycost(dir, ['impact', '--json'])).stdout) as ImpactReport;
  assert.deepEqual(impact.parties, { total: parties.length, affected: parties.length });
  return dir;
}

export async function standins(
  openaiPlan: BatchPlan,
  anthropicPlan: BatchPlan,
): Promise<{ openai: BatchStandin; anthropic: BatchStandin; close(): Promise<void> }> {
  const openai = await startOpenAIBatchStandin(openaiPlan);
  const anthropic = await startAnthropicBatchStandin(anthropicPlan);
  return { openai, anthropic, close: async () => void (await Promise.all([openai.close(), anthropic.close()])) };
}

/** One item a vendor received: its custom id and the request's body. */
export interface SentItem {
  customId: string;
  body: { model: string; messages: { role: string; content: unknown }[] };
}

/** Every item of the JSONL files uploaded to OpenAI's Files (multipart bodies: one JSON line per item). */
export function uploadedItems(openai: BatchStandin): SentItem[] {
  return openai.requests
    .filter((r) => r.method === 'POST' && r.path === '/v1/files')
    .flatMap((r) => r.body.split(/\r?\n/).filter((line) => line.startsWith('{"custom_id"')))
    .map((line) => {
      const item = JSON.parse(line) as { custom_id: string; body: SentItem['body'] };
      return { customId: item.custom_id, body: item.body };
    });
}

/** Every item of the Message Batches created on Anthropic. */
export function submittedItems(anthropic: BatchStandin): SentItem[] {
  return anthropic.requests
    .filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches')
    .flatMap((r) => (JSON.parse(r.body) as { requests: { custom_id: string; params: SentItem['body'] }[] }).requests)
    .map((r) => ({ customId: r.custom_id, body: r.params }));
}

/** The batches the workspace's database keeps open (submitted, not seen end). */
export function openBatches(dir: string): string[] {
  return readDatabase(dir, (db) => (db.prepare('SELECT id FROM batches WHERE ended_at IS NULL ORDER BY rowid').all() as { id: string }[]).map((r) => r.id));
}
