// The sample outputs shown in README.md and docs/*.md, produced by the commands themselves so they cannot go stale.
// Usage: node scripts/samples.mjs            rewrite every marked block with what its recipe prints now
//        node scripts/samples.mjs --check    exit 1, listing each block (with a diff) that differs from it
// (npm run samples writes; test/cli/samples.test.ts checks, after npm test has built the CLI.)
//
// A block is marked in the Markdown by the name of the recipe that produces it:
//
//   <!-- sample: estimate-sample -->
//   ```text
//   …output…
//   ```
//   <!-- /sample -->
//
// Each recipe runs the BUILT CLI (`node bin/partycost.js`, as `npx partycost` does) in a scratch directory holding a
// copy of an example under its own name (examples/party-planner, examples/crew), with `--workspace` pointing at the
// copy and PARTYCOST_DB in the scratch directory; the environment is cleared of everything that would change an
// answer (PARTYCOST_*, API keys and base URLs, CrewAI's MODEL variables, git's). Stdout and stderr go to one file,
// in the order a terminal shows them. The block starts with the command shown as `$ npx partycost …`.
//
// Normalised, because it is volatile by nature and nothing else: a path in the temporary directory (the scratch
// directory, the demo's own scratch database) becomes `/tmp/…`, and a date with a time of day (`2026-12-07 18:03:17`,
// ISO or not) becomes `YYYY-MM-DD hh:mm:ss`. Everything else is printed as the commands print it: the offline
// provider, the bundled price catalogue and the examples make it the same on every run.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'partycost.js');

/** A configuration with the two mistakes users make most: a misspelt model and agents that wait on each other. */
const brokenConfig = `{
  "defaults": { "model": "gpt-4o-mni" },
  "agents": {
    "a": { "prompt": "Plan with {{b}}", "dependsOn": ["b"] },
    "b": { "prompt": "Check {{a}}", "dependsOn": ["a"] }
  }
}
`;

/**
 * The recipes, by the name a block gives. Each sets up a scratch directory (`ws`) and returns what its last command
 * printed; `shown` commands are printed in the block, the others only prepare.
 */
const recipes = {
  help: async (ws) => ws.shown(['--help']),
  'estimate-sample': async (ws) => {
    ws.example('party-planner');
    return ws.shown(['estimate', '--workspace', 'examples/party-planner']);
  },
  'estimate-crew': async (ws) => {
    ws.example('crew');
    return ws.shown(['estimate', '--workspace', 'examples/crew']);
  },
  'config-problems': async (ws) => {
    ws.write('my-agents/partycost.json', brokenConfig);
    return ws.shown(['estimate', '--workspace', 'my-agents'], 1);
  },
  'cost-diff': async (ws) => {
    ws.example('party-planner');
    await ws.git('init', '-q');
    await ws.git('add', '.');
    await ws.git('commit', '-q', '-m', 'the sample');
    ws.edit('examples/party-planner/partycost.json', '"expectedOutputTokens": 700', '"expectedOutputTokens": 750');
    return ws.shown(['estimate', '--workspace', 'examples/party-planner', '--against', 'HEAD', '--max-increase', '5'], 1);
  },
  'plan-after-edit': async (ws) => {
    ws.example('party-planner');
    const at = ['--workspace', 'examples/party-planner'];
    await ws.run(['party', 'create', '--input', 'jungle theme', '--input', '75 guests', '--input', 'chocolate cake', ...at]);
    await ws.run(['run', 'P1', ...at]);
    await ws.run(['input', 'add', 'P1', 'Need balloon artist', ...at]);
    await ws.run(['input', 'remove', 'P1', 'i3', ...at]);
    return ws.shown(['plan', 'P1', ...at]);
  },
  'impact-sample': async (ws) => {
    ws.example('party-planner');
    const at = ['--workspace', 'examples/party-planner'];
    await ws.run(['party', 'create', '--input', 'jungle theme', '--input', '75 guests', '--input', 'chocolate cake', ...at]);
    await ws.run(['party', 'create', '--input', 'pirate theme', '--input', '40 kids', ...at]);
    await ws.run(['run', 'P1', ...at]);
    await ws.run(['run', 'P2', ...at]);
    ws.edit('examples/party-planner/partycost.json', 'Suggest a party theme, colours and decorations', 'Suggest a party theme, colours, music and decorations');
    return ws.shown(['impact', ...at]);
  },
  'advise-sample': async (ws) => {
    ws.example('party-planner');
    return ws.shown(['advise', '--workspace', 'examples/party-planner']);
  },
  'prices-gpt-4o': async (ws) => ws.shown(['prices', 'gpt-4o']),
  demo: async (ws) => {
    const shown = await ws.shown(['demo']);
    // The demo keeps its scratch database (it prints where); this one is ours to remove.
    const database = /^Database: (.+)$/m.exec(ws.raw)?.[1];
    if (database?.startsWith(path.join(tmpdir(), 'partycost-demo-'))) rmSync(path.dirname(database), { recursive: true, force: true });
    return shown;
  },
  /** The demo's step 5, the delta plan after the edit, from the same run as `demo`. */
  'demo-delta-plan': async () => {
    const demo = await produce('demo');
    const lines = demo.split('\n');
    const from = lines.findIndex((line) => line.startsWith('── 5.'));
    const to = lines.findIndex((line) => line.startsWith('── 6.'));
    if (from < 0 || to < from) throw new Error('the demo no longer has steps 5 and 6: update the demo-delta-plan recipe');
    return ['$ npx partycost demo', '…', ...lines.slice(from, to).join('\n').trimEnd().split('\n'), '…'].join('\n');
  },
};

