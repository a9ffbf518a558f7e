/**
 * QuantScope's per-layer figures as Google Model Explorer "node data" for the same .tflite, one
 * file per figure (Model Explorer colours the graph by one value per node): max |Δ| LSB, host-vs-
 * device rmse / scale, measured and estimated time, output tensor bytes.
 *
 * Format (Model Explorer's node_data_builder: ModelNodeData): a JSON object keyed by graph id, each
 * a GraphNodeData `{results: {<node id>: {value}}, gradient: [{stop, bgColor}]}`.
 *
 * Ids, as Model Explorer's built-in TFLite flatbuffer adapter names them
 * (src/builtin-adapter/.../direct_flatbuffer_to_json_graph_convert.cc, read for the rule only):
 *  - an op node's id is the decimal index of the op in its subgraph's `operators` list ("0", "1",
 *    …); the extra GraphInputs / GraphOutputs / constant nodes it adds have other ids and no data;
 *  - a graph's id is the subgraph's name; when empty, the signature key of the first signature
 *    def on that subgraph (if that key is not empty); otherwise "main" for subgraph 0 and
 *    "subgraph_<i>" for the others.
 * A comparison covers subgraph 0 (the one TFLite Micro invokes), so its figures go to that graph.
 */
import { elementReader } from '../compare/elements.ts';
import type { CompareResult, LayerComparison } from '../compare/types.ts';
import type { Model } from '../model/ir.ts';

export function modelExplorerGraphId(model: Model, subgraph: number): string {
  const sg = model.subgraphs[subgraph];
  if (sg?.name) return sg.name;
  const sig = model.signatureDefs.find((s) => s.subgraphIndex === subgraph);
  if (sig?.signatureKey) return sig.signatureKey;
  return subgraph === 0 ? 'main' : `subgraph_${subgraph}`;
}

export const modelExplorerNodeId = (opIndex: number): string => String(opIndex);

export interface NodeDataResult {
  value: number;
}
export interface GraphNodeData {
  results: Record<string, NodeDataResult>;
  gradient: { stop: number; bgColor: string }[];
}
/** Model Explorer's ModelNodeData: graph id -> that graph's node data. */
export type ModelNodeData = Record<string, GraphNodeData>;

export const NODE_DATA_FIGURES = [
  'max_abs_diff_lsb',
  'rmse_lsb',
  'measured_us',
  'estimated_us',
  'tensor_bytes',
] as const;
export type NodeDataFigure = (typeof NODE_DATA_FIGURES)[number];

/** One op's figure from its output rows (several for SPLIT, UNPACK…); undefined when it has none. */
function figureOf(f: NodeDataFigure, rows: LayerComparison[], r: CompareResult): number | undefined {
  const compared = rows.filter((l) => l.status === 'match' || l.status === 'mismatch');
  const max = (v: (number | undefined)[]) => {
    const ok = v.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return ok.length ? Math.max(...ok) : undefined;
  };
  switch (f) {
    case 'max_abs_diff_lsb':
      return max(compared.map((l) => l.maxAbsDiffLsb));
    case 'rmse_lsb':
      // integer tensors only: an identical one is 0, a differing one its rmse in LSB (= rmse/scale)
      return max(compared.map((l) => (elementReader(l.dtype).integer ? (l.diff?.rmseLsb ?? 0) : undefined)));
    case 'measured_us':
      // a dump has no timings (every tick 0): no figure rather than a false 0
      return r.timing.totalTicks > 0 ? max(rows.map((l) => l.measuredUs)) : undefined;
    case 'estimated_us': {
      const mhz = r.timing.estClockMHz;
      return mhz
        ? max(rows.map((l) => (l.estCycles === undefined ? undefined : l.estCycles / mhz)))
        : undefined;
    }
    case 'tensor_bytes':
      return rows.reduce((s, l) => s + l.elements * elementReader(l.dtype).size, 0);
  }
}

const GRADIENT: Record<NodeDataFigure, string> = {
  max_abs_diff_lsb: '#cf222e',
  rmse_lsb: '#cf222e',
  measured_us: '#0969da',
  estimated_us: '#9a6700',
  tensor_bytes: '#8250df',
};

/** Every figure that has a value for at least one op, as Model Explorer node data. */
export function modelExplorerNodeData(
  r: CompareResult,
  model: Model,
): Partial<Record<NodeDataFigure, ModelNodeData>> {
  const graph = modelExplorerGraphId(model, 0);
  const byOp = new Map<number, LayerComparison[]>();
  for (const l of r.layers) if (l.index >= 0) byOp.set(l.index, [...(byOp.get(l.index) ?? []), l]);
  const out: Partial<Record<NodeDataFigure, ModelNodeData>> = {};
  for (const f of NODE_DATA_FIGURES) {
    const results: Record<string, NodeDataResult> = {};
    for (const [op, rows] of byOp) {
      const value = figureOf(f, rows, r);
      if (value !== undefined) results[modelExplorerNodeId(op)] = { value };
    }
    if (Object.keys(results).length)
      out[f] = {
        [graph]: {
          results,
          gradient: [
            { stop: 0, bgColor: '#ffffff' },
            { stop: 1, bgColor: GRADIENT[f] },
          ],
        },
      };
  }
  return out;
}
