import type { PartyConfig } from '../config/schema';
import { didYouMean } from '../config/nearest';
import type { Problem } from '../config/problems';
import { defaultOutputTokens, estimatedInputTokens } from '../context/agentTokens';
import type { PriceBook } from '../cost/prices';
import type { AgentEntry } from './agentEntries';
import { keyAt, problemAt } from './json/jsonDocument';
import type { JsonDocument } from './json/jsonDocument';
import { providerNames, providerProfile } from '../providers/profiles';
import type { ProviderName } from '../providers/profiles';

function unknownModel(model: string, prices: PriceBook): string {
  return `unknown model "${model}"${didYouMean(model, prices.knownNames())}; add its prices under "prices" to use it`;
}

/** Every model must be priced (the catalogue or `prices`); an llm agent needs a model and a prompt. */
export function modelProblems(
  document: JsonDocument,
  entries: AgentEntry[],
  defaultModel: string | undefined,
  prices: PriceBook,
  defaultProvider?: unknown,
): Problem[] {
  const problems: Problem[] = [];
  if (defaultModel !== undefined && !prices.model(defaultModel)) {
    problems.push(problemAt(document, ['defaults', 'model'], unknownModel(defaultModel, prices)));
  }
  // Raw values, so a model is checked even when another field of its agent failed the schema.
  for (const { name, raw } of entries) {
    const path = ['agents', name];
    const model = typeof raw.model === 'string' ? raw.model : undefined;
    if (raw.kind === 'compute') {
      if (model) problems.push(problemAt(document, [...path, 'model'], `compute agent "${name}" calls no model; "model" is ignored`, 'warning'));
      continue;
    }
    if (model !== undefined && !prices.model(model)) {
      problems.push(problemAt(document, [...path, 'model'], unknownModel(model, prices)));
    } else if (raw.model === undefined && defaultModel === undefined) {
      problems.push(keyProblem(document, path, `agent "${name}" has no model: set its "model" or "defaults.model"`));
    }
    if (raw.prompt === undefined) problems.push(keyProblem(document, path, `agent "${name}" calls a model but has no "prompt"`));
    const mismatch = vendorMismatch(raw, model ?? defaultModel, defaultProvider, prices);
    if (mismatch) problems.push(problemAt(document, [...path, raw.provider !== undefined ? 'provider' : 'model'], mismatch, 'warning'));
  }
  return problems;
}

/** An agent on Anthropic or Gemini with another vendor's model: the call would be refused. */
function vendorMismatch(raw: Record<string, unknown>, model: string | undefined, defaultProvider: unknown, prices: PriceBook): string | undefined {
  const provider = typeof raw.provider === 'string' ? raw.provider : typeof defaultProvider === 'string' ? defaultProvider : undefined;
  const vendor = provider && (providerNames as readonly string[]).includes(provider) ? providerProfile(provider as ProviderName).servesVendor : undefined;
  const priced = model ? prices.model(model) : undefined;
  if (!vendor || !priced || priced.provider === vendor || priced.provider === 'configuration') return undefined;
  return `${model} is a model of ${priced.provider}, but the agent runs on ${provider}, which serves ${vendor}'s models; set its "provider" or its "model"`;
}

function keyProblem(document: JsonDocument, path: string[], message: string): Problem {
  const node = keyAt(document, path);
  return { severity: 'error', message, offset: node?.offset ?? 0, length: node?.length ?? 0 };
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * What the model's limits rule out, before anything is priced: a prompt and answer beyond its context window, an
 * answer longer than its maximum output (both errors: the provider would refuse the call), a context budget above
 * the window (a warning: the budget can never be used whole).
 */
export function windowProblems(
  document: JsonDocument,
  entries: AgentEntry[],
  defaultModel: string | undefined,
  prices: PriceBook,
  defaultOutput = defaultOutputTokens,
): Problem[] {
  const agents = Object.fromEntries(entries.filter((e) => e.config).map((e) => [e.name, e.config!]));
  const config = { agents } as PartyConfig;
  const problems: Problem[] = [];
  for (const { name, config: agent } of entries) {
    const model = agent?.model ?? defaultModel;
    const priced = model ? prices.model(model) : undefined;
    if (!agent || agent.kind === 'compute' || !model || !priced) continue;
    const path = ['agents', name];
    const output = agent.expectedOutputTokens ?? defaultOutput;
    const max = priced.maxOutputTokens;
    if (max !== null && output > max) {
      problems.push(
        problemAt(
          document,
          [...path, 'expectedOutputTokens'],
          `expectedOutputTokens of "${name}" (${count(output)}) is over the ${count(max)}-token maximum output of ${model}`,
        ),
      );
    }
    const window = priced.contextWindow;
    if (window === null) continue;
    const input = estimatedInputTokens(name, agent, model, config).tokens;
    if (input + output > window) {
      const where = agent.model !== undefined ? 'model' : agent.expectedInputTokens !== undefined ? 'expectedInputTokens' : 'prompt';
      problems.push(
        problemAt(
          document,
          [...path, where],
          `"${name}" needs ${count(input)} prompt + ${count(output)} output tokens, over the ${count(window)}-token context window of ${model}`,
        ),
      );
    }
    if (agent.contextBudget !== undefined && agent.contextBudget > window) {
      problems.push(
        problemAt(
          document,
          [...path, 'contextBudget'],
          `contextBudget of "${name}" (${agent.contextBudget}) is over the ${window}-token context window of ${model}`,
          'warning',
        ),
      );
    }
  }
  return problems;
}