/** Variables that would change an answer, removed from the commands' environment. */
const unsafe = /^(PARTYCOST_|GIT_|NODE_OPTIONS$|MODEL$|MODEL_NAME$|OPENAI_MODEL_NAME$|OPENAI_|ANTHROPIC_|GEMINI_|GOOGLE_)/;

/** A scratch directory for one recipe, and the commands run in it. */
class Scratch {
  constructor(name) {
    this.dir = mkdtempSync(path.join(tmpdir(), `partycost-samples-${name}-`));
    const kept = Object.entries(process.env).filter(([key]) => !unsafe.test(key));
    this.env = {
      ...Object.fromEntries(kept),
      PARTYCOST_DB: path.join(this.dir, '.db', 'partycost.db'),
      NO_COLOR: '1',
      TZ: 'UTC',
      // git looks no higher than the scratch directory for a repository.
      GIT_CEILING_DIRECTORIES: path.dirname(this.dir),
      GIT_AUTHOR_NAME: 'samples',
      GIT_AUTHOR_EMAIL: 'samples@example.invalid',
      GIT_COMMITTER_NAME: 'samples',
      GIT_COMMITTER_EMAIL: 'samples@example.invalid',
    };
  }

  /** A copy of examples/NAME at examples/NAME, without any state a command left in the original. */
  example(name) {
    cpSync(path.join(root, 'examples', name), path.join(this.dir, 'examples', name), {
      recursive: true,
      filter: (source) => path.basename(source) !== '.partycost',
    });
  }

  write(file, text) {
    mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    writeFileSync(path.join(this.dir, file), text);
  }

