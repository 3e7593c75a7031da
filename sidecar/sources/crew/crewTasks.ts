import type { AgentConfig } from '../../config/schema';
import type { Problem } from '../../config/problems';
import type { CrewAgentDef, CrewDefinition, CrewTaskDef, Place } from './crewDefinition';
import type { ModelChoice } from './crewModels';
import { assumed, crewaiTool, nativeTools, sanitizeToolName, textTools } from './crewTools';
import type { CrewTool } from './crewTools';
import { toTemplate } from './inputs';
import { crewCalls, crewSlices, plannerDefault, systemMessage, taskPrompt, userMessage } from './prompts';
import type { PromptRules, ToolMode } from './prompts';
import { crewaiSchema, pydanticSchema, pythonJson, toolParameters } from './pydanticSchema';

/**
 * A crew as the engine's agents: each task one agent of ours, sending what CrewAI sends for it (prompts.ts) on the
 * model of the CrewAI agent that performs it, as a loop when that agent has tools (at most `max_iter` rounds, then the
 * forced answer); and the crew's own calls as agents of their own, named after the task they serve: a hierarchical
 * manager's delegated runs (`<task>-delegated`), the planner (`crew_planner`), knowledge's query rewrite
 * (`<task>-knowledge_query`) and memory's extraction (`<task>-memory`). What CrewAI decides at run time is priced at a
 * stated assumption and said in a warning where the setting is.
 */

/** Where a row's figures come from, for its estimate row, hovers and CodeLens. */
export interface TaskFacts {
  /** The CrewAI agent that performs it (the manager, the planner: CrewAI's own). */
  crewAgent: string;
  /** Where its model comes from (`crew.py:14`, `.env (MODEL)`, `CrewAI default (gpt-4.1-mini)`). */
  modelSource: string;
  /** Served on this machine: priced at $0. */
  local: boolean;
  /** The task the row belongs to (itself, or the task an extra call serves). */
  task: string;
  /** Where the task is defined: the `@task` method, its YAML key, its crew.jsonc entry. */
  at: Place;
  /** Where its CrewAI agent is defined, when it is one of the crew's. */
  agentAt?: Place;
}

/** The sizes nothing in a crew states, each shown where it is used. */
export const crewAssumptions = {
  /** Tokens of the planner's plan for one task. */
  planTokensPerTask: 300,
  /** Tokens of a rewritten knowledge query. */
  knowledgeQueryTokens: 40,
  /** Tokens of the memory statements extracted from one task. */
  memoryTokens: 120,
  /** Characters of a knowledge chunk (CrewAI's default chunk_size) and the most chunks retrieved (results_limit). */
  chunkSize: 4000,
  chunkOverlap: 200,
  chunksRetrieved: 5,
} as const;

export interface CrewAgents {
  /** Our agents, in run order. */
  agents: Record<string, AgentConfig>;
  facts: Map<string, TaskFacts>;
  problems: Problem[];
}

/** Whether a model calls tools natively in CrewAI (`supports_function_calling()` of the class LLM() routes it to). */
export function supportsFunctionCalling(model: string): boolean {
  const lower = model.toLowerCase();
  const slash = lower.indexOf('/');
  const [prefix, name] = slash < 0 ? ['', lower] : [lower.slice(0, slash), lower.slice(slash + 1)];
  if (prefix === 'gemini' || prefix === 'google' || name.startsWith('gemini-')) {
    const version = /gemini-(\d+(?:\.\d+)?)/.exec(name);
    return version ? Number(version[1]) >= 1.5 : true;
  }
  if (prefix === 'anthropic' || prefix === 'claude' || prefix === 'bedrock' || name.startsWith('claude')) return true;
  if (prefix === 'azure') return /gpt-|o1-|text-/.test(name);
  // OpenAI and the OpenAI-compatible providers: every model but the o1 family.
  return !name.includes('o1');
}

