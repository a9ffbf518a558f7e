/** The work of each op (MACs, element counts) for the cost model, from the graph IR. */
import type { Subgraph } from '../model/ir.ts';
import { operatorMacs } from '../model/layer-cost.ts';
import type { LayerWork } from './cost-model.ts';
import { elementCount } from './tensor-data.ts';

export function layerWork(sg: Subgraph): LayerWork[] {
  return sg.operators.map((op) => ({
    op: op.op,
    macs: operatorMacs(op, sg),
    outputElements: op.outputs.reduce((s, i) => s + (i >= 0 ? elementCount(sg.tensors[i].shape) : 0), 0),
    inputElements: op.inputs.reduce(
      (s, i) => s + (i >= 0 && !sg.tensors[i].data?.byteLength ? elementCount(sg.tensors[i].shape) : 0),
      0,
    ),
  }));
}
