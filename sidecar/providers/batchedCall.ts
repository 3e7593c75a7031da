import { setTimeout as delay } from 'node:timers/promises';
import type { BatchDriver } from './batch';
import { ProviderError } from './provider';
import type { Completion, CompletionRequest, Provider } from './provider';

/**
 * A provider whose calls for agents marked `batch: true` go through the vendor's batch API, one call per batch:
 * submitted, its status read every `pollMs` until it ends (the run waits; cancelling stops the wait, the vendor
 * still answers and bills the batch), then its one outcome. Every other call goes to the provider directly.
 */
export class BatchedCalls implements Provider {
  readonly name: 'openai' | 'anthropic';

  constructor(
    private readonly direct: Provider & { name: 'openai' | 'anthropic' },
    private readonly driver: () => Promise<BatchDriver>,
    private readonly pollMs: number,
  ) {
    this.name = direct.name;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    if (!request.batch) return this.direct.complete(request);
    const { agent, model, messages, maxOutputTokens, stablePrefix, promptCache } = request;
    const driver = await this.driver();
    const id = await driver.submit([
      { customId: agent, request: { model, messages, maxOutputTokens, ...(stablePrefix ? { stablePrefix } : {}), ...(promptCache ? { promptCache } : {}) } },
    ]);
    for (;;) {
      const status = await driver.status(id);
      if (status.failure) throw new ProviderError(this.name, model, 'refused', `its batch ${id} ${status.failure}`, false);
      if (status.ended) break;
      await delay(this.pollMs, undefined, { signal: request.signal });
    }
    const outcome = (await driver.outcomes(id)).find((o) => o.customId === agent);
    if (!outcome) throw new ProviderError(this.name, model, 'malformed answer', `its batch ${id} ended without an answer for ${agent}`, false);
    if ('failure' in outcome) throw new ProviderError(this.name, model, 'refused', `its batch call ${outcome.failure}: ${outcome.detail}`, false);
    return outcome.completion;
  }
}

/** Between two status reads of a batch: PARTYCOST_BATCH_POLL_MS, else 30 s. */
export function batchPollMs(env: NodeJS.ProcessEnv): number {
  return Number(env.PARTYCOST_BATCH_POLL_MS) || 30_000;
}
