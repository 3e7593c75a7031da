import type { AgentConfig, PartyConfig } from '../config/schema';
import type { AgentEstimate, Estimate, ModelChoice, RightSizing } from '../contract/cost';
import { runsPerMonth, volumeOf } from '../contract/cost';
import { estimate } from './estimate';
import { estimatedInputTokens, outputTokensOf } from '../context/agentTokens';
import { definitionTokens, loopTokens, roundTokens } from '../context/loop';
import type { Learning } from '../contract/cost';
import { listPricing } from '../contract/pricing';
import { resourceCosts } from '../cost/usageCost';
import { sum, toUsd } from '../cost/money';
import { tokenizationFor } from '../cost/tokens';
import { agentModel } from '../config/agents';
import { bundledProfiles } from '../cost/modelProfiles';
import type { ModelProfile } from '../cost/modelProfiles';
import type { PriceBook } from '../cost/prices';
import { roundUsd } from '../cost/money';

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

/** What a candidate model would cost one agent, and what decides whether it fits. */
interface CandidateRow {
  provider: string | null;
  costPerRunUsd: number;
  /** Prompt tokens of a run (every call's). */
  inputTokens: number;
  /** The largest prompt of a run: a loop's last call. */
  largestPrompt: number;
  outputTokens: number;
  contextWindow: number | null;
  maxOutputTokens: number | null;
}

/**
 * Right-sizings already worked out, by what they depend on (the agent, the token sizes of its upstream agents, the
 * defaults, profiles and prices in force, the hour): after an edit, only the agents it touched are sized again.
 */
const sized = new Map<string, RightSizing[]>();
const sizedKept = 5_000;

/**
 * Every llm agent's right-sizing (`atListPrices`: the configuration's estimate at list prices, when the caller has
 * it already): the candidates are the profiled models the catalogue prices, each priced with the
 * agent's own token counts; the cheapest that meets the agent's needs is suggested, the agent's own vendor first.
 */
export function rightSize(config: PartyConfig, prices: PriceBook, options: { atListPrices?: Estimate; learning?: Learning } = {}): RightSizing[] {
  const { learning } = options;
  const atListPrices = options.atListPrices ?? estimate(config, prices, listPricing, learning);
  const profiles = modelProfiles(config);
  const current = byAgent(atListPrices.agents);
  const volume = volumeOf(config.volume);
  const perMonth = runsPerMonth(volume);
  const candidates = Object.keys(profiles).filter((model) => prices.model(model));
  const at = new Date();
  // Calibrations reach every agent's candidate counts, so they are part of what all agents share.
  const calibrations = learning ? [...learning.calibration.values()].map((c) => `${c.model}=${c.factor}`) : [];
  const shared = JSON.stringify([
    config.defaults,
    config.providers,
    config.provider,
    config.prices,
    volume,
    prices.source,
    prices.date,
    prices.overridden,
    Math.floor(at.getTime() / 3_600_000),
    calibrations,
  ]);
  return Object.entries(config.agents).flatMap(([name, agent]): RightSizing[] => {
    const model = agentModel(agent, config);
    const now = current.get(name);
    if (!model || !now || agent.kind === 'compute') return [];
    // Learned figures reach the agent's own counts (in `now`) and its upstream agents' outputs.
    const upstream = (agent.dependsOn ?? []).map((dep) => outputTokensOf(dep, config, learning));
    const key = `${shared}\u0000${name}\u0000${JSON.stringify(agent)}\u0000${JSON.stringify(upstream)}\u0000${now.tokenCount}:${now.inputTokens}:${now.outputTokens}`;
    let result = sized.get(key);
    if (!result) {
      result = [sizeAgent(name, agent, model, now, config, prices, profiles, candidates, perMonth, at, learning)];
      if (sized.size >= sizedKept) sized.clear();
      sized.set(key, result);
    }
    return result;
  });
}

function sizeAgent(
  name: string,
  agent: AgentConfig,
  model: string,
  now: AgentEstimate,
  config: PartyConfig,
  prices: PriceBook,
  profiles: Record<string, ModelProfile>,
  candidates: string[],
  perMonth: number,
  at: Date,
  learning: Learning | undefined,
): RightSizing {
  const profile = profileOf(model, profiles, prices);
  const needs = { minQuality: agent.minQuality ?? profile?.quality ?? null, maxLatencyMs: agent.maxLatencyMs ?? null };
  const choice = (m: string, row: Pick<CandidateRow, 'provider' | 'costPerRunUsd'>): ModelChoice => ({
    model: m,
    provider: row.provider,
    costPerRunUsd: row.costPerRunUsd,
    quality: profiles[m]?.quality ?? null,
    latencyMs: profiles[m]?.latencyMs ?? null,
  });
  const ownId = prices.model(model)?.id;
  const rows = candidateRows(name, agent, now, config, prices, candidates, at, learning);
  const fitting = [...rows]
    .map(([m, row]) => ({ m, row, profile: profiles[m] }))
    .filter(({ m, row, profile: p }) => prices.model(m)?.id !== ownId && meets(p!, needs) && fits(agent, row) && row.costPerRunUsd < now.costPerRunUsd)
    .sort((a, b) => Number(!own(a.row, now)) - Number(!own(b.row, now)) || a.row.costPerRunUsd - b.row.costPerRunUsd || a.m.localeCompare(b.m));
  const best = fitting[0];
  const saving = best ? roundUsd(now.costPerRunUsd - best.row.costPerRunUsd) : 0;
  const alternatives = fitting
    .slice(1)
    .sort((a, b) => a.row.costPerRunUsd - b.row.costPerRunUsd || a.m.localeCompare(b.m))
    .slice(0, alternativesShown);
  return {
    agent: name,
    current: choice(model, now),
    needs,
    suggested: best ? choice(best.m, best.row) : null,
    alternatives: alternatives.map(({ m, row }) => choice(m, row)),
    savingPerRunUsd: saving,
    savingPerMonthUsd: roundUsd(saving * perMonth),
  };
}

