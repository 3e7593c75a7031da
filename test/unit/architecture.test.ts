import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findCycles } from '../../sidecar/config/graph';

// The import rules written down in .dependency-cruiser.cjs (the sidecar's folders in layer order, contracts, views,
// wiring, the store), checked on every import, type-only ones included; no cycle between folders, which
// dependency-cruiser does not check by itself; and no SQL outside sidecar/store/. Each rule is then broken on purpose
// in a scratch copy, to see that it is caught.

const repo = path.resolve(__dirname, '..', '..');
const roots = ['sidecar', 'extension', 'webview'];

interface Module {
  source: string;
  dependencies: { resolved: string }[];
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

interface Config {
  forbidden: { name: string }[];
  options: Record<string, unknown>;
  layers: [string, string[]][];
}

const config = require(path.join(repo, '.dependency-cruiser.cjs')) as Config;

async function cruiseTree(baseDir: string): Promise<{ modules: Module[]; violations: Violation[] }> {
  const { cruise } = await import('dependency-cruiser');
  const { tsConfig: _tsConfig, ...options } = config.options;
  const result = await cruise(roots, { ...options, validate: true, ruleSet: { forbidden: config.forbidden }, baseDir } as never);
  const output = result.output as { modules: Module[]; summary: { violations: Violation[] } };
  return { modules: output.modules, violations: output.summary.violations };
}

/** Folder → the folders its files import from (a file's folder is its directory). */
function folderGraph(modules: Module[]): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const module of modules) {
    if (!roots.some((root) => module.source.startsWith(`${root}/`))) continue;
    const from = path.dirname(module.source);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const dependency of module.dependencies) {
      const to = path.dirname(dependency.resolved);
      if (to !== from && roots.some((root) => dependency.resolved.startsWith(`${root}/`))) edges.add(to);
    }
  }
  return new Map([...graph].map(([folder, edges]) => [folder, [...edges]]));
}

