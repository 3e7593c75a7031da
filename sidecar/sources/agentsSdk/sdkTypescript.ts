import type * as TS from 'typescript';
import type { Problem } from '../../config/problems';
import type { FrameworkPlace } from '../framework/frameworkAgents';
import type { SdkAgentDef, SdkHandoff, SdkProgram, SdkTool } from './sdkDefinition';
import { recommendedPromptPrefix, strictSchema } from './sdkRules';

/**
 * TypeScript (and JavaScript) files of an `@openai/agents` project read with the TypeScript compiler's parser, as
 * openai-agents-js v0.17.0 builds them (`agents-core/src/agent.ts`, `tool.ts`, `handoff.ts`, `run.ts`): each
 * `new Agent({…})` and `Agent.create({…})`, the `tool({…})` calls its tools name (a zod object or a JSON Schema
 * as parameters), `handoff(agent, {…})`, and `run(agent, input, { maxTurns })`. The compiler is required on first
 * use: only a TypeScript agents project needs it.
 */

type Typescript = typeof import('typescript');
let library: Typescript | undefined;

function typescript(): Typescript {
  return (library ??= require('typescript') as Typescript);
}

interface Reading {
  ts: Typescript;
  source: TS.SourceFile;
  file: string;
  /** `const name = expression` of the file's top level (and nested blocks), by name. */
  bindings: Map<string, TS.Expression>;
  problems: Problem[];
  env: (name: string) => string | undefined;
}

