import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readPython } from '../../sidecar/sources/python/pythonModule';
import { callsIn, decorator, dottedName, findCalls } from '../../sidecar/sources/python/pythonCalls';
import { constantValue, resolveEnvironment, resolveName } from '../../sidecar/sources/python/pythonValues';
import type { PyValue } from '../../sidecar/sources/python/pythonValues';
import { lockedVersion, readDotenv, readPyproject, requiredVersion } from '../../sidecar/sources/python/projectFiles';
import type { PyCall, PyExpr, PyModule, PyScope } from '../../sidecar/sources/python/pythonModel';

// The one Python reader every Python source shares, on files written the way CrewAI's template, the OpenAI Agents
// SDK's docs and Google ADK's samples write them, and on the corners of Python's syntax. Expected values are
// worked out by hand from the fixtures' text.

const fixtures = path.resolve('test/fixtures/python');
const fixture = (file: string): string => readFileSync(path.join(fixtures, file), 'utf8');

function asCall(expr: PyExpr | undefined): PyCall {
  assert.equal(expr?.kind, 'call', `expected a call, got ${expr?.kind}: ${expr?.text}`);
  return expr as PyCall;
}

function stringOf(expr: PyExpr | undefined): string {
  assert.equal(expr?.kind, 'string', `expected a string, got ${expr?.kind}: ${expr?.text}`);
  return (expr as Extract<PyExpr, { kind: 'string' }>).value;
}

/** A value without its expressions, to compare whole. */
function plain(value: PyValue): unknown {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return value.value;
    case 'none':
      return null;
    case 'env':
      return value.default ? { env: value.name, default: plain(value.default) } : { env: value.name };
    case 'list':
      return value.items.map(plain);
    case 'dict':
      return value.entries.map(({ key, value: v }) => [plain(key), plain(v)]);
    case 'unknown':
      return { unknown: value.reason };
  }
}

function assigned(scope: PyScope, target: string): PyExpr | undefined {
  return scope.assignments.find((a) => a.target === target)?.value;
}

/** The constant a module-level name stands for. */
function valueIn(module: PyModule, target: string): unknown {
  return plain(constantValue(assigned(module, target)!, module));
}

