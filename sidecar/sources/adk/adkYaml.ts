import path from 'node:path';
import type { Document, Node, Pair } from 'yaml';
import type { Problem } from '../../config/problems';
import type { FileSet, FrameworkPlace } from '../framework/frameworkAgents';
import type { AdkAgentDef, AdkClass, AdkTool } from './adkDefinition';
import { builtinTool, pythonFunctionTool } from './adkTools';

/**
 * ADK's Agent Config (YAML) as `config_agent_utils.from_config` reads it (adk-python v1.11+, `agents/agent_config.py`,
 * `llm_agent_config.py`, `loop_agent_config.py`, `common_configs.py`): `agent_class` (default LlmAgent), `name`,
 * `model`, `description`, `instruction`, `global_instruction`, `tools` (a name in google.adk.tools, or a dotted path
 * to a function of the project), `sub_agents` by `config_path` (relative to the file), `max_iterations`, and the
 * transfer switches. Everything else is named in a warning when it changes what is sent.
 */

type YamlLibrary = typeof import('yaml');
let library: YamlLibrary | undefined;

function yaml(): YamlLibrary {
  return (library ??= require('yaml') as YamlLibrary);
}

export interface AdkYamlReading {
  files: FileSet;
  problems: Problem[];
  /** The folder an agent's dotted tool paths are imported from (the folder holding the agent's folder). */
  agentsDir: string;
  version: string;
}

const classes = new Set<AdkClass>(['LlmAgent', 'SequentialAgent', 'ParallelAgent', 'LoopAgent']);
const known = new Set([
  'agent_class',
  'name',
  'model',
  'description',
  'instruction',
  'global_instruction',
  'tools',
  'sub_agents',
  'max_iterations',
  'disallow_transfer_to_parent',
  'disallow_transfer_to_peers',
  'output_key',
  'include_contents',
  'generate_content_config',
]);

/** The agent of a YAML file, with its sub-agents read from the files they name; undefined when it cannot be read. */
export function readAdkYaml(file: string, reading: AdkYamlReading, seen: Set<string> = new Set()): AdkAgentDef | undefined {
  const read = reading.files.text(file);
  if (!read) return undefined;
  const { name: shown, text } = read;
  const at = (node: Node | null | undefined): FrameworkPlace => {
    const range = node?.range;
    return { file: shown, offset: range?.[0] ?? 0, length: range ? range[1] - range[0] : 0 };
  };
  const problem = (severity: Problem['severity'], node: Node | null | undefined, message: string): void => {
    reading.problems.push({ severity, message, ...at(node) });
  };
  const document: Document = yaml().parseDocument(text, { prettyErrors: false });
  for (const error of document.errors)
    reading.problems.push({
      severity: 'error',
      file: shown,
      message: `malformed YAML: ${error.message.split('\n')[0]}`,
      offset: error.pos[0],
      length: error.pos[1] - error.pos[0],
    });
  if (document.errors.length) return undefined;
  const contents = document.contents;
  if (!yaml().isMap(contents)) {
    problem('error', contents, 'an Agent Config is a mapping of fields (name, model, instruction…)');
    return undefined;
  }
  const fields = new Map<string, { value: unknown; node: Node | null; key: Node }>();
  for (const pair of contents.items as Pair<Node, Node | null>[]) {
    const key = String((pair.key as { value?: unknown }).value);
    fields.set(key, { value: pair.value ? (pair.value as Node).toJSON() : null, node: pair.value, key: pair.key });
    if (!known.has(key)) problem('warning', pair.key, `${key} is not read: what it changes is not priced`);
  }
  const str = (key: string): string | undefined => {
    const v = fields.get(key)?.value;
    return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
  };
  const agentClass = (str('agent_class') ?? 'LlmAgent').split('.').at(-1) as AdkClass;
  const nameField = fields.get('name');
  if (!classes.has(agentClass))
    problem('warning', fields.get('agent_class')?.node, `agent_class ${str('agent_class')} is not one of ADK's; priced as an LlmAgent`);
  if (!nameField) problem('error', contents, 'an agent needs a name');
  const agent: AdkAgentDef = {
    name: str('name') ?? path.basename(file, path.extname(file)),
    agentClass: classes.has(agentClass) ? agentClass : 'LlmAgent',
    at: at(nameField?.node ?? contents),
    description: str('description') ?? '',
    tools: [],
    subAgents: [],
    disallowTransferToParent: fields.get('disallow_transfer_to_parent')?.value === true,
    disallowTransferToPeers: fields.get('disallow_transfer_to_peers')?.value === true,
  };
  const instruction = str('instruction');
  if (instruction !== undefined) agent.instruction = instruction;
  else if (agent.agentClass === 'LlmAgent') problem('error', nameField?.node ?? contents, `an LlmAgent's config needs an instruction (${agent.name})`);
  const global = str('global_instruction');
  if (global !== undefined) agent.globalInstruction = global;
  const model = fields.get('model');
  if (model)
    agent.model =
      typeof model.value === 'string'
        ? { model: model.value.trim(), source: `${shown}:${lineOf(text, at(model.node).offset)}`, at: at(model.node) }
        : { problem: 'model must be a name', at: at(model.node) };
  const iterations = fields.get('max_iterations');
  if (iterations && typeof iterations.value === 'number') agent.maxIterations = iterations.value;
  for (const item of seqItems(fields.get('tools')?.node)) agent.tools.push(...toolOf(item, file, reading, seen, problem));
  for (const item of seqItems(fields.get('sub_agents')?.node)) {
    const ref = item.toJSON() as { config_path?: unknown; code?: unknown } | null;
    if (typeof ref?.config_path === 'string') {
      const target = path.resolve(path.dirname(file), ref.config_path);
      if (seen.has(target)) {
        problem('error', item, `${ref.config_path} is already an agent of this tree: a cycle`);
        continue;
      }
      if (!reading.files.text(target)) {
        problem('error', item, `no file ${ref.config_path} beside ${path.basename(file)}`);
        continue;
      }
      const sub = readAdkYaml(target, reading, new Set([...seen, file]));
      if (sub) agent.subAgents.push(sub);
    } else problem('warning', item, 'a sub-agent given by code cannot be read statically: it is not priced');
  }
  return agent;
}

