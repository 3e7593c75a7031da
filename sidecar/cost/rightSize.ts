import type { AgentConfig, PartyConfig } from '../config/schema';
import type { AgentEstimate, ModelChoice, RightSizing } from '../contract/cost';
import { estimate } from './estimate';
import { agentModel } from '../config/agents';
import { bundledProfiles } from './modelProfiles';
import type { ModelProfile } from './modelProfiles';
import type { PriceBook } from './prices';
import { roundUsd } from './money';

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

/** A model's profile: by the name as written, else by the catalogue model it resolves to (`anthropic/claude-…`). */
function profileOf(model: string, profiles: Record<string, ModelProfile>, prices: PriceBook): ModelProfile | undefined {
  if (profiles[model]) return profiles[model];
  const id = prices.model(model)?.id;
  return id ? profiles[id] : undefined;
}

/** How many other cheaper models that meet the needs are listed beside the suggestion. */
const alternativesShown = 3;

/**
 * Every llm agent's right-sizing: the candidates are the profiled models the catalogue prices, each priced with the
 * agent's own token counts; the cheapest that meets the agent's needs is suggested, the agent's own vendor first.
 */
export function rightSize(config: PartyConfig, prices: PriceBook): RightSizing[] {
  const profiles = modelProfiles(config);
  const current = byAgent(estimate(config, prices).agents);
  const volume = { partiesPerMonth: 1000, rerunFactor: 1, ...config.volume };
  const perMonth = volume.partiesPerMonth * volume.rerunFactor;
  const candidates = Object.keys(profiles).filter((model) => prices.model(model));
  const byModel = new Map(candidates.map((model) => [model, byAgent(estimate(withModel(config, model), prices).agents)]));
  return Object.entries(config.agents).flatMap(([name, agent]): RightSizing[] => {
    const model = agentModel(agent, config);
    const now = current.get(name);
    if (!model || !now || agent.kind === 'compute') return [];
    const profile = profileOf(model, profiles, prices);
    const needs = { minQuality: agent.minQuality ?? profile?.quality ?? null, maxLatencyMs: agent.maxLatencyMs ?? null };
    const choice = (m: string, row: AgentEstimate): ModelChoice => ({ model: m, provider: row.provider, costPerRunUsd: row.costPerRunUsd, quality: profiles[m]?.quality ?? null, latencyMs: profiles[m]?.latencyMs ?? null });
    const fitting = [...byModel]
      .map(([m, agents]) => ({ m, row: agents.get(name)!, profile: profiles[m] }))
      .filter(({ m, row, profile: p }) => prices.model(m)?.id !== prices.model(model)?.id && meets(p, needs) && fits(agent, row) && row.costPerRunUsd < now.costPerRunUsd)
      .sort((a, b) => Number(!own(a.row, now)) - Number(!own(b.row, now)) || a.row.costPerRunUsd - b.row.costPerRunUsd || a.m.localeCompare(b.m));
    const best = fitting[0];
    const saving = best ? roundUsd(now.costPerRunUsd - best.row.costPerRunUsd) : 0;
    const alternatives = fitting.slice(1).sort((a, b) => a.row.costPerRunUsd - b.row.costPerRunUsd || a.m.localeCompare(b.m)).slice(0, alternativesShown);
    return [
      {
        agent: name,
        current: choice(model, now),
        needs,
        suggested: best ? choice(best.m, best.row) : null,
        alternatives: alternatives.map(({ m, row }) => choice(m, row)),
        savingPerRunUsd: saving,
        savingPerMonthUsd: roundUsd(saving * perMonth),
      },
    ];
  });
}

/** The agent's own vendor, or the workspace's own models (a `prices` entry the catalogue lacks). */
function own(candidate: AgentEstimate, current: AgentEstimate): boolean {
  return candidate.provider === current.provider || candidate.provider === 'configuration';
}

function byAgent(agents: AgentEstimate[]): Map<string, AgentEstimate> {
  return new Map(agents.map((a) => [a.agent, a]));
}

function meets(profile: ModelProfile, needs: RightSizing['needs']): boolean {
  return (needs.minQuality === null || profile.quality >= needs.minQuality) && (needs.maxLatencyMs === null || profile.latencyMs <= needs.maxLatencyMs);
}

/** The prompt and answer fit the candidate's context window and maximum output, and so does the context budget. */
function fits(agent: AgentConfig, row: AgentEstimate): boolean {
  const window = row.contextWindow;
  const output = row.maxOutputTokens === null || row.outputTokens <= row.maxOutputTokens;
  return output && (window === null || (row.inputTokens + row.outputTokens <= window && (agent.contextBudget ?? 0) <= window));
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
