import type { PartyConfig } from '../config/schema';
import { agentProvider } from '../config/agents';
import { providerProfile } from '../providers/profiles';
import type { Estimate, Learning } from '../contract/cost';
import { estimate } from '../estimate/estimate';
import { roundUsd } from '../cost/money';
import type { PriceBook } from '../cost/prices';
import { cheaperModels } from '../estimate/rightSize';
import { templateTokens } from '../context/agentTokens';
import { editOf, perMonth, tokens, tokenSized } from './adviceFacts';
import type { AgentFacts, Proposal } from './adviceFacts';
import type { CacheRates } from './promptCache';
import type { PromptShape } from './promptParts';

// Advice read from the configuration and the prices: a cheaper model, the Batch API, a context budget.

/** A cheaper model that meets the agent's needs (right-sizing), priced at the volume. */
export function modelAdvice(
  config: PartyConfig,
  prices: PriceBook,
  atList: Estimate,
  learning: Learning | undefined,
  facts: AgentFacts[],
  editable: boolean | undefined,
): Proposal[] {
  const byName = new Map(facts.map((f) => [f.name, f]));
  return cheaperModels(config, prices, { atListPrices: atList, learning }).flatMap((r): Proposal[] => {
    const f = byName.get(r.agent);
    if (!f) return [];
    const quality = r.suggested.quality !== null ? `quality ${r.suggested.quality}` : 'quality unknown';
    return [
      {
        agent: r.agent,
        kind: 'model',
        change: `model ${r.current.model} → ${r.suggested.model}`,
        savingPerMonthUsd: perMonth(r.savingPerRunUsd, f.runsPerMonth),
        savingPerRunUsd: r.savingPerRunUsd,
        confidence: 'medium',
        why: `${r.suggested.model} costs $${r.suggested.costPerRunUsd} a run against $${r.current.costPerRunUsd}, fits the prompt and meets the needs (${quality} ≥ ${r.needs.minQuality ?? 'any'}${r.needs.maxLatencyMs ? `, latency ≤ ${r.needs.maxLatencyMs} ms` : ''}).`,
        assumes: ["the project's indicative quality ranking of models holds for this agent's task", 'the same tokens on the new model'],
        ...editOf(editable, ['agents', r.agent, 'model'], r.suggested.model),
      },
    ];
  });
}

/** The Batch API for agents that may wait (`essential: false`), on the vendors whose batch API runs drive. */
export function batchAdvice(
  config: PartyConfig,
  prices: PriceBook,
  learning: Learning | undefined,
  facts: AgentFacts[],
  editable: boolean | undefined,
): Proposal[] {
  const waiting = facts.filter(
    (f) =>
      f.agent.essential === false && !f.agent.batch && f.agent.maxLatencyMs === undefined && providerProfile(agentProvider(f.agent, config)).batch !== 'none',
  );
  if (!waiting.length) return [];
  const atBatch = new Map(estimate(config, prices, { cachedInputShare: 0, batch: true }, learning).agents.map((a) => [a.agent, a]));
  return waiting.flatMap((f): Proposal[] => {
    const batch = atBatch.get(f.name);
    if (!batch || batch.batchUnavailable) return [];
    const perRun = roundUsd(f.estimate.costPerRunUsd - batch.costPerRunUsd);
    if (perRun <= 0) return [];
    return [
      {
        agent: f.name,
        kind: 'batch',
        change: 'batch: true',
        savingPerMonthUsd: perMonth(perRun, f.runsPerMonth),
        savingPerRunUsd: perRun,
        confidence: 'medium',
        why: `It is marked essential: false, so it may wait: through the ${batch.provider ?? 'vendor'} Batch API a run costs $${batch.costPerRunUsd} instead of $${f.estimate.costPerRunUsd}.`,
        assumes: ['answers within 24 hours are soon enough for this agent and the agents after it'],
        ...editOf(editable, ['agents', f.name, 'batch'], true),
      },
    ];
  });
}

/** A context budget where upstream results are most of a long prompt: summaries instead of whole results. */
export function contextAdvice(facts: AgentFacts[], shapes: Map<string, { shape: PromptShape; rates: CacheRates }>, editable: boolean | undefined): Proposal[] {
  return facts.flatMap((f): Proposal[] => {
    const s = shapes.get(f.name);
    if (!s || f.agent.contextBudget !== undefined) return [];
    const upstream = s.shape.upstreamTokens;
    if (upstream < 1_000 || upstream * 2 < f.estimate.inputTokens) return [];
    const own = templateTokens(f.agent, f.model).tokens;
    const budget = Math.ceil((own + upstream / 2) / 100) * 100;
    const pruned = f.estimate.inputTokens - budget;
    if (pruned <= 0) return [];
    const perRun = pruned * s.rates.input;
    return [
      {
        agent: f.name,
        kind: 'context-budget',
        change: `contextBudget ${budget}`,
        savingPerMonthUsd: perMonth(perRun, f.runsPerMonth),
        savingPerRunUsd: roundUsd(perRun),
        confidence: 'low',
        why: `Upstream results are ${tokens(upstream)} of its ${tokenSized(f.estimate.inputTokens)} prompt; a budget of ${budget} has them summarised, ${tokens(pruned)} fewer a run.`,
        assumes: ['summaries of the upstream results are enough for its answer (see the Token Budgets panel)'],
        ...editOf(editable, ['agents', f.name, 'contextBudget'], budget),
      },
    ];
  });
}