/** The crew's agents of ours, named `prefix + name` (a project of several crews prefixes clashing names). */
export function crewAgents(crew: CrewDefinition, rename: (name: string) => string = (name) => name): CrewAgents {
  const out: CrewAgents = { agents: {}, facts: new Map(), problems: [] };
  const rules = crew.rules;
  const taskNames = crew.tasks.map((task) => task.name);
  const today = new Date().toISOString().slice(0, 10);
  const crewKnowledge = crew.knowledge ? knowledgeBlock(crew.knowledge.texts) : undefined;
  const memoryModel = crew.memory ? (crew.memory.model ?? [...crew.agents.values()][0]?.model) : undefined;
  const planner = crew.planning ? plannerOf(crew, rename) : undefined;

  for (const [index, task] of crew.tasks.entries()) {
    const agent = task.agent ? crew.agents.get(task.agent) : undefined;
    if (task.description === undefined || task.expectedOutput === undefined || (!agent && !crew.hierarchical)) continue;
    const upstream = task.context === 'earlier' ? taskNames.slice(0, index) : task.context;
    const context = upstream.length ? upstream.map((name) => `{{${rename(name)}}}`).join(crewSlices.contextDivider) : undefined;
    const dependsOn = upstream.map(rename);
    const name = rename(task.name);

    // Who performs it: the task's agent, or in a hierarchical crew the manager, with the agents as coworkers.
    const coworkers = crew.hierarchical ? (agent ? [agent] : [...crew.agents.values()]) : [];
    const performer = crew.hierarchical
      ? { name: 'manager', role: crewCalls.manager.role, goal: crewCalls.manager.goal, backstory: crewCalls.manager.backstory, model: crew.hierarchical.model! }
      : agent!;
    let tools: CrewTool[] = crew.hierarchical ? [] : (task.tools ?? agent!.tools);
    if (crew.hierarchical) tools = [crewaiTool('delegate', roles(coworkers)), crewaiTool('ask', roles(coworkers))];
    else if (agent!.allowDelegation && crew.agents.size > 1) {
      const others = [...crew.agents.values()].filter((other) => other !== agent);
      tools = [...tools, crewaiTool('delegate', roles(others)), crewaiTool('ask', roles(others))];
    }
    if (crew.memory) tools = [...tools, crewaiTool('search memory'), crewaiTool('save memory')];
    const model = performer.model;
    const mode: ToolMode = tools.length === 0 ? 'none' : rules.nativeTools && supportsFunctionCalling(model.model) ? 'native' : 'text';
    const listed = mode === 'text' ? textTools(tools, rules) : undefined;
    const date = agent?.injectDate && !crew.hierarchical ? today : undefined;

    const schema = task.output ? outputSchemaText(task, rules) : undefined;
    const blocks = [...(agent?.knowledge.length ? [knowledgeBlock(agent.knowledge)] : []), ...(crewKnowledge ? [crewKnowledge] : [])];
    const prompt = {
      description: task.description,
      expectedOutput: task.expectedOutput,
      markdown: task.markdown,
      ...(schema !== undefined ? { schema } : {}),
      ...(date !== undefined ? { date } : {}),
      ...(context !== undefined ? { context } : {}),
      ...(blocks.length ? { blocks } : {}),
    };
    const system = systemMessage(performer, rules, { mode, ...(listed ? { text: listed.text, names: listed.names } : {}) }, date);
    const user = userMessage(prompt, rules, mode);
    // Since 1.10 an agent without tools is also sent the output model as structured output (the schema twice).
    const structured =
      task.output && mode === 'none' && rules.schemaPipeline === 'current'
        ? toolParameters(pydanticSchema(task.output.model, task.output.models).schema, 'current')
        : undefined;
    out.agents[name] = {
      kind: 'llm',
      model: model.model,
      system: toTemplate(system),
      prompt: toTemplate(user),
      ...(dependsOn.length ? { dependsOn } : {}),
      ...(tools.length
        ? {
            tools:
              mode === 'native' ? nativeTools(tools, rules) : tools.map((tool) => ({ name: sanitizeToolName(tool.name), resultTokens: tool.resultTokens })),
          }
        : {}),
      ...(mode === 'text' ? { toolsInPrompt: true } : {}),
      ...(tools.length ? { maxCalls: (crew.hierarchical ? 25 : agent!.maxIter) + 1 } : {}),
      ...(structured ? { outputSchema: structured } : {}),
    };
    const performedBy = crew.hierarchical ? 'manager' : agent!.name;
    out.facts.set(name, {
      crewAgent: performedBy,
      modelSource: model.source,
      local: model.local,
      task: task.name,
      at: task.at,
      ...(agent && !crew.hierarchical ? { agentAt: agent.at } : {}),
    });

    if (crew.hierarchical) delegated(out, crew, task, coworkers, context, dependsOn, name, rename);
    if (blocks.length) knowledgeQuery(out, task, performer.model, taskPrompt(prompt, rules), dependsOn, name);
    if (crew.memory && memoryModel) memoryExtraction(out, task, performer.role, memoryModel, name);
  }
  if (planner) {
    out.agents[planner.name] = planner.config;
    out.facts.set(planner.name, planner.facts);
  }
  return out;
}

