import type { PyClass, PyExpr, PyModule } from '../python/pythonModel';
import { constantValue } from '../python/pythonValues';

/**
 * Pydantic models as CrewAI shows them to a model: an output_json / output_pydantic model's schema in the prompt, and
 * a tool's arguments. The JSON Schema is built as pydantic 2's `model_json_schema()` builds it (keys sorted, fields in
 * their order, `$defs` and `$ref` for nested models, `anyOf` with null for optional fields), then put through
 * CrewAI's pipeline of the version in use (crewAI `utilities/pydantic_schema_utils.py`: 1.15.17's
 * generate_model_description and sanitize_tool_params_for_openai_strict, or 1.9.2's). Types a static reading cannot
 * resolve become `{}` and are reported by the caller.
 */

/** One field of a model: its annotation as written, and what `Field(...)` or a plain default says. */
export interface ModelField {
  name: string;
  annotation: string;
  description?: string;
  /** `required`: no default; `factory`: a default_factory (no default in the schema); else the default's JSON value. */
  default: 'required' | 'factory' | { value: unknown };
  /** JSON Schema keywords from `ge`, `le`, `gt`, `lt`, `min_length`, `max_length`, `pattern`. */
  constraints: Record<string, unknown>;
}

/** A model: its class name (the schema's title), docstring (its description) and fields. */
export interface ModelDef {
  name: string;
  description?: string;
  fields: ModelField[];
}

type Schema = Record<string, unknown>;

/** The classes of a module that subclass BaseModel (directly or through another model of the module). */
export function modelsIn(module: PyModule): Map<string, ModelDef> {
  const classes = new Map(module.classes.map((c) => [c.name, c]));
  const isModel = (c: PyClass, seen = new Set<string>()): boolean =>
    c.bases.some((base) => {
      const name = base.kind === 'name' ? base.name : base.kind === 'attribute' ? base.attribute : undefined;
      if (name === 'BaseModel') return true;
      const parent = name ? classes.get(name) : undefined;
      return parent !== undefined && !seen.has(parent.name) && isModel(parent, new Set([...seen, c.name]));
    });
  const models = new Map<string, ModelDef>();
  for (const c of module.classes) if (isModel(c)) models.set(c.name, modelOf(c, module));
  return models;
}

function modelOf(c: PyClass, module: PyModule): ModelDef {
  const fields = c.assignments
    .filter((a) => a.annotation !== undefined && !a.target.includes('.') && !/^ClassVar\b/.test(a.annotation) && a.target !== 'model_config')
    .map((a): ModelField => fieldOf(a.target, a.annotation!, a.value, module));
  return { name: c.name, ...(c.docstring ? { description: cleandoc(c.docstring.value) } : {}), fields };
}

const constraintKeys: Record<string, string> = { ge: 'minimum', le: 'maximum', gt: 'exclusiveMinimum', lt: 'exclusiveMaximum', pattern: 'pattern' };

function fieldOf(name: string, annotation: string, value: PyExpr | undefined, module: PyModule): ModelField {
  const field: ModelField = { name, annotation, default: 'required', constraints: {} };
  if (!value) return field;
  if (value.kind === 'call' && (value.name === 'Field' || value.name === 'pydantic.Field')) {
    const first = value.args[0];
    const def = value.keywords.get('default') ?? first;
    if (value.keywords.has('default_factory')) field.default = 'factory';
    else if (def && !(def.kind === 'name' && def.name === '...') && def.text !== '...') field.default = { value: jsonOf(def, module) };
    const description = value.keywords.get('description');
    if (description?.kind === 'string') field.description = description.value;
    for (const [key, schemaKey] of Object.entries(constraintKeys)) {
      const given = value.keywords.get(key);
      if (given) field.constraints[schemaKey] = jsonOf(given, module);
    }
    for (const key of ['min_length', 'max_length']) {
      const given = value.keywords.get(key);
      if (given) field.constraints[key] = jsonOf(given, module);
    }
    return field;
  }
  field.default = { value: jsonOf(value, module) };
  return field;
}

function jsonOf(expr: PyExpr, module: PyModule): unknown {
  const value = constantValue(expr, module);
  if (value.kind === 'string' || value.kind === 'number' || value.kind === 'bool') return value.value;
  if (value.kind === 'none') return null;
  return expr.text;
}

/** Python's `inspect.cleandoc`: the first line stripped, the common indentation of the rest removed, blank ends dropped. */
export function cleandoc(text: string): string {
  const lines = text.replace(/\t/g, '        ').split('\n');
  const rest = lines.slice(1).filter((line) => line.trim());
  const margin = rest.length ? Math.min(...rest.map((line) => line.length - line.trimStart().length)) : 0;
  const cleaned = [(lines[0] ?? '').trimStart(), ...lines.slice(1).map((line) => line.slice(margin))];
  while (cleaned.length && !cleaned[0]!.trim()) cleaned.shift();
  while (cleaned.length && !cleaned.at(-1)!.trim()) cleaned.pop();
  return cleaned.join('\n');
}

