import { versionAtLeast } from '../agentsSdk/sdkRules';
import { cleandoc } from '../crew/pydanticSchema';

/**
 * What Google's ADK adds to an LlmAgent's request, as its source says (google/adk-python; docs/research/adk.md):
 * the identity line (`flows/llm_flows/identity.py`), the agent-transfer instructions and the `transfer_to_agent`
 * tool (`flows/llm_flows/agent_transfer.py`, `tools/transfer_to_agent_tool.py`), function declarations
 * (`tools/function_tool.py`, `_function_tool_declarations.py`) and the default model (`agents/llm_agent.py`).
 * Current texts read at v2.1.0 and v1.34.1 (identical; the transfer text since v1.14.0, commit 43eec82f), the older
 * ones at v1.4.2 (commit 8677d5c8dce985a4070a03917da37ff2f6e5391e), used for every release before 1.14.
 */

/** The newest release read: what a project that pins nothing is priced as. */
export const newestAdk = '2.1.0';

/** `LlmAgent.DEFAULT_MODEL` from v1.22.0; before it an agent without a model (and no ancestor's) fails. */
export function adkDefaultModel(version: string): string | undefined {
  return versionAtLeast(version, '1.22.0') ? 'gemini-2.5-flash' : undefined;
}

/** A LoopAgent without `max_iterations` loops until a sub-agent escalates: priced at this many iterations, said. */
export const assumedIterations = 3;

/** The identity instruction of every LlmAgent. */
export function identityText(version: string, name: string, description: string): string {
  if (versionAtLeast(version, '1.14.0'))
    return `You are an agent. Your internal name is "${name}".${description ? ` The description about you is "${description}".` : ''}`;
  // v1.4.2 appended the description as a second instruction, joined with "\n\n", without a final period.
  return `You are an agent. Your internal name is "${name}".${description ? `\n\n The description about you is "${description}"` : ''}`;
}

/** A transfer target as the instructions list it. */
export interface TransferTarget {
  name: string;
  description: string;
}

/** The agent-transfer instructions of an agent with transfer targets (`_build_target_agents_instructions`). */
export function transferText(version: string, targets: TransferTarget[], parent: string | undefined): string {
  const info = targets.map((t) => `\nAgent name: ${t.name}\nAgent description: ${t.description}\n`).join('\n');
  if (versionAtLeast(version, '1.14.0')) {
    const names = targets
      .map((t) => t.name)
      .sort()
      .map((n) => `\`${n}\``)
      .join(', ');
    let text = `\nYou have a list of other agents to transfer to:\n\n${info}\n\nIf you are the best to answer the question according to your description,\nyou can answer it.\n\nIf another agent is better for answering the question according to its\ndescription, call \`transfer_to_agent\` function to transfer the question to that\nagent. When transferring, do not generate any text other than the function\ncall.\n\n**NOTE**: the only available agents for \`transfer_to_agent\` function are\n${names}.\n`;
    if (parent) text += `\nIf neither you nor the other agents are best for the question, transfer to your parent agent ${parent}.\n`;
    return text;
  }
  let text = `\nYou have a list of other agents to transfer to:\n\n${info}\n\nIf you are the best to answer the question according to your description, you\ncan answer it.\n\nIf another agent is better for answering the question according to its\ndescription, call \`transfer_to_agent\` function to transfer the\nquestion to that agent. When transferring, do not generate any text other than\nthe function call.\n`;
  if (parent)
    text += `\nYour parent agent is ${parent}. If neither the other agents nor\nyou are best for answering the question according to the descriptions, transfer\nto your parent agent.\n`;
  return text;
}

/** The `transfer_to_agent` function's docstring, as written in the source (v1.21+ adds the Note). */
function transferDocstring(withNote: boolean): string {
  const note = withNote
    ? '  Note:\n    For most use cases, you should use TransferToAgentTool instead of this\n    function directly. TransferToAgentTool provides additional enum constraints\n    that prevent LLMs from hallucinating invalid agent names.\n\n'
    : '';
  return `Transfer the question to another agent.\n\n  This tool hands off control to another agent when it's more suitable to\n  answer the user's question according to the agent's description.\n\n${note}  Args:\n    agent_name: the agent name to transfer to.\n  `;
}

/** Whether function declarations take the JSON-schema path (v2: `JSON_SCHEMA_FOR_FUNC_DECL` on by default). */
export function jsonSchemaDeclarations(version: string): boolean {
  return versionAtLeast(version, '2.0.0');
}

/** The `transfer_to_agent` declaration: its enum of target names from v1.21 (`TransferToAgentTool`). */
export function transferTool(version: string, targets: string[]): { name: string; description: string; parameters: Record<string, unknown> } {
  const withEnum = versionAtLeast(version, '1.21.0');
  const docstring = transferDocstring(withEnum);
  if (jsonSchemaDeclarations(version)) {
    return {
      name: 'transfer_to_agent',
      description: cleandoc(docstring),
      parameters: {
        properties: { agent_name: { title: 'Agent Name', type: 'string', enum: targets } },
        required: ['agent_name'],
        title: 'transfer_to_agentParams',
        type: 'object',
      },
    };
  }
  return {
    name: 'transfer_to_agent',
    description: docstring,
    parameters: { type: 'OBJECT', properties: { agent_name: { type: 'STRING', ...(withEnum ? { enum: targets } : {}) } }, required: ['agent_name'] },
  };
}
