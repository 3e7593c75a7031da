import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findCycles } from '../../sidecar/config/graph';

// The import rules written down in .dependency-cruiser.cjs (layers, contracts, no cycles), checked on every import,
// type-only ones included; and no cycle between folders, which dependency-cruiser does not check by itself.

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

async function cruiseTree(baseDir: string): Promise<{ modules: Module[]; violations: Violation[] }> {
  const { cruise } = await import('dependency-cruiser');
  const config = require(path.join(repo, '.dependency-cruiser.cjs')) as { forbidden: object[]; options: Record<string, unknown> };
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

/** A copy of the product's sources, to break on purpose. */
function scratchTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'partycost-architecture-'));
  for (const root of roots) cpSync(path.join(repo, root), path.join(dir, root), { recursive: true });
  return dir;
}

test('the import rules hold: layers downward, contracts at the bottom, views on their protocol, no file cycle', async () => {
  const { modules, violations } = await cruiseTree(repo);
  assert.ok(modules.length > 100, `cruised ${modules.length} modules`);
  assert.deepEqual(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`), []);
});

test('no cycle between folders', async () => {
  const { modules } = await cruiseTree(repo);
  const graph = folderGraph(modules);
  assert.ok(graph.has('sidecar/planner') && graph.has('extension/webviews/plan') && graph.has('webview/estimates'));
  assert.deepEqual(findCycles(graph), []);
});

test('the checks catch a new cycle, a contract that reaches into the engine and a view that reaches into the sidecar', async () => {
  const dir = scratchTree();
  try {
    // A domain file that imports the service (which imports the domain: a folder cycle), two files importing each
    // other, a contract importing the engine, a view importing the planner, the traces leaf importing the engine.
    writeFileSync(path.join(dir, 'sidecar/party/shortcut.ts'), "import type { PartyService } from '../service/partyService';\nexport type Shortcut = PartyService;\n");
    writeFileSync(path.join(dir, 'sidecar/cost/first.ts'), "import type { B } from './second';\nexport type A = { b?: B };\n");
    writeFileSync(path.join(dir, 'sidecar/cost/second.ts'), "import type { A } from './first';\nexport type B = { a?: A };\n");
    writeFileSync(path.join(dir, 'sidecar/contract/leak.ts'), "import type { PriceBook } from '../cost/prices';\nexport type Leak = PriceBook;\n");
    writeFileSync(path.join(dir, 'webview/plan/leak.ts'), "import type { PlanInput } from '../../sidecar/planner/plan';\nexport type Leak = PlanInput;\n");
    writeFileSync(path.join(dir, 'sidecar/traces/leak.ts'), "import type { PriceBook } from '../cost/prices';\nexport type Leak = PriceBook;\n");
    const { modules, violations } = await cruiseTree(dir);
    const rules = new Set(violations.map((v) => v.rule.name));
    for (const rule of ['no-circular', 'domain-imports-nothing-above', 'contracts-import-only-contracts', 'views-know-only-their-protocol', 'traces-is-a-leaf']) {
      assert.ok(rules.has(rule), `expected a ${rule} violation, got ${[...rules].join(', ')}`);
    }
    assert.ok(findCycles(folderGraph(modules)).some((cycle) => cycle.includes('sidecar/party') && cycle.includes('sidecar/service')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
