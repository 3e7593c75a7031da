import type { Problem } from '../../config/problems';
import { cleandoc, modelsIn, pydanticSchema } from '../crew/pydanticSchema';
import type { ModelDef, ModelField } from '../crew/pydanticSchema';
import type { FrameworkPlace } from '../framework/frameworkAgents';
import { modelSourceOf } from '../framework/frameworkAgents';
import { dottedName, findCalls } from '../python/pythonCalls';
import type { PyCall, PyExpr, PyFunction, PyModule, PyPlace } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue, resolveEnvironment, resolveName } from '../python/pythonValues';
import type { PyValue } from '../python/pythonValues';
import type { SdkAgentDef, SdkHandoff, SdkProgram, SdkRun, SdkTool } from './sdkDefinition';
import { recommendedPromptPrefix, strictSchema } from './sdkRules';

/**
 * Python files of an OpenAI Agents SDK project read as the SDK builds them (openai-agents-python v0.22.0:
 * `agent.py` Agent, `function_schema.py` and `tool.py` function_tool, `handoffs/__init__.py`, `agent_output.py`,
 * `run.py` Runner): every `Agent(…)`, the `@function_tool` functions its tools name, its handoffs (also those
 * appended later with `.handoffs.append(…)`) and the `Runner.run` calls.
 */

/** A Python file of the project: its path as shown and its text. */
export interface PythonFile {
  name: string;
  text: string;
}

/** The environment the program runs in (the process's, then the project's .env). */
export type Environment = (name: string) => string | undefined;

/** The stated size of instructions a static reading cannot know. */
export const assumedInstructionWords = 200;

interface Reading {
  module: PyModule;
  file: string;
  models: Map<string, ModelDef>;
  problems: Problem[];
  env: Environment;
  origin?: (name: string) => string;
}

/** Whether a Python text uses the Agents SDK (`from agents import …`, `import agents`). */
export function usesAgentsSdk(text: string): boolean {
  return /^\s*(from\s+agents(\.[\w.]+)?\s+import\b|import\s+agents\b)/m.test(text);
}

/** The SDK program of the project's Python files. */
export function readSdkPython(files: PythonFile[], env: Environment, origin?: (name: string) => string): SdkProgram {
  const program: SdkProgram = { language: 'python', agents: [], runs: [], problems: [] };
  const readings = files.map((f) => {
    const module = readPython(f.text);
    for (const error of module.errors)
      program.problems.push({ severity: 'error', file: f.name, message: error.message, offset: error.offset, length: error.length });
    return { module, file: f.name, models: modelsIn(module), problems: program.problems, env, ...(origin ? { origin } : {}) };
  });
  const functions = new Map<string, { fn: PyFunction; reading: Reading }>();
  for (const reading of readings) for (const fn of reading.module.functions) functions.set(fn.name, { fn, reading });
  for (const reading of readings) {
    for (const call of findCalls(reading.module, isAgentCall)) program.agents.push(agentOf(call, reading, functions));
    for (const call of findCalls(reading.module, (c) => /(^|\.)Runner\.run(_sync|_streamed)?$/.test(c.name ?? ''))) program.runs.push(runOf(call, reading));
    for (const call of findCalls(reading.module, (c) => /\.handoffs\.(append|extend)$/.test(c.name ?? ''))) {
      const owner = program.agents.find((a) => a.variable === ownerOf(call));
      if (owner) owner.handoffs.push(...call.args.flatMap((arg) => handoffsOf(arg, reading)));
    }
  }
  return program;
}

/** `x` of `x.handoffs.append(…)`. */
function ownerOf(call: PyCall): string {
  return (call.name ?? '').replace(/\.handoffs\.(append|extend)$/, '');
}

/** `Agent(…)` or `Agent[Context](…)`. */
function isAgentCall(call: PyCall): boolean {
  if (call.name === 'Agent' || call.name === 'agents.Agent') return true;
  return call.callee.kind === 'subscript' && dottedName(call.callee.object) === 'Agent';
}

const placeIn =
  (file: string) =>
  (at: PyPlace): FrameworkPlace => ({ file, offset: at.offset, length: at.length });

