/**
 * What CrewAI sends for one task, by the version a project pins, as its source builds it (crewAIInc/crewAI, read at
 * tags 1.0.0, 1.9.2 and 1.15.17): `translations/en.json` holds the slices; `utilities/prompts.py`
 * (`Prompts.task_execution`) builds the system message from `role_playing` and the tools slice, and the user message
 * from `task`, `task_no_tools` or `native_task`; `task.py` (`Task.prompt`) joins the description, the
 * `expected_output` slice and the markdown instruction with "\n"; `agent/utils.py` adds the output schema
 * (`formatted_task_instructions`) and `task_with_context`; `utilities/formatter.py` joins context outputs with a
 * divider. Placeholders are filled with `str.replace`, so a role or backstory keeps the trailing "\n" a YAML folded
 * scalar gives it. The versions where a rule changed are CrewAI's release tags.
 */

/** A CrewAI version as three numbers. */
export type Version = [number, number, number];

/** The newest CrewAI release these rules were read from: the rules of a project that pins none. */
export const latestCrewai = '1.15.17';

export function parseVersion(text: string): Version | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Whether `v` is at least `at` ("1.9.2"). */
export function atLeast(v: Version, at: string): boolean {
  const w = parseVersion(at)!;
  for (let i = 0; i < 3; i++) if (v[i] !== w[i]) return v[i]! > w[i]!;
  return true;
}

const roleplaying = 'You are {role}. {backstory}\nYour personal goal is: {goal}';
const toolsSlice =
  '\nYou ONLY have access to the following tools, and should NEVER make up tools that are not listed here:\n\n{tools}\n\n' +
  'IMPORTANT: Use the following format in your response:\n\n```\nThought: you should always think about what to do\n' +
  "Action: the action to take, only one name of [{tool_names}], just the name, exactly as it's written.\n" +
  'Action Input: the input to the action, just a simple JSON object, enclosed in curly braces, using " to wrap keys and values.\n' +
  'Observation: the result of the action\n```\n\nOnce all necessary information is gathered, return the following format:\n\n' +
  '```\nThought: I now know the final answer\nFinal Answer: the final answer to the original input question\n```';
const oldNoTools =
  '\nTo give my best complete final answer to the task respond using the exact following format:\n\n' +
  'Thought: I now can give a great answer\nFinal Answer: Your final answer must be the great and the most complete as possible, it must be outcome described.\n\n' +
  'I MUST use these formats, my job depends on it!';
const reactTask =
  '\nCurrent Task: {input}\n\nBegin! This is VERY important to you, use the tools available and give your best Final Answer, your job depends on it!\n\nThought:';
const noCodeBlocks = 'Ensure the final output does not include any code block markers like ```json or ```python.';

/** How a version of CrewAI builds a task's prompt. */
export interface PromptRules {
  version: string;
  /** Tools go to the API as function schemas when the model supports function calling (1.9.0 on). */
  nativeTools: boolean;
  /** An agent without tools gets the short `task_no_tools` ending and no `no_tools` text (1.9.2 on). */
  taskNoTools: boolean;
  /** The date (`inject_date`) ends the system message (1.15.15 on), else the task description. */
  dateInSystem: boolean;
  /** How an output model's schema is written: 1.10.0 on strips nulls; before, nulls are kept. */
  schemaPipeline: 'current' | '1.9';
  /** Tool arguments in the text path: a JSON schema (1.7.1 on), else a Python dict of descriptions and types. */
  toolArgs: 'schema' | 'repr';
  /** Native tool definitions are sent strict, titles and defaults removed (assumed from 1.10.0, as the pipeline). */
  strictTools: boolean;
  /** The model of an agent without llm when the environment names none (`DEFAULT_LLM_MODEL`). */
  defaultModel: string;
  formattedTaskInstructions: string;
  memory: string;
}