/** The coworkers' roles as CrewAI lists them in the delegation tools (a YAML role keeps its trailing line break). */
function roles(agents: CrewAgentDef[]): string[] {
  return agents.map((agent) => agent.role);
}

/** An output model's schema as the prompt shows it: pydantic's JSON Schema through the version's pipeline, indented. */
function outputSchemaText(task: CrewTaskDef, rules: PromptRules): string {
  const { schema } = pydanticSchema(task.output!.model, task.output!.models);
  return pythonJson(crewaiSchema(schema, rules.schemaPipeline), 2);
}

/** Knowledge retrieved into a prompt: the chunks a query returns (all of a small source), as CrewAI appends them. */
function knowledgeBlock(texts: string[]): string {
  const chunks = texts.flatMap((text) => chunk(text));
  return crewSlices.knowledge + chunks.slice(0, crewAssumptions.chunksRetrieved).join('\n');
}

/** A text in CrewAI's knowledge chunks (chunk_size characters, chunk_overlap shared). */
function chunk(text: string): string[] {
  const { chunkSize, chunkOverlap } = crewAssumptions;
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += chunkSize - chunkOverlap) chunks.push(text.slice(start, start + chunkSize));
  return chunks;
}

/**
 * A hierarchical task's delegated run: the coworker the manager hands it to (the task's agent; else the agent whose
 * role and goal share the most words with the task, as a manager would choose), given the task and the context.
 */
function delegated(
  out: CrewAgents,
  crew: CrewDefinition,
  task: CrewTaskDef,
  coworkers: CrewAgentDef[],
  context: string | undefined,
  dependsOn: string[],
  managerRow: string,
  rename: (name: string) => string,
): void {
  const coworker = coworkers.length === 1 ? coworkers[0]! : likeliest(task, coworkers);
  if (!coworker) return;
  const rules = crew.rules;
  const tools = crew.memory ? [...coworker.tools, crewaiTool('search memory'), crewaiTool('save memory')] : coworker.tools;
  const mode: ToolMode = tools.length === 0 ? 'none' : rules.nativeTools && supportsFunctionCalling(coworker.model.model) ? 'native' : 'text';
  const listed = mode === 'text' ? textTools(tools, rules) : undefined;
  const system = systemMessage(coworker, rules, { mode, ...(listed ? { text: listed.text, names: listed.names } : {}) });
  const user = userMessage(
    { description: task.description!, expectedOutput: crewCalls.managerRequest, ...(context !== undefined ? { context } : {}) },
    rules,
    mode,
  );
  const name = rename(`${task.name}-delegated`);
  out.agents[name] = {
    kind: 'llm',
    model: coworker.model.model,
    system: toTemplate(system),
    prompt: toTemplate(user),
    ...(dependsOn.length ? { dependsOn } : {}),
    ...(tools.length
      ? { tools: mode === 'native' ? nativeTools(tools, rules) : tools.map((tool) => ({ name: sanitizeToolName(tool.name), resultTokens: tool.resultTokens })) }
      : {}),
    ...(mode === 'text' ? { toolsInPrompt: true } : {}),
    ...(tools.length ? { maxCalls: coworker.maxIter + 1 } : {}),
  };
  out.facts.set(name, {
    crewAgent: coworker.name,
    modelSource: coworker.model.source,
    local: coworker.model.local,
    task: task.name,
    at: task.at,
    agentAt: coworker.at,
  });
  void managerRow;
}