function agentOf(call: PyCall, reading: Reading, functions: Map<string, { fn: PyFunction; reading: Reading }>): SdkAgentDef {
  const at = placeIn(reading.file);
  const nameExpr = call.keywords.get('name') ?? call.args[0];
  const name = nameExpr ? text(nameExpr, reading) : undefined;
  if (nameExpr && name === undefined) warn(reading, nameExpr, `this agent's name cannot be read statically: it is named by its variable here`);
  const variable = reading.module.assignments.find((a) => a.value === call)?.target;
  const agent: SdkAgentDef = {
    name: name ?? variable ?? `agent_${call.line}`,
    ...(variable ? { variable } : {}),
    at: at(nameExpr ?? call),
    tools: [],
    handoffs: [],
  };
  const instructions = call.keywords.get('instructions');
  if (instructions) {
    const value = instructionsOf(instructions, reading, functions);
    if (value !== undefined) agent.instructions = value;
  }
  const description = call.keywords.get('handoff_description');
  if (description) agent.handoffDescription = text(description, reading) ?? '';
  const model = call.keywords.get('model');
  if (model) agent.model = modelOf(model, reading);
  const tools = call.keywords.get('tools');
  if (tools) agent.tools = listItems(tools, reading).flatMap((item) => toolsOf(item, reading, functions));
  const handoffs = call.keywords.get('handoffs');
  if (handoffs) agent.handoffs = listItems(handoffs, reading).flatMap((item) => handoffsOf(item, reading));
  const output = call.keywords.get('output_type');
  if (output) {
    const schema = outputSchemaOf(output, reading);
    if (schema) agent.outputSchema = schema;
  }
  for (const unread of ['prompt', 'mcp_servers', 'input_guardrails', 'output_guardrails']) {
    const expr = call.keywords.get(unread);
    if (expr && !(expr.kind === 'list' && expr.items.length === 0)) warn(reading, expr, `${unread} is not priced: ${unreadReason[unread]}`);
  }
  if (call.kwargs.length) warn(reading, call.kwargs[0]!, 'keyword arguments passed with ** cannot be read statically');
  return agent;
}

const unreadReason: Record<string, string> = {
  prompt: 'a stored prompt is filled by OpenAI at run time',
  mcp_servers: "an MCP server's tools are listed at run time",
  input_guardrails: 'a guardrail runs its own checks (often another agent) beside each run',
  output_guardrails: 'a guardrail runs its own checks (often another agent) beside each run',
};

function warn(reading: Reading, at: PyPlace, message: string): void {
  reading.problems.push({ severity: 'warning', file: reading.file, message, offset: at.offset, length: at.length });
}

function value(expr: PyExpr, reading: Reading): PyValue {
  return resolveEnvironment(constantValue(expr, reading.module), reading.env);
}

function text(expr: PyExpr, reading: Reading): string | undefined {
  const v = value(expr, reading);
  return v.kind === 'string' ? v.value : undefined;
}

function listItems(expr: PyExpr, reading: Reading): PyExpr[] {
  const resolved = resolveName(expr, reading.module);
  if (resolved.kind === 'list' || resolved.kind === 'tuple') return resolved.items;
  warn(reading, expr, `${expr.text} is not a list that can be read statically`);
  return [];
}

/**
 * The instructions as sent: a constant (f-strings of constants and `RECOMMENDED_PROMPT_PREFIX` included); a function
 * (called with the run context: its longest literal answer, said); anything else a stated size, said.
 */
function instructionsOf(expr: PyExpr, reading: Reading, functions: Map<string, { fn: PyFunction; reading: Reading }>): string | undefined {
  const prefixed = withPrefix(expr, reading);
  if (prefixed !== undefined) return prefixed;
  const resolved = resolveName(expr, reading.module);
  if (resolved.kind === 'none') return undefined;
  const fn = resolved.kind === 'name' ? functions.get(resolved.name)?.fn : undefined;
  if (fn) {
    const answers = fn.returns.map((r) => withPrefix(r, reading)).filter((t): t is string => t !== undefined);
    if (answers.length) {
      const longest = answers.reduce((a, b) => (b.length > a.length ? b : a));
      warn(reading, expr, `instructions from ${fn.name}() are built at run time: priced at its longest literal answer (${longest.length} characters)`);
      return longest;
    }
  }
  const why = fn ? `${fn.name}() builds them at run time` : ((value(expr, reading) as { reason?: string }).reason ?? 'they are not a constant');
  warn(reading, expr, `instructions cannot be read statically (${why}): priced as ${assumedInstructionWords} words of instructions`);
  return assumedInstructions();
}

/** A stated size of unknown instructions: that many words. */
export function assumedInstructions(): string {
  return Array.from({ length: assumedInstructionWords }, () => 'word').join(' ');
}

