/**
 * What CrewAI sends for one task, slice by slice, as its source builds it (crewAIInc/crewAI, 2026):
 * `src/crewai/translations/en.json` holds the slices; `utilities/prompts.py` (`Prompts.task_execution`) puts the
 * system message together from `role_playing` and `tools` / `no_tools`, and the user message from `task`;
 * `task.py` (`Task.prompt`) joins the description and the `expected_output` slice; `agent/utils.py` and
 * `agent.py` (`execute_task`) add `task_with_context` when the task has context; `crew.py` (`_get_context`) and
 * `utilities/formatter.py` join upstream outputs with a divider. Kept here, in one place, to follow CrewAI.
 */
export const crewSlices = {
  roleplaying: 'You are {role}. {backstory}\nYour personal goal is: {goal}',
  tools:
    '\nYou ONLY have access to the following tools, and should NEVER make up tools that are not listed here:\n\n{tools}\n\n' +
    'IMPORTANT: Use the following format in your response:\n\n```\nThought: you should always think about what to do\n' +
    "Action: the action to take, only one name of [{tool_names}], just the name, exactly as it's written.\n" +
    'Action Input: the input to the action, just a simple JSON object, enclosed in curly braces, using " to wrap keys and values.\n' +
    'Observation: the result of the action\n```\n\nOnce all necessary information is gathered, return the following format:\n\n' +
    '```\nThought: I now know the final answer\nFinal Answer: the final answer to the original input question\n```',
  noTools:
    '\nTo give my best complete final answer to the task respond using the exact following format:\n\n' +
    'Thought: I now can give a great answer\nFinal Answer: Your final answer must be the great and the most complete as possible, it must be outcome described.\n\n' +
    'I MUST use these formats, my job depends on it!',
  task: '\nCurrent Task: {input}\n\nBegin! This is VERY important to you, use the tools available and give your best Final Answer, your job depends on it!\n\nThought:',
  expectedOutput:
    '\nThis is the expected criteria for your final answer: {expected_output}\nyou MUST return the actual complete content as the final answer, not a summary.',
  taskWithContext: "{task}\n\nThis is the context you're working with:\n{context}",
  /** Between upstream outputs when a task receives several. */
  contextDivider: '\n\n----------\n\n',
} as const;

/** CrewAI's model for an agent without `llm`, when the environment names none (`constants.py`: DEFAULT_LLM_MODEL). */
export const crewDefaultModel = 'gpt-4.1-mini';

/** The environment variables CrewAI reads, in order, for the model of an agent without `llm`. */
export const crewModelVariables = ['MODEL', 'MODEL_NAME', 'OPENAI_MODEL_NAME'] as const;

/** A tool as the system message lists it (`render_text_description_and_args`). */
export interface CrewTool {
  name: string;
  description?: string;
}

/** `slice` with each `{name}` of `values` filled in (the slices' own placeholders; user text is filled separately). */
function fill(slice: string, values: Record<string, string>): string {
  return slice.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The system message: who the agent is, then how it answers (with its tools, or without). */
export function systemMessage(agent: { role: string; goal: string; backstory: string }, tools: CrewTool[]): string {
  const who = fill(crewSlices.roleplaying, { role: agent.role, backstory: agent.backstory, goal: agent.goal });
  if (tools.length === 0) return who + crewSlices.noTools;
  const listed = tools.map((tool) => `Tool Name: ${tool.name}\nTool Arguments: {}\nTool Description: ${tool.description ?? tool.name}`).join('\n');
  return who + fill(crewSlices.tools, { tools: listed, tool_names: tools.map((tool) => tool.name).join(', ') });
}

/** The user message: the task, its expected output, and its context (the upstream outputs) when it has any. */
export function userMessage(task: { description: string; expectedOutput: string }, context: string | undefined): string {
  const prompt = `${task.description}\n${fill(crewSlices.expectedOutput, { expected_output: task.expectedOutput })}`;
  const input = context === undefined ? prompt : fill(crewSlices.taskWithContext, { task: prompt, context });
  return fill(crewSlices.task, { input });
}
