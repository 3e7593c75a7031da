import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { decodeTraceRequest, TraceDecodeError } from '../../sidecar/traces/otlpDecode';
import { exportTraceRequestType } from '../../sidecar/traces/otlpSchema';
import { groupRuns } from '../../sidecar/traces/runs';
import { mapSpans } from '../../sidecar/traces/spanMapping';
import { importTraceFile, ImportFormatError } from '../../sidecar/traces/traceImport';
import type { Convention, ModelCall, SpanRecord, TokenUsage, UsageAdjustment } from '../../sidecar/traces/traceTypes';
import { jsonBody, jsonText, protobufBody, recordSpans, unixNano, type SpanSpec } from '../otlpPayloads';

// OTLP bodies come from the OpenTelemetry SDK (test/otlpPayloads.ts); spend exports from fixtures in the tools' own
// field names (test/fixtures/traces/). Expected figures are written out by hand.

const repo = path.resolve(__dirname, '..', '..');
const fixture = (name: string) => readFileSync(path.join(repo, 'test', 'fixtures', 'traces', name), 'utf8');
const protobufType = 'application/x-protobuf';
const jsonType = 'application/json';

function callsOf(spans: SpanRecord[]): ModelCall[] {
  return mapSpans(spans).calls;
}

function usage(inputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, outputTokens: number, reasoningTokens: number): TokenUsage {
  return { inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, reasoningTokens };
}

