/** The work of each op (MACs, element counts, positions, gathers) for the cost model, from the graph IR. */
import type { Operator, Subgraph } from '../model/ir.ts';
import { operatorMacs } from '../model/layer-cost.ts';
import type { LayerWork } from './cost-model.ts';
import { elementCount } from './tensor-data.ts';

export function layerWork(sg: Subgraph): LayerWork[] {
  return sg.operators.map((op) => {
    const macs = operatorMacs(op, sg);
    const outputElements = op.outputs.reduce(
      (s, i) => s + (i >= 0 ? elementCount(sg.tensors[i].shape) : 0),
      0,
    );
    const out0 = op.outputs[0];
    const pixels = outputPixels(out0 !== undefined && out0 >= 0 ? sg.tensors[out0].shape : []);
    return {
      op: op.op,
      macs,
      outputElements,
      inputElements: op.inputs.reduce(
        (s, i) => s + (i >= 0 && !sg.tensors[i].data?.byteLength ? elementCount(sg.tensors[i].shape) : 0),
        0,
      ),
      outputPixels: pixels,
      gathers: gathers(op, sg, macs, outputElements, pixels),
    };
  });
}

/** Output positions: the first output's elements without its last (channel) axis. */
function outputPixels(shape: readonly number[]): number {
  return shape.length > 1 ? elementCount(shape.slice(0, -1)) : 1;
}

/**
 * Gathers per layer: the runs of input a kernel copies per output position before its dot
 * products, costed per run. A k×k CONV_2D copies kh·kw runs of in_c bytes per position into its
 * im2col patch (with the padding checks), shared by all output channels; a 1x1 one reads its input
 * in place (none). Other ops with MACs: positions × the dot-product length (MACs / outputs).
 */
function gathers(op: Operator, sg: Subgraph, macs: number, outputs: number, pixels: number): number {
  if (!(macs > 0 && outputs > 0)) return 0;
  if (op.op === 'CONV_2D') {
    const w = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? sg.tensors[op.inputs[1]].shape : [];
    if (w.length === 4) return w[1] * w[2] === 1 ? 0 : pixels * w[1] * w[2];
  }
  return (macs * pixels) / outputs;
}