/** The rules of a CrewAI version (the latest when none is known). */
export function rulesFor(version: string | undefined): PromptRules {
  const v = parseVersion(version ?? latestCrewai) ?? parseVersion(latestCrewai)!;
  const formatted = atLeast(v, '1.9.3')
    ? `Format your final answer according to the following OpenAPI schema: {output_format}\n\nIMPORTANT: Preserve the original content exactly as-is. Do NOT rewrite, paraphrase, or modify the meaning of the content. Only structure it to match the schema format.\n\nDo not include the OpenAPI schema in the final output. ${noCodeBlocks}`
    : atLeast(v, '1.4.0')
      ? `Ensure your final answer strictly adheres to the following OpenAPI schema: {output_format}\n\nDo not include the OpenAPI schema in the final output. ${noCodeBlocks}`
      : `Ensure your final answer contains only the content in the following format: {output_format}\n\n${noCodeBlocks}`;
  return {
    version: v.join('.'),
    nativeTools: atLeast(v, '1.9.0'),
    taskNoTools: atLeast(v, '1.9.2'),
    dateInSystem: atLeast(v, '1.15.15'),
    schemaPipeline: atLeast(v, '1.10.0') ? 'current' : '1.9',
    toolArgs: atLeast(v, '1.7.1') ? 'schema' : 'repr',
    strictTools: atLeast(v, '1.10.0'),
    defaultModel: atLeast(v, '1.2.0') ? 'gpt-4.1-mini' : 'gpt-4o-mini',
    formattedTaskInstructions: formatted,
    memory: atLeast(v, '1.10.1')
      ? "\n\n# Memories from past conversations:\n{memory}\n\nIMPORTANT: The memories above are an automatic selection and may be INCOMPLETE. If the task involves counting, listing, or summing items (e.g. 'how many', 'total', 'list all'), you MUST use the Search memory tool with several different queries before answering \u2014 do NOT rely solely on the memories shown above. Enumerate each distinct item you find before giving a final count."
      : '\n\n# Useful context: \n{memory}',
  };
}

/** The other slices, the same in every version read. */
export const crewSlices = {
  expectedOutput:
    '\nThis is the expected criteria for your final answer: {expected_output}\nyou MUST return the actual complete content as the final answer, not a summary.',
  taskWithContext: "{task}\n\nThis is the context you're working with:\n{context}",
  taskNoTools: '\nCurrent Task: {input}\n\nProvide your complete response:',
  nativeTask: '\nCurrent Task: {input}',
  markdown:
    'Your final answer MUST be formatted in Markdown syntax.\nFollow these guidelines:\n- Use # for headers\n- Use ** for bold text\n- Use * for italic text\n- Use - or * for bullet points\n- Use `code` for inline code\n- Use ```language for code blocks',
  /** Between upstream outputs when a task receives several. */
  contextDivider: '\n\n----------\n\n',
  knowledge: 'Additional Information: ',
} as const;

/** The environment variables CrewAI reads, in order, for the model of an agent without `llm`. */
export const crewModelVariables = ['MODEL', 'MODEL_NAME', 'OPENAI_MODEL_NAME'] as const;

/** How an agent's tools reach the model: none, as API function schemas, or described in the system message. */
export type ToolMode = 'none' | 'native' | 'text';

/** The system message: who the agent is; the tools' text on the text path; the date when the version puts it there. */
export function systemMessage(
  agent: { role: string; goal: string; backstory: string },
  rules: PromptRules,
  tools: { mode: ToolMode; text?: string; names?: string[] },
  date?: string,
): string {
  let system = roleplaying;
  if (tools.mode === 'text') system += toolsSlice;
  else if (tools.mode === 'none' && !rules.taskNoTools) system += oldNoTools;
  // Python's str.replace, in CrewAI's order: every occurrence of goal, then role, then backstory.
  system = system.replaceAll('{goal}', agent.goal).replaceAll('{role}', agent.role).replaceAll('{backstory}', agent.backstory);
  if (tools.mode === 'text') system = system.replaceAll('{tool_names}', (tools.names ?? []).join(', ')).replaceAll('{tools}', tools.text ?? '');
  if (date !== undefined && rules.dateInSystem) system += `\n\nCurrent Date: ${date}`;
  return system.trimEnd();
}

/** What a task adds to its prompt: its texts, the output schema, markdown, context and the blocks of memory and knowledge. */
export interface TaskPrompt {
  description: string;
  expectedOutput: string;
  /** The output model's schema as JSON text, when the task has output_json / output_pydantic. */
  schema?: string;
  markdown?: boolean;
  /** The date, for a version that adds it to the description. */
  date?: string;
  /** The upstream outputs joined (a template with placeholders), when the task has context. */
  context?: string;
  /** Memory and knowledge blocks appended after the context (templates with placeholders). */
  blocks?: string[];
}

