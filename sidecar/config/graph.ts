/** Agent name → the names of the agents it depends on. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Every dependency cycle, each as the path that closes it (`[a, b, a]`), one per strongly connected component
 * (Tarjan's algorithm), in the graph's insertion order.
 */
export function findCycles(graph: DependencyGraph): string[][] {
  return stronglyConnected(graph)
    .filter((component) => component.length > 1 || (graph.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => cyclePath(graph, component));
}

function stronglyConnected(graph: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** A concrete path from the component's first agent (in file order) back to itself. */
function cyclePath(graph: DependencyGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = [...graph.keys()].find((name) => members.has(name))!;
  const path = [start];
  const seen = new Set<string>();
  const walk = (node: string): boolean => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return path.push(start) > 0;
      if (!members.has(next) || seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return path;
}

/**
 * Agents ordered so that each comes after everything it depends on; among those ready, the earliest in the file
 * comes first, so a plan reads in the order the configuration does.
 */
export function topologicalOrder(graph: DependencyGraph): string[] {
  const remaining = [...graph.keys()];
  const placed = new Set<string>();
  const order: string[] = [];
  while (remaining.length) {
    const next = remaining.findIndex((name) => graph.get(name)!.every((dep) => placed.has(dep) || !graph.has(dep)));
    if (next < 0) throw new Error(`dependency cycle among ${remaining.join(', ')}`);
    const [name] = remaining.splice(next, 1) as [string];
    placed.add(name);
    order.push(name);
  }
  return order;
}