test('the schema loads from its JSON descriptor, which matches the committed .proto files', (t) => {
  let started = performance.now();
  const type = exportTraceRequestType();
  const fromDescriptorMs = performance.now() - started;
  assert.equal(type.fullName, '.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  started = performance.now();
  const parsed = new protobuf.Root();
  parsed.resolvePath = (_origin, file) => path.join(repo, 'sidecar', 'traces', 'proto', file);
  parsed.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  parsed.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  t.diagnostic(`schema: ${fromDescriptorMs.toFixed(1)} ms from the JSON descriptor, ${(performance.now() - started).toFixed(1)} ms parsing the .proto files`);
  const check = spawnSync(process.execPath, [path.join(repo, 'scripts', 'otlpDescriptor.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

const anthropicFamilies: { convention: Convention; span: SpanSpec; adjustments?: UsageAdjustment[]; requestModel?: string }[] = [
  {
    convention: 'gen_ai',
    requestModel: 'claude-sonnet-4-5',
    span: {
      name: 'chat claude-sonnet-4-5',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.input_tokens': 1500,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.reasoning.output_tokens': 120,
      },
    },
  },
  {
    convention: 'gen_ai_legacy',
    requestModel: 'claude-sonnet-4-5',
    span: {
      name: 'anthropic.chat',
      attributes: {
        'gen_ai.system': 'Anthropic',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.prompt_tokens': 1500,
        'gen_ai.usage.completion_tokens': 300,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'gen_ai.usage.cache_creation_input_tokens': 200,
        'gen_ai.usage.reasoning_tokens': 120,
      },
    },
  },
  {
    convention: 'openinference',
    span: {
      name: 'Messages',
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.system': 'anthropic',
        'llm.provider': 'anthropic',
        'llm.model_name': 'claude-sonnet-4-5-20250929',
        'llm.token_count.prompt': 1500,
        'llm.token_count.completion': 300,
        'llm.token_count.total': 1800,
        'llm.token_count.prompt_details.cache_read': 1000,
        'llm.token_count.prompt_details.cache_write': 200,
        'llm.token_count.completion_details.reasoning': 120,
      },
    },
  },
  {
    convention: 'vercel_ai',
    requestModel: 'claude-sonnet-4-5',
    span: {
      name: 'ai.generateText.doGenerate',
      attributes: {
        'ai.operationId': 'ai.generateText.doGenerate',
        'operation.name': 'ai.generateText.doGenerate plan-menu',
        'ai.telemetry.functionId': 'plan-menu',
        'ai.model.id': 'claude-sonnet-4-5',
        'ai.model.provider': 'anthropic.messages',
        'ai.response.model': 'claude-sonnet-4-5-20250929',
        'ai.usage.inputTokens': 1500,
        'ai.usage.inputTokenDetails.noCacheTokens': 300,
        'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 200,
        'ai.usage.outputTokens': 300,
        'ai.usage.outputTokenDetails.reasoningTokens': 120,
        'ai.usage.reasoningTokens': 120,
        'ai.usage.cachedInputTokens': 1000,
        'gen_ai.system': 'anthropic.messages',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 1500,
        'gen_ai.usage.output_tokens': 300,
      },
    },
  },
  {
    // AI SDK 5: Anthropic's input_tokens without the cache, cache writes only in the provider metadata.
    convention: 'vercel_ai',
    requestModel: 'claude-sonnet-4-5',
    adjustments: ['cacheAddedToInput'],
    span: {
      name: 'ai.streamText.doStream',
      attributes: {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.id': 'claude-sonnet-4-5',
        'ai.model.provider': 'anthropic.messages',
        'ai.response.model': 'claude-sonnet-4-5-20250929',
        'ai.usage.inputTokens': 300,
        'ai.usage.cachedInputTokens': 1000,
        'ai.usage.outputTokens': 300,
        'ai.usage.reasoningTokens': 120,
        'ai.usage.totalTokens': 600,
        'ai.response.providerMetadata': JSON.stringify({ anthropic: { cacheCreationInputTokens: 200, usage: { input_tokens: 300 } } }),
      },
    },
  },
];

test('every convention family maps the same Anthropic call to the same usage, from protobuf and from JSON', () => {
  for (const family of anthropicFamilies) {
    const spans = recordSpans([family.span]);
    const fromProtobuf = callsOf(decodeTraceRequest(protobufBody(spans), protobufType));
    const fromJson = callsOf(decodeTraceRequest(jsonBody(spans), jsonType));
    assert.deepEqual(fromJson, fromProtobuf, family.span.name);
    assert.equal(fromProtobuf.length, 1, family.span.name);
    const [call] = fromProtobuf;
    assert.deepEqual(call.usage, usage(1500, 1000, 200, 300, 120), family.span.name);
    assert.equal(call.convention, family.convention, family.span.name);
    assert.equal(call.provider, 'anthropic', family.span.name);
    assert.equal(call.requestModel, family.requestModel, family.span.name);
    assert.equal(call.responseModel, 'claude-sonnet-4-5-20250929', family.span.name);
    assert.deepEqual(call.adjustments, family.adjustments, family.span.name);
    assert.equal(call.serviceName, 'party-planner');
  }
});

test('counts reported apart are added where they show it, and only there', () => {
  const spans = recordSpans([
    // Current names, but the prompt smaller than its own cache counts: cache excluded.
    {
      name: 'chat a',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.usage.input_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 200,
        'gen_ai.usage.output_tokens': 40,
      },
    },
    // OpenAI through AI SDK 5: the prompt includes its cached tokens already.
    {
      name: 'ai.generateText.doGenerate',
      attributes: {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-4.1',
        'ai.usage.inputTokens': 1500,
        'ai.usage.cachedInputTokens': 1000,
        'ai.usage.outputTokens': 50,
      },
    },
    // OpenInference's JavaScript Anthropic instrumentation: raw input_tokens and no cache counts; nothing to add back.
    {
      name: 'Messages',
      attributes: { 'openinference.span.kind': 'LLM', 'llm.system': 'anthropic', 'llm.token_count.prompt': 300, 'llm.token_count.completion': 40 },
    },
    // Gemini's thoughts counted apart from its answer.
    {
      name: 'generate_content gemini-2.5-pro',
      attributes: {
        'gen_ai.operation.name': 'generate_content',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.usage.input_tokens': 80,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.usage.reasoning.output_tokens': 250,
      },
    },
    // AI SDK 4: promptTokens without the cache, both cache counts only in the provider metadata.
    {
      name: 'ai.generateText.doGenerate',
      attributes: {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.promptTokens': 300,
        'ai.usage.completionTokens': 30,
        'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":200,"cacheReadInputTokens":1000}}',
      },
    },
    // AI SDK 5 and Anthropic again, with more fresh prompt than cache: only the provider tells the cache apart.
    {
      name: 'ai.streamText.doStream',
      attributes: {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.inputTokens': 2000,
        'ai.usage.cachedInputTokens': 1000,
        'ai.usage.outputTokens': 10,
        'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":200}}',
      },
    },
    // Only a total and the answer.
    { name: 'Completion', attributes: { 'openinference.span.kind': 'LLM', 'llm.token_count.total': 130, 'llm.token_count.completion': 30 } },
  ]);
  const calls = callsOf(decodeTraceRequest(protobufBody(spans), protobufType));
  assert.deepEqual(
    calls.map((c) => [c.usage, c.adjustments, c.provider]),
    [
      [usage(1500, 1000, 200, 40, 0), ['cacheAddedToInput'], 'anthropic'],
      [usage(1500, 1000, 0, 50, 0), undefined, 'openai'],
      [usage(300, 0, 0, 40, 0), undefined, 'anthropic'],
      [usage(80, 0, 0, 350, 250), ['reasoningAddedToOutput'], 'gcp.gemini'],
      [usage(1500, 1000, 200, 30, 0), ['cacheAddedToInput'], 'anthropic'],
      [usage(3200, 1000, 200, 10, 0), ['cacheAddedToInput'], 'anthropic'],
      [usage(100, 0, 0, 30, 0), ['inputFromTotal'], undefined],
    ],
  );
});

test('ids, parents, times and attribute types round-trip from the SDK through both encodings', () => {
  const spans = recordSpans([
    {
      name: 'invoke_agent planner',
      startMs: 1_700_000_000_123,
      endMs: 1_700_000_002_000,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
      children: [
        {
          name: 'chat gpt-4.1',
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.usage.input_tokens': 12,
            'gen_ai.request.temperature': 0.25,
            'gen_ai.request.stream': true,
            'gen_ai.response.finish_reasons': ['stop', 'length'],
          },
        },
      ],
    },
  ]);
  for (const [body, type] of [
    [protobufBody(spans), protobufType],
    [jsonBody(spans), jsonType],
  ] as const) {
    const records = decodeTraceRequest(body, type);
    assert.equal(records.length, 2);
    for (const sdkSpan of spans) {
      const record = records.find((r) => r.spanId === sdkSpan.spanContext().spanId);
      assert.ok(record, `span ${sdkSpan.name} decoded`);
      assert.match(record.traceId, /^[0-9a-f]{32}$/);
      assert.equal(record.traceId, sdkSpan.spanContext().traceId);
      assert.equal(record.parentSpanId, sdkSpan.parentSpanContext?.spanId);
      assert.equal(record.startUnixNano, unixNano(sdkSpan.startTime));
      assert.equal(record.endUnixNano, unixNano(sdkSpan.endTime));
      assert.equal(record.name, sdkSpan.name);
      assert.equal(record.scopeName, 'partycost-traces-test');
    }
    const root = records.find((r) => r.name === 'invoke_agent planner');
    assert.equal(root?.startUnixNano, '1700000000123000000');
    assert.equal(root?.parentSpanId, undefined);
    const chat = records.find((r) => r.name === 'chat gpt-4.1');
    assert.deepEqual(
      { ...chat?.attributes },
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.request.temperature': 0.25,
        'gen_ai.request.stream': true,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
      },
    );
    assert.equal(chat?.resource['service.name'], 'party-planner');
  }
});

test('a gzip body decodes like the plain one, by its header or by its magic bytes', () => {
  const spans = recordSpans(anthropicFamilies.map((family) => family.span));
  const plain = decodeTraceRequest(protobufBody(spans), protobufType);
  assert.equal(plain.length, anthropicFamilies.length);
  assert.deepEqual(decodeTraceRequest(gzipSync(protobufBody(spans)), protobufType, 'gzip'), plain);
  assert.deepEqual(decodeTraceRequest(gzipSync(protobufBody(spans)), 'application/x-protobuf; charset=binary'), plain);
  assert.deepEqual(decodeTraceRequest(gzipSync(jsonBody(spans)), 'application/json; charset=utf-8', 'GZIP'), plain);
});

test("OTLP/JSON in snake_case with int64 as numbers and enums by name reads like the SDK's own JSON", () => {
  const spans = recordSpans([
    {
      name: 'chat',
      startMs: 1000,
      endMs: 2500,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 },
    },
  ]);
  const request = JSON.parse(jsonText(spans));
  const snake = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(snake)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v)]))
        : value;
  const variant = snake(request) as { resource_spans: { scope_spans: { spans: Record<string, unknown>[] }[] }[] };
  const span = variant.resource_spans[0].scope_spans[0].spans[0];
  span.start_time_unix_nano = Number(span.start_time_unix_nano);
  span.end_time_unix_nano = Number(span.end_time_unix_nano);
  span.kind = 'SPAN_KIND_INTERNAL';
  const records = decodeTraceRequest(Buffer.from(JSON.stringify(variant)), jsonType);
  assert.deepEqual(records, decodeTraceRequest(jsonBody(spans), jsonType));
  assert.equal(records[0].startUnixNano, '1000000000');
  assert.equal(records[0].endUnixNano, '2500000000');
  assert.equal(records[0].kind, 1);
});