test('a CrewAI crew.py: the @CrewBase class, its @agent and @task methods, what they return, the module-level llm', () => {
  const module = readPython(fixture('crew/src/research_crew/crew.py'));
  assert.deepEqual(module.errors, []);
  assert.equal(module.imports.length, 15);
  assert.deepEqual(
    module.imports.find((i) => i.bound === 'agent'),
    { module: 'crewai.project', name: 'agent', bound: 'agent', offset: 160, length: 5, line: 5, column: 38 },
  );
  assert.deepEqual(
    module.assignments.map((a) => a.target),
    ['llm', 'reviewer_llm'],
  );

  const llm = asCall(assigned(module, 'llm'));
  assert.equal(llm.name, 'LLM');
  assert.deepEqual([llm.line, llm.column], [14, 7]);
  const model = asCall(llm.keywords.get('model'));
  assert.deepEqual([model.name, model.line, model.column, model.text], ['os.getenv', 14, 17, 'os.getenv("MODEL", "gpt-4o")']);
  assert.deepEqual(plain(constantValue(model, module)), { env: 'MODEL', default: 'gpt-4o' });
  assert.deepEqual(plain(constantValue(llm.keywords.get('temperature')!, module)), 0.2);

  const [report, crew] = module.classes;
  assert.equal(report.docstring?.value, 'A short report with its sources.');
  assert.deepEqual(
    report.bases.map((b) => b.text),
    ['BaseModel'],
  );
  assert.deepEqual(
    report.assignments.map((a) => [a.target, a.annotation, a.value?.text]),
    [
      ['title', 'str', 'Field(description="The report\'s title")'],
      ['findings', 'List[str]', 'Field(description="One finding per bullet")'],
      ['confidence', 'float', '0.5'],
    ],
  );
  assert.equal(stringOf(asCall(report.assignments[0].value).keywords.get('description')), "The report's title");

  assert.equal(crew.name, 'ResearchCrew');
  assert.deepEqual(crew.decorators.map(dottedName), ['CrewBase']);
  assert.deepEqual(crew.bases, []);
  assert.equal(crew.docstring?.value, 'ResearchCrew crew');
  assert.deepEqual(
    crew.assignments.map((a) => [a.target, a.annotation, a.value?.text]),
    [
      ['agents', 'List[BaseAgent]', undefined],
      ['tasks', 'List[Task]', undefined],
      ['agents_config', undefined, "'config/agents.yaml'"],
      ['tasks_config', undefined, "'config/tasks.yaml'"],
    ],
  );
  assert.deepEqual(
    crew.methods.map((m) => [m.name, m.decorators.map(dottedName).join()]),
    [
      ['researcher', 'agent'],
      ['reporting_analyst', 'agent'],
      ['research_task', 'task'],
      ['reporting_task', 'task'],
      ['crew', 'crew'],
    ],
  );

  const researcher = crew.methods[0];
  assert.deepEqual([researcher.line, researcher.column, researcher.nameAt.line, researcher.nameAt.column], [36, 5, 37, 9]);
  assert.equal(researcher.returnType, 'Agent');
  assert.deepEqual(
    researcher.parameters.map((p) => [p.name, p.kind]),
    [['self', 'positional']],
  );
  const agent = asCall(researcher.returns[0]);
  assert.equal(agent.name, 'Agent');
  assert.deepEqual([...agent.keywords.keys()], ['config', 'tools', 'llm', 'verbose']);
  const config = agent.keywords.get('config')!;
  assert.equal(config.kind === 'subscript' && config.object.kind === 'attribute' && config.object.path, 'self.agents_config');
  assert.equal(config.kind === 'subscript' && stringOf(config.index), 'researcher');
  assert.deepEqual([config.line, config.column], [39, 20]);
  assert.equal(resolveName(agent.keywords.get('llm')!, [researcher, module]), llm);
  assert.deepEqual(plain(constantValue(agent.keywords.get('verbose')!, module)), true);
  assert.deepEqual(
    callsIn(researcher).map((c) => c.name),
    ['Agent', 'SerperDevTool'],
  );

  const reporting = asCall(crew.methods[3].returns[0]);
  assert.equal(asCall(reporting.keywords.get('agent')).name, 'self.reporting_analyst');
  const context = reporting.keywords.get('context')!;
  assert.deepEqual(context.kind === 'list' && context.items.map((item) => asCall(item).name), ['self.research_task']);
  assert.equal(dottedName(reporting.keywords.get('output_json')!), 'ResearchReport');
  assert.equal(stringOf(reporting.keywords.get('output_file')), 'report.md');

  const crewMethod = crew.methods[4];
  assert.equal(crewMethod.docstring?.value, 'Creates the ResearchCrew crew');
  assert.equal(dottedName(asCall(crewMethod.returns[0]).keywords.get('process')!), 'Process.sequential');
  assert.deepEqual(
    findCalls(module, (c) => c.name === 'Agent').map((c) => c.line),
    [38, 47],
  );
  assert.ok(decorator(crew, 'CrewBase') && !decorator(crew, 'agent'));
});

test('a CrewAI main.py: the inputs a function passes, and the calls inside try blocks', () => {
  const module = readPython(fixture('crew/src/research_crew/main.py'));
  assert.deepEqual(module.errors, []);
  const run = module.functions.find((f) => f.name === 'run')!;
  assert.equal(run.docstring?.value, '\n    Run the crew.\n    ');
  assert.deepEqual(plain(constantValue(assigned(run, 'inputs')!, [run, module])), [
    ['topic', 'AI LLMs'],
    ['current_year', { unknown: 'the result of calling str' }],
  ]);
  const kickoffs = findCalls(module, (c) => c.callee.kind === 'attribute' && ['kickoff', 'train'].includes(c.callee.attribute));
  assert.deepEqual(
    kickoffs.map((c) => [c.line, c.name, dottedName(c.keywords.get('inputs')!)]),
    [
      [26, undefined, 'inputs'],
      [40, undefined, 'inputs'],
    ],
  );
  const raised = findCalls(module, (c) => c.name === 'Exception')[0];
  assert.equal(raised.line, 28);
  assert.deepEqual(raised.args[0].kind === 'fstring' && raised.args[0].parts.map((p) => (p.kind === 'literal' ? p.value : `{${p.text}}`)), [
    'An error occurred while running the crew: ',
    '{e}',
  ]);
});