  /** Replaces a text the recipe relies on; fails loudly when the example no longer holds it. */
  edit(file, from, to) {
    const text = readFileSync(path.join(this.dir, file), 'utf8');
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}: update the recipe`);
    writeFileSync(path.join(this.dir, file), text.replace(from, to));
  }

  git(...args) {
    return this.exec('git', ['-c', 'commit.gpgsign=false', ...args], 0);
  }

  /** A command that prepares: it must succeed; its output is not shown. */
  run(args) {
    return this.exec(process.execPath, [bin, ...args], 0);
  }

  /** The command the block shows: `$ npx partycost …` and what it printed, stdout and stderr as a terminal interleaves them. */
  async shown(args, expectedCode = 0) {
    const output = await this.exec(process.execPath, [bin, ...args], expectedCode);
    return `$ npx partycost ${args.map(quote).join(' ')}\n${output}`;
  }

  /** Runs a program in the scratch directory with both streams into one file; fails on an unexpected exit code. */
  async exec(program, args, expectedCode) {
    const file = path.join(this.dir, '.output');
    const fd = openSync(file, 'w');
    const code = await new Promise((resolve, reject) => {
      const child = spawn(program, args, { cwd: this.dir, env: this.env, stdio: ['ignore', fd, fd] });
      child.on('error', reject);
      child.on('exit', (status) => resolve(status));
    });
    closeSync(fd);
    const output = readFileSync(file, 'utf8');
    this.raw = output;
    if (code !== expectedCode) {
      throw new Error(`${path.basename(program)} ${args.join(' ')} exited ${code}, not ${expectedCode}:\n${output}`);
    }
    return this.normalise(output);
  }

  normalise(text) {
    return text
      .replaceAll(this.dir, '/tmp/…')
      .replace(new RegExp(`${literal(tmpdir())}/partycost-[\\w-]+`, 'g'), '/tmp/…')
      .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, 'YYYY-MM-DD hh:mm:ss')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .trimEnd();
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function quote(arg) {
  return /^[\w./:=@%+-]+$/.test(arg) ? arg : `"${arg}"`;
}

function literal(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each recipe runs once per invocation, however many blocks show it. */
const produced = new Map();

function produce(name) {
  if (!produced.has(name)) {
    produced.set(
      name,
      (async () => {
        const ws = new Scratch(name);
        try {
          return await recipes[name](ws);
        } finally {
          ws.remove();
        }
      })(),
    );
  }
  return produced.get(name);
}

const opening = /^<!-- sample: ([\w-]+) -->$/;
const closing = '<!-- /sample -->';

/** The marked blocks of a Markdown file: the recipe, the lines between the markers, where they are. */
function blocksOf(file, text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const match = opening.exec(lines[i]);
    if (!match) continue;
    const end = lines.indexOf(closing, i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: "${lines[i]}" has no closing ${closing}`);
    if (!recipes[match[1]]) throw new Error(`${file}:${i + 1}: no recipe "${match[1]}"; recipes: ${Object.keys(recipes).join(', ')}`);
    blocks.push({ recipe: match[1], line: i + 1, start: i + 1, end, body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return { lines, blocks };
}

/** The block's body as written: a fence longer than any run of backticks in the output. */
function fenced(output) {
  const longest = Math.max(2, ...[...output.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${output}\n${fence}`;
}

/** A line diff (longest common subsequence): `-` the block as written, `+` what the recipe prints now. */
function diff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`  - ${a[i++]}`);
    else out.push(`  + ${b[j++]}`);
  }
  return out.join('\n');
}

async function main() {
  const check = process.argv.includes('--check');
  if (!existsSync(path.join(root, 'dist', 'sidecar.js'))) throw new Error('the CLI is not built: run "npm run build" first');
  const files = ['README.md', ...readdirMarkdown('docs')];
  const parsed = files.map((file) => ({ file, ...blocksOf(file, readFileSync(path.join(root, file), 'utf8')) }));
  const names = [...new Set(parsed.flatMap((p) => p.blocks.map((b) => b.recipe)))];
  const outputs = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await produce(name)])));

  const stale = [];
  for (const { file, lines, blocks } of parsed) {
    // From the last block up, so the line numbers of earlier blocks stay right while lines are replaced.
    for (const block of [...blocks].reverse()) {
      const now = fenced(outputs[block.recipe]);
      if (now === block.body) continue;
      stale.push({ file, block, now });
      lines.splice(block.start, block.end - block.start, ...now.split('\n'));
    }
    if (!check) writeFileSync(path.join(root, file), lines.join('\n'));
  }
  const count = parsed.reduce((sum, p) => sum + p.blocks.length, 0);
  if (!check) {
    console.log(`${count} sample blocks from ${names.length} recipes; ${stale.length} rewritten${stale.length ? `: ${stale.map(where).join(', ')}` : ''}`);
    return;
  }
  if (!stale.length) {
    console.log(`${count} sample blocks from ${names.length} recipes: all as the commands print them now`);
    return;
  }
  console.log(`${stale.length} of ${count} sample blocks differ from what the commands print now (npm run samples rewrites them):`);
  stale.sort((x, y) => files.indexOf(x.file) - files.indexOf(y.file) || x.block.line - y.block.line);
  for (const { file, block, now } of stale) console.log(`\n${where({ file, block })}\n${diff(block.body, now)}`);
  process.exitCode = 1;
}

function where({ file, block }) {
  return `${file}:${block.line} (${block.recipe})`;
}

function readdirMarkdown(dir) {
  return readdirSync(path.join(root, dir))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `${dir}/${name}`);
}

await main().catch((error) => {
  console.error(`samples: ${error.message}`);
  process.exitCode = 2;
});
