import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Workspace } from '../../sidecar/service/workspace';
import { ingest, importFile, mapAgent, unattributedAgents } from '../../sidecar/service/productionService';
import { estimateOf, learningOf } from '../../sidecar/service/estimateService';
import { decodeTraceRequest } from '../../sidecar/traces/otlpDecode';
import { mapSpans } from '../../sidecar/traces/spanMapping';
import { listPricing } from '../../sidecar/contract/pricing';
import { executionCost } from '../../sidecar/cost/usageCost';
import { toUsd } from '../../sidecar/cost/money';
import { jsonBody, jsonText, protobufBody, recordSpans } from '../otlpPayloads';
import type { SpanSpec } from '../otlpPayloads';

// Calls of agents that ran elsewhere, encoded by the OpenTelemetry SDK itself, into the ledger: once each, attributed
// to the configuration's agents (a crew's tasks by their role), priced from the catalogue, and learned from.

function workspaceOn(example: string): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-production-'));
  cpSync(path.resolve(example), dir, { recursive: true });
  return new Workspace({ root: dir });
}

/** An agent run of `agent` with its calls: one chat span per call, each with the GenAI conventions' usage. */
function agentRun(
  agent: string,
  calls: { input: number; output: number; cacheRead?: number }[],
  model = 'gpt-4o-mini',
  extra: Record<string, string> = {},
): SpanSpec {
  return {
    name: `invoke_agent ${agent}`,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent, ...extra },
    children: calls.map((call) => ({
      name: `chat ${model}`,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.response.model': `${model}-2024-07-18`,
        'gen_ai.usage.input_tokens': call.input,
        'gen_ai.usage.output_tokens': call.output,
        ...(call.cacheRead ? { 'gen_ai.usage.cache_read.input_tokens': call.cacheRead } : {}),
      },
    })),
  };
}

const batchOf = (body: Uint8Array, type: string) => mapSpans(decodeTraceRequest(body, type));

test('traced calls reach the ledger once each, attributed and priced; a redelivery and the same spans from a file add nothing', async () => {
  const ws = workspaceOn('examples/party-planner');
  try {
    const spans = recordSpans([
      agentRun('theme', [
        { input: 1200, output: 40 },
        { input: 1700, output: 30, cacheRead: 1024 },
        { input: 2300, output: 220 },
      ]),
    ]);
    const first = ingest(ws, batchOf(protobufBody(spans), 'application/x-protobuf'), 'collected');
    assert.deepEqual([first.calls, first.recorded, first.duplicates, first.runs], [3, 3, 0, 1]);
    assert.deepEqual(
      first.agents.map((a) => [a.agent, a.attributed, a.via, a.runs, a.calls]),
      [['theme', true, 'name', 1, 3]],
    );
    // Priced at the catalogue's gpt-4o-mini prices, the cache read at its rate.
    const loaded = ws.config();
    const expected = [
      { inputTokens: 1200, cacheReadTokens: 0, outputTokens: 40 },
      { inputTokens: 1700, cacheReadTokens: 1024, outputTokens: 30 },
      { inputTokens: 2300, cacheReadTokens: 0, outputTokens: 220 },
    ].reduce(
      (total, u) =>
        total + toUsd(executionCost({}, 'gpt-4o-mini-2024-07-18', { ...u, cacheWriteTokens: 0, reasoningTokens: 0, source: 'actual' }, loaded.prices)),
      0,
    );
    assert.ok(Math.abs(first.costUsd - expected) < 1e-9, `${first.costUsd} vs ${expected}`);

    // The same batch again (an exporter's retry), in JSON this time, and the same spans from an exported file.
    const again = ingest(ws, batchOf(jsonBody(spans), 'application/json'), 'collected');
    assert.deepEqual([again.recorded, again.duplicates], [0, 3]);
    const file = importFile(ws, 'traces.jsonl', `${jsonText(spans)}\n`);
    assert.deepEqual([file.format, file.report.recorded, file.report.duplicates], ['otlp-json', 0, 3]);

    const rows = ws.store().ledger.report().executions;
    assert.equal(rows.length, 3);
    assert.ok(rows.every((row) => row.source === 'collected' && row.party === '' && row.run === rows[0]!.run && row.agent === 'theme'));
    assert.deepEqual(
      rows.map((row) => row.usage.cacheReadTokens),
      [0, 1024, 0],
    );
  } finally {
    await ws.close();
  }
});