test('a body that does not decode is refused with one line naming the cause', () => {
  const spans = recordSpans([{ name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 7 } }]);
  const valid = protobufBody(spans);
  const refusal = (body: Uint8Array, type?: string, encoding?: string, options?: { maxInflatedBytes?: number }) => {
    try {
      decodeTraceRequest(body, type, encoding, options);
    } catch (error) {
      assert.ok(error instanceof TraceDecodeError, String(error));
      assert.doesNotMatch(error.message, /\n/);
      return error;
    }
    assert.fail('decoded');
  };
  const garbage = refusal(Buffer.from('not a protobuf at all'), protobufType);
  assert.equal(garbage.message, 'OTLP protobuf body does not decode: invalid wire type 6 at offset 1');
  assert.equal(garbage.offset, 1);
  const truncated = refusal(valid.subarray(0, valid.length - 9), protobufType);
  assert.match(truncated.message, /^OTLP protobuf body does not decode: .* at offset \d+$/);
  assert.match(refusal(Buffer.from('{"resourceSpans": [}'), jsonType).message, /^OTLP JSON body is not JSON: /);
  assert.equal(
    refusal(Buffer.from('{"resourceSpans": 5}'), jsonType).message,
    'OTLP JSON body does not fit ExportTraceServiceRequest: collector.trace.v1.ExportTraceServiceRequest.resourceSpans: array expected',
  );
  const badId = JSON.parse(jsonText(spans));
  badId.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'zz-not-hex';
  assert.equal(
    refusal(Buffer.from(JSON.stringify(badId)), jsonType).message,
    'OTLP JSON body does not fit ExportTraceServiceRequest: traceId must be a hex string (OTLP/JSON), got "zz-not-hex"',
  );
  assert.match(refusal(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), protobufType, 'gzip').message, /^gzip body does not inflate: /);
  assert.equal(
    refusal(gzipSync(Buffer.alloc(3 * 1024 * 1024)), protobufType, 'gzip', { maxInflatedBytes: 1024 * 1024 }).message,
    'gzip body inflates past 1 MiB',
  );
  assert.equal(refusal(valid, 'text/plain').message, 'unsupported content type "text/plain": OTLP/HTTP bodies are application/x-protobuf or application/json');
  assert.equal(refusal(valid, protobufType, 'br').message, 'unsupported content encoding "br": OTLP/HTTP bodies are gzip or not encoded');
});