test('an Agents SDK file: @function_tool functions with docstrings, agents, handoffs by name, calls under await', () => {
  const module = readPython(fixture('agentsSdk/homework.py'));
  assert.deepEqual(module.errors, []);
  const [weather, readFile] = module.functions;
  assert.deepEqual(
    weather.decorators.map((d) => [d.kind, dottedName(d)]),
    [['name', 'function_tool']],
  );
  assert.equal(weather.docstring?.value, 'Fetch the weather for a given location.\n\n    Args:\n        city: The city to fetch the weather for.\n    ');
  assert.deepEqual(
    weather.parameters.map((p) => [p.name, p.annotation]),
    [['city', 'str']],
  );
  const returned = weather.returns[0];
  assert.deepEqual(returned.kind === 'fstring' && returned.parts.map((p) => (p.kind === 'literal' ? p.value : p.text)), [
    'The weather in ',
    'city',
    ' is sunny',
  ]);

  assert.equal(readFile.async, true);
  const tool = asCall(readFile.decorators[0]);
  assert.deepEqual(
    [tool.name, stringOf(tool.keywords.get('name_override')), tool.keywords.get('failure_error_function')?.kind],
    ['function_tool', 'fetch_data', 'none'],
  );
  assert.deepEqual([tool.line, tool.column], [25, 2]);
  assert.deepEqual(
    readFile.parameters.map((p) => [p.name, p.annotation, p.default?.kind]),
    [
      ['path', 'str', undefined],
      ['directory', 'str | None', 'none'],
    ],
  );

  const agents = findCalls(module, (c) => c.name === 'Agent');
  assert.deepEqual(
    agents.map((a) => [a.line, stringOf(a.keywords.get('name'))]),
    [
      [36, 'Guardrail check'],
      [42, 'Math Tutor'],
      [49, 'History Tutor'],
      [70, 'Triage Agent'],
    ],
  );
  assert.equal(dottedName(agents[0].keywords.get('output_type')!), 'HomeworkOutput');
  assert.deepEqual(plain(constantValue(agents[1].keywords.get('model')!, module)), 'gpt-4.1-mini');
  assert.equal(
    stringOf(agents[2].keywords.get('instructions')),
    'You provide assistance with historical queries. Explain important events and context clearly.',
  );
  const settings = asCall(agents[2].keywords.get('model_settings'));
  assert.deepEqual(
    [...settings.keywords].map(([k, v]) => [k, plain(constantValue(v, module))]),
    [
      ['temperature', 0.1],
      ['max_tokens', 1024],
    ],
  );
  const handoffs = agents[3].keywords.get('handoffs')!;
  assert.ok(handoffs.kind === 'list');
  assert.deepEqual(
    handoffs.items.map((item) => stringOf(asCall(resolveName(item, module)).keywords.get('name'))),
    ['History Tutor', 'Math Tutor'],
  );
  assert.deepEqual(
    module.classes[0].assignments.map((a) => [a.target, a.annotation]),
    [
      ['is_homework', 'bool'],
      ['reasoning', 'str'],
    ],
  );

  const runs = findCalls(module, (c) => c.name === 'Runner.run');
  assert.deepEqual(
    runs.map((r) => [r.line, dottedName(r.args[0])]),
    [
      [63, 'guardrail_agent'],
      [82, 'triage_agent'],
    ],
  );
  assert.deepEqual(
    findCalls(module, (c) => c.name === 'asyncio.run').map((c) => [c.line, asCall(c.args[0]).name]),
    [[88, 'main']],
  );
});

