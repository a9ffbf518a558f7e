/**
 * Operator graph of a model summary laid out top-to-bottom with dagre. Nodes are graph inputs,
 * operators and graph outputs; an edge joins the producer of a tensor to each consumer. Constant
 * tensors (weights, bias) are not nodes: they are part of their operator.
 *
 * A graph input read by many operators would need one long edge per reader; dagre routes each
 * through a dummy node per rank crossed, which is quadratic in depth and unreadable. Such inputs
 * are not nodes: each reader lists them in `refs` and the view draws a tag on it.
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
  /** Names of widely shared graph inputs this operator reads (drawn as tags, not edges). */
  refs: string[];
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
const REF_LINE = 13;
/** Operator count above which the faster ranker is used. */
const LARGE_GRAPH = 150;
/** Graph inputs with more readers than this become tags on their readers. */
const MAX_SHARED_READERS = 3;

function tensorLabel(t: TensorSummary): string {
  return `${formatShape(t.shape)} ${shortDtype(t.dtype)}`;
}

function nodeWidth(title: string, subtitle: string): number {
  return Math.max(96, Math.ceil(Math.max(title.length, subtitle.length) * CHAR_WIDTH) + 24);
}

export function layoutGraph(summary: ModelSummary): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  // Network simplex gives the tidiest ranks but grows fastest; big graphs use longest-path.
  const ranker = summary.layers.length > LARGE_GRAPH ? 'longest-path' : 'network-simplex';
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 32, edgesep: 12, marginx: 16, marginy: 16, ranker });
  g.setDefaultEdgeLabel(() => ({}));

  const nodes = new Map<string, Omit<GraphNode, 'x' | 'y'>>();
  const addNode = (n: Omit<GraphNode, 'x' | 'y'>): void => {
    nodes.set(n.id, n);
    g.setNode(n.id, { width: n.width, height: n.height });
  };

  const readers = new Map<number, number>();
  for (const l of summary.layers) {
    for (const t of l.inputs) if (!t.constant) readers.set(t.tensor, (readers.get(t.tensor) ?? 0) + 1);
  }
  /** Graph inputs drawn as per-reader references (tensor index → its summary). */
  const shared = new Map<number, TensorSummary>();

  /** tensor index → id of the node that produces it */
  const producer = new Map<number, string>();
  for (const t of summary.inputs) {
    if ((readers.get(t.tensor) ?? 0) > MAX_SHARED_READERS) {
      shared.set(t.tensor, t);
      continue;
    }
    const id = `in:${t.tensor}`;
    const title = t.name || `input ${t.tensor}`;
    const subtitle = tensorLabel(t);
    addNode({
      id,
      kind: 'input',
      ref: t.tensor,
      title,
      subtitle,
      supported: true,
      refs: [],
      width: nodeWidth(title, subtitle),
      height: NODE_HEIGHT,
    });
    producer.set(t.tensor, id);
  }
  for (const l of summary.layers) {
    const id = `op:${l.index}`;
    const subtitle = l.outputs.map(tensorLabel).join(', ');
    const refs = l.inputs
      .filter((t) => !t.constant && shared.has(t.tensor))
      .map((t) => t.name || `input ${t.tensor}`);
    const width = Math.max(nodeWidth(l.op, subtitle), ...refs.map((r) => nodeWidth('', `+ ${r}`)));
    addNode({
      id,
      kind: 'op',
      ref: l.index,
      title: l.op,
      subtitle,
      supported: l.supported,
      refs,
      width,
      height: NODE_HEIGHT + REF_LINE * refs.length,
    });
    for (const t of l.outputs) producer.set(t.tensor, id);
  }
  for (const t of summary.outputs) {
    const id = `out:${t.tensor}`;
    const title = t.name || `output ${t.tensor}`;
    const subtitle = tensorLabel(t);
    addNode({
      id,
      kind: 'output',
      ref: t.tensor,
      title,
      subtitle,
      supported: true,
      refs: [],
      width: nodeWidth(title, subtitle),
      height: NODE_HEIGHT,
    });
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
