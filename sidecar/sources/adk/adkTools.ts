import { cleandoc, modelsIn, pydanticSchema } from '../crew/pydanticSchema';
import type { ModelField } from '../crew/pydanticSchema';
import type { PyFunction, PyModule } from '../python/pythonModel';
import { readPython } from '../python/pythonModule';
import { constantValue } from '../python/pythonValues';
import type { AdkTool } from './adkDefinition';
import { jsonSchemaDeclarations } from './adkRules';

/**
 * ADK's function declarations (`tools/function_tool.py`, `_automatic_function_calling_util.py`): a Python function's
 * name, its docstring and its parameters (the ToolContext one left out). From v2.0 (`JSON_SCHEMA_FOR_FUNC_DECL` on):
 * the docstring through `inspect.cleandoc` and `create_model(f"{name}Params", …).model_json_schema()`; before: the
 * raw docstring and a Gemini `Schema` of upper-case types.
 */

const geminiTypes: Record<string, string> = { str: 'STRING', int: 'INTEGER', float: 'NUMBER', bool: 'BOOLEAN', list: 'ARRAY', dict: 'OBJECT' };

/** A function of a module as ADK declares it. */
export function functionDeclaration(fn: PyFunction, module: PyModule, version: string): AdkTool {
  const params = fn.parameters.filter(
    (p) => p.name !== 'tool_context' && p.name !== 'input_stream' && !/ToolContext/.test(p.annotation ?? '') && p.name !== 'self',
  );
  const raw = fn.docstring?.value ?? '';
  if (jsonSchemaDeclarations(version)) {
    const fields: ModelField[] = params.map((p) => {
      const value = p.default ? constantValue(p.default, module) : undefined;
      const json = value && (value.kind === 'string' || value.kind === 'number' || value.kind === 'bool') ? value.value : null;
      return { name: p.name, annotation: p.annotation ?? 'Any', default: p.default ? { value: json } : 'required', constraints: {} };
    });
    const { schema } = pydanticSchema({ name: `${fn.name}Params`, fields }, modelsIn(module));
    return { name: fn.name, description: cleandoc(raw), parameters: schema };
  }
  const properties = Object.fromEntries(params.map((p) => [p.name, { type: geminiTypes[(p.annotation ?? 'str').replace(/\[.*$/, '')] ?? 'STRING' }]));
  const required = params.filter((p) => !p.default).map((p) => p.name);
  return { name: fn.name, description: raw, parameters: { type: 'OBJECT', properties, ...(required.length ? { required } : {}) } };
}

/** The function `name` of a Python text, declared; undefined when the text has none. */
export function pythonFunctionTool(text: string, name: string, version: string): AdkTool | undefined {
  const module = readPython(text);
  const fn = module.functions.find((f) => f.name === name);
  return fn ? functionDeclaration(fn, module, version) : undefined;
}

/** `exit_loop` of `tools/exit_loop_tool.py`, as written there. */
const exitLoopSource = `def exit_loop(tool_context: ToolContext):
  """Exits the loop.

  Call this function only when you are instructed to do so.
  """
`;

/** A tool of google.adk.tools by name: what it declares, or a warning for what cannot be priced. */
export function builtinTool(name: string, version: string): { tool?: AdkTool; note?: string } {
  if (name === 'exit_loop') return { tool: pythonFunctionTool(exitLoopSource, 'exit_loop', version)! };
  if (name === 'google_search' || name === 'url_context' || name === 'enterprise_web_search')
    return {
      tool: { name, description: '', parameters: {} },
      note: `${name} is a Gemini built-in tool: its grounding (the search results the model reads, and their fees) is not priced`,
    };
  return {
    tool: { name, description: '', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
    note: `the built-in tool ${name} is not read: priced as a tool with one string argument`,
  };
}