test('an ADK agent.py: root_agent followed to its SequentialAgent, sub-agents to their LlmAgents, instructions resolved', () => {
  const module = readPython(fixture('adk/code_pipeline/agent.py'));
  assert.deepEqual(module.errors, []);
  const root = asCall(resolveName(assigned(module, 'root_agent')!, module));
  assert.deepEqual([root.name, root.line], ['SequentialAgent', 64]);
  const subAgents = root.keywords.get('sub_agents')!;
  assert.ok(subAgents.kind === 'list');
  const llmAgents = subAgents.items.map((item) => asCall(resolveName(item, module)));
  assert.deepEqual(
    llmAgents.map((a) => [a.name, stringOf(a.keywords.get('name')), plain(constantValue(a.keywords.get('model')!, module))]),
    [
      ['LlmAgent', 'CodeWriterAgent', 'gemini-2.0-flash'],
      ['LlmAgent', 'CodeReviewerAgent', 'gemini-2.0-flash'],
      ['LlmAgent', 'CodeRefactorerAgent', 'gemini-2.5-pro'],
    ],
  );
  assert.equal(
    stringOf(llmAgents[0].keywords.get('instruction')),
    "You are a Python Code Generator.\nBased *only* on the user's request, write Python code that fulfills the requirement.\n" +
      'Output *only* the complete Python code block, enclosed in triple backticks (```python ... ```).\n' +
      'Do not add any other text before or after the code block.\n',
  );
  const reviewer = llmAgents[1].keywords.get('instruction')!;
  assert.deepEqual([reviewer.line, reviewer.column], [35, 17]);
  assert.ok(stringOf(reviewer).startsWith('You are an expert Python Code Reviewer.\n    Your task is'));
  assert.equal(stringOf(llmAgents[2].keywords.get('instruction')), 'Rewrite {generated_code} following {review_comments}.\n\tOutput only the code.');
  assert.deepEqual(llmAgents[2].keywords.get('tools')?.kind === 'list' && llmAgents[2].keywords.get('tools')!.text, '[google_search]');
  assert.deepEqual(
    module.imports.map((i) => `${i.module}:${i.name}`),
    ['google.adk.agents.sequential_agent:SequentialAgent', 'google.adk.agents.llm_agent:LlmAgent', 'google.adk.tools:google_search'],
  );
  assert.deepEqual(plain(constantValue(assigned(module, 'root_agent')!, module)), { unknown: 'the result of calling SequentialAgent' });
});

test('a syntax error in the middle: positioned errors, and every statement around them still read', () => {
  const module = readPython(fixture('broken.py'));
  assert.deepEqual(
    module.errors.map((e) => [e.line, e.column, e.message]),
    [
      [5, 12, 'syntax error: something is missing before ":"'],
      [11, 24, 'syntax error: the statement is incomplete'],
    ],
  );
  assert.deepEqual(
    module.assignments.map((a) => [a.target, a.line]),
    [
      ['first_agent', 3],
      ['second_agent', 8],
      ['third_agent', 13],
    ],
  );
  assert.equal(stringOf(asCall(assigned(module, 'second_agent')).keywords.get('model')), 'gpt-4.1');
  assert.deepEqual(
    module.functions.map((f) => [f.name, f.returns.map((r) => r.text)]),
    [['helper', ['1']]],
  );
  assert.deepEqual(
    module.classes.map((c) => c.name),
    ['Settings'],
  );
  const third = asCall(assigned(module, 'third_agent')).keywords.get('instructions')!;
  assert.deepEqual(plain(constantValue(third, module)), { unknown: '"MODEL" is not assigned in this file' });
});

test('never throws: every prefix of a file, garbage, and nesting deeper than Python allows', () => {
  const text = fixture('agentsSdk/homework.py');
  for (let end = 0; end <= text.length; end += 13) {
    const module = readPython(text.slice(0, end));
    for (const error of module.errors) assert.ok(error.offset <= end && error.line >= 1 && error.column >= 1, `prefix ${end}: ${JSON.stringify(error)}`);
  }
  for (const garbage of ['def (((\n"""unterminated', '@\n@\nclass', ')]}', "f'{", '\u0000\uffff', `x = ${'['.repeat(3000)}`]) {
    assert.ok(readPython(garbage).errors.length > 0, JSON.stringify(garbage.slice(0, 20)));
  }
  const deep = readPython(`x = ${'('.repeat(1000)}"deep"${')'.repeat(1000)}\n`);
  assert.deepEqual(deep.errors, []);
  assert.equal(assigned(deep, 'x')?.kind, 'unknown');
  // Deeper than the parser itself goes: thousands of recoveries, the first hundred listed, then how many more.
  const deeper = readPython(`x = ${'('.repeat(5000)}"deep"${')'.repeat(5000)}\n`).errors;
  assert.equal(deeper.length, 101);
  assert.match(deeper[100].message, /^\d+ more syntax errors from here on$/);
  assert.equal(stringOf(assigned(readPython(`x = ${'('.repeat(50)}"deep"${')'.repeat(50)}\n`), 'x')), 'deep');
});

