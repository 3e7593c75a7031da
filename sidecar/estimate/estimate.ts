import type { AgentConfig, PartyConfig } from '../config/schema';
import { agentModel, agentProvider } from '../config/agents';
import { providerProfile } from '../providers/profiles';
import { defaultOutputTokens, estimatedInputTokens, learnedEnough } from '../context/agentTokens';
import { callsPerRun, definitionTokens, loopTokens, roundTokens } from '../context/loop';
import { tokenizationFor } from '../cost/tokens';
import { scale, sum, toUsd, unitCost } from '../cost/money';
import type { Pico } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import { checkedPricing, listPricing } from '../contract/pricing';
import type { Pricing } from '../contract/pricing';
import { resourceCosts } from '../cost/usageCost';
import { catalogueInfo } from '../cost/catalogue';
import type { AgentEstimate, AgentLearning, Component, Estimate, Learning, LlmParts } from '../contract/cost';
import { runsPerMonth, volumeOf } from '../contract/cost';

const noParts: LlmParts = { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0 };

function agentCost(
  name: string,
  agent: AgentConfig,
  config: PartyConfig,
  prices: PriceBook,
  pricing: Pricing,
  at: Date,
  learning?: Learning,
): { estimate: AgentEstimate; cost: Pico } {
  const model = agentModel(agent, config);
  const priced = model ? prices.model(model) : undefined;
  const input = model ? estimatedInputTokens(name, agent, model, config, learning) : { tokens: 0, count: 'none' as const };
  const learned = model ? learnedEnough(name, learning) : undefined;
  const configuredOutputTokens = model ? (agent.expectedOutputTokens ?? defaultOutputTokens) : 0;
  const answerTokens = learned ? learned.output!.p50 : configuredOutputTokens;
  // Runs whose calls were counted (a loop seen in traces) teach a whole run: its calls, and its tokens over them.
  const wholeRuns = learned?.calls ? learned : undefined;
  const calls = model ? callsPerRun(agent, wholeRuns?.calls ?? undefined) : { p50: 1, p90: 1, max: null, source: 'one call' as const };
  // A loop's first call carries the tools' definitions (and the vendor's tool-use prompt), unless its count already
  // measures a whole call (declared, or learned from runs that sent them).
  const toolTokens =
    model && input.count !== 'learned' && input.count !== 'declared'
      ? definitionTokens(agent, model, priced?.provider ?? '', tokenizationFor(model).encoding)
      : 0;
  const firstCall = input.tokens + toolTokens;
  const perRound = roundTokens(agent.tools);
  const run = wholeRuns ? { input: wholeRuns.input!.p50, output: wholeRuns.output!.p50 } : loopTokens(firstCall, answerTokens, calls.p50, perRound);
  const outputTokens = run.output;
  const runsOn = agentProvider(agent, config);
  // An agent marked `batch` runs through its vendor's batch API (driven for OpenAI and Anthropic, and as the offline
  // provider counts it): priced so, as the what-if prices every agent.
  const ownBatch = agent.batch === true && providerProfile(runsOn).batch !== 'none';
  const batch = pricing.batch || ownBatch;
  const llmAt = (inputTokens: number, output: number) =>
    priced
      ? prices.price(priced, { inputTokens, cacheReadTokens: Math.round(inputTokens * pricing.cachedInputShare), outputTokens: output }, { batch, at })
      : null;
  const llm = llmAt(run.input, outputTokens);
  const resources = resourceCosts(agent.resources, prices);
  const parts: Record<Component, Pico> = { llm: llm?.total ?? 0n, ...resources };
  const cost = sum(Object.values(parts));
  const breakdown = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, toUsd(v)])) as Record<Component, number>;
  const llmParts = llm
    ? {
        inputUsd: toUsd(llm.parts.input),
        cacheReadUsd: toUsd(llm.parts.cacheRead),
        cacheWriteUsd: toUsd(llm.parts.cacheWrite),
        outputUsd: toUsd(llm.parts.output + llm.parts.reasoning),
      }
    : noParts;
  const atP90 = wholeRuns
    ? { input: wholeRuns.input!.p90, output: wholeRuns.output!.p90 }
    : learned
      ? loopTokens(learned.input!.p90 + toolTokens, learned.output!.p90, calls.p90, perRound)
      : loopTokens(firstCall, answerTokens, calls.p90, perRound);
  const p90 = learned || calls.p90 > calls.p50 ? llmAt(atP90.input, atP90.output) : null;
  const agentLearning = model ? learning?.agents.get(name) : undefined;
  return {
    cost,
    estimate: {
      agent: name,
      kind: agent.kind ?? 'llm',
      model,
      provider: priced?.provider ?? null,
      runsOn,
      ...(agent.dependsOn?.length ? { dependsOn: agent.dependsOn } : {}),
      inputTokens: run.input,
      outputTokens,
      tokenCount: input.count,
      callsPerRun: calls,
      ...((calls.p50 > 1 || calls.p90 > 1) && !wholeRuns ? { firstCallInputTokens: firstCall } : {}),
      ...(agent.tools?.length ? { tools: agent.tools.map((tool) => tool.name) } : {}),
      outputTokensSource: learned ? 'learned' : 'configured',
      learnedFrom: learned ? learned.window : 0,
      configuredOutputTokens,
      ...(agentLearning ? { learning: agentLearning } : {}),
      ...('calibration' in input && input.calibration ? { calibration: input.calibration } : {}),
      // Against list prices only: a what-if pricing is not what the runs were billed at.
      ...(!pricing.batch && pricing.cachedInputShare === 0 ? drift(agentLearning, toUsd(cost)) : {}),
      ...(p90 ? { costPerRunP90Usd: toUsd(p90.total + sum(Object.values(resources))) } : {}),
      costPerRunUsd: toUsd(cost),
      breakdown,
      llmParts,
      contextWindow: priced?.contextWindow ?? null,
      maxOutputTokens: priced?.maxOutputTokens ?? null,
      ...(llm?.tierAbove ? { tierAbove: llm.tierAbove } : {}),
      ...(batch && priced && !priced.batch && !priced.batchModel ? { batchUnavailable: true } : {}),
      ...(ownBatch && model ? { batch: true as const } : {}),
    },
  };
}

