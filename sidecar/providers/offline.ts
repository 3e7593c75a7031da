import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { countChat, countText, tokenizationFor } from '../cost/tokens';
import type { Completion, CompletionRequest, Provider } from './provider';

const vocabulary = (
  'plan guests arrive welcome table colours garden music games lights balloons cake candles menu snacks drinks ' +
  'timeline setup cleanup photos gifts invitations theme decorations seating stage host schedule budget vendor'
).split(' ');

/**
 * The embedded default: no network, no key. Its result is a deterministic function of the model and messages (the
 * same prompt always gives the same result, so keys and early cutoff behave as with a real model), about
 * `expectedOutputTokens` long, with a "Cost:" line a budget can total. Usage is counted with the tokenizer and
 * labelled estimated.
 */
export class OfflineProvider implements Provider {
  readonly name = 'offline';

  /** `latencyMs` simulates a model's response time (PARTYCOST_OFFLINE_LATENCY_MS), e.g. to watch a run progress. */
  constructor(private readonly latencyMs = 0) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal: request.signal });
    request.signal.throwIfAborted();
    const seed = createHash('sha256')
      .update(JSON.stringify([request.model, request.messages]))
      .digest();
    const output = generate(request.agent, seed, request.expectedOutputTokens);
    const { encoding } = tokenizationFor(request.model);
    request.onText?.(output);
    return {
      output,
      usage: {
        inputTokens: countChat(request.messages, encoding),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: countText(output, encoding),
        reasoningTokens: 0,
        source: 'estimated',
        ...(request.batch ? { batch: true as const } : {}),
      },
    };
  }
}

function generate(agent: string, seed: Buffer, tokens: number): string {
  let state = seed.readUInt32BE(0);
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const cost = 50 + (seed.readUInt32BE(4) % 1950);
  const words = Array.from({ length: Math.max(0, tokens - 12) }, () => vocabulary[next(vocabulary.length)]);
  return `${agent} plan (offline ${seed.toString('hex', 0, 4)})\nCost: $${cost}\n${words.join(' ')}`;
}