/** A type annotation read into a schema, nested models collected in `defs`; `unknown` names what could not be read. */
function typeSchema(annotation: string, models: ReadonlyMap<string, ModelDef>, defs: Map<string, Schema>, unknown: string[]): Schema {
  const text = annotation.trim();
  const union = splitTop(text, '|');
  if (union.length > 1) return unionOf(union, models, defs, unknown);
  const generic = /^([\w.]+)\s*\[(.*)\]$/s.exec(text);
  const head = (generic?.[1] ?? text).replace(/^(typing|t)\./, '');
  const params = generic ? splitTop(generic[2]!, ',') : [];
  switch (head) {
    case 'str':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'Any':
      return {};
    case 'list':
    case 'List':
    case 'Sequence':
    case 'set':
    case 'Set':
      return {
        items: params[0] ? typeSchema(params[0], models, defs, unknown) : {},
        type: 'array',
        ...(head.toLowerCase() === 'set' ? { uniqueItems: true } : {}),
      };
    case 'dict':
    case 'Dict':
      return { additionalProperties: params[1] ? typeSchema(params[1], models, defs, unknown) : true, type: 'object' };
    case 'Optional':
      return unionOf([params[0] ?? 'Any', 'None'], models, defs, unknown);
    case 'Union':
      return unionOf(params, models, defs, unknown);
    case 'None':
      return { type: 'null' };
    case 'Literal': {
      const values = params.map((p) => (/^(['"])(.*)\1$/s.exec(p.trim())?.[2] ?? Number(p)) as string | number);
      const type = values.every((v) => typeof v === 'string') ? 'string' : values.every((v) => typeof v === 'number') ? 'integer' : undefined;
      return { enum: values, ...(type ? { type } : {}) };
    }
  }
  const model = models.get(head);
  if (model) {
    if (!defs.has(model.name)) {
      defs.set(model.name, {});
      defs.set(model.name, modelSchema(model, models, defs, unknown));
    }
    return { $ref: `#/$defs/${model.name}` };
  }
  unknown.push(text);
  return {};
}

function unionOf(members: string[], models: ReadonlyMap<string, ModelDef>, defs: Map<string, Schema>, unknown: string[]): Schema {
  return { anyOf: members.map((m) => typeSchema(m.trim() === 'None' ? 'None' : m, models, defs, unknown)) };
}

/** Splits at `separator` outside brackets and quotes. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** A property's title as pydantic makes it: `employee_count` → "Employee Count" (Python's str.title()). */
export function fieldTitle(name: string): string {
  return name.replace(/_/g, ' ').replace(/[A-Za-z]+/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase());
}

/** One model's schema, keys sorted as pydantic sorts them. */
function modelSchema(model: ModelDef, models: ReadonlyMap<string, ModelDef>, defs: Map<string, Schema>, unknown: string[]): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const field of model.fields) {
    const property: Schema = { ...typeSchema(field.annotation, models, defs, unknown) };
    if (typeof field.default === 'object') property.default = field.default.value;
    else if (field.default === 'required') required.push(field.name);
    if (field.description !== undefined) property.description = field.description;
    const isArray = property.type === 'array';
    for (const [key, value] of Object.entries(field.constraints)) {
      const schemaKey = key === 'min_length' ? (isArray ? 'minItems' : 'minLength') : key === 'max_length' ? (isArray ? 'maxItems' : 'maxLength') : key;
      property[schemaKey] = value;
    }
    property.title = fieldTitle(field.name);
    properties[field.name] = sortedKeys(property);
  }
  return sortedKeys({
    ...(model.description !== undefined ? { description: model.description } : {}),
    properties,
    ...(required.length ? { required } : {}),
    title: model.name,
    type: 'object',
  });
}

/** An object with its keys in alphabetical order, as pydantic emits a schema (properties keep their field order). */
function sortedKeys(schema: Schema): Schema {
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `model_json_schema()`: the model's schema with `$defs` for its nested models; `unknown` lists unreadable types. */
export function pydanticSchema(model: ModelDef, models: ReadonlyMap<string, ModelDef>): { schema: Schema; unknown: string[] } {
  const defs = new Map<string, Schema>();
  const unknown: string[] = [];
  const schema = modelSchema(model, models, defs, unknown);
  defs.delete(model.name);
  const withDefs = defs.size ? sortedKeys({ $defs: Object.fromEntries([...defs].sort(([a], [b]) => (a < b ? -1 : 1))), ...schema }) : schema;
  return { schema: withDefs, unknown };
}

/** A deep copy of JSON. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Visits every object of a schema (a visitor may change it in place). */
function eachObject(node: unknown, visit: (object: Schema) => void): void {
  if (Array.isArray(node)) node.forEach((item) => eachObject(item, visit));
  else if (node && typeof node === 'object') {
    visit(node as Schema);
    for (const value of Object.values(node as Schema)) eachObject(value, visit);
  }
}

/** Every local `$ref` replaced by a copy of its definition (siblings dropped, as CrewAI's resolve_refs does). */
function resolveRefs(schema: Schema): Schema {
  const defs = (schema.$defs ?? {}) as Record<string, Schema>;
  const resolve = (node: unknown, expanding: Set<string>): unknown => {
    if (Array.isArray(node)) return node.map((item) => resolve(item, expanding));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as Schema).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
      const name = ref.slice('#/$defs/'.length);
      const def = defs[name] ?? {};
      if (expanding.has(name)) return { type: def.type ?? 'object', ...(def.description !== undefined ? { description: def.description } : {}) };
      return resolve(copy(def), new Set([...expanding, name]));
    }
    return Object.fromEntries(Object.entries(node as Schema).map(([k, v]) => [k, resolve(v, expanding)]));
  };
  const resolved = resolve(copy(schema), new Set()) as Schema;
  delete resolved.$defs;
  return resolved;
}

/** Every property of every object required (CrewAI's ensure_all_properties_required): set in place, or appended. */
function requireAll(schema: Schema): void {
  eachObject(schema, (node) => {
    if (node.type === 'object' && node.properties && typeof node.properties === 'object' && Object.keys(node.properties).length) {
      node.required = Object.keys(node.properties);
    }
  });
}

/** `anyOf` with null collapsed to its one other member (CrewAI's strip_null_from_types): its keys land at the end. */
function stripNull(schema: Schema): void {
  eachObject(schema, (node) => {
    const anyOf = node.anyOf as Schema[] | undefined;
    if (!Array.isArray(anyOf)) return;
    const others = anyOf.filter((option) => option.type !== 'null');
    if (others.length === 1) {
      delete node.anyOf;
      Object.assign(node, others[0]);
    } else if (others.length > 1) node.anyOf = others;
  });
}

/** Objects closed (CrewAI's force_additional_properties_false): `additionalProperties: false`, then `properties` and `required` if absent. */
function closeObjects(schema: Schema, onlyWhereMissing: boolean): void {
  eachObject(schema, (node) => {
    if (node.type !== 'object') return;
    if (onlyWhereMissing) {
      if (!('additionalProperties' in node)) node.additionalProperties = false;
      return;
    }
    node.additionalProperties = false;
    if (!('properties' in node)) node.properties = {};
    if (!('required' in node)) node.required = [];
  });
}

/**
 * A model's schema as CrewAI writes it into a prompt (generate_model_description's `schema`): 1.15.x closes every
 * object, inlines nested models, requires every property and strips null from optional ones; 1.9.x adds
 * `additionalProperties: false` where it is missing, inlines and requires, and keeps the nulls.
 */
export function crewaiSchema(schema: Schema, pipeline: 'current' | '1.9'): Schema {
  const working = copy(schema);
  closeObjects(working, pipeline === '1.9');
  const resolved = resolveRefs(working);
  requireAll(resolved);
  if (pipeline === 'current') stripNull(resolved);
  return resolved;
}

const metadataKeys = ['title', 'default', 'examples', 'example', '$comment', 'readOnly', 'writeOnly', 'deprecated'];

/**
 * A tool's parameters as CrewAI sends them for native function calling (convert_tools_to_openai_schema): the schema
 * without its top-level title and description; 1.15.x then applies OpenAI's strict sanitizer (inlined, closed, every
 * property required, metadata keys removed); 1.9.x sends it as it is.
 */
export function toolParameters(schema: Schema, pipeline: 'current' | '1.9'): Schema {
  const parameters = pipeline === 'current' ? crewaiSchemaKeepingNull(schema) : crewaiSchema(schema, '1.9');
  delete parameters.title;
  delete parameters.description;
  if (pipeline === '1.9') return parameters;
  closeObjects(parameters, false);
  requireAll(parameters);
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(strip);
    else if (node && typeof node === 'object') {
      const object = node as Schema;
      for (const key of metadataKeys) delete object[key];
      for (const [key, value] of Object.entries(object)) {
        if (key === 'properties' && value && typeof value === 'object') Object.values(value as Schema).forEach(strip);
        else strip(value);
      }
    }
  };
  strip(parameters);
  return parameters;
}

/** 1.15.x's generate_model_description with strip_null_types=False (what tool parameters start from). */
function crewaiSchemaKeepingNull(schema: Schema): Schema {
  const working = copy(schema);
  closeObjects(working, false);
  const resolved = resolveRefs(working);
  requireAll(resolved);
  return resolved;
}

/** Python's `json.dumps(value, indent=2)`: its separators, and non-ASCII written as \uXXXX (ensure_ascii). */
export function pythonJson(value: unknown, indent?: number): string {
  const text = indent === undefined ? pythonCompact(value) : JSON.stringify(value, null, indent);
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `json.dumps(value)` without indent: `", "` and `": "` between items. */
function pythonCompact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonCompact).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonCompact(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}