/**
 * The agent on each candidate model, priced as `estimate` prices it at list prices (the same token counts, prices
 * and resources), without the rest of an estimate: its prompt is counted once per tokenizer, not once per model.
 * Learned or declared counts (`now`) hold for every candidate: they measure the filled prompt and the answer.
 */
function candidateRows(
  name: string,
  agent: AgentConfig,
  now: AgentEstimate,
  config: PartyConfig,
  prices: PriceBook,
  candidates: string[],
  at: Date,
  learning: Learning | undefined,
): Map<string, CandidateRow> {
  const resources = sum(Object.values(resourceCosts(agent.resources, prices)));
  const outputTokens = now.outputTokens;
  const fixedInput = now.tokenCount === 'learned' || now.tokenCount === 'declared' ? now.inputTokens : undefined;
  const inputByEncoding = new Map<string, number>();
  // A loop keeps its calls on every candidate: each re-sends the candidate's prompt and the rounds before it.
  const calls = now.callsPerRun.p50;
  const perRound = roundTokens(agent.tools);
  const rows = new Map<string, CandidateRow>();
  for (const m of candidates) {
    const priced = prices.model(m)!;
    const { encoding, exact } = tokenizationFor(m);
    // Approximate counts may be calibrated per model; exact ones differ only by encoding.
    const counting = exact || !learning?.calibration.has(m) ? encoding : `${encoding}\u0000${m}`;
    let prompt = inputByEncoding.get(counting);
    if (fixedInput === undefined && prompt === undefined)
      inputByEncoding.set(counting, (prompt = estimatedInputTokens(name, { ...agent, model: m }, m, config, learning).tokens));
    const firstCall = fixedInput === undefined ? prompt! + definitionTokens(agent, m, priced.provider, encoding) : (now.firstCallInputTokens ?? fixedInput);
    const inputTokens = fixedInput ?? loopTokens(firstCall, 0, calls, perRound).input;
    const llm = prices.price(
      priced,
      { inputTokens, cacheReadTokens: Math.round(inputTokens * listPricing.cachedInputShare), outputTokens },
      { batch: listPricing.batch, at },
    );
    rows.set(m, {
      provider: priced.provider ?? null,
      costPerRunUsd: toUsd(llm.total + resources),
      inputTokens,
      largestPrompt: firstCall + (calls - 1) * perRound,
      outputTokens,
      contextWindow: priced.contextWindow ?? null,
      maxOutputTokens: priced.maxOutputTokens ?? null,
    });
  }
  return rows;
}

/** The agent's own vendor, or the workspace's own models (a `prices` entry the catalogue lacks). */
function own(candidate: CandidateRow, current: AgentEstimate): boolean {
  return candidate.provider === current.provider || candidate.provider === 'configuration';
}

function byAgent(agents: AgentEstimate[]): Map<string, AgentEstimate> {
  return new Map(agents.map((a) => [a.agent, a]));
}

function meets(profile: ModelProfile, needs: RightSizing['needs']): boolean {
  return (needs.minQuality === null || profile.quality >= needs.minQuality) && (needs.maxLatencyMs === null || profile.latencyMs <= needs.maxLatencyMs);
}

/** The prompt and answer fit the candidate's context window and maximum output, and so does the context budget. */
function fits(agent: AgentConfig, row: CandidateRow): boolean {
  const window = row.contextWindow;
  const output = row.maxOutputTokens === null || row.outputTokens <= row.maxOutputTokens;
  return output && (window === null || (row.largestPrompt + row.outputTokens <= window && (agent.contextBudget ?? 0) <= window));
}

/** An agent with a cheaper model that meets its needs. */
export type CheaperModel = RightSizing & { suggested: ModelChoice };

/**
 * The agents a cheaper model would do for, and saves on: the one choice right-sizing makes, which the advisor
 * advises and the budget names (or applies) from its second threshold on.
 */
export function cheaperModels(config: PartyConfig, prices: PriceBook, options: { atListPrices?: Estimate; learning?: Learning } = {}): CheaperModel[] {
  return rightSize(config, prices, options).filter((s): s is CheaperModel => s.suggested !== null && s.savingPerRunUsd > 0);
}

/** The configuration with the cheaper models applied (the budget's "apply cheaper models"). */
export function withCheaperModels(config: PartyConfig, cheaper: CheaperModel[]): PartyConfig {
  const agents = { ...config.agents };
  for (const s of cheaper) agents[s.agent] = { ...agents[s.agent], model: s.suggested.model };
  return { ...config, agents };
}