test('strings: quotes, escapes, raw and byte literals, line continuations, implicit concatenation, + of literals, unicode', () => {
  const module = readPython(String.raw`s1 = 'it\'s'
s2 = r"C:\new\t"
s3 = "caf\u00e9 \x41\101 \N{BULLET}"
s4 = "a" 'b' """c"""
s5 = "x" + 'y' + "z"
s6 = b"by\x00tes"
s7 = "one \
two"
s8 = 'ünï' "🎉"
greeting = "🎉"; after = 1
café = "crème"
`);
  assert.deepEqual(module.errors, []);
  const values = ['s1', 's2', 's3', 's4', 's5', 's7', 's8', 'café'].map((target) => stringOf(assigned(module, target)));
  assert.deepEqual(values, ["it's", 'C:\\new\\t', 'café AA \\N{BULLET}', 'abc', 'xyz', 'one two', 'ünï🎉', 'crème']);
  const bytes = assigned(module, 's6');
  assert.deepEqual(bytes?.kind === 'string' && [bytes.value, bytes.bytes], ['by\u0000tes', true]);
  // 🎉 is two UTF-16 units: `after` starts at offset 17 of its line.
  const after = module.assignments.find((a) => a.target === 'after')!;
  assert.deepEqual([after.line, after.column, after.offset - module.assignments.find((a) => a.target === 'greeting')!.offset], [10, 18, 17]);
});

test('docstrings: triple-quoted with escapes, single-quoted, and none when the first statement is no plain string', () => {
  const module = readPython(String.raw`"""Module doc."""
def greet():
    """Says \"hi\"\tthen\\leaves.
    Second line."""
    return None

class K:
    'single'

def formatted():
    f"not {a} docstring"

def late():
    x = 1
    "not a docstring either"
`);
  assert.equal(module.docstring?.value, 'Module doc.');
  assert.equal(module.functions[0].docstring?.value, 'Says "hi"\tthen\\leaves.\n    Second line.');
  assert.equal(module.classes[0].docstring?.value, 'single');
  assert.deepEqual(
    module.functions.slice(1).map((f) => f.docstring),
    [undefined, undefined],
  );
});

test('f-strings: literal parts, expressions with conversion and spec, {x=}, doubled braces, raw, concatenated', () => {
  const module = readPython(String.raw`name = "World"
x = 3
f1 = f"Hello {name!r:>10} and {{braces}} {x=}"
f2 = "Hi " f"{name}" "!"
f3 = rf"\d{x}"
BASE = "http://x"
f4 = f"{BASE}/v1"
f5 = f'{x}{name}'
`);
  const parts = (target: string) => {
    const expr = assigned(module, target);
    assert.equal(expr?.kind, 'fstring');
    return (expr as Extract<PyExpr, { kind: 'fstring' }>).parts.map((p) =>
      p.kind === 'literal' ? p.value : { text: p.text, expr: p.expr.kind, conversion: p.conversion, spec: p.spec },
    );
  };
  assert.deepEqual(parts('f1'), [
    'Hello ',
    { text: 'name', expr: 'name', conversion: 'r', spec: '>10' },
    ' and {braces} x=',
    { text: 'x', expr: 'name', conversion: 'r', spec: undefined },
  ]);
  assert.deepEqual(parts('f2'), ['Hi ', { text: 'name', expr: 'name', conversion: undefined, spec: undefined }, '!']);
  assert.deepEqual(parts('f3'), ['\\d', { text: 'x', expr: 'name', conversion: undefined, spec: undefined }]);
  assert.deepEqual(
    ['f4', 'f5', 'f2'].map((target) => valueIn(module, target)),
    ['http://x/v1', '3World', 'Hi World!'],
  );
  assert.deepEqual(plain(constantValue(assigned(module, 'f1')!, module)), { unknown: '{name} has no constant text' });
});