/** A constant text, with `RECOMMENDED_PROMPT_PREFIX` (imported from the SDK) and `prompt_with_handoff_instructions(…)` known. */
function withPrefix(expr: PyExpr, reading: Reading): string | undefined {
  const prefix = recommendedPromptPrefix('python');
  const resolved = resolveName(expr, reading.module);
  if (resolved.kind === 'name' && resolved.name === 'RECOMMENDED_PROMPT_PREFIX') return prefix;
  if (resolved.kind === 'call' && /(^|\.)prompt_with_handoff_instructions$/.test(resolved.name ?? '') && resolved.args[0]) {
    const inner = withPrefix(resolved.args[0], reading);
    return inner === undefined ? undefined : `${prefix}\n\n${inner}`;
  }
  if (resolved.kind === 'fstring') {
    let out = '';
    for (const part of resolved.parts) {
      if (part.kind === 'literal') out += part.value;
      else {
        const inner = withPrefix(part.expr, reading);
        if (inner === undefined || part.conversion !== undefined || part.spec !== undefined) return undefined;
        out += inner;
      }
    }
    return out;
  }
  if (resolved.kind === 'binary' && resolved.operator === '+') {
    const left = withPrefix(resolved.left, reading);
    const right = left === undefined ? undefined : withPrefix(resolved.right, reading);
    return left === undefined || right === undefined ? undefined : left + right;
  }
  return text(resolved, reading);
}