/** The coworker whose role (thrice) and goal share the most words with the task (the first on a tie). */
function likeliest(task: CrewTaskDef, coworkers: CrewAgentDef[]): CrewAgentDef | undefined {
  const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const wanted = words(`${task.description} ${task.expectedOutput}`);
  let best: CrewAgentDef | undefined;
  let score = -1;
  for (const coworker of coworkers) {
    const role = [...words(coworker.role)].filter((word) => wanted.has(word));
    const goal = [...words(coworker.goal)].filter((word) => wanted.has(word) && !role.includes(word));
    const shared = 3 * role.length + goal.length;
    if (shared > score) [best, score] = [coworker, shared];
  }
  return best;
}

/** Knowledge's query rewrite before the task: the task's prompt, on the performer's model. */
function knowledgeQuery(out: CrewAgents, task: CrewTaskDef, model: ModelChoice, prompt: string, dependsOn: string[], row: string): void {
  const name = `${row}-knowledge_query`;
  out.agents[name] = {
    kind: 'llm',
    model: model.model,
    system: toTemplate(crewCalls.knowledgeQuerySystem),
    prompt: toTemplate(crewCalls.knowledgeQuery.replace('{task_prompt}', prompt)),
    ...(dependsOn.length ? { dependsOn } : {}),
    expectedOutputTokens: crewAssumptions.knowledgeQueryTokens,
  };
  out.facts.set(name, { crewAgent: out.facts.get(row)!.crewAgent, modelSource: model.source, local: model.local, task: task.name, at: task.at });
}

/** Memory's extraction after the task: the task, its agent's role, its expected and actual result, on the memory model. */
function memoryExtraction(out: CrewAgents, task: CrewTaskDef, role: string, model: ModelChoice, row: string): void {
  const name = `${row}-memory`;
  const content = crewCalls.memoryContent
    .replace('{description}', task.description!)
    .replace('{role}', role)
    .replace('{expected_output}', task.expectedOutput!)
    .replace('{result}', `{{${row}}}`);
  out.agents[name] = {
    kind: 'llm',
    model: model.model,
    system: toTemplate(memoryExtractSystem),
    prompt: toTemplate(crewCalls.extractMemoriesUser.replace('{content}', content)),
    dependsOn: [row],
    expectedOutputTokens: crewAssumptions.memoryTokens,
  };
  out.facts.set(name, { crewAgent: 'memory', modelSource: model.source, local: model.local, task: task.name, at: task.at });
}

/** The planner: one call before the tasks, given a summary of every task (`planning_handler.py` _create_tasks_summary). */
function plannerOf(crew: CrewDefinition, rename: (name: string) => string): { name: string; config: AgentConfig; facts: TaskFacts } {
  const rules = crew.rules;
  const model: ModelChoice = crew.planning!.model ?? { model: plannerDefault(rules), source: `CrewAI default (${plannerDefault(rules)})`, local: false };
  const summary = crew.tasks
    .map((task, i) => {
      const agent = task.agent ? crew.agents.get(task.agent) : undefined;
      const tools = task.tools ?? agent?.tools ?? [];
      // CrewAI prints each tool's repr; the tool's name stands for it here.
      return `\n                Task Number ${i + 1} - ${task.description}\n                "task_description": ${task.description}\n                "task_expected_output": ${task.expectedOutput}\n                "agent": ${agent?.role ?? 'None'}\n                "agent_goal": ${agent?.goal ?? 'None'}\n                "task_tools": ${task.tools ? `[${task.tools.map((t) => t.name).join(', ')}]` : '[]'}\n                "agent_tools": ${tools.length ? `[${tools.map((t) => t.name).join(', ')}]` : '"agent has no tools"'}`;
    })
    .join(' ');
  const schema = pythonJson(crewaiSchema(pydanticSchema(plannerOutput.model, plannerOutput.models).schema, rules.schemaPipeline), 2);
  const system = systemMessage(crewCalls.planner, rules, { mode: 'none' });
  const user = userMessage(
    { description: crewCalls.planner.description.replace('{tasks_summary}', summary), expectedOutput: crewCalls.planner.expectedOutput, schema },
    rules,
    'none',
  );
  const name = rename('crew_planner');
  return {
    name,
    config: {
      kind: 'llm',
      model: model.model,
      system: toTemplate(system),
      prompt: toTemplate(user),
      expectedOutputTokens: crewAssumptions.planTokensPerTask * Math.max(1, crew.tasks.length),
      ...(rules.schemaPipeline === 'current'
        ? { outputSchema: toolParameters(pydanticSchema(plannerOutput.model, plannerOutput.models).schema, 'current') }
        : {}),
    },
    facts: { crewAgent: 'planner', modelSource: model.source, local: model.local, task: crew.tasks[0]?.name ?? name, at: crew.planning!.at },
  };
}

