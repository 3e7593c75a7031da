/**
 * What the OpenAI Agents SDK sends, as its source says, for the versions a project may pin. Checked against
 * openai/openai-agents-python at tag v0.22.0 (commit 4df9ecfae1761ca6fea67cc5a20b383c1d492024) and
 * openai/openai-agents-js at tag v0.17.0 (commit 0319b657e64e0c132629fe9ed4d524f7cde93445); the default model's
 * history read off every tag of both (docs/research/agents-sdk.md).
 */

/** The newest releases read: what a project that pins nothing is priced as. */
export const newestSdk = { python: '0.22.0', typescript: '0.17.0' } as const;

/** `DEFAULT_MAX_TURNS` (python `run_config.py`, js `runner/constants.ts`): model calls one `Runner.run` may make. */
export const defaultMaxTurns = 10;

/** The environment variable that names the default model (`default_models.py`, `defaultModel.ts`). */
export const defaultModelVariable = 'OPENAI_DEFAULT_MODEL';

/** Compares dotted versions numerically. */
export function versionAtLeast(version: string, floor: string): boolean {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = floor.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/**
 * The model an agent without `model` runs on, by release: Python `get_default_model()` returns
 * `os.getenv("OPENAI_DEFAULT_MODEL", …)` with gpt-4.1 from v0.2.9 (before it, `openai_provider.DEFAULT_MODEL`,
 * gpt-4o), gpt-5.4-mini from v0.16.0 and gpt-5.6-luna from v0.20.0; JavaScript `getDefaultModel()` gpt-4.1 from
 * v0.1.0, gpt-5.4-mini from v0.10.0 and gpt-5.6-luna from v0.15.0.
 */
export function sdkDefaultModel(language: 'python' | 'typescript', version: string): string {
  if (language === 'python') {
    if (versionAtLeast(version, '0.20.0')) return 'gpt-5.6-luna';
    if (versionAtLeast(version, '0.16.0')) return 'gpt-5.4-mini';
    return versionAtLeast(version, '0.2.9') ? 'gpt-4.1' : 'gpt-4o';
  }
  if (versionAtLeast(version, '0.15.0')) return 'gpt-5.6-luna';
  return versionAtLeast(version, '0.10.0') ? 'gpt-5.4-mini' : 'gpt-4.1';
}

/**
 * A handoff's tool name (python `Handoff.default_tool_name`: `transform_string_function_style`, lower case; js
 * `defaultHandoffToolName`: `toFunctionToolName`, case kept).
 */
export function handoffToolName(language: 'python' | 'typescript', agentName: string): string {
  const name = `transfer_to_${agentName}`.replace(/\s/g, '_');
  return language === 'python' ? name.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase() : name.replace(/[^a-zA-Z0-9]/g, '_');
}

/** A handoff's tool description (both SDKs, verbatim): its trailing space stays when the agent has no handoff description. */
export function handoffToolDescription(agentName: string, handoffDescription: string | undefined): string {
  return `Handoff to the ${agentName} agent to handle the request. ${handoffDescription ?? ''}`;
}

/** A handoff's parameters without `input_type`: the empty schema made strict (python `strict_schema._EMPTY_SCHEMA`). */
export function handoffParameters(): Record<string, unknown> {
  return { additionalProperties: false, type: 'object', properties: {}, required: [] };
}

/** The SDK's `RECOMMENDED_PROMPT_PREFIX` (python `extensions/handoff_prompt.py`; js drops the final line break and says "abstractions"). */
export function recommendedPromptPrefix(language: 'python' | 'typescript'): string {
  const abstractions = language === 'python' ? 'abstraction' : 'abstractions';
  const text = `# System context\nYou are part of a multi-agent system called the Agents SDK, designed to make agent coordination and execution easy. Agents uses two primary ${abstractions}: **Agents** and **Handoffs**. An agent encompasses instructions and tools and can hand off a conversation to another agent when appropriate. Handoffs are achieved by calling a handoff function, generally named \`transfer_to_<agent_name>\`. Transfers between agents are handled seamlessly in the background; do not mention or draw attention to these transfers in your conversation with the user.`;
  return language === 'python' ? `${text}\n` : text;
}

type Schema = Record<string, unknown>;

/**
 * `ensure_strict_json_schema` (python `strict_schema.py`; js `toOpenAIStrictToolSchema` does the same for tools):
 * every object closed (`additionalProperties: false`) and every property required; a `default: null` dropped.
 */
export function strictSchema(schema: Schema): Schema {
  if (Object.keys(schema).length === 0) return handoffParameters();
  return strictNode(JSON.parse(JSON.stringify(schema)) as Schema);
}

function strictNode(node: Schema): Schema {
  if (node.type === 'object' && !('additionalProperties' in node)) node.additionalProperties = false;
  const properties = node.properties as Record<string, Schema> | undefined;
  if (properties && typeof properties === 'object') {
    node.required = Object.keys(properties);
    for (const value of Object.values(properties)) strictNode(value);
  }
  if (node.items && typeof node.items === 'object') strictNode(node.items as Schema);
  for (const key of ['anyOf', 'allOf']) if (Array.isArray(node[key])) for (const member of node[key] as Schema[]) strictNode(member);
  for (const key of ['$defs', 'definitions']) {
    const defs = node[key] as Record<string, Schema> | undefined;
    if (defs && typeof defs === 'object') for (const value of Object.values(defs)) strictNode(value);
  }
  if ('default' in node && node.default === null) delete node.default;
  return node;
}