/** The runs' mean actual cost against the estimate, in percent of it (one decimal). */
function drift(learning: AgentLearning | undefined, costPerRunUsd: number): { driftPercent?: number } {
  const actual = learning?.actualMeanCostUsd;
  if (actual === null || actual === undefined || costPerRunUsd <= 0) return {};
  return { driftPercent: Math.round(((actual - costPerRunUsd) / costPerRunUsd) * 1000) / 10 };
}

/**
 * Cost per agent run, per party (all agents once plus orchestration) and per month at the configured volume; with
 * `learning`, each agent's tokens are learned from its runs once there are enough (labelled in each agent's estimate).
 */
export function estimate(config: PartyConfig, prices: PriceBook, pricing: Pricing = listPricing, learning?: Learning): Estimate {
  checkedPricing(pricing);
  const at = new Date();
  const agents = Object.entries(config.agents).map(([name, agent]) => agentCost(name, agent, config, prices, pricing, at, learning));
  const orchestration = unitCost(1, prices.resources.orchestration);
  const perParty = sum(agents.map((a) => a.cost)) + orchestration;
  const volume = volumeOf(config.volume);
  return {
    agents: agents.map((a) => a.estimate),
    orchestrationUsd: toUsd(orchestration),
    perPartyUsd: toUsd(perParty),
    perMonthUsd: toUsd(scale(perParty, runsPerMonth(volume))),
    volume,
    prices: { source: prices.source, date: prices.date, overridden: prices.overridden, ...fetched() },
    pricing,
  };
}

/** When the prices in force were fetched by an update (absent: the bundled data). */
function fetched(): { fetchedAt?: string } {
  const { fetchedAt } = catalogueInfo();
  return fetchedAt ? { fetchedAt } : {};
}