/** Every TypeScript file under a folder, relative to `base`. */
function sourcesUnder(base: string, folder: string): string[] {
  return readdirSync(path.join(base, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

/** SQL statements in a file's text: a statement keyword followed by what it acts on. */
const sqlText = /\b(SELECT\s+[\w*(]|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|TRIGGER)\b|PRAGMA\s+\w)/;

/** The files outside sidecar/store/ that hold SQL. */
function sqlOutsideStore(base: string): string[] {
  return sourcesUnder(base, 'sidecar').filter(
    (file) => !file.startsWith(path.join('sidecar', 'store') + path.sep) && sqlText.test(readFileSync(path.join(base, file), 'utf8')),
  );
}

/** A copy of the product's sources, to break on purpose (the packages linked, so imports of them resolve). */
function scratchTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'partycost-architecture-'));
  for (const root of roots) cpSync(path.join(repo, root), path.join(dir, root), { recursive: true });
  symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The sidecar's folders in layer order, as the rules list them. */
const folders = config.layers.flatMap(([, names]) => names);

/** A file of a folder (or the file itself) to import, as a path relative to `from`'s folder. */
function importOf(base: string, from: string, folder: string): string {
  const target = folder.endsWith('.ts') ? path.join('sidecar', folder) : sourcesUnder(base, path.join('sidecar', folder))[0]!;
  const relative = path.relative(path.dirname(from), target).replace(/\.ts$/, '');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

test('the import rules hold: every folder imports only what stands before it, contracts at the bottom, wiring on services', async () => {
  const { modules, violations } = await cruiseTree(repo);
  assert.ok(modules.length > 100, `cruised ${modules.length} modules`);
  assert.deepEqual(
    violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
  );
});

test('no cycle between folders', async () => {
  const { modules } = await cruiseTree(repo);
  const graph = folderGraph(modules);
  assert.ok(graph.has('sidecar/planner') && graph.has('extension/webviews/plan') && graph.has('webview/estimates'));
  assert.deepEqual(findCycles(graph), []);
});

test('no SQL outside sidecar/store/', () => {
  assert.ok(sqlText.test(readFileSync(path.join(repo, 'sidecar/store/ledger.ts'), 'utf8')), 'the check finds the SQL the store holds');
  assert.deepEqual(sqlOutsideStore(repo), []);
});

test('each rule catches a violation planted in a scratch copy', async () => {
  const dir = scratchTree();
  try {
    const planted = new Map<string, string[]>();
    const plant = (rule: string, file: string, text: string): void => {
      writeFileSync(path.join(dir, file), text);
      planted.set(rule, [...(planted.get(rule) ?? []), file]);
    };
    // Each folder importing the folder right after it in the order (protocol.ts, a file, gets the import appended).
    folders.slice(0, -1).forEach((folder, i) => {
      const rule = `${folder.replace('.ts', '')}-imports-downward-only`;
      const file = folder.endsWith('.ts') ? `sidecar/${folder}` : `sidecar/${folder}/planted.ts`;
      const before = folder.endsWith('.ts') ? readFileSync(path.join(dir, file), 'utf8') : '';
      plant(rule, file, `${before}\nimport type * as next from '${importOf(dir, file, folders[i + 1]!)}';\nexport type PlantedNext = typeof next;\n`);
    });
    plant('contracts-import-only-contracts', 'sidecar/contract/leak.ts', "import type { PriceBook } from '../cost/prices';\nexport type Leak = PriceBook;\n");
    plant('contracts-do-no-io', 'sidecar/contract/reads.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    plant('wiring-calls-services', 'sidecar/cli/shortcut.ts', "import { estimate } from '../estimate/estimate';\nexport const shortcut = estimate;\n");
    plant(
      'only-the-store-speaks-sql',
      'sidecar/service/query.ts',
      "import Database from 'better-sqlite3';\nexport const open = (file: string) => new Database(file);\n",
    );
    plant('sidecar-knows-no-host-or-view', 'sidecar/service/host.ts', "import type * as vscode from 'vscode';\nexport type Host = typeof vscode;\n");
    plant(
      'extension-reaches-sidecar-through-contract',
      'extension/shortcut.ts',
      "import type { PartyService } from '../sidecar/service/partyService';\nexport type Shortcut = PartyService;\n",
    );
    plant(
      'extension-reaches-views-through-contract',
      'extension/view.ts',
      "import type * as view from '../webview/plan/planView';\nexport type View = typeof view;\n",
    );
    plant(
      'views-know-only-their-protocol',
      'webview/plan/leak.ts',
      "import type { PlanInput } from '../../sidecar/planner/plan';\nexport type Leak = PlanInput;\n",
    );
    plant(
      'leaf-libraries-import-nothing-of-ours',
      'sidecar/sources/python/leak.ts',
      "import type { Problem } from '../../config/problems';\nexport type Leak = Problem;\n",
    );
    plant(
      'leaf-libraries-import-nothing-of-ours',
      'sidecar/traces/leak.ts',
      "import type { Problem } from '../config/problems';\nexport type Leak = Problem;\n",
    );
    plant('no-circular', 'sidecar/cost/first.ts', "import type { B } from './second';\nexport type A = { b?: B };\n");
    writeFileSync(path.join(dir, 'sidecar/cost/second.ts'), "import type { A } from './first';\nexport type B = { a?: A };\n");
    writeFileSync(path.join(dir, 'sidecar/impact/sql.ts'), "export const count = 'SELECT count(*) FROM parties';\n");

    const { modules, violations } = await cruiseTree(dir);
    const caught = new Map<string, string[]>();
    for (const v of violations) caught.set(v.rule.name, [...(caught.get(v.rule.name) ?? []), v.from]);
    const rules = config.forbidden.map((rule) => rule.name);
    assert.deepEqual(
      rules.filter((rule) => !planted.has(rule)),
      [],
      'every rule has a violation planted',
    );
    for (const [rule, files] of planted) {
      for (const file of files) assert.ok(caught.get(rule)?.includes(file), `${rule} catches ${file}; caught: ${JSON.stringify(caught.get(rule) ?? [])}`);
    }
    assert.deepEqual(sqlOutsideStore(dir), ['sidecar/impact/sql.ts'.split('/').join(path.sep)]);
    // A folder cycle the file rules do not see: the domain importing the services.
    writeFileSync(
      path.join(dir, 'sidecar/party/shortcut.ts'),
      "import type { PartyService } from '../service/partyService';\nexport type Shortcut = PartyService;\n",
    );
    const cycled = await cruiseTree(dir);
    assert.ok(findCycles(folderGraph(cycled.modules)).some((cycle) => cycle.includes('sidecar/party') && cycle.includes('sidecar/service')));
    assert.ok(modules.length > 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
