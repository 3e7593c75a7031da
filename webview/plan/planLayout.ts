import type { AgentNode, PlannedAgent } from '../protocol';
import { Graph, layout } from '@dagrejs/dagre';

export const nodeWidth = 196;
export const nodeHeight = 58;

/** An agent placed on the drawing: its centre, and what the plan decided for it (absent: not in the plan). */
export interface PlacedAgent {
  node: AgentNode;
  planned?: PlannedAgent;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface PlanLayout {
  agents: PlacedAgent[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Lays the agent graph out left to right with dagre (ranked by dependency), each agent paired with its plan entry. */
export function layoutPlan(graph: AgentNode[], planned: PlannedAgent[]): PlanLayout {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 40, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(graph.map((n) => n.agent));
  for (const node of graph) g.setNode(node.agent, { width: nodeWidth, height: nodeHeight });
  for (const node of graph) for (const upstream of node.dependsOn) if (known.has(upstream)) g.setEdge(upstream, node.agent);
  layout(g);
  const byAgent = new Map(planned.map((p) => [p.agent, p]));
  const agents = graph.map((node) => {
    const { x, y } = g.node(node.agent);
    return { node, planned: byAgent.get(node.agent), x, y };
  });
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] }));
  const { width = 0, height = 0 } = g.graph();
  return { agents, edges, width, height };
}
