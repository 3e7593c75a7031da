import type { Problem } from '../../config/problems';
import type { FrameworkPlace } from '../framework/frameworkAgents';

/**
 * An OpenAI Agents SDK program as the SDK would build its agents before `Runner.run`, whichever language it was read
 * from (sdkPython.ts, sdkTypescript.ts): each agent's name, instructions, model, tools, handoffs and output type, and
 * the runs that start them. What could not be read is a problem where it was read; what was assumed says so.
 */

/** A function tool as sent: its name, description and strict JSON Schema parameters. */
export interface SdkTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A handoff of an agent to another: the target (a variable or an agent's name) and any overrides. */
export interface SdkHandoff {
  target: string;
  at: FrameworkPlace;
  toolName?: string;
  toolDescription?: string;
}

export interface SdkAgentDef {
  /** The agent's `name`. */
  name: string;
  /** The variable it is bound to, when it is (handoffs and runs name it so). */
  variable?: string;
  at: FrameworkPlace;
  /** The system prompt as sent (`instructions`); undefined when the agent has none. */
  instructions?: string;
  handoffDescription?: string;
  /** The model named by the agent, or why it could not be read. */
  model?: { model: string; source: string; at: FrameworkPlace } | { problem: string; at: FrameworkPlace };
  tools: SdkTool[];
  handoffs: SdkHandoff[];
  /** `output_type` / `outputType` as the strict JSON Schema sent as structured output. */
  outputSchema?: Record<string, unknown>;
}

/** A `Runner.run(agent, input, max_turns=…)` (or `run(agent, input, { maxTurns })`): where a conversation starts. */
export interface SdkRun {
  entry?: string;
  /** The input, when it is a literal. */
  input?: string;
  maxTurns?: number;
  at: FrameworkPlace;
}

export interface SdkProgram {
  language: 'python' | 'typescript';
  agents: SdkAgentDef[];
  runs: SdkRun[];
  problems: Problem[];
}