test('calls, runs and tool calls group into runs: invoke_agent spans, nested agents, and agents named only on their calls', () => {
  const chat = (input: number, output: number, extra: Record<string, string | number> = {}, startMs = 0): SpanSpec => ({
    name: 'chat gpt-4.1',
    startMs,
    endMs: startMs + 100,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      ...extra,
    },
  });
  const tool = (name: string, startMs: number): SpanSpec => ({
    name: `execute_tool ${name}`,
    startMs,
    endMs: startMs + 10,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name },
  });
  const base = 1_772_446_530_000;
  const spans = recordSpans([
    {
      name: 'invoke_workflow plan-party',
      startMs: base,
      endMs: base + 9000,
      attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'plan-party' },
      children: [
        {
          name: 'invoke_agent planner',
          startMs: base + 100,
          endMs: base + 8000,
          attributes: {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': 'planner',
            'gen_ai.usage.input_tokens': 2700,
            'gen_ai.usage.output_tokens': 300,
          },
          children: [
            chat(1000, 100, {}, base + 200),
            tool('search_venues', base + 400),
            chat(1200, 150, { 'gen_ai.usage.cost': 0.002 }, base + 500),
            {
              name: 'invoke_agent venue-scout',
              startMs: base + 700,
              endMs: base + 7000,
              attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'venue-scout' },
              children: [chat(500, 50, {}, base + 800), tool('book', base + 1000), tool('check_calendar', base + 1100)],
            },
          ],
        },
      ],
    },
    // Another trace: no invoke_agent span, the agent named only on its calls, and a call that names none.
    {
      name: 'POST /menu',
      startMs: base + 9_900,
      endMs: base + 11_000,
      attributes: { 'http.request.method': 'POST' },
      children: [
        chat(300, 30, { 'gen_ai.agent.name': 'caterer' }, base + 10_000),
        chat(310, 31, { 'gen_ai.agent.name': 'caterer' }, base + 10_200),
        chat(5, 1, {}, base + 10_400),
      ],
    },
  ]);
  const batch = mapSpans(decodeTraceRequest(protobufBody(spans), protobufType));
  assert.equal(batch.calls.length, 6);
  assert.equal(batch.runs.length, 2);
  assert.equal(batch.tools.length, 3);
  const planner = batch.runs.find((run) => run.agentName === 'planner');
  const scout = batch.runs.find((run) => run.agentName === 'venue-scout');
  assert.deepEqual(planner?.reportedUsage, usage(2700, 0, 0, 300, 0));
  assert.equal(planner?.workflowName, 'plan-party');
  assert.equal(scout?.parentRunSpanId, planner?.spanId);
  const groups = groupRuns(batch);
  assert.deepEqual(
    groups.map((g) => [
      g.agentName,
      g.run?.spanId,
      g.workflowName,
      g.calls.length,
      g.tools.map((t) => t.toolName),
      g.usage.inputTokens,
      g.usage.outputTokens,
      g.reportedCostUsd,
    ]),
    [
      ['planner', planner?.spanId, 'plan-party', 2, ['search_venues'], 2200, 250, 0.002],
      ['venue-scout', scout?.spanId, 'plan-party', 1, ['book', 'check_calendar'], 500, 50, undefined],
      ['caterer', undefined, undefined, 2, [], 610, 61, undefined],
      [undefined, undefined, undefined, 1, [], 5, 1, undefined],
    ],
  );
  assert.deepEqual(
    groups[1].calls.map((c) => [c.agentName, c.runSpanId, c.workflowName]),
    [['venue-scout', scout?.spanId, 'plan-party']],
  );
  assert.notEqual(groups[2].traceId, groups[0].traceId);
  assert.equal(groups[3].traceId, groups[2].traceId);
});

