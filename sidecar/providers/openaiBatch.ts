import OpenAI, { toFile } from 'openai';
import type { BatchDriver, BatchItem, BatchOutcome, BatchStatus, SdkErrors } from './batch';
import { batchCall } from './batch';
import type { OpenAIOptions } from './openai';
import { retention, usageOf } from './openai';
import type { CompletionRequest } from './provider';

/** How the SDK's failures are told apart. */
const sdkErrors: SdkErrors = { APIError: OpenAI.APIError, APIConnectionError: OpenAI.APIConnectionError };

/** OpenAI's batch statuses after which nothing changes. */
const finalStatuses = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: OpenAI.Chat.Completions.ChatCompletion | { error?: { message?: string } } } | null;
  error: { code?: string; message?: string } | null;
}

/**
 * The OpenAI Batch API: the calls as JSONL uploaded to Files (purpose `batch`), a batch on /v1/chat/completions
 * with a 24-hour window, its status, and the output and error files read back. Items that expired with the window
 * come back in the error file as `batch_expired`. A refusal or a lost connection fails with a BatchApiError naming the
 * step.
 */
export class OpenAIBatchDriver implements BatchDriver {
  readonly provider = 'openai';
  private readonly client: OpenAI;
  /** The requests of the batches this process submitted, for counting usage an answer does not report. */
  private readonly requests = new Map<string, BatchItem['request']>();

  constructor(options: OpenAIOptions) {
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'no-key', maxRetries: 2 });
  }

  async submit(items: BatchItem[]): Promise<string> {
    const lines = items.map((item) => {
      this.requests.set(item.customId, item.request);
      return JSON.stringify({
        custom_id: item.customId,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: item.request.model, messages: item.request.messages, ...retention(item.request) },
      });
    });
    const file = await this.call('uploading the calls', async () =>
      this.client.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'partycost-batch.jsonl'), purpose: 'batch' }),
    );
    const batch = await this.call('creating the batch', () =>
      this.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    );
    return batch.id;
  }

  async status(id: string): Promise<BatchStatus> {
    const batch = await this.call(`reading batch ${id}`, () => this.client.batches.retrieve(id));
    const ended = finalStatuses.has(batch.status);
    const failure =
      batch.status === 'failed'
        ? batch.errors?.data?.map((e) => e.message).join('; ') || 'the batch failed'
        : batch.status === 'expired' && !batch.output_file_id
          ? 'the batch expired before any answer'
          : undefined;
    return { id, ended, status: batch.status, ...(failure ? { failure } : {}) };
  }

  async outcomes(id: string): Promise<BatchOutcome[]> {
    return this.call(`reading the results of batch ${id}`, async () => {
      const batch = await this.client.batches.retrieve(id);
      const lines = [...(await this.lines(batch.output_file_id)), ...(await this.lines(batch.error_file_id))];
      return lines.map((line) => outcomeOf(line, this.requests.get(line.custom_id)));
    });
  }

  private call<T>(step: string, call: () => Promise<T>): Promise<T> {
    return batchCall('openai', sdkErrors, step, call);
  }

  private async lines(fileId: string | null | undefined): Promise<OutputLine[]> {
    if (!fileId) return [];
    const text = await (await this.client.files.content(fileId)).text();
    return text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as OutputLine);
  }
}

function outcomeOf(line: OutputLine, request: BatchItem['request'] | undefined): BatchOutcome {
  const customId = line.custom_id;
  const body = line.response?.body;
  if (line.response?.status_code === 200 && body && 'choices' in body) {
    const output = body.choices[0]?.message?.content ?? '';
    const asked = { model: body.model, messages: request?.messages ?? [] } as unknown as CompletionRequest;
    return { customId, completion: { output, usage: { ...usageOf(body.usage, asked, output), batch: true } } };
  }
  if (line.error?.code === 'batch_expired') return { customId, failure: 'expired', detail: line.error.message ?? 'not answered within the batch window' };
  const message = line.error?.message ?? (body && 'error' in body ? body.error?.message : undefined) ?? `status ${line.response?.status_code ?? 'none'}`;
  return { customId, failure: 'failed', detail: message };
}
