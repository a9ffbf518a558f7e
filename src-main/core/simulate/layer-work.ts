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
    const kernel = kernelKey(op, sg);
    return {
      op: op.op,
      ...(kernel !== op.op ? { kernel } : {}),
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

/**
 * Which kernel runs the op, as far as its cost differs: the op type when its first input and output
 * are int8 (the common case), otherwise the op type with their types (QUANTIZE:float32>int8 is a
 * float conversion, soft-float on the M3; QUANTIZE int8>int8 a requantize); SVDF also by its
 * activation-state type (int16 state in TFLM's full-integer SVDF, int8 in the 8-bit one).
 */
export function kernelKey(op: Operator, sg: Subgraph): string {
  const dt = (i: number | undefined) =>
    i !== undefined && i >= 0 ? (sg.tensors[i]?.dtype ?? 'int8') : 'int8';
  const input = dt(op.inputs.find((i) => i >= 0 && !sg.tensors[i]?.data?.byteLength));
  const output = dt(op.outputs[0]);
  const types = input === 'int8' && output === 'int8' ? '' : `:${input}>${output}`;
  if (op.op === 'SVDF') return `SVDF${types}:${dt(op.inputs[2])} state`;
  return op.op + types;
}

/** Output positions: the first output's elements without its last (channel) axis. */
function outputPixels(shape: readonly number[]): number {
  return shape.length > 1 ? elementCount(shape.slice(0, -1)) : 1;
}

/**
 * Gathers per layer: the runs of input a kernel copies per output position before its dot
 * products, costed per run. A k×k CONV_2D copies kh·kw runs of in_c bytes per position into its
 * im2col patch (with the padding checks), shared by all output channels; a 1x1 one reads its input
 * in place (none). SVDF: the activation state it shifts by one step per invocation (filters ×
 * memory, apart from the MACs). UNIDIRECTIONAL_SEQUENCE_LSTM: none — its work is the gate MACs
 * (MACs), the gate and cell-state updates per step and unit (outputs) and the eight gate matmuls
 * per time step (positions = steps). The signal-library ops: none (their MACs are window products,
 * FFT products, filter-bank weights: layer-cost.ts). Other ops with MACs: positions × the
 * dot-product length (MACs / outputs).
 */
function gathers(op: Operator, sg: Subgraph, macs: number, outputs: number, pixels: number): number {
  if (op.op === 'SVDF') {
    const w = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? sg.tensors[op.inputs[2]].shape : [];
    return w.length === 2 ? w[0] * w[1] : 0;
  }
  if (op.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || op.op.startsWith('Signal')) return 0;
  if (!(macs > 0 && outputs > 0)) return 0;
  if (op.op === 'CONV_2D') {
    const w = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? sg.tensors[op.inputs[1]].shape : [];
    if (w.length === 4) return w[1] * w[2] === 1 ? 0 : pixels * w[1] * w[2];
  }
  return (macs * pixels) / outputs;
}