test('numbers, assignments of every shape, imports of every shape, parameters of every kind', () => {
  const module = readPython(`n = 1_000; h = 0x1F; neg = -2.5; o = 0o17; b2 = 0b101; c = 3j; e = 1e3
a = b = "same"
x, y = 1, "two"
p, q = make()
if DEBUG:
    MODEL = "a"
N = 1
N += 1
T: int
settings.model = "m"
from ..pkg.mod import (a, b as c)
import os.path
import numpy as np
from x import *
try:
    from dotenv import load_dotenv
except ImportError:
    load_dotenv = None
def lazy():
    import json
def g(a, /, b: int = 2, *args, c, d: str = "x", **kw) -> None: pass
def h(*, k=1): pass
`);
  assert.deepEqual(module.errors, []);
  assert.deepEqual(
    ['n', 'h', 'neg', 'o', 'b2', 'c', 'e'].map((t) => {
      const v = assigned(module, t)!;
      return v.kind === 'number' ? v.value : v.kind;
    }),
    [1000, 31, -2.5, 15, 5, 'unknown', 1000],
  );
  assert.deepEqual(
    module.assignments.slice(7).map((a) => [a.target, a.value?.text, a.annotation, a.augmented, a.conditional]),
    [
      ['a', '"same"', undefined, undefined, false],
      ['b', '"same"', undefined, undefined, false],
      ['x', '1', undefined, undefined, false],
      ['y', '"two"', undefined, undefined, false],
      ['p', undefined, undefined, undefined, false],
      ['q', undefined, undefined, undefined, false],
      ['MODEL', '"a"', undefined, undefined, true],
      ['N', '1', undefined, undefined, false],
      ['N', '1', undefined, '+=', false],
      ['T', undefined, 'int', undefined, false],
      ['settings.model', '"m"', undefined, undefined, false],
      ['load_dotenv', 'None', undefined, undefined, true],
    ],
  );
  assert.deepEqual(
    module.imports.map((i) => [i.module, i.name, i.bound]),
    [
      ['..pkg.mod', 'a', 'a'],
      ['..pkg.mod', 'b', 'c'],
      ['os.path', undefined, 'os'],
      ['numpy', undefined, 'np'],
      ['x', '*', '*'],
      ['dotenv', 'load_dotenv', 'load_dotenv'],
      ['json', undefined, 'json'],
    ],
  );
  const [, g, h] = module.functions;
  assert.deepEqual(
    g.parameters.map((p) => [p.name, p.kind, p.annotation, p.default?.text]),
    [
      ['a', 'positional', undefined, undefined],
      ['b', 'positional', 'int', '2'],
      ['args', 'varargs', undefined, undefined],
      ['c', 'keywordOnly', undefined, undefined],
      ['d', 'keywordOnly', 'str', '"x"'],
      ['kw', 'kwargs', undefined, undefined],
    ],
  );
  assert.equal(g.returnType, 'None');
  assert.deepEqual(
    h.parameters.map((p) => [p.name, p.kind]),
    [['k', 'keywordOnly']],
  );
});

test('calls and containers: *args and **kwargs noted, generators, lambdas and conditionals still searched for calls', () => {
  const module = readPython(`agent = Agent("pos", *extra, name="n", **opts)
total = sum(f(x) for x in y)
key = lambda: make()
d = {"k": 1, **base}
t = (1,)
s = {1, 2}
sub = cfg["a"]["b"]
m = pick() if X else "b"
chain = a.b.c
tail = f().x
`);
  const agent = asCall(assigned(module, 'agent'));
  assert.deepEqual(
    [agent.args.map((a) => a.text), agent.varargs.map((a) => a.text), [...agent.keywords.keys()], agent.kwargs.map((a) => a.text)],
    [['"pos"'], ['extra'], ['name'], ['opts']],
  );
  assert.deepEqual(
    asCall(assigned(module, 'total')).args.map((a) => a.kind),
    ['unknown'],
  );
  assert.deepEqual(
    findCalls(module).map((c) => c.name),
    ['Agent', 'sum', 'f', 'make', 'pick', 'f'],
  );
  const d = assigned(module, 'd')!;
  assert.deepEqual(d.kind === 'dict' && [d.entries.map((e) => [e.key.text, e.value.text]), d.spreads.map((e) => e.text)], [[['"k"', '1']], ['base']]);
  assert.deepEqual(
    ['t', 's'].map((target) => {
      const v = assigned(module, target)!;
      return [v.kind, v.kind === 'tuple' || v.kind === 'set' ? v.items.length : -1];
    }),
    [
      ['tuple', 1],
      ['set', 2],
    ],
  );
  const sub = assigned(module, 'sub')!;
  assert.deepEqual(sub.kind === 'subscript' && [sub.object.text, stringOf(sub.index)], ['cfg["a"]', 'b']);
  assert.equal(assigned(module, 'm')?.kind, 'unknown');
  assert.deepEqual([dottedName(assigned(module, 'chain')!), dottedName(assigned(module, 'tail')!)], ['a.b.c', undefined]);
});