test("a call instrumented twice counts once, and Vercel's wrapper spans are not calls", () => {
  const spans = recordSpans([
    {
      name: 'ChatOpenAI',
      attributes: { 'openinference.span.kind': 'LLM', 'llm.token_count.prompt': 400, 'llm.token_count.completion': 40 },
      children: [
        {
          name: 'chat gpt-4.1-mini',
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 400, 'gen_ai.usage.output_tokens': 40 },
          children: [{ name: 'POST', attributes: { 'http.request.method': 'POST' } }],
        },
      ],
    },
    {
      name: 'ai.generateText',
      attributes: { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 900, 'ai.usage.outputTokens': 90 },
      children: [
        {
          name: 'ai.generateText.doGenerate',
          attributes: {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.model.provider': 'openai.responses',
            'ai.usage.inputTokens': 500,
            'ai.usage.outputTokens': 50,
          },
        },
        { name: 'ai.toolCall', attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'lookup' } },
        {
          name: 'ai.generateText.doGenerate',
          attributes: {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.model.provider': 'openai.responses',
            'ai.usage.inputTokens': 400,
            'ai.usage.outputTokens': 40,
          },
        },
      ],
    },
    // A framework's span that sums its calls' tokens without saying what it is.
    {
      name: 'agent run',
      attributes: { 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 3 },
      children: [{ name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 3 } }],
    },
  ]);
  const batch = mapSpans(decodeTraceRequest(jsonBody(spans), jsonType));
  assert.deepEqual(
    batch.calls.map((c) => [c.name, c.usage.inputTokens, c.convention]),
    [
      ['chat gpt-4.1-mini', 400, 'gen_ai'],
      ['ai.generateText.doGenerate', 500, 'vercel_ai'],
      ['ai.generateText.doGenerate', 400, 'vercel_ai'],
      ['chat', 30, 'gen_ai'],
    ],
  );
  assert.equal(batch.nestedCallsDropped, 2);
  assert.deepEqual(
    batch.tools.map((t) => t.toolName),
    ['lookup'],
  );
  assert.equal(batch.calls[1].provider, 'openai');
});

