import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles } from '../../sidecar/config/graph';

test('a dependency graph without cycles has none reported', () => {
  const graph = new Map([
    ['theme', []],
    ['cake', ['theme']],
    ['venue', ['theme']],
    ['budget', ['cake', 'venue', 'missing']],
    ['planner_final', ['budget']],
  ]);
  assert.deepEqual(findCycles(graph), []);
});

test('each cycle is reported once, as a closed path of real edges', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
    ['f', ['g']],
    ['g', ['f']],
  ]);
  assert.deepEqual(findCycles(graph), [
    ['a', 'b', 'c', 'a'],
    ['e', 'e'],
    ['f', 'g', 'f'],
  ]);
});

/** Kahn's algorithm, written independently of the implementation under test: can every node be ordered? */
function acyclic(graph: Map<string, string[]>): boolean {
  const indegree = new Map([...graph.keys()].map((n) => [n, 0]));
  for (const deps of graph.values()) for (const d of deps) indegree.set(d, indegree.get(d)! + 1);
  const ready = [...indegree].filter(([, n]) => n === 0).map(([name]) => name);
  let seen = 0;
  while (ready.length) {
    seen++;
    for (const d of graph.get(ready.pop()!)!) {
      indegree.set(d, indegree.get(d)! - 1);
      if (indegree.get(d) === 0) ready.push(d);
    }
  }
  return seen === graph.size;
}

test('property: cycles are found exactly when no topological order exists, and every reported path is a cycle', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 500; round++) {
    const size = 1 + random(12);
    const names = Array.from({ length: size }, (_, i) => `agent${i}`);
    const graph = new Map(names.map((name) => [name, names.filter(() => random(size + 2) === 0)]));
    const cycles = findCycles(graph);
    assert.equal(cycles.length === 0, acyclic(graph), JSON.stringify([...graph]));
    for (const cycle of cycles) {
      assert.equal(cycle[0], cycle[cycle.length - 1]);
      for (let i = 0; i + 1 < cycle.length; i++) assert.ok(graph.get(cycle[i])!.includes(cycle[i + 1]));
      assert.equal(new Set(cycle.slice(1)).size, cycle.length - 1, 'a cycle visits each agent once');
    }
  }
});