/** `model="gpt-4.1"`, a variable, `os.getenv(…)`, `OpenAIChatCompletionsModel(model=…)`, `LitellmModel(model=…)`. */
function modelOf(expr: PyExpr, reading: Reading): NonNullable<SdkAgentDef['model']> {
  const at = placeIn(reading.file);
  const resolved = resolveName(expr, reading.module);
  const named = resolved.kind === 'call' ? (resolved.keywords.get('model') ?? resolved.args[0]) : resolved;
  if (!named) return { problem: `${resolved.text} names no model`, at: at(expr) };
  const v = value(named, reading);
  if (v.kind !== 'string' || !v.value.trim()) {
    const reason = v.kind === 'unknown' ? v.reason : `${named.text} is not a model name`;
    return { problem: `the model cannot be read statically (${reason})`, at: at(expr) };
  }
  const raw = constantValue(named, reading.module);
  const source = modelSourceOf(raw, `${reading.file}:${named.line}`, reading.env, reading.origin);
  return { model: v.value.trim().replace(/^litellm\//, ''), source, at: at(expr) };
}

/** A tool of `tools=[…]`: a `@function_tool` function, a hosted tool, an agent as a tool, or one of stated size. */
function toolsOf(expr: PyExpr, reading: Reading, functions: Map<string, { fn: PyFunction; reading: Reading }>): SdkTool[] {
  const resolved = resolveName(expr, reading.module);
  if (resolved.kind === 'name') {
    const found = functions.get(resolved.name);
    if (found && isFunctionTool(found.fn)) return [functionTool(found.fn, found.reading)];
  }
  if (resolved.kind === 'call') {
    const name = resolved.name?.split('.').at(-1) ?? '';
    if (/^(function_tool|tool)$/.test(name) && resolved.args[0]?.kind === 'name') {
      const found = functions.get(resolved.args[0].name);
      if (found) return [functionTool(found.fn, found.reading, resolved)];
    }
    if (name === 'as_tool') return [agentAsTool(resolved, reading)];
    const hosted = hostedTools[name];
    if (hosted) {
      warn(reading, expr, `${name} is a hosted tool: its definition is priced, not what OpenAI's servers add (search results, per-call fees)`);
      return [{ name: hosted, description: '', parameters: {} }];
    }
  }
  warn(reading, expr, `the tool ${expr.text} cannot be read statically: priced as a tool with one string argument`);
  const name = (expr.text.match(/[A-Za-z_]\w*/g) ?? ['tool']).at(-1)!;
  return [{ name, description: '', parameters: strictSchema({ properties: { input: { title: 'Input', type: 'string' } }, type: 'object' }) }];
}

const hostedTools: Record<string, string> = {
  WebSearchTool: 'web_search',
  FileSearchTool: 'file_search',
  CodeInterpreterTool: 'code_interpreter',
  ImageGenerationTool: 'image_generation',
  ComputerTool: 'computer_use_preview',
};

function isFunctionTool(fn: PyFunction): boolean {
  return fn.decorators.some((d) => /^(agents\.)?(function_tool|tool)$/.test(dottedName(d) ?? ''));
}

/** `agent.as_tool(tool_name=…, tool_description=…)` (agent.py `as_tool`): the input schema of `AgentAsToolInput`. */
function agentAsTool(call: PyCall, reading: Reading): SdkTool {
  const owner = call.name?.replace(/\.as_tool$/, '') ?? 'agent';
  const nameExpr = call.keywords.get('tool_name');
  const descriptionExpr = call.keywords.get('tool_description');
  warn(reading, call, `${owner} runs as a tool here: its own run (up to max_turns calls) is priced as its own agent, not in this one`);
  return {
    name: (nameExpr && text(nameExpr, reading)) ?? owner.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase(),
    description: (descriptionExpr && text(descriptionExpr, reading)) ?? '',
    parameters: strictSchema({ properties: { input: { title: 'Input', type: 'string' } }, required: ['input'], title: 'AgentAsToolInput', type: 'object' }),
  };
}

/**
 * A `@function_tool` function as `function_schema()` builds it: its name (or `name_override`), the docstring's text
 * before its sections (or `description_override`), and `create_model(f"{name}_args", …).model_json_schema()` made
 * strict, each parameter described from the docstring's Args or an `Annotated[T, "…"]`; a first RunContextWrapper or
 * ToolContext parameter left out.
 */
export function functionTool(fn: PyFunction, reading: Pick<Reading, 'module' | 'models' | 'env'>, applied?: PyCall): SdkTool {
  const decoratorCall = applied ?? fn.decorators.find((d): d is PyCall => d.kind === 'call' && /(function_tool|tool)$/.test(d.name ?? ''));
  const option = (key: string): PyValue | undefined => {
    const expr = decoratorCall?.keywords.get(key);
    return expr ? constantValue(expr, reading.module) : undefined;
  };
  const docstring = fn.docstring ? cleandoc(fn.docstring.value) : '';
  const useDocstring = option('use_docstring_info')?.kind !== 'bool' || (option('use_docstring_info') as { value: boolean }).value;
  const parsed = useDocstring ? parseDocstring(docstring) : { description: '', params: new Map<string, string>() };
  const fields: ModelField[] = fn.parameters
    .filter(
      (p, i) => !(i === 0 && (p.name === 'self' || /RunContextWrapper|ToolContext/.test(p.annotation ?? ''))) && p.kind !== 'varargs' && p.kind !== 'kwargs',
    )
    .map((p) => {
      const { annotation, description } = annotated(p.annotation ?? 'Any');
      const doc = parsed.params.get(p.name) ?? description;
      const fallback = p.default ? constantValue(p.default, reading.module) : undefined;
      return {
        name: p.name,
        annotation,
        ...(doc !== undefined ? { description: doc } : {}),
        default: fallback ? { value: jsonOf(fallback) } : 'required',
        constraints: {},
      } satisfies ModelField;
    });
  const { schema } = pydanticSchema({ name: `${fn.name}_args`, fields }, reading.models);
  const strict = option('strict_mode');
  const name = option('name_override');
  const description = option('description_override');
  return {
    name: name?.kind === 'string' ? name.value : fn.name,
    description: description?.kind === 'string' ? description.value : parsed.description,
    parameters: strict?.kind === 'bool' && !strict.value ? schema : strictSchema(schema),
  };
}

/** `Annotated[T, "description"]` (or `Field(description=…)` in it): the type and the description. */
function annotated(annotation: string): { annotation: string; description?: string } {
  const match = /^(?:typing\.)?Annotated\[\s*(.+?)\s*,\s*(?:(['"])(.*?)\2|Field\(\s*description\s*=\s*(['"])(.*?)\4.*\))\s*\]$/s.exec(annotation.trim());
  if (!match) return { annotation };
  return { annotation: match[1]!, description: match[3] ?? match[5] };
}

function jsonOf(v: PyValue): unknown {
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return v.value;
    case 'list':
      return v.items.map(jsonOf);
    default:
      return null;
  }
}

/**
 * A docstring as griffe parses it for the SDK (`function_schema.py` generate_func_documentation): the description
 * is its text before the first section (Args/Returns/Raises, a numpy `Parameters` underline, sphinx `:param`); the
 * parameters' descriptions come from the Args section (google) or `:param name:` lines (sphinx).
 */
export function parseDocstring(doc: string): { description: string; params: Map<string, string> } {
  const lines = doc.split('\n');
  const sectionAt = lines.findIndex(
    (line, i) =>
      /^(Args|Arguments|Returns|Raises|Yields|Examples?|Notes?):\s*$/.test(line.trim()) ||
      /^:(param|type|return|rtype)\b/.test(line.trim()) ||
      (/^-{3,}$/.test(lines[i + 1]?.trim() ?? '') && line.trim() !== ''),
  );
  const description = (sectionAt < 0 ? lines : lines.slice(0, sectionAt)).join('\n').trim();
  const params = new Map<string, string>();
  const args = lines.findIndex((line) => /^(Args|Arguments):\s*$/.test(line.trim()));
  if (args >= 0) {
    let current: string | undefined;
    let indent = -1;
    for (const line of lines.slice(args + 1)) {
      if (line.trim() === '') continue;
      const lead = line.length - line.trimStart().length;
      if (indent < 0) indent = lead;
      if (lead < indent) break;
      const entry = lead === indent ? /^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$/.exec(line.trim()) : null;
      if (entry) {
        current = entry[1]!;
        params.set(current, entry[2]!.trim());
      } else if (current) params.set(current, `${params.get(current)}\n${line.trim()}`.trim());
    }
  }
  for (const match of doc.matchAll(/^:param\s+(?:\w+\s+)?(\w+):\s*(.*)$/gm)) params.set(match[1]!, match[2]!.trim());
  return { description, params };
}

/** `handoffs=[agent, handoff(agent, tool_name_override=…, tool_description_override=…)]`. */
function handoffsOf(expr: PyExpr, reading: Reading): SdkHandoff[] {
  const at = placeIn(reading.file);
  if (expr.kind === 'name') return [{ target: expr.name, at: at(expr) }];
  if (expr.kind === 'call' && /(^|\.)handoff$/.test(expr.name ?? '')) {
    const target = expr.keywords.get('agent') ?? expr.args[0];
    if (target?.kind !== 'name') {
      warn(reading, expr, 'a handoff whose agent is not a variable cannot be followed');
      return [];
    }
    const name = expr.keywords.get('tool_name_override');
    const description = expr.keywords.get('tool_description_override');
    const inputType = expr.keywords.get('input_type');
    if (inputType) warn(reading, inputType, "the handoff's input_type schema is not read: its tool is priced with empty parameters");
    return [
      {
        target: target.name,
        at: at(expr),
        ...(name && text(name, reading) !== undefined ? { toolName: text(name, reading)! } : {}),
        ...(description && text(description, reading) !== undefined ? { toolDescription: text(description, reading)! } : {}),
      },
    ];
  }
  warn(reading, expr, `the handoff ${expr.text} cannot be followed statically`);
  return [];
}

/**
 * `output_type=Model` (agent_output.py AgentOutputSchema): a BaseModel's (or TypedDict's) JSON Schema, made strict;
 * any other type wrapped in `{"response": T}` (the `OutputType` TypedDict); `str` is plain text.
 */
function outputSchemaOf(expr: PyExpr, reading: Reading): Record<string, unknown> | undefined {
  const annotation = expr.text.trim();
  if (annotation === 'str' || annotation === 'None') return undefined;
  const model = reading.models.get(annotation);
  if (model) {
    const { schema, unknown } = pydanticSchema(model, reading.models);
    if (unknown.length) warn(reading, expr, `types not read statically in ${annotation}: ${unknown.join(', ')} (priced as any value)`);
    return strictSchema(schema);
  }
  const wrapped: ModelDef = { name: 'OutputType', fields: [{ name: 'response', annotation, default: 'required', constraints: {} }] };
  const { schema, unknown } = pydanticSchema(wrapped, reading.models);
  if (unknown.length) warn(reading, expr, `the output type ${annotation} is not read statically: priced as any value`);
  return strictSchema(schema);
}

/** `Runner.run(agent, input, max_turns=…)`. */
function runOf(call: PyCall, reading: Reading): SdkRun {
  const entry = call.args[0] ?? call.keywords.get('starting_agent');
  const input = call.args[1] ?? call.keywords.get('input');
  const turns = call.keywords.get('max_turns');
  const maxTurns = turns ? value(turns, reading) : undefined;
  if (turns && maxTurns?.kind !== 'number') warn(reading, turns, 'max_turns cannot be read statically: the default (10) bounds the loop');
  const inputText = input ? text(input, reading) : undefined;
  return {
    ...(entry?.kind === 'name' ? { entry: entry.name } : {}),
    ...(inputText !== undefined ? { input: inputText } : {}),
    ...(maxTurns?.kind === 'number' ? { maxTurns: maxTurns.value } : {}),
    at: placeIn(reading.file)(call),
  };
}