/** The task's prompt before memory and knowledge join it: description, expected output, markdown, schema, context. */
export function taskPrompt(task: TaskPrompt, rules: PromptRules): string {
  const description = task.date !== undefined && !rules.dateInSystem ? `${task.description}\n\nCurrent Date: ${task.date}` : task.description;
  let prompt = [description, crewSlices.expectedOutput.replace('{expected_output}', task.expectedOutput), ...(task.markdown ? [crewSlices.markdown] : [])].join(
    '\n',
  );
  if (task.schema !== undefined) prompt += `\n${rules.formattedTaskInstructions.replace('{output_format}', task.schema)}`;
  if (task.context !== undefined) prompt = crewSlices.taskWithContext.replace('{task}', prompt).replace('{context}', task.context);
  return prompt;
}

/** The user message: the task (with its schema, markdown, context and blocks) in the ending its tools call for. */
export function userMessage(task: TaskPrompt, rules: PromptRules, mode: ToolMode): string {
  let prompt = taskPrompt(task, rules);
  for (const block of task.blocks ?? []) prompt += block;
  const ending = mode === 'native' ? crewSlices.nativeTask : mode === 'text' || !rules.taskNoTools ? reactTask : crewSlices.taskNoTools;
  // Messages are sent right-stripped (format_message_for_llm).
  return ending.replace('{input}', prompt).trimEnd();
}

/**
 * The crew's own calls besides its tasks, as CrewAI writes them (`translations/en.json` hierarchical_manager_agent,
 * slices, memory; `utilities/planning_handler.py`; `agents/agent_builder/base_agent_executor.py` _save_to_memory).
 */
export const crewCalls = {
  manager: {
    role: 'Crew Manager',
    goal: 'Manage the team to complete the task in the best way possible.',
    backstory:
      "You are a seasoned manager with a knack for getting the best out of your team.\nYou are also known for your ability to delegate work to the right people, and to ask the right questions to get the best out of your team.\nEven though you don't perform tasks by yourself, you have a lot of experience in the field, which allows you to properly evaluate the work of your team members.",
  },
  /** The expected output of a task a manager delegates. */
  managerRequest: 'Your best answer to your coworker asking you this, accounting for the context shared.',
  planner: {
    role: 'Task Execution Planner',
    goal: 'Your goal is to create an extremely detailed, step-by-step plan based on the tasks and tools available to each agent so that they can perform the tasks in an exemplary manner',
    backstory: 'Planner agent for crew planning',
    description:
      "Based on these tasks summary: {tasks_summary} \n Create the most descriptive plan based on the tasks descriptions, tools available, and agents' goals for them to execute their goals with perfection.",
    expectedOutput: 'Step by step plan on how the agents can execute their tasks using the available tools with mastery',
  },
  knowledgeQuerySystem:
    'Your goal is to rewrite the user query so that it is optimized for retrieval from a vector database. Consider how the query will be used to find relevant documents, and aim to make it more specific and context-aware. \n\n Do not include any other text than the rewritten query, especially any preamble or postamble and only add expected output format if its relevant to the rewritten query. \n\n Focus on the key words of the intended task and to retrieve the most relevant information. \n\n There will be some extra context provided that might need to be removed such as expected_output formats structured_outputs and other instructions.',
  knowledgeQuery: 'The original query is: {task_prompt}.',
  extractMemoriesUser: 'Content:\n{content}\n\nExtract memory statements as described. Return structured output.',
  /** What an extraction call is given: the task, its agent, its expected result and its result. */
  memoryContent: 'Task: {description}\nAgent: {role}\nExpected result: {expected_output}\nResult: {result}',
} as const;

/** The planner's model when `planning_llm` names none (gpt-5.4-mini from 1.15.0, gpt-4o-mini before). */
export function plannerDefault(rules: PromptRules): string {
  return atLeast(parseVersion(rules.version)!, '1.15.0') ? 'gpt-5.4-mini' : 'gpt-4o-mini';
}
