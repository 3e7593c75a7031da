import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../sidecar/sources/load';
import { agentDefinition } from '../../sidecar/planner/keys';
import { resultEndpoint } from '../../sidecar/providers/registry';
import type { ProvidersConfig } from '../../sidecar/providers/registry';
import { OpenAIProvider } from '../../sidecar/providers/openai';
import { ResultCache } from '../../sidecar/cache/resultCache';
import { engine, tempDatabase } from '../engine';
import { startOpenAIStandin } from '../standins/openai';
import { SqliteStore } from '../../sidecar/store/sqliteStore';

// The same model name at two endpoints (OpenAI, Azure, a local Ollama or vLLM) is two models: results never cross
// endpoints, unless the configuration says the endpoints are one deployment (a shared cacheGroup).

function config(baseURL: string, cacheGroup?: string): string {
  return JSON.stringify({
    defaults: { model: 'gpt-4o-mini', provider: 'openai' },
    providers: { openai: { baseURL, ...(cacheGroup ? { cacheGroup } : {}) } },
    agents: { theme: { prompt: 'Suggest a theme for: {{inputs}}', handles: { keywords: ['theme'] } } },
  });
}

test('the endpoint is part of every result key, normalised; offline and compute keys are as they were', () => {
  assert.equal(resultEndpoint('openai', JSON.parse(config('HTTPS://API.Example.COM:443/v1/'))), 'https://api.example.com/v1');
  assert.equal(resultEndpoint('openai', JSON.parse(config('http://127.0.0.1:11434/v1', 'team'))), 'group:team');
  assert.equal(resultEndpoint('anthropic', {}, {}), 'https://api.anthropic.com');
  assert.equal(resultEndpoint('anthropic', {}, { ANTHROPIC_BASE_URL: 'http://proxy.internal:8080/' }), 'http://proxy.internal:8080');
  const offline = loadConfigText(JSON.stringify({ agents: { a: { model: 'gpt-4o', prompt: 'x' } } }), 'partycost.json').config!;
  assert.deepEqual(Object.keys(agentDefinition(offline.agents.a, offline)).sort(), [
    'contextBudget',
    'expectedOutputTokens',
    'kind',
    'model',
    'normalize',
    'prompt',
    'provider',
    'system',
  ]);
});

test('two endpoints never share a result; a shared cacheGroup does, on purpose', async (t) => {
  const [first, second] = await Promise.all([startOpenAIStandin(), startOpenAIStandin()]);
  t.after(() => Promise.all([first.close(), second.close()]));
  const { db } = tempDatabase();
  const cache = new ResultCache({ tables: new SqliteStore(db).cache, namespace: 'endpoints' });
  t.after(() => cache.close());
  const run = async (baseURL: string, group?: string) => {
    const parties = engine(config(baseURL, group), db, new OpenAIProvider({ baseURL, apiKey: 'sk-test' }), cache);
    const { party } = parties.create('p', ['a jungle theme']);
    return parties.run(party.id);
  };
  assert.equal((await run(first.baseURL)).agents[0].action, 'execute');
  const other = await run(second.baseURL);
  assert.equal(other.agents[0].action, 'execute', 'another endpoint: its own result');
  assert.deepEqual([first.requests.length, second.requests.length], [1, 1]);
  assert.equal((await run(first.baseURL)).agents[0].action, 'cache_hit', 'the same endpoint shares');
  await run(first.baseURL, 'shared-deployment');
  const grouped = await run(second.baseURL, 'shared-deployment');
  assert.equal(grouped.agents[0].action, 'cache_hit', 'one cacheGroup: one deployment');
  assert.deepEqual([first.requests.length, second.requests.length], [2, 1]);
});

test("a key goes to the vendor's endpoint, one the environment names, or one of the workspace's the user trusted; plain http only to this machine", async () => {
  const { Providers } = await import('../../sidecar/providers/registry');
  const key = { OPENAI_API_KEY: 'sk-proj-TRUSTtest0123456789' };
  const workspaceNamed = (url: string): ProvidersConfig => JSON.parse(config(url)) as ProvidersConfig;
  const reaches = async (providers: InstanceType<typeof Providers>): Promise<string> => {
    try {
      await providers.get('openai');
      return 'sent';
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.equal(await reaches(new Providers({}, key)), 'sent', "the vendor's own");
  assert.equal(await reaches(new Providers({}, { ...key, OPENAI_BASE_URL: 'https://gateway.example.com/v1' })), 'sent', 'the environment names it');
  assert.equal(
    await reaches(new Providers(workspaceNamed('https://gateway.example.com/v1'), { ...key, OPENAI_BASE_URL: 'https://gateway.example.com/v1' })),
    'sent',
    'the workspace names what the environment names',
  );
  assert.match(
    await reaches(new Providers(workspaceNamed('https://collector.example.net/v1'), key)),
    /^this workspace's configuration sends openai calls to https:\/\/collector\.example\.net \(providers\.openai\.baseURL\), which would receive your OPENAI_API_KEY: run "partycost trust"/,
  );
  const trusted = (endpoint: string) => endpoint === 'https://collector.example.net/v1';
  assert.equal(await reaches(new Providers(workspaceNamed('https://collector.example.net/v1/'), key, {}, trusted)), 'sent', 'trusted: that endpoint');
  assert.match(await reaches(new Providers(workspaceNamed('https://elsewhere.example.net/v1'), key, {}, trusted)), /providers\.openai\.baseURL/, 'not another');
  assert.match(
    await reaches(new Providers({}, { ...key, OPENAI_BASE_URL: 'http://proxy.example.com/v1' })),
    /^the openai endpoint http:\/\/proxy\.example\.com is plain http: OPENAI_API_KEY would cross the network unencrypted/,
  );
  assert.equal(await reaches(new Providers(workspaceNamed('http://127.0.0.1:11434/v1'), key, {}, () => true)), 'sent', 'plain http to this machine');
  assert.equal(await reaches(new Providers(workspaceNamed('http://127.0.0.1:11434/v1'), {})), 'sent', 'no key, nothing to keep: a local server');
});