test('constantValue: chains of names, cycles, dicts and lists, environment reads of every form, reasons for what is unknown', () => {
  const module = readPython(`import os
from os import getenv, environ
from settings import IMPORTED
A = B
B = C
C = "end"
X = Y
Y = X
CONFIG = {"model": "gpt-4o", "n": 2}
MODELS = ["a", "b"]
E1 = os.getenv("K")
E2 = os.environ.get("K", "d")
E3 = os.environ["K"]
E4 = getenv(key="K", default="d")
E5 = os.getenv("K") or "fallback"
E6 = environ["K"]
E7 = "p/" + os.getenv("X", "")
E8 = os.getenv(NAME_VAR)
NAME_VAR = "K2"
M1 = CONFIG["model"]
M2 = MODELS[-1]
S = "a" + C
NUM = 2 + 3
I = IMPORTED
N = 1
N += 1
if True:
    COND = 1
LIST = [os.getenv("K"), "x"]
USE_N = N
USE_COND = COND
`);
  const expected: [string, unknown][] = [
    ['A', 'end'],
    ['X', { unknown: '"Y" is defined in terms of itself' }],
    ['E1', { env: 'K' }],
    ['E2', { env: 'K', default: 'd' }],
    ['E3', { env: 'K' }],
    ['E4', { env: 'K', default: 'd' }],
    ['E5', { env: 'K', default: 'fallback' }],
    ['E6', { env: 'K' }],
    ['E7', { unknown: 'depends on the environment variable X' }],
    ['E8', { env: 'K2' }],
    ['M1', 'gpt-4o'],
    ['M2', 'b'],
    ['S', 'aend'],
    ['NUM', 5],
    ['I', { unknown: '"IMPORTED" is imported from settings' }],
    ['USE_N', { unknown: '"N" is changed by +=' }],
    ['USE_COND', { unknown: '"COND" is assigned conditionally' }],
    [
      'CONFIG',
      [
        ['model', 'gpt-4o'],
        ['n', 2],
      ],
    ],
  ];
  assert.deepEqual(
    expected.map(([target]) => [target, valueIn(module, target)]),
    expected,
  );
  assert.deepEqual(plain(constantValue({ kind: 'name', name: 'MISSING', offset: 0, length: 0, line: 1, column: 1, text: 'MISSING' }, module)), {
    unknown: '"MISSING" is not assigned in this file',
  });

  const environment = new Map([['K', 'v']]);
  const resolved = (target: string, env: Map<string, string>) =>
    plain(resolveEnvironment(constantValue(assigned(module, target)!, module), (name) => env.get(name)));
  assert.deepEqual(
    [resolved('E2', environment), resolved('E2', new Map()), resolved('E1', new Map()), resolved('LIST', environment)],
    ['v', 'd', { unknown: 'the environment variable K is not set' }, ['v', 'x']],
  );
  const e1 = constantValue(assigned(module, 'E1')!, module);
  assert.deepEqual(e1.kind === 'env' && [e1.expr.line, e1.expr.column], [11, 6]);
});

test('constantValue and resolveName look in a method before its module, never in its class', () => {
  const module = readPython(`MODEL = "module"
class C:
    MODEL = "class"
    def m(self):
        return MODEL
    def n(self):
        MODEL = "local"
        return MODEL
`);
  const [m, n] = module.classes[0].methods;
  assert.deepEqual(
    [m, n].map((fn) => plain(constantValue(fn.returns[0], [fn, module]))),
    ['module', 'local'],
  );
  assert.equal(resolveName(n.returns[0], [n, module]).text, '"local"');
});

test('line ends: \\r\\n places map back to the file, a backslash before \\r\\n continues a string; a BOM is skipped; tabs indent', () => {
  const crlf = readPython('a = \'x\'\r\nb = "y\\\r\nz"\r\nc = 1\r\n');
  assert.deepEqual(crlf.errors, []);
  const [, b, c] = crlf.assignments;
  assert.deepEqual([stringOf(b.value), b.offset, b.length, b.line, b.column], ['yz', 9, 11, 2, 1]);
  // The string's continuation makes c's line the fourth.
  assert.deepEqual([c.offset, c.line, c.value!.offset, c.value!.line, c.value!.column], [22, 4, 26, 4, 5]);
  const bom = readPython('\uFEFFx = 1\n');
  assert.deepEqual(bom.errors, []);
  assert.deepEqual([bom.assignments[0].offset, bom.assignments[0].column, bom.assignments[0].value!.offset, bom.assignments[0].value!.column], [1, 2, 5, 6]);
  const tabs = readPython('def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n');
  assert.deepEqual([tabs.errors, tabs.functions[0].returns.map((r) => r.text)], [[], ['1', '2']]);
});