/** The planner's output model (PlannerTaskPydanticOutput and PlanPerTask, planning_handler.py). */
const plannerOutput = (() => {
  const field = (name: string, annotation: string, description: string, constraints: Record<string, unknown> = {}) => ({
    name,
    annotation,
    description,
    default: 'required' as const,
    constraints,
  });
  const planPerTask = {
    name: 'PlanPerTask',
    description: 'Represents a plan for a specific task.',
    fields: [
      field('task_number', 'int', 'The 1-indexed task number this plan corresponds to', { minimum: 1 }),
      field('task', 'str', 'The task for which the plan is created'),
      field('plan', 'str', 'The step by step plan on how the agents can execute their tasks using the available tools with mastery'),
    ],
  };
  const model = {
    name: 'PlannerTaskPydanticOutput',
    description: 'Output format for task planning results.',
    fields: [
      field(
        'list_of_plans_per_task',
        'list[PlanPerTask]',
        'Step by step plan on how the agents can execute their tasks using the available tools with mastery',
      ),
    ],
  };
  return { model, models: new Map([['PlanPerTask', planPerTask]]) };
})();

/** `memory.extract_memories_system` (translations/en.json, 1.15.17). */
const memoryExtractSystem =
  'You extract discrete, reusable memory statements from raw content (e.g. a task description and its result, or a conversation between a user and an assistant).\n\nFor the given content, output a list of memory statements. Each memory must:\n- Be one clear sentence or short statement\n- Be understandable without the original context\n- Capture a decision, fact, outcome, preference, lesson, or observation worth remembering\n- NOT be a vague summary or a restatement of the task description\n- NOT duplicate the same idea in different words\n\nWhen the content is a conversation, pay special attention to facts stated by the user (first-person statements). These personal facts are HIGH PRIORITY and must always be extracted:\n- What the user did, bought, made, visited, attended, or completed\n- Names of people, pets, places, brands, and specific items the user mentions\n- Quantities, durations, dates, and measurements the user states\n- Subordinate clauses and casual asides often contain important personal details (e.g. "by the way, it took me 4 hours" or "my Golden Retriever Max")\n\nPreserve exact names and numbers \u2014 never generalize (e.g. keep "lavender gin fizz" not just "cocktail", keep "12 largemouth bass" not just "fish caught", keep "Golden Retriever" not just "dog").\n\nAdditional extraction rules:\n- Presupposed facts: When the user reveals a fact indirectly in a question (e.g. "What collar suits a Golden Retriever like Max?" presupposes Max is a Golden Retriever), extract that fact as a separate memory.\n- Date precision: Always preserve the full date including day-of-month when stated (e.g. "February 14th" not just "February", "March 5" not just "March").\n- Life events in passing: When the user mentions a life event (birth, wedding, graduation, move, adoption) while discussing something else, extract the life event as its own memory (e.g. "my friend David had a baby boy named Jasper" is a birth fact, even if mentioned while planning to send congratulations).\n\nIf there is nothing worth remembering (e.g. empty result, no decisions or facts), return an empty list.\nOutput a JSON object with a single key "memories" whose value is a list of strings.';

export { assumed };
