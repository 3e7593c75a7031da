import Anthropic from '@anthropic-ai/sdk';
import type { BatchDriver, BatchItem, BatchOutcome, BatchStatus, SdkErrors } from './batch';
import { batchCall } from './batch';
import type { AnthropicOptions } from './anthropic';
import { anthropicPrompt, textOf, usageOf } from './anthropic';

/** How the SDK's failures are told apart. */
const sdkErrors: SdkErrors = { APIError: Anthropic.APIError, APIConnectionError: Anthropic.APIConnectionError };

/**
 * Anthropic's Message Batches API: the calls (each with the same prompt and cache breakpoint a direct call would
 * have) in one batch, its processing status, and the results read back from its results URL: succeeded, errored,
 * canceled or expired, each by its custom id. A refusal or a lost connection fails with a BatchApiError naming the
 * step.
 */
export class AnthropicBatchDriver implements BatchDriver {
  readonly provider = 'anthropic';
  private readonly client: Anthropic;

  constructor(options: AnthropicOptions) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 2 });
  }

  async submit(items: BatchItem[]): Promise<string> {
    const requests = items.map((item) => ({
      custom_id: item.customId,
      params: { model: item.request.model, max_tokens: item.request.maxOutputTokens, ...anthropicPrompt(item.request) },
    }));
    const batch = await this.call('creating the batch', () => this.client.messages.batches.create({ requests }));
    return batch.id;
  }

  async status(id: string): Promise<BatchStatus> {
    const batch = await this.call(`reading batch ${id}`, () => this.client.messages.batches.retrieve(id));
    return { id, ended: batch.processing_status === 'ended', status: batch.processing_status };
  }

  outcomes(id: string): Promise<BatchOutcome[]> {
    return this.call(`reading the results of batch ${id}`, () => this.read(id));
  }

  private async read(id: string): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    for await (const entry of await this.client.messages.batches.results(id)) {
      const customId = entry.custom_id;
      const result = entry.result;
      if (result.type === 'succeeded')
        outcomes.push({ customId, completion: { output: textOf(result.message.content), usage: { ...usageOf(result.message.usage), batch: true } } });
      else if (result.type === 'errored') outcomes.push({ customId, failure: 'failed', detail: result.error.error.message });
      else outcomes.push({ customId, failure: result.type, detail: result.type === 'expired' ? 'not answered within the batch window' : 'canceled' });
    }
    return outcomes;
  }

  private call<T>(step: string, call: () => Promise<T>): Promise<T> {
    return batchCall('anthropic', sdkErrors, step, call);
  }
}