const litellmExpected: ModelCall[] = [
  {
    traceId: 'party-42',
    spanId: 'chatcmpl-7d1f0c2e-5a8b-4c11-9e63-0f2a6b1c9d01',
    startUnixNano: '1772446530123456000',
    endUnixNano: '1772446533000000000',
    usage: usage(1500, 1000, 200, 300, 120),
    convention: 'litellm',
    adjustments: ['cacheAddedToInput'],
    provider: 'anthropic',
    requestModel: 'claude-sonnet-4-5-20250929',
    agentName: 'planner',
    operation: 'acompletion',
    reportedCostUsd: 0.0072,
    labels: { user: 'ops@example.com', team_id: 'team-party', model_group: 'claude-sonnet', status: 'success' },
  },
  {
    traceId: 'party-42',
    spanId: 'chatcmpl-2b9e4f70-1c3d-4e5f-8a9b-0c1d2e3f4a52',
    startUnixNano: '1772446565500000000',
    endUnixNano: '1772446567250000000',
    usage: usage(2000, 1500, 0, 250, 0),
    convention: 'litellm',
    provider: 'openai',
    requestModel: 'gpt-4.1-mini',
    agentName: 'venue-scout',
    operation: 'acompletion',
    reportedCostUsd: 0.0021,
    labels: { user: 'ops@example.com', team_id: 'team-party', model_group: 'gpt-4.1-mini', status: 'success' },
  },
  {
    traceId: 'chatcmpl-9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c03',
    spanId: 'chatcmpl-9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c03',
    startUnixNano: '1772446569000000000',
    endUnixNano: '1772446569010000000',
    usage: usage(2000, 0, 0, 250, 0),
    convention: 'litellm',
    provider: 'openai',
    requestModel: 'gpt-4.1-mini',
    operation: 'acompletion',
    reportedCostUsd: 0,
    servedFromCache: true,
    labels: { user: 'ops@example.com', team_id: 'team-party', model_group: 'gpt-4.1-mini', status: 'success' },
  },
];

