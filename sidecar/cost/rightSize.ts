import type { PartyConfig } from '../config/schema';
import { agentModel, estimate } from './estimate';
import { bundledProfiles } from './modelProfiles';
import type { ModelProfile } from './modelProfiles';
import type { PriceBook } from './prices';
import { roundUsd } from './money';
import type { ModelChoice, RightSizing } from '../contract/cost';

/** The profiles in force: the bundled ones, with `quality` / `latencyMs` from the configuration's `prices`. */
export function modelProfiles(config: PartyConfig): Record<string, ModelProfile> {
  const profiles: Record<string, ModelProfile> = { ...bundledProfiles.models };
  for (const [model, price] of Object.entries(config.prices ?? {})) {
    const base = profiles[model];
    const quality = price.quality ?? base?.quality;
    const latencyMs = price.latencyMs ?? base?.latencyMs;
    if (quality !== undefined && latencyMs !== undefined) profiles[model] = { quality, latencyMs };
  }
  return profiles;
}


/** Every llm agent's right-sizing, candidates priced with their own token counts and prices. */
export function rightSize(config: PartyConfig, prices: PriceBook): RightSizing[] {
  const profiles = modelProfiles(config);
  const current = new Map(estimate(config, prices).agents.map((a) => [a.agent, a]));
  const volume = { partiesPerMonth: 1000, rerunFactor: 1, ...config.volume };
  const perMonth = volume.partiesPerMonth * volume.rerunFactor;
  const byModel = new Map(
    Object.keys(profiles)
      .filter((model) => prices.models[model])
      .map((model) => [model, new Map(estimate(withModel(config, model), prices).agents.map((a) => [a.agent, a]))]),
  );
  return Object.entries(config.agents).flatMap(([name, agent]): RightSizing[] => {
    const model = agentModel(agent, config);
    const now = current.get(name);
    if (!model || !now || agent.kind === 'compute') return [];
    const profile = profiles[model];
    const needs = { minQuality: agent.minQuality ?? profile?.quality ?? null, maxLatencyMs: agent.maxLatencyMs ?? null };
    const choice = (m: string, cost: number): ModelChoice => ({ model: m, costPerRunUsd: cost, quality: profiles[m]?.quality ?? null, latencyMs: profiles[m]?.latencyMs ?? null });
    const candidates = [...byModel]
      .map(([m, agents]) => ({ m, row: agents.get(name)! }))
      .filter(({ m, row }) => {
        const p = profiles[m];
        const window = prices.models[m].contextWindow;
        return (
          m !== model &&
          (needs.minQuality === null || p.quality >= needs.minQuality) &&
          (needs.maxLatencyMs === null || p.latencyMs <= needs.maxLatencyMs) &&
          row.inputTokens + row.outputTokens <= window &&
          (agent.contextBudget ?? 0) <= window &&
          row.costPerRunUsd < now.costPerRunUsd
        );
      })
      .sort((a, b) => a.row.costPerRunUsd - b.row.costPerRunUsd || a.m.localeCompare(b.m));
    const best = candidates[0];
    const saving = best ? roundUsd(now.costPerRunUsd - best.row.costPerRunUsd) : 0;
    return [
      {
        agent: name,
        current: choice(model, now.costPerRunUsd),
        needs,
        suggested: best ? choice(best.m, best.row.costPerRunUsd) : null,
        savingPerRunUsd: saving,
        savingPerMonthUsd: roundUsd(saving * perMonth),
      },
    ];
  });
}

/** The configuration with every llm agent on one model (to price candidates). */
function withModel(config: PartyConfig, model: string): PartyConfig {
  const agents = Object.fromEntries(Object.entries(config.agents).map(([name, a]) => [name, a.kind === 'compute' ? a : { ...a, model }]));
  return { ...config, agents };
}

/** The configuration with the suggested models applied (the budget's "apply cheaper models"). */
export function withCheaperModels(config: PartyConfig, sizing: RightSizing[]): PartyConfig {
  const agents = { ...config.agents };
  for (const s of sizing) if (s.suggested) agents[s.agent] = { ...agents[s.agent], model: s.suggested.model };
  return { ...config, agents };
}
