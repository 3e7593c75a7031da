import type { AgentConfig } from '../config/schema';
import { countText } from '../cost/tokens';
import type { EncodingName } from '../cost/tokens';
import type { CallsPerRun } from '../contract/cost';
import { toolUseSystemTokens } from '../providers/toolUse';

/**
 * An agent with tools runs as a loop: each call may ask for a tool, whose result joins the conversation, and the next
 * call re-sends everything so far, until one answers. These are the figures a loop is priced with when nothing
 * better is known; every one of them is stated where an estimate shows it.
 */
export const loopAssumptions = {
  /** Calls per run with tools, when neither the configuration nor the agent's runs say: two tool rounds, then the answer. */
  calls: { p50: 3, p90: 6 },
  /** Tokens of the assistant's message that asks for a tool (its name and arguments): billed as output, then re-sent. */
  toolCallTokens: 35,
  /** The framing of the two messages a round adds (roles, the call's id). */
  roundFramingTokens: 8,
  /** A tool result whose size nothing states. */
  toolResultTokens: 500,
} as const;

/**
 * The agent's calls per run: learned from its counted runs (a loop seen in traces) once there are enough, else
 * `expectedCalls` (the prior, as `expectedOutputTokens` is), else one without tools and the assumed loop with them;
 * within `maxCalls`.
 */
export function callsPerRun(agent: Pick<AgentConfig, 'tools' | 'expectedCalls' | 'maxCalls'>, learned?: { p50: number; p90: number }): CallsPerRun {
  const max = agent.maxCalls ?? null;
  const bound = (n: number): number => (max === null ? n : Math.min(n, max));
  if (learned) return { p50: Math.round(learned.p50), p90: Math.round(Math.max(learned.p50, learned.p90)), max, source: 'learned' };
  const configured = agent.expectedCalls;
  if (configured !== undefined) {
    const { p50, p90 } = typeof configured === 'number' ? { p50: configured, p90: configured } : configured;
    return { p50: bound(p50), p90: bound(Math.max(p50, p90)), max, source: 'configured' };
  }
  if (!agent.tools?.length) return { p50: 1, p90: 1, max, source: 'one call' };
  return { p50: bound(loopAssumptions.calls.p50), p90: bound(loopAssumptions.calls.p90), max, source: 'assumed' };
}

/**
 * The tokens the tools' definitions add to every call, counted as JSON (name, description, parameters) with the
 * model's encoding: the vendors render them in formats of their own, so this is an approximation, within a few
 * tokens per tool of what OpenAI bills.
 */
export function toolDefinitionTokens(tools: AgentConfig['tools'], encoding: EncodingName): number {
  if (!tools?.length) return 0;
  const definitions = tools.map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    parameters: tool.parameters ?? {},
  }));
  return countText(JSON.stringify(definitions), encoding);
}

/**
 * What an agent's definitions add to each call: its tools' (unless the prompt describes them), the vendor's own
 * tool-use prompt where it bills one, and a structured output's schema (counted as JSON, as the tools are).
 */
export function definitionTokens(
  agent: Pick<AgentConfig, 'tools' | 'toolsInPrompt' | 'outputSchema'>,
  model: string,
  billedBy: string,
  encoding: EncodingName,
): number {
  const tools = agent.tools?.length && !agent.toolsInPrompt ? toolDefinitionTokens(agent.tools, encoding) + toolUseSystemTokens(billedBy, model) : 0;
  return tools + (agent.outputSchema ? countText(JSON.stringify(agent.outputSchema), encoding) : 0);
}

/** The tokens one tool round adds to the conversation: the call, its result (the mean of the agent's tools), the framing. */
export function roundTokens(tools: AgentConfig['tools']): number {
  const results = (tools ?? []).map((tool) => tool.resultTokens ?? loopAssumptions.toolResultTokens);
  const result = results.length ? Math.round(results.reduce((a, b) => a + b, 0) / results.length) : loopAssumptions.toolResultTokens;
  return loopAssumptions.toolCallTokens + result + loopAssumptions.roundFramingTokens;
}

/**
 * A run's tokens over `calls` calls: every call sends the first call's prompt and the rounds before it (call k
 * carries k − 1 rounds); every call but the last answers with a tool call, the last with the answer.
 */
export function loopTokens(firstCallInput: number, answerTokens: number, calls: number, perRound: number): { input: number; output: number } {
  if (calls <= 1) return { input: firstCallInput, output: answerTokens };
  return {
    input: calls * firstCallInput + (perRound * calls * (calls - 1)) / 2,
    output: (calls - 1) * loopAssumptions.toolCallTokens + answerTokens,
  };
}