test("LiteLLM spend logs import from the API's JSON and from a CSV dump of the table alike, bad rows reported by line", () => {
  const json = importTraceFile(fixture('litellm-spendlogs.json'));
  assert.equal(json.format, 'litellm');
  assert.equal(json.container, 'json');
  assert.deepEqual(json.calls, litellmExpected);
  assert.deepEqual(json.problems, [{ line: 5, message: 'request chatcmpl-0f0e0d0c-0b0a-4909-8807-060504030204: startTime "yesterday" is not a time' }]);
  assert.equal(json.records, 3);
  const csv = importTraceFile(fixture('litellm-spendlogs.csv'));
  assert.equal(csv.format, 'litellm');
  assert.equal(csv.container, 'csv');
  assert.deepEqual(csv.calls, litellmExpected);
  assert.equal(csv.problems.length, 1);
  assert.equal(csv.problems[0].line, 4);
  assert.match(csv.problems[0].message, /^not CSV: Invalid Record Length/);
});

test("Langfuse observations import from JSON lines and from the blob export's CSV, with runs and tools", () => {
  const jsonl = importTraceFile(fixture('langfuse-observations.jsonl'));
  assert.equal(jsonl.format, 'langfuse');
  assert.equal(jsonl.container, 'jsonl');
  assert.deepEqual(
    jsonl.problems.map((p) => p.line),
    [5],
  );
  assert.match(jsonl.problems[0].message, /^not JSON: /);
  assert.deepEqual(jsonl.runs, [
    {
      traceId: 'trace-party-7',
      spanId: 'obs-agent-1',
      agentName: 'venue-scout',
      startUnixNano: '1772446530000000000',
      endUnixNano: '1772446540000000000',
      convention: 'langfuse',
    },
  ]);
  assert.deepEqual(
    jsonl.calls.map((c) => [c.spanId, c.usage, c.provider, c.requestModel, c.reportedCostUsd, c.agentName, c.runSpanId]),
    [
      ['obs-gen-1', usage(2000, 1500, 0, 200, 20), 'openai', 'gpt-4.1-mini', 0.00067, 'venue-scout', 'obs-agent-1'],
      ['obs-gen-2', usage(1500, 1000, 200, 300, 0), 'anthropic', 'claude-haiku-4-5', 0.0031, 'venue-scout', 'obs-agent-1'],
    ],
  );
  assert.deepEqual(jsonl.tools, [
    {
      traceId: 'trace-party-7',
      spanId: 'obs-tool-1',
      parentSpanId: 'obs-agent-1',
      startUnixNano: '1772446532100000000',
      endUnixNano: '1772446533000000000',
      toolName: 'search_venues',
      runSpanId: 'obs-agent-1',
      agentName: 'venue-scout',
    },
  ]);
  assert.deepEqual(
    groupRuns(jsonl).map((g) => [g.agentName, g.calls.length, g.tools.length, g.usage.inputTokens]),
    [['venue-scout', 2, 1, 3500]],
  );

  const csv = importTraceFile(fixture('langfuse-observations.csv'));
  assert.equal(csv.format, 'langfuse');
  assert.equal(csv.container, 'csv');
  assert.deepEqual(csv.problems, [{ line: 4, message: 'observation gen-c3: startTime null is not a time' }]);
  assert.deepEqual(csv.calls, [
    {
      traceId: 'trace-c',
      spanId: 'gen-c1',
      startUnixNano: '1772446530963000000',
      endUnixNano: '1772446532463000000',
      usage: usage(800, 0, 0, 120, 0),
      convention: 'langfuse',
      name: 'menu',
      requestModel: 'gpt-4.1',
      agentName: 'caterer',
      reportedCostUsd: 0.00256,
      labels: { userId: 'u-17', sessionId: 's-9', environment: 'production' },
    },
    {
      traceId: 'trace-c',
      spanId: 'emb-c2',
      parentSpanId: 'gen-c1',
      startUnixNano: '1772446532500000000',
      endUnixNano: '1772446532600000000',
      usage: usage(64, 0, 0, 0, 0),
      convention: 'langfuse',
      name: 'embed-menu',
      requestModel: 'text-embedding-3-small',
      reportedCostUsd: 0.00000128,
      labels: { userId: 'u-17', sessionId: 's-9', environment: 'production' },
    },
  ]);
});

