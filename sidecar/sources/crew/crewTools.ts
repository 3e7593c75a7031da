import type { AgentConfig } from '../../config/schema';
import type { PyCall, PyClass, PyExpr, PyModule, PyScope } from '../python/pythonModel';
import { constantValue, resolveName } from '../python/pythonValues';
import table from './crewaiTools.json';
import { crewaiSchema, modelsIn, pydanticSchema, pythonJson, toolParameters } from './pydanticSchema';
import type { ModelDef, ModelField } from './pydanticSchema';
import type { PromptRules } from './prompts';

/**
 * A crew's tools as its agents get them: a crewai_tools class (its name, description and argument schema from the
 * table read off crewai-tools 1.15.17, crewaiTools.json), a BaseTool of the project's own (read from its Python), or a
 * tool a static reading cannot know (an assumed size, and a warning). Each is then shown as CrewAI shows it: a
 * function schema for native function calling, or its text description in the system message.
 */

/** A tool with what its definition and its calls cost. */
export interface CrewTool {
  /** The tool's name as written (CrewAI sanitises it for the model). */
  name: string;
  description: string;
  schema: ModelDef;
  models: ReadonlyMap<string, ModelDef>;
  /** Tokens one call of it adds to the conversation. */
  resultTokens: number;
  /** Where its definition comes from. */
  from: 'crewai_tools' | 'crewai' | 'project' | 'assumed';
}

interface TableEntry {
  name: string;
  description: string;
  schema: ModelDef;
  resultTokens: number;
  fixed?: { arg: string; description: string; schema?: ModelDef };
}

const tools = (table as unknown as { tools: Record<string, TableEntry> }).tools;
const noModels: ReadonlyMap<string, ModelDef> = new Map();

/** A tool nothing tells the size of: its definition taken as a name, a sentence and one string argument. */
export const assumedTool = { resultTokens: 500, description: 'A tool whose definition could not be read statically.' };

