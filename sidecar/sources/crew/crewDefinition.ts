import type { LineIndex } from '../../config/problems';
import type { ModelChoice } from './crewModels';
import type { CrewTool } from './crewTools';
import type { PromptRules } from './prompts';
import type { ModelDef } from './pydanticSchema';
import type { Span } from './yamlFile';

/**
 * A crew as CrewAI would assemble it before kickoff, whichever files it was read from (agents.yaml / tasks.yaml with
 * crew.py, or a declarative crew.jsonc): its agents with their resolved models and tools, its tasks in order with their
 * agent and context, and the crew's own settings (process, manager, planning, memory, knowledge). Everything here is
 * what CrewAI would use; what could not be read is a problem reported where it was read, and what was assumed instead
 * says so in `source`.
 */

/** A file a crew was read from, with its lines (for positions). */
export interface CrewFile {
  path: string;
  /** As shown to the user, and as problems name it. */
  name: string;
  text: string;
  lines: LineIndex;
}

/** Where something is defined: a file (as shown) and a range in it. */
export interface Place extends Span {
  file: string;
}

export interface CrewAgentDef {
  /** The agent's name: its `@agent` method, its YAML key, or its agents/*.jsonc file. */
  name: string;
  at: Place;
  role: string;
  goal: string;
  backstory: string;
  model: ModelChoice;
  tools: CrewTool[];
  /** Tool rounds before CrewAI forces an answer (`max_iter`, default 25). */
  maxIter: number;
  allowDelegation: boolean;
  /** `inject_date=True`: the run's date joins the prompt. */
  injectDate: boolean;
  /** The text of the agent's own knowledge sources (StringKnowledgeSource content, files read). */
  knowledge: string[];
}

/** An output model (output_json / output_pydantic) with the models it refers to. */
export interface OutputModel {
  model: ModelDef;
  models: ReadonlyMap<string, ModelDef>;
  at: Place;
}

export interface CrewTaskDef {
  /** The task's name: its `@task` method, its YAML key, or its `name` in crew.jsonc. */
  name: string;
  at: Place;
  description?: string;
  expectedOutput?: string;
  /** The CrewAI agent that performs it (none in a hierarchical crew that leaves the choice to the manager). */
  agent?: string;
  /** Its context tasks; `earlier` (no context given): every task before it, as CrewAI does. */
  context: string[] | 'earlier';
  contextSpans: Map<string, Span>;
  markdown: boolean;
  output?: OutputModel;
  /** The task's own tools: they replace its agent's. */
  tools?: CrewTool[];
}

/** A setting of the crew that costs calls of its own, and where it is set. */
export interface CrewSetting {
  at: Place;
  /** The model those calls run on, where it has one. */
  model?: ModelChoice;
}

export interface CrewDefinition {
  /** The crew's name (its class, or crew.jsonc's `name`); in a project of several crews it prefixes clashing names. */
  name: string;
  rules: PromptRules;
  agents: Map<string, CrewAgentDef>;
  tasks: CrewTaskDef[];
  /** `Process.hierarchical`: a manager on `manager_llm` performs every task, delegating to the agents. */
  hierarchical?: CrewSetting;
  /** `planning=True`: a planner call before the tasks. */
  planning?: CrewSetting;
  /** `memory=True`: memory tools on every agent and an extraction call after each task. */
  memory?: CrewSetting;
  /** The crew's knowledge sources (their text), retrieved into every task's prompt. */
  knowledge?: { at: Place; texts: string[] };
  /** The crew's inputs with their sample values (null: named but not known). */
  inputs: Record<string, string | null>;
}