test('the format is told from the records, --format overrides it, and an unknown file is refused in one line', () => {
  const spansA = recordSpans([
    { name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 1 } },
  ]);
  const spansB = recordSpans([
    { name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 22, 'gen_ai.usage.output_tokens': 2 } },
  ]);
  const lines = [jsonText(spansA), '{"resourceSpans": [ {"scopeSpans": ', '{"resourceSpans": 5}', jsonText(spansB)].join('\n');
  const collector = importTraceFile(lines);
  assert.equal(collector.format, 'otlp-json');
  assert.equal(collector.container, 'jsonl');
  assert.deepEqual(
    collector.calls.map((c) => c.usage.inputTokens),
    [11, 22],
  );
  assert.deepEqual(
    collector.problems.map((p) => p.line),
    [2, 3],
  );
  assert.match(collector.problems[0].message, /^not JSON: /);
  assert.equal(
    collector.problems[1].message,
    'OTLP JSON does not fit ExportTraceServiceRequest: collector.trace.v1.ExportTraceServiceRequest.resourceSpans: array expected',
  );
  const pretty = importTraceFile(JSON.stringify(JSON.parse(jsonText(spansB)), null, 2));
  assert.equal(pretty.container, 'json');
  assert.deepEqual(
    pretty.calls.map((c) => c.usage.inputTokens),
    [22],
  );

  const forced = importTraceFile(fixture('langfuse-observations.csv'), { format: 'litellm' });
  assert.equal(forced.format, 'litellm');
  assert.equal(forced.calls.length, 0);
  assert.deepEqual(
    forced.problems.map((p) => [p.line, p.message]),
    [
      [2, 'no request_id: not a LiteLLM spend-log row'],
      [3, 'no request_id: not a LiteLLM spend-log row'],
      [4, 'no request_id: not a LiteLLM spend-log row'],
    ],
  );
  assert.throws(
    () => importTraceFile('date,amount\n2026-03-02,12\n'),
    (error: unknown) =>
      error instanceof ImportFormatError &&
      error.message === 'cannot tell the format from the fields of line 2 (date, amount): pass --format otlp-json, litellm, langfuse',
  );
  assert.throws(() => importTraceFile(''), ImportFormatError);
});

test('micro-measure: protobuf decode and mapping of a 1,000-span batch (printed, not asserted)', (t) => {
  const agents: SpanSpec[] = Array.from({ length: 100 }, (_, a) => ({
    name: `invoke_agent agent-${a}`,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `agent-${a}` },
    children: Array.from({ length: 9 }, (_, c) => ({
      name: 'chat gpt-4.1',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4.1',
        'gen_ai.response.model': 'gpt-4.1-2025-04-14',
        'gen_ai.usage.input_tokens': 1000 + c,
        'gen_ai.usage.output_tokens': 200,
        'gen_ai.usage.cache_read.input_tokens': 512,
        'gen_ai.response.id': `chatcmpl-${a}-${c}`,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.request.temperature': 0.2,
        'server.address': 'api.openai.com',
        'server.port': 443,
      },
    })),
  }));
  const spans = recordSpans(agents);
  assert.equal(spans.length, 1000);
  const body = protobufBody(spans);
  const zipped = gzipSync(body);
  for (const [label, bytes, encoding] of [
    ['protobuf', body, undefined],
    ['protobuf+gzip', zipped, 'gzip'],
  ] as const) {
    let mapped = 0;
    const rounds = 20;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) mapped += mapSpans(decodeTraceRequest(bytes, protobufType, encoding)).calls.length;
    const seconds = (performance.now() - started) / 1000;
    assert.equal(mapped, 900 * rounds);
    t.diagnostic(`${label}: ${bytes.length} bytes per 1,000 spans, ${Math.round((1000 * rounds) / seconds).toLocaleString('en')} spans/s decoded and mapped`);
  }
});