test("production teaches the next estimate: calls per run and a whole run's tokens, learned", async () => {
  const ws = workspaceOn('examples/party-planner');
  try {
    const before = estimateOf(ws, ws.config(), listPricing, learningOf(ws, ws.config().config)).agents.find((a) => a.agent === 'venue')!;
    assert.equal(before.callsPerRun.source, 'one call');
    const runs = [3, 4, 4, 5, 4, 6].map((calls) =>
      agentRun(
        'venue',
        Array.from({ length: calls }, (_, i) => ({ input: 800 + 300 * i, output: i === calls - 1 ? 260 : 30 })),
      ),
    );
    const report = ingest(ws, batchOf(protobufBody(recordSpans(runs)), 'application/x-protobuf'), 'collected');
    assert.equal(report.runs, 6);
    const venue = estimateOf(ws, ws.config(), listPricing, learningOf(ws, ws.config().config)).agents.find((a) => a.agent === 'venue')!;
    assert.deepEqual([venue.callsPerRun.source, venue.callsPerRun.p50, venue.callsPerRun.p90], ['learned', 4, 6]);
    assert.equal(venue.outputTokensSource, 'learned');
    // Four calls: 800 + 1,100 + 1,400 + 1,700 prompt tokens; 30 × 3 + 260 output.
    assert.deepEqual([venue.inputTokens, venue.outputTokens], [5000, 350]);
    // And the ledger's volume counts runs, not calls.
    const monthly = ws
      .store()
      .ledger.volume(Date.now() + 8 * 86_400_000)!
      .runsPerMonth.get('venue')!;
    assert.ok(Math.abs(monthly - 6 * (30 / 8)) < 1e-3, `${monthly}`);
  } finally {
    await ws.close();
  }
});

test("a crew's tasks are attributed by their agent's role as traces write it; an unknown agent is kept, shown and can be mapped", async () => {
  const ws = workspaceOn('test/fixtures/crewai/research_crew');
  try {
    const spans = recordSpans([
      // CrewAI names an agent by its role, placeholders filled; the researcher performs one task.
      agentRun('AI LLMs Senior Data Researcher', [{ input: 700, output: 300 }], 'gpt-4.1-mini'),
      agentRun('Fact Checker', [{ input: 500, output: 80 }], 'gpt-4.1-mini'),
      // A task span above names the task (OpenLLMetry's CrewAI instrumentation).
      {
        name: 'reporting_task.task',
        attributes: { 'crewai.task.name': 'reporting_task' },
        children: [agentRun('someone', [{ input: 900, output: 500 }], 'gpt-4.1-mini')],
      },
    ]);
    const report = ingest(ws, batchOf(jsonBody(spans), 'application/json'), 'collected');
    assert.deepEqual(report.agents.map((a) => [a.agent, a.attributed, a.via ?? a.reason]).sort(), [
      ['Fact Checker', false, 'no configured agent, task or crew agent of that name'],
      ['reporting_task', true, 'task'],
      ['research_task', true, 'role'],
    ]);
    assert.deepEqual(
      unattributedAgents(ws).map((a) => [a.name, a.runs, a.calls]),
      [['Fact Checker', 1, 1]],
    );
    assert.deepEqual(mapAgent(ws, 'Fact Checker', 'reporting_task'), { moved: 1 });
    assert.deepEqual(unattributedAgents(ws), []);
    // From now on the name is the agent's.
    const later = ingest(
      ws,
      batchOf(jsonBody(recordSpans([agentRun('Fact Checker', [{ input: 400, output: 60 }], 'gpt-4.1-mini')])), 'application/json'),
      'collected',
    );
    assert.deepEqual(
      later.agents.map((a) => [a.agent, a.via]),
      [['reporting_task', 'alias']],
    );
    assert.throws(() => mapAgent(ws, 'Fact Checker', 'reportng_task'), /no agent "reportng_task" in the configuration \(did you mean "reporting_task"\?\)/);
  } finally {
    await ws.close();
  }
});