/** CrewAI's sanitize_tool_name (utilities/string_utils.py): ASCII, camelCase split, lower case, a–z 0–9 and single underscores. */
export function sanitizeToolName(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
  const split = ascii.replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2');
  const clean = split
    .toLowerCase()
    .replace(/['"]+/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return clean.slice(0, 64);
}

/** Where tool classes of the project are defined: a module's BaseTool subclasses, by class name. */
export function projectTools(module: PyModule): Map<string, { tool: PyClass; module: PyModule }> {
  const found = new Map<string, { tool: PyClass; module: PyModule }>();
  for (const c of module.classes) {
    if (c.bases.some((base) => (base.kind === 'name' ? base.name : base.kind === 'attribute' ? base.attribute : '') === 'BaseTool'))
      found.set(c.name, { tool: c, module });
  }
  return found;
}

/** A project BaseTool: its `name`, `description` and `args_schema` as class attributes. */
export function customTool(c: PyClass, module: PyModule): CrewTool {
  const attribute = (name: string): PyExpr | undefined => c.assignments.find((a) => a.target === name)?.value;
  const text = (name: string): string | undefined => {
    const value = attribute(name);
    const constant = value ? constantValue(value, [c, module]) : undefined;
    return constant?.kind === 'string' ? constant.value : undefined;
  };
  const models = modelsIn(module);
  const schemaName = attribute('args_schema');
  const named = schemaName && (schemaName.kind === 'name' ? schemaName.name : undefined);
  const schema = (named && models.get(named)) || { name: `${c.name}Schema`, fields: [] };
  return { name: text('name') ?? c.name, description: text('description') ?? '', schema, models, resultTokens: assumedTool.resultTokens, from: 'project' };
}

/** What a tool expression of crew.py (`SerperDevTool()`, `ScrapeWebsiteTool(website_url="…")`, `MyTool()`) is. */
export function toolOf(expr: PyExpr, scopes: readonly PyScope[], project: ReadonlyMap<string, { tool: PyClass; module: PyModule }>): CrewTool | undefined {
  const resolved = resolveName(expr, scopes);
  if (resolved.kind !== 'call') return undefined;
  const className = resolved.name?.split('.').at(-1);
  if (!className) return undefined;
  const entry = tools[className];
  if (entry) return tableTool(entry, resolved, scopes);
  const own = project.get(className);
  return own ? customTool(own.tool, own.module) : undefined;
}

/** A crewai_tools class, or its variant fixed by its constructor argument (a narrower schema, another description). */
function tableTool(entry: TableEntry, call: PyCall, scopes: readonly PyScope[]): CrewTool {
  const fixedArg = entry.fixed && call.keywords.get(entry.fixed.arg);
  const fixedValue = fixedArg ? constantValue(fixedArg, scopes) : undefined;
  if (entry.fixed && fixedValue?.kind === 'string') {
    return {
      name: entry.name,
      description: entry.fixed.description.replace(/\{\w+\}/g, fixedValue.value),
      schema: entry.fixed.schema ?? entry.schema,
      models: noModels,
      resultTokens: entry.resultTokens,
      from: 'crewai_tools',
    };
  }
  return { name: entry.name, description: entry.description, schema: entry.schema, models: noModels, resultTokens: entry.resultTokens, from: 'crewai_tools' };
}

/** A tool by a crewai_tools class name (agents.yaml and crew.jsonc name tools so), constructed without arguments. */
export function toolNamed(className: string): CrewTool | undefined {
  const entry = tools[className];
  return (
    entry && {
      name: entry.name,
      description: entry.description,
      schema: entry.schema,
      models: noModels,
      resultTokens: entry.resultTokens,
      from: 'crewai_tools',
    }
  );
}

/** A tool known only by its name: an assumed definition and result. */
export function assumed(name: string): CrewTool {
  const field: ModelField = { name: 'input', annotation: 'str', default: 'required', constraints: {} };
  return {
    name,
    description: assumedTool.description,
    schema: { name: `${name}Schema`, fields: [field] },
    models: noModels,
    resultTokens: assumedTool.resultTokens,
    from: 'assumed',
  };
}

/** The tools CrewAI adds itself: delegation (allow_delegation, a hierarchical manager) and memory (memory=True). */
export function crewaiTool(kind: 'delegate' | 'ask' | 'search memory' | 'save memory', coworkers: string[] = []): CrewTool {
  const text = (name: string, description: string): ModelField => ({ name, annotation: 'str', description, default: 'required', constraints: {} });
  const list = (name: string, description: string): ModelField => ({ name, annotation: 'list[str]', description, default: 'required', constraints: {} });
  const roles = coworkers.join(', ');
  const explain = "so share absolutely everything you know, don't reference things but instead explain them.";
  const of = (name: string, description: string, fields: ModelField[], resultTokens: number): CrewTool => ({
    name,
    description,
    schema: { name: `${name.replace(/\W/g, '')}Schema`, fields },
    models: noModels,
    resultTokens,
    from: 'crewai',
  });
  if (kind === 'delegate') {
    return of(
      'Delegate work to coworker',
      `Delegate a specific task to one of the following coworkers: ${roles}\nThe input to this tool should be the coworker, the task you want them to do, and ALL necessary context to execute the task, they know nothing about the task, ${explain}`,
      [text('task', 'The task to delegate'), text('context', 'The context for the task'), text('coworker', 'The role/name of the coworker to delegate to')],
      600,
    );
  }
  if (kind === 'ask') {
    return of(
      'Ask question to coworker',
      `Ask a specific question to one of the following coworkers: ${roles}\nThe input to this tool should be the coworker, the question you have for them, and ALL necessary context to ask the question properly, they know nothing about the question, ${explain}`,
      [text('question', 'The question to ask'), text('context', 'The context for the question'), text('coworker', 'The role/name of the coworker to ask')],
      300,
    );
  }
  if (kind === 'search memory') {
    return of(
      'Search memory',
      "Search through the team's shared memory for relevant information. Pass one or more queries to search for multiple things at once. Use this when you need to find facts, decisions, preferences, or past results that may have been stored previously. IMPORTANT: For questions that require counting, summing, or listing items across multiple conversations (e.g. 'how many X', 'total Y', 'list all Z'), you MUST search multiple times with different phrasings to ensure you find ALL relevant items before giving a final count or total. Do not rely on a single search \u2014 items may be described differently across conversations.",
      [list('queries', 'One or more search queries. Pass a single item for a focused search, or multiple items to search for several things at once.')],
      400,
    );
  }
  return of(
    'Save to memory',
    'Store one or more important facts, decisions, observations, or lessons in memory so they can be recalled later by you or other agents. Pass multiple items at once when you have several things worth remembering.',
    [list('contents', 'One or more facts, decisions, or observations to remember. Pass a single item or multiple items at once.')],
    30,
  );
}

/** The tools as API function definitions (native function calling): sanitised names, duplicates numbered. */
export function nativeTools(crewTools: CrewTool[], rules: PromptRules): NonNullable<AgentConfig['tools']> {
  const seen = new Map<string, number>();
  return crewTools.map((tool) => {
    const base = sanitizeToolName(tool.name);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    const name = count === 1 ? base : `${base}_${count}`;
    const parameters = toolParameters(pydanticSchema(tool.schema, tool.models).schema, rules.strictTools ? 'current' : '1.9');
    return { name, description: tool.description, parameters, resultTokens: tool.resultTokens };
  });
}

/** The tools as the text path lists them in the system message, and their names. */
export function textTools(crewTools: CrewTool[], rules: PromptRules): { text: string; names: string[] } {
  const names = crewTools.map((tool) => sanitizeToolName(tool.name));
  const text = crewTools
    .map((tool, i) => {
      const args =
        rules.toolArgs === 'schema'
          ? pythonJson(crewaiSchema(pydanticSchema(tool.schema, tool.models).schema, rules.schemaPipeline), 2)
          : argsRepr(tool.schema);
      return `Tool Name: ${rules.toolArgs === 'schema' ? names[i] : tool.name}\nTool Arguments: ${args}\nTool Description: ${tool.description}`;
    })
    .join('\n');
  return { text, names: rules.toolArgs === 'schema' ? names : crewTools.map((tool) => tool.name) };
}

/** Before 1.7.1: a Python dict of each argument's description and annotation. */
function argsRepr(schema: ModelDef): string {
  const repr = (s: string): string => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll("'", "\\'")}'`);
  return `{${schema.fields.map((f) => `${repr(f.name)}: {'description': ${repr(f.description ?? 'None')}, 'type': ${repr(f.annotation)}}`).join(', ')}}`;
}
