import { test } from 'node:test';
import { loadConfigText } from '../../sidecar/sources/load';
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { at, endOfText, problemsOf } from '../configProblems';

// Each case is a whole file and the exact lines the validator must print for it, positions included.
// `expected` pairs the text the problem must point at with its message.
const cases: { name: string; text: string; expected: [needle: string | typeof endOfText, message: string][] }[] = [
  {
    name: 'malformed JSON: a missing comma and an unterminated string, both reported',
    text: ['{', '  "agents": {', '    "a": { "prompt": "x" }', '    "b": { "prompt": "y }', '  }', '}'].join('\n'),
    expected: [
      ['"b"', 'malformed JSON: expected ","'],
      ['"y }', 'malformed JSON: unterminated string'],
      [endOfText, 'malformed JSON: expected "}"'],
    ],
  },
  {
    name: 'wrong field types',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o" },',
      '  "agents": {',
      '    "a": { "prompt": "x", "expectedOutputTokens": "lots", "dependsOn": "b" },',
      '    "b": { "prompt": 7 }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      ['"lots"', 'agents.a.expectedOutputTokens: expected a number, got the string "lots"'],
      ['"b" }', 'agents.a.dependsOn: expected an array, got the string "b"'],
      ['7', 'agents.b.prompt: expected a string, got number 7'],
    ],
  },
  {
    name: 'unknown model, with the nearest known name, inherited or not',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o-mni" },',
      '  "agents": {',
      '    "a": { "prompt": "x", "model": "gpt4.1" },',
      '    "b": { "prompt": "x", "model": "llama-3-70b" }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      ['"gpt-4o-mni"', 'unknown model "gpt-4o-mni" (did you mean "gpt-4o-mini"?); add its prices under "prices" to use it'],
      ['"gpt4.1"', 'unknown model "gpt4.1" (did you mean "gpt-4.1"?); add its prices under "prices" to use it'],
      ['"llama-3-70b"', 'unknown model "llama-3-70b" (did you mean "llama-3.3-70b"?); add its prices under "prices" to use it'],
    ],
  },
  {
    name: 'unknown dependency',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o" },',
      '  "agents": {',
      '    "theme": { "prompt": "x" },',
      '    "cake": { "prompt": "x", "dependsOn": ["theme", "thme"] }',
      '  }',
      '}',
    ].join('\n'),
    expected: [['"thme"', 'agent "cake" depends on unknown agent "thme" (did you mean "theme"?)']],
  },
  {
    name: 'dependency cycle naming every agent in it',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o" },',
      '  "agents": {',
      '    "venue": { "prompt": "x", "dependsOn": ["cake"] },',
      '    "cake": { "prompt": "x", "dependsOn": ["budget"] },',
      '    "budget": { "kind": "compute", "dependsOn": ["venue"] },',
      '    "loop": { "kind": "compute", "dependsOn": ["loop"] }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      ['"cake"]', 'dependency cycle: venue → cake → budget → venue'],
      ['"loop"]', 'dependency cycle: loop → loop'],
    ],
  },
  {
    name: 'duplicate agent',
    text: ['{', '  "defaults": { "model": "gpt-4o" },', '  "agents": {', '    "cake": { "prompt": "x" },', '    "cake": { "prompt": "y" }', '  }', '}'].join(
      '\n',
    ),
    expected: [['"cake": { "prompt": "y"', 'duplicate agent "cake" (first defined on line 4)']],
  },
  {
    name: 'negative or non-numeric tokens, prices and budgets',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o" },',
      '  "prices": { "gpt-4o": { "input": -2.5, "output": "ten" } },',
      '  "limits": { "daily": -1, "thresholds": [0.5, 0] },',
      '  "agents": {',
      '    "a": { "prompt": "x", "expectedOutputTokens": -5, "contextBudget": "big", "resources": { "sqlQueries": -1 } }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      ['-2.5', 'prices.gpt-4o.input: must not be negative (got -2.5)'],
      ['"ten"', 'prices.gpt-4o.output: expected a number, got the string "ten"'],
      ['-1,', 'limits.daily: must not be negative (got -1)'],
      ['0]', 'limits.thresholds[1]: must be greater than 0 (got 0)'],
      ['-5', 'agents.a.expectedOutputTokens: must not be negative (got -5)'],
      ['"big"', 'agents.a.contextBudget: expected a number, got the string "big"'],
      ['-1 }', 'agents.a.resources.sqlQueries: must not be negative (got -1)'],
    ],
  },
  {
    name: 'prompt larger than its context budget',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o-mini" },',
      '  "agents": {',
      '    "a": { "prompt": "Plan a birthday party for a seven year old who loves dinosaurs", "contextBudget": 12 },',
      '    "b": { "prompt": "x", "expectedInputTokens": 900, "contextBudget": 500 }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      // 3 tokens per message, 1 for the role, 3 to prime the reply: the chat framing the API bills.
      [
        '"Plan',
        `prompt of "a" is ${7 + getEncoding('o200k_base').encode('Plan a birthday party for a seven year old who loves dinosaurs').length} tokens, over its contextBudget of 12`,
      ],
      ['900', 'expectedInputTokens of "b" (900) is over its contextBudget of 500'],
    ],
  },
  {
    name: 'unknown fields, with the nearest allowed name; API keys refused with where to put them',
    text: [
      '{',
      '  "provider": { "apiKey": "sk-secret" },',
      '  "agents": { "a": { "model": "gpt-4o", "prompt": "x", "dependOn": [] } },',
      '  "volumes": {}',
      '}',
    ].join('\n'),
    expected: [
      ['"apiKey"', '"apiKey" is not allowed: API keys never go in partycost.json; set OPENAI_API_KEY in the environment or use "Party Cost: Set API Key"'],
      ['"dependOn"', 'unknown field "dependOn" in agents.a (did you mean "dependsOn"?)'],
      ['"volumes"', 'unknown field "volumes" (did you mean "volume"?)'],
    ],
  },
  {
    name: 'template placeholders must name inputs or a dependency; patterns must compile',
    text: [
      '{',
      '  "defaults": { "model": "gpt-4o" },',
      '  "agents": {',
      '    "theme": { "prompt": "x" },',
      '    "cake": { "prompt": "Cake for {{inputs}} in {{theme}} with {{inptus}}", "handles": { "patterns": ["(jungle"] } }',
      '  }',
      '}',
    ].join('\n'),
    expected: [
      ['{{theme}}', 'prompt of "cake" uses {{theme}} but "theme" is not in its dependsOn'],
      ['{{inptus}}', 'prompt of "cake" uses unknown placeholder {{inptus}}; use {{inputs}} or the name of an agent in dependsOn (did you mean "inputs"?)'],
      ['"(jungle"', 'invalid regular expression in "cake": Invalid regular expression: /(jungle/iu: Unterminated group'],
    ],
  },
  {
    name: 'spend limits: an unknown time zone, thresholds that do not rise',
    text: [
      '{',
      '  "limits": { "daily": 5, "timeZone": "Europe/Pariss", "thresholds": [0.5, 0.9, 0.8] },',
      '  "agents": { "a": { "model": "gpt-4o", "prompt": "x" } }',
      '}',
    ].join('\n'),
    expected: [
      ['"Europe/Pariss"', 'unknown time zone "Europe/Pariss"; use an IANA name such as "Europe/Paris" or "UTC"'],
      ['0.8]', 'limits.thresholds must rise: 0.8 follows 0.9'],
    ],
  },
  {
    name: 'a missing agents object',
    text: '{ "defaults": { "model": "gpt-4o" } }',
    expected: [['{ "defaults"', 'missing required field "agents" (or "crew": a CrewAI config directory)']],
  },
  {
    name: 'an llm agent without a prompt or a model',
    text: ['{', '  "agents": { "a": { "expectedOutputTokens": 5 } }', '}'].join('\n'),
    expected: [
      ['"a"', 'agent "a" calls a model but has no "prompt"'],
      ['"a"', 'agent "a" has no model: set its "model" or "defaults.model"'],
    ],
  },
];