export function readSdkTypescript(files: { name: string; text: string }[], env: (name: string) => string | undefined): SdkProgram {
  const ts = typescript();
  const program: SdkProgram = { language: 'typescript', agents: [], runs: [], problems: [] };
  for (const file of files) {
    const source = ts.createSourceFile(file.name, file.text, ts.ScriptTarget.Latest, true, file.name.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const reading: Reading = { ts, source, file: file.name, bindings: new Map(), problems: program.problems, env };
    const calls: TS.Node[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) reading.bindings.set(node.name.text, node.initializer);
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) calls.push(node);
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const diagnostic of (source as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? []) {
      program.problems.push({
        severity: 'error',
        file: file.name,
        message: `syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
        offset: diagnostic.start ?? 0,
        length: diagnostic.length ?? 0,
      });
    }
    for (const call of calls) {
      const callee = calleeName(ts, call as TS.CallExpression | TS.NewExpression);
      const options = (call as TS.CallExpression).arguments?.[0];
      if ((callee === 'Agent' && ts.isNewExpression(call)) || callee === 'Agent.create') {
        if (options && ts.isObjectLiteralExpression(options)) program.agents.push(agentOf(call, options, reading));
      } else if (callee === 'run' || callee === 'runner.run' || /\.run$/.test(callee ?? '')) {
        const args = (call as TS.CallExpression).arguments;
        if (args.length >= 2 && args[0] && ts.isIdentifier(args[0])) {
          const settings = args[2] && ts.isObjectLiteralExpression(args[2]) ? property(ts, args[2], 'maxTurns') : undefined;
          const turns = settings ? constant(settings, reading) : undefined;
          const input = constant(args[1]!, reading);
          program.runs.push({
            entry: args[0].text,
            ...(typeof input === 'string' ? { input } : {}),
            ...(typeof turns === 'number' ? { maxTurns: turns } : {}),
            at: place(call, reading),
          });
        }
      }
    }
  }
  return program;
}

function calleeName(ts: Typescript, call: TS.CallExpression | TS.NewExpression): string | undefined {
  const expr = call.expression;
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return `${ts.isIdentifier(expr.expression) ? expr.expression.text : '?'}.${expr.name.text}`;
  return undefined;
}

function place(node: TS.Node, reading: Reading): FrameworkPlace {
  const start = node.getStart(reading.source);
  return { file: reading.file, offset: start, length: node.getEnd() - start };
}

function property(ts: Typescript, object: TS.ObjectLiteralExpression, name: string): TS.Expression | undefined {
  for (const member of object.properties) {
    if (ts.isPropertyAssignment(member) && propertyName(ts, member.name) === name) return member.initializer;
    if (ts.isShorthandPropertyAssignment(member) && member.name.text === name) return member.name;
  }
  return undefined;
}

function propertyName(ts: Typescript, name: TS.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function warn(reading: Reading, node: TS.Node, message: string): void {
  reading.problems.push({ severity: 'warning', message, ...place(node, reading) });
}

/** A name followed to the expression it is bound to (a `const`), a few steps at most. */
function resolved(expr: TS.Expression, reading: Reading): TS.Expression {
  const { ts } = reading;
  for (let i = 0; i < 16; i++) {
    while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) expr = expr.expression;
    if (!ts.isIdentifier(expr)) return expr;
    const bound = reading.bindings.get(expr.text);
    if (!bound) return expr;
    expr = bound;
  }
  return expr;
}

/** A constant's value: strings (templates of constants, `+`), numbers, booleans, `process.env.X ?? "d"`; undefined otherwise. */
function constant(expr: TS.Expression, reading: Reading): string | number | boolean | undefined {
  const { ts } = reading;
  const e = resolved(expr, reading);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isIdentifier(e) && e.text === 'RECOMMENDED_PROMPT_PREFIX') return recommendedPromptPrefix('typescript');
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const part = constant(span.expression, reading);
      if (part === undefined) return undefined;
      out += String(part) + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(e)) {
    const left = constant(e.left, reading);
    if (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
      return left === undefined || left === '' ? constant(e.right, reading) : left;
    const right = constant(e.right, reading);
    if (e.operatorToken.kind === ts.SyntaxKind.PlusToken && left !== undefined && right !== undefined) return (left as string) + (right as string);
    return undefined;
  }
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'promptWithHandoffInstructions' && e.arguments[0]) {
    const inner = constant(e.arguments[0], reading);
    return inner === undefined ? undefined : `${recommendedPromptPrefix('typescript')}\n\n${inner}`;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.getText(reading.source) === 'process.env')
    return reading.env(e.name.text);
  return undefined;
}

function agentOf(call: TS.Node, options: TS.ObjectLiteralExpression, reading: Reading): SdkAgentDef {
  const { ts } = reading;
  const get = (name: string): TS.Expression | undefined => property(ts, options, name);
  const nameExpr = get('name');
  const name = nameExpr ? constant(nameExpr, reading) : undefined;
  let variable: string | undefined;
  if (ts.isVariableDeclaration(call.parent) && ts.isIdentifier(call.parent.name)) variable = call.parent.name.text;
  else if (ts.isAwaitExpression(call.parent) && ts.isVariableDeclaration(call.parent.parent) && ts.isIdentifier(call.parent.parent.name))
    variable = call.parent.parent.name.text;
  const agent: SdkAgentDef = {
    name: typeof name === 'string' ? name : (variable ?? 'agent'),
    ...(variable ? { variable } : {}),
    at: place(nameExpr ?? call, reading),
    tools: [],
    handoffs: [],
  };
  const instructions = get('instructions');
  if (instructions) {
    const value = constant(instructions, reading);
    if (typeof value === 'string') agent.instructions = value;
    else {
      warn(reading, instructions, 'instructions cannot be read statically (a function, or text built at run time): priced as 200 words of instructions');
      agent.instructions = Array.from({ length: 200 }, () => 'word').join(' ');
    }
  }
  const description = get('handoffDescription');
  if (description) agent.handoffDescription = String(constant(description, reading) ?? '');
  const model = get('model');
  if (model) {
    const value = constant(model, reading);
    const line = reading.source.getLineAndCharacterOfPosition(model.getStart(reading.source)).line + 1;
    agent.model =
      typeof value === 'string' && value.trim()
        ? { model: value.trim(), source: `${reading.file}:${line}`, at: place(model, reading) }
        : { problem: `the model ${model.getText(reading.source)} cannot be read statically`, at: place(model, reading) };
  }
  const tools = get('tools');
  if (tools) agent.tools = items(tools, reading).flatMap((item) => toolOf(item, reading));
  const handoffs = get('handoffs');
  if (handoffs) agent.handoffs = items(handoffs, reading).flatMap((item) => handoffOf(item, reading));
  const output = get('outputType');
  if (output) {
    const schema = schemaOf(output, reading);
    if (schema) agent.outputSchema = schema;
    else if (constant(output, reading) !== 'text') warn(reading, output, 'the output type cannot be read statically: no structured output is priced');
  }
  return agent;
}

function items(expr: TS.Expression, reading: Reading): TS.Expression[] {
  const e = resolved(expr, reading);
  if (reading.ts.isArrayLiteralExpression(e)) return [...e.elements];
  warn(reading, expr, `${expr.getText(reading.source)} is not a list that can be read statically`);
  return [];
}

/** `tool({ name, description, parameters, execute })` (tool.ts): the name made a function name, the schema made strict. */
function toolOf(expr: TS.Expression, reading: Reading): SdkTool[] {
  const { ts } = reading;
  const e = resolved(expr, reading);
  if (
    ts.isCallExpression(e) &&
    ts.isIdentifier(e.expression) &&
    e.expression.text === 'tool' &&
    e.arguments[0] &&
    ts.isObjectLiteralExpression(e.arguments[0])
  ) {
    const options = e.arguments[0];
    const name = constant(property(ts, options, 'name') ?? e, reading);
    const description = constant(property(ts, options, 'description') ?? e, reading);
    const parameters = property(ts, options, 'parameters');
    const schema = parameters ? schemaOf(parameters, reading) : undefined;
    if (parameters && !schema) warn(reading, parameters, 'these parameters cannot be read statically: priced as an empty object');
    return [
      {
        name: (typeof name === 'string' ? name : 'tool').replace(/\s/g, '_').replace(/[^a-zA-Z0-9]/g, '_'),
        description: typeof description === 'string' ? description : '',
        parameters: strictSchema(schema ?? {}),
      },
    ];
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'asTool') {
    const options = e.arguments[0] && ts.isObjectLiteralExpression(e.arguments[0]) ? e.arguments[0] : undefined;
    const toolName = options ? constant(property(ts, options, 'toolName') ?? e, reading) : undefined;
    const toolDescription = options ? constant(property(ts, options, 'toolDescription') ?? e, reading) : undefined;
    warn(reading, e, `${e.expression.expression.getText(reading.source)} runs as a tool here: its own run is priced as its own agent, not in this one`);
    return [
      {
        name: typeof toolName === 'string' ? toolName : e.expression.expression.getText(reading.source),
        description: typeof toolDescription === 'string' ? toolDescription : '',
        parameters: strictSchema({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] }),
      },
    ];
  }
  if (
    ts.isCallExpression(e) &&
    ts.isIdentifier(e.expression) &&
    /^(webSearchTool|fileSearchTool|codeInterpreterTool|imageGenerationTool)$/.test(e.expression.text)
  ) {
    warn(reading, expr, `${e.expression.text} is a hosted tool: its definition is priced, not what OpenAI's servers add`);
    return [{ name: e.expression.text.replace(/Tool$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), description: '', parameters: {} }];
  }
  warn(reading, expr, `the tool ${expr.getText(reading.source)} cannot be read statically: priced as a tool with one string argument`);
  return [
    {
      name: expr.getText(reading.source).replace(/[^a-zA-Z0-9]/g, '_'),
      description: '',
      parameters: strictSchema({ type: 'object', properties: { input: { type: 'string' } } }),
    },
  ];
}

function handoffOf(expr: TS.Expression, reading: Reading): SdkHandoff[] {
  const { ts } = reading;
  if (ts.isIdentifier(expr)) return [{ target: expr.text, at: place(expr, reading) }];
  if (
    ts.isCallExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    expr.expression.text === 'handoff' &&
    expr.arguments[0] &&
    ts.isIdentifier(expr.arguments[0])
  ) {
    const options = expr.arguments[1] && ts.isObjectLiteralExpression(expr.arguments[1]) ? expr.arguments[1] : undefined;
    const name = options ? constant(property(ts, options, 'toolNameOverride') ?? expr, reading) : undefined;
    const description = options ? constant(property(ts, options, 'toolDescriptionOverride') ?? expr, reading) : undefined;
    return [
      {
        target: expr.arguments[0].text,
        at: place(expr, reading),
        ...(typeof name === 'string' ? { toolName: name } : {}),
        ...(typeof description === 'string' ? { toolDescription: description } : {}),
      },
    ];
  }
  warn(reading, expr, `the handoff ${expr.getText(reading.source)} cannot be followed statically`);
  return [];
}

type Schema = Record<string, unknown>;

/**
 * A zod schema (`z.object({…})`, `z.string().describe(…)`, `.optional()`, `z.enum([…])`, `z.array(…)`) as the OpenAI
 * helper converts it for strict mode (optional fields nullable), or a JSON Schema object literal as written.
 */
function schemaOf(expr: TS.Expression, reading: Reading): Schema | undefined {
  const { ts } = reading;
  const e = resolved(expr, reading);
  if (ts.isObjectLiteralExpression(e)) return jsonLiteral(e, reading) as Schema | undefined;
  if (!ts.isCallExpression(e)) return undefined;
  const callee = e.expression;
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const base = callee.expression;
    if (ts.isIdentifier(base) && base.text === 'z') return zodBase(method, e.arguments, reading);
    const inner = schemaOf(base as TS.Expression, reading);
    if (!inner) return undefined;
    if (method === 'describe') {
      const text = e.arguments[0] ? constant(e.arguments[0], reading) : undefined;
      return typeof text === 'string' ? { ...inner, description: text } : inner;
    }
    if (method === 'optional' || method === 'nullable' || method === 'nullish') return { ...inner, type: [inner.type, 'null'] };
    if (method === 'int') return { ...inner, type: 'integer' };
    return inner;
  }
  return undefined;
}

function zodBase(method: string, args: TS.NodeArray<TS.Expression>, reading: Reading): Schema | undefined {
  const { ts } = reading;
  switch (method) {
    case 'string':
    case 'number':
    case 'boolean':
      return { type: method };
    case 'enum': {
      const list = args[0] && resolved(args[0], reading);
      const values = list && ts.isArrayLiteralExpression(list) ? list.elements.map((el) => constant(el, reading)) : [];
      return { type: 'string', enum: values };
    }
    case 'array': {
      const item = args[0] ? schemaOf(args[0], reading) : undefined;
      return { type: 'array', items: item ?? {} };
    }
    case 'object': {
      const shape = args[0] && resolved(args[0], reading);
      if (!shape || !ts.isObjectLiteralExpression(shape)) return undefined;
      const properties: Record<string, Schema> = {};
      for (const member of shape.properties) {
        if (!ts.isPropertyAssignment(member)) continue;
        const key = propertyName(ts, member.name);
        if (key) properties[key] = schemaOf(member.initializer, reading) ?? {};
      }
      return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
    }
    default:
      return undefined;
  }
}

function jsonLiteral(expr: TS.Expression, reading: Reading): unknown {
  const { ts } = reading;
  const e = resolved(expr, reading);
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, unknown> = {};
    for (const member of e.properties) {
      if (!ts.isPropertyAssignment(member)) return undefined;
      const key = propertyName(ts, member.name);
      if (key === undefined) return undefined;
      out[key] = jsonLiteral(member.initializer, reading);
    }
    return out;
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((el) => jsonLiteral(el, reading));
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  return constant(e, reading);
}
