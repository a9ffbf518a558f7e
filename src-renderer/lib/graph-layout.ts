/**
 * Operator graph of a model summary laid out top-to-bottom with dagre. Nodes are graph inputs,
 * operators and graph outputs; an edge joins the producer of a tensor to each consumer. Constant
 * tensors (weights, bias) are not nodes: they are part of their operator.
 */
import dagre from '@dagrejs/dagre';
import type { ModelSummary, TensorSummary } from '../../src-main/shared/summary.ts';
import { formatShape, shortDtype } from './format.ts';

export type GraphNodeKind = 'input' | 'op' | 'output';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** Layer index for operator nodes, tensor index for inputs/outputs. */
  ref: number;
  title: string;
  subtitle: string;
  supported: boolean;
  /** Centre and size, in layout units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  tensor: number;
  /** SVG path data through dagre's bend points. */
  path: string;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

const CHAR_WIDTH = 7.2; // monospace 12 px
const NODE_HEIGHT = 38;

function tensorLabel(t: TensorSummary): string {
  return `${formatShape(t.shape)} ${shortDtype(t.dtype)}`;
}

function nodeWidth(title: string, subtitle: string): number {
  return Math.max(96, Math.ceil(Math.max(title.length, subtitle.length) * CHAR_WIDTH) + 24);
}

export function layoutGraph(summary: ModelSummary): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 32, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));

  const nodes = new Map<string, Omit<GraphNode, 'x' | 'y'>>();
  const addNode = (n: Omit<GraphNode, 'x' | 'y'>): void => {
    nodes.set(n.id, n);
    g.setNode(n.id, { width: n.width, height: n.height });
  };

  /** tensor index → id of the node that produces it */
  const producer = new Map<number, string>();
  for (const t of summary.inputs) {
    const id = `in:${t.tensor}`;
    const title = t.name || `input ${t.tensor}`;
    const subtitle = tensorLabel(t);
    addNode({ id, kind: 'input', ref: t.tensor, title, subtitle, supported: true, width: nodeWidth(title, subtitle), height: NODE_HEIGHT });
    producer.set(t.tensor, id);
  }
  for (const l of summary.layers) {
    const id = `op:${l.index}`;
    const subtitle = l.outputs.map(tensorLabel).join(', ');
    addNode({ id, kind: 'op', ref: l.index, title: l.op, subtitle, supported: l.supported, width: nodeWidth(l.op, subtitle), height: NODE_HEIGHT });
    for (const t of l.outputs) producer.set(t.tensor, id);
  }
  for (const t of summary.outputs) {
    const id = `out:${t.tensor}`;
    const title = t.name || `output ${t.tensor}`;
    const subtitle = tensorLabel(t);
    addNode({ id, kind: 'output', ref: t.tensor, title, subtitle, supported: true, width: nodeWidth(title, subtitle), height: NODE_HEIGHT });
  }

  const edgeList: Omit<GraphEdge, 'path'>[] = [];
  const connect = (from: string | undefined, to: string, tensor: number): void => {
    if (!from || from === to) return;
    const name = `${tensor}`;
    if (g.hasEdge(from, to, name)) return;
    g.setEdge(from, to, {}, name);
    edgeList.push({ from, to, tensor });
  };
  for (const l of summary.layers) {
    for (const t of l.inputs) if (!t.constant) connect(producer.get(t.tensor), `op:${l.index}`, t.tensor);
  }
  for (const t of summary.outputs) connect(producer.get(t.tensor), `out:${t.tensor}`, t.tensor);

  dagre.layout(g);

  const laidOut: GraphNode[] = [];
  for (const n of nodes.values()) {
    const p = g.node(n.id) as { x: number; y: number };
    laidOut.push({ ...n, x: p.x, y: p.y });
  }
  const edges: GraphEdge[] = edgeList.map((e) => {
    const label = g.edge(e.from, e.to, `${e.tensor}`) as { points?: { x: number; y: number }[] };
    return { ...e, path: smoothPath(label.points ?? []) };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes: laidOut, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

/** Path through dagre's points: straight first/last segments, quadratic curves through the bends. */
function smoothPath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  let d = `M${points[0].x},${points[0].y}`;
  if (points.length === 2) return `${d}L${points[1].x},${points[1].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const next = points[i + 1];
    const mx = (p.x + next.x) / 2;
    const my = (p.y + next.y) / 2;
    d += i === points.length - 2 ? `Q${p.x},${p.y} ${next.x},${next.y}` : `Q${p.x},${p.y} ${mx},${my}`;
  }
  return d;
}