test('pyproject.toml: name, dependencies, the CrewAI version required, [tool.crewai]; malformed TOML positioned', () => {
  assert.deepEqual(readPyproject(fixture('crew/pyproject.toml')), {
    name: 'research_crew',
    dependencies: ['crewai[tools]>=0.119.0,<1.0.0', 'crewai-tools==0.45.0'],
    crewaiVersion: '0.119.0',
    // smol-toml's tables have no prototype: a `__proto__` key stays a key.
    toolCrewai: Object.assign(Object.create(null), { type: 'crew' }),
  });
  const cases: [string[], string | undefined][] = [
    [['crewai==0.80.0'], '0.80.0'],
    [['crewai-tools>=1.0', 'CrewAI[tools] ~= 0.95'], '0.95'],
    [['crewai<1.0'], undefined],
    [['crewai @ git+https://github.com/crewAIInc/crewAI.git'], undefined],
    [['crewai>=0.1; python_version >= "3.10"'], '0.1'],
    [['crewai==0.80.*'], '0.80'],
    [['crewai'], undefined],
    [['crewai_tools==2.0'], undefined],
  ];
  assert.deepEqual(
    cases.map(([requirements]) => requiredVersion(requirements, 'crewai')),
    cases.map(([, version]) => version),
  );
  const malformed = '[project]\nname = "x"\ndependencies = ["a",\n  "b" "c"]\n';
  const { error, dependencies } = readPyproject(malformed);
  assert.deepEqual(dependencies, []);
  assert.deepEqual(error, { message: 'malformed TOML: expected comma or end of structure', offset: 48, length: 0, line: 4, column: 7 });
  assert.equal(malformed.slice(error!.offset, error!.offset + 3), '"c"');
});

test("uv.lock: the version it pins, by normalised name; .env: dotenv's reading", () => {
  const lock = fixture('crew/uv.lock');
  assert.deepEqual(
    ['crewai', 'CrewAI_Tools', 'litellm', 'numpy'].map((pkg) => lockedVersion(lock, pkg)),
    ['0.121.1', '0.45.0', '1.68.0', undefined],
  );
  assert.equal(lockedVersion('[[package]\nname = ', 'crewai'), undefined);
  assert.deepEqual(
    readDotenv(fixture('crew/.env')),
    new Map([
      ['MODEL', 'gpt-4o-mini'],
      ['OPENAI_API_KEY', 'sk-placeholder'],
      ['SERPER_API_KEY', 'serper-placeholder'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text of a .env value, which dotenv does not expand
      ['BASE_URL', 'http://localhost:4000/${PATH_PART}'],
      ['GREETING', 'line one\nline two'],
      ['EMPTY', ''],
    ]),
  );
});

test('a 2,000-line file: parse time (printed, not asserted)', (t) => {
  const block = fixture('agentsSdk/homework.py')
    .split('\n')
    .filter((line) => !/^(import|from) /.test(line));
  const lines: string[] = ['import asyncio', 'from agents import Agent, Runner, function_tool'];
  for (let copy = 0; lines.length < 2000; copy++)
    lines.push(...block.map((line) => line.replace(/(_agent|get_weather|read_file|HomeworkOutput|main)\b/g, `$1_${copy}`)));
  const text = lines.slice(0, 2000).join('\n');
  const timings: number[] = [];
  let module: PyModule | undefined;
  for (let run = 0; run < 7; run++) {
    const start = performance.now();
    module = readPython(text);
    timings.push(performance.now() - start);
  }
  const first = timings[0];
  const warm = timings.slice(1).sort((a, b) => a - b)[3];
  const start = performance.now();
  const agents = findCalls(module!, (c) => c.name === 'Agent');
  const walk = performance.now() - start;
  t.diagnostic(
    `readPython, 2,000 lines (${text.length} characters): first ${first.toFixed(1)} ms (parser loaded and compiled), warm median ${warm.toFixed(1)} ms; findCalls ${walk.toFixed(1)} ms for ${agents.length} Agent calls`,
  );
  // 2,000 lines hold 22 copies of the sample's four agents (90 lines each, the last copy cut short).
  assert.ok(agents.length >= 4 * 22, `${agents.length} agents`);
});
