import type { FrameworkPlace } from '../framework/frameworkAgents';

/**
 * An ADK agent tree as ADK would build it before a run, from Agent Config YAML (adkYaml.ts) or Python (adkPython.ts):
 * each agent's class, model, instruction, description, tools and sub-agents.
 */

export type AdkClass = 'LlmAgent' | 'SequentialAgent' | 'ParallelAgent' | 'LoopAgent';

/** A function declaration as sent to the model. */
export interface AdkTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface AdkAgentDef {
  name: string;
  agentClass: AdkClass;
  at: FrameworkPlace;
  description: string;
  /** The instruction as sent (state placeholders left as written); undefined when there is none. */
  instruction?: string;
  /** `global_instruction` (deprecated; only the root's applies). */
  globalInstruction?: string;
  model?: { model: string; source: string; at: FrameworkPlace } | { problem: string; at: FrameworkPlace };
  tools: AdkTool[];
  subAgents: AdkAgentDef[];
  /** A LoopAgent's `max_iterations`. */
  maxIterations?: number;
  disallowTransferToParent: boolean;
  disallowTransferToPeers: boolean;
  /** `output_schema` as a JSON Schema (sent as the response schema). */
  outputSchema?: Record<string, unknown>;
}