function seqItems(node: Node | null | undefined): Node[] {
  return node && yaml().isSeq(node) ? (node.items as Node[]) : [];
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** A `tools:` item: a built-in of google.adk.tools, a dotted path to a function of the project, or an AgentTool. */
function toolOf(
  item: Node,
  file: string,
  reading: AdkYamlReading,
  seen: Set<string>,
  problem: (severity: Problem['severity'], node: Node | null | undefined, message: string) => void,
): AdkTool[] {
  const value = item.toJSON() as { name?: unknown; args?: { agent?: { config_path?: unknown } } } | null;
  const name = typeof value?.name === 'string' ? value.name : undefined;
  if (!name) {
    problem('error', item, 'a tool needs a name');
    return [];
  }
  if (name === 'AgentTool' && typeof value?.args?.agent?.config_path === 'string') {
    const target = path.resolve(path.dirname(file), value.args.agent.config_path);
    const sub = seen.has(target) ? undefined : readAdkYaml(target, reading, new Set([...seen, file]));
    problem('warning', item, `the agent ${sub?.name ?? value.args.agent.config_path} runs as a tool here: its own calls are not priced`);
    return [
      {
        name: sub?.name ?? 'agent',
        description: sub?.description ?? '',
        parameters: { type: 'object', properties: { request: { type: 'string' } }, required: ['request'] },
      },
    ];
  }
  if (!name.includes('.')) {
    const builtin = builtinTool(name, reading.version);
    if (builtin.note) problem('warning', item, builtin.note);
    return builtin.tool ? [builtin.tool] : [];
  }
  const parts = name.split('.');
  const fnName = parts.pop()!;
  const candidates = [`${path.join(reading.agentsDir, ...parts)}.py`, `${path.join(path.dirname(file), ...parts.slice(1))}.py`];
  for (const candidate of candidates) {
    const module = reading.files.text(candidate);
    if (!module) continue;
    const tool = pythonFunctionTool(module.text, fnName, reading.version);
    if (tool) return [tool];
  }
  problem('warning', item, `the tool ${name} cannot be found in the project: priced as a tool with one string argument`);
  return [{ name: fnName, description: '', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } }];
}