for (const { name, text, expected } of cases) {
  test(`configuration error: ${name}`, () => {
    assert.deepEqual(
      problemsOf(text),
      expected.map(([needle, message]) => `${at(text, needle)}: ${message}`),
    );
  });
}

test('all problems of a file are reported together, in file order', () => {
  const text = cases.find((c) => c.name.startsWith('negative'))!.text;
  const lines = problemsOf(text);
  assert.equal(lines.length, 7);
  const positions = lines.map((line) => line.split(':').slice(1, 3).map(Number));
  const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(positions, sorted);
});

test('warnings do not make a configuration invalid', () => {
  const text = ['{', '  "agents": { "total": { "kind": "compute", "model": "gpt-4o" } }', '}'].join('\n');
  assert.deepEqual(problemsOf(text), [`${at(text, '"gpt-4o"')}: warning: compute agent "total" calls no model; "model" is ignored`]);
});

test("an agent on Anthropic or Gemini with another vendor's model is warned about, at its provider or its model", () => {
  const text = [
    '{',
    '  "defaults": { "provider": "gemini" },',
    '  "agents": {',
    '    "a": { "provider": "anthropic", "model": "gpt-5", "prompt": "x" },',
    '    "b": { "model": "claude-haiku-4-5", "prompt": "x" },',
    '    "c": { "provider": "anthropic", "model": "anthropic/claude-haiku-4-5", "prompt": "x" },',
    '    "d": { "model": "gemini-2.5-flash", "prompt": "x" }',
    '  }',
    '}',
  ].join('\n');
  const loaded = loadConfigText(text, 'partycost.json');
  assert.ok(loaded.config, 'warnings only');
  assert.deepEqual(problemsOf(text), [
    `${at(text, '"anthropic", "model": "gpt-5"')}: warning: gpt-5 is a model of openai, but the agent runs on anthropic, which serves anthropic's models; set its "provider" or its "model"`,
    `${at(text, '"claude-haiku-4-5"')}: warning: claude-haiku-4-5 is a model of anthropic, but the agent runs on gemini, which serves google's models; set its "provider" or its "model"`,
  ]);
});

test('an empty file is an error, not a crash', () => {
  assert.deepEqual(problemsOf(''), ['partycost.json:1:1: empty file: expected a JSON object']);
  assert.deepEqual(problemsOf('  // only a comment\n'), ['partycost.json:1:1: empty file: expected a JSON object']);
});
