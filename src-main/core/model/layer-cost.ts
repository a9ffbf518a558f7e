/**
 * Multiply-accumulate count and parameter count of one operator, from tensor shapes (NHWC,
 * TFLite weight layouts). Batch is included (N = 1 in every fixture, so the formulas hold):
 *   CONV_2D            N·out_h·out_w·out_c · k_h·k_w·in_c       filter [out_c, k_h, k_w, in_c]
 *   DEPTHWISE_CONV_2D  N·out_h·out_w·out_c · k_h·k_w            filter [1, k_h, k_w, out_c]
 *   FULLY_CONNECTED    rows·out·in                              weights [out, in]; rows = input elements / in
 *   TRANSPOSE_CONV     N·in_h·in_w·in_c · k_h·k_w·out_c         each input pixel is scattered through the kernel
 *   UNIDIRECTIONAL_SEQUENCE_LSTM  steps·Σ(rows·cols) over its constant 2-D weight matrices
 *   BATCH_MATMUL       output elements · depth                  depth: lhs[-1] (lhs[-2] with adj_x)
 *   every other op     0
 */
import type { Operator, Subgraph, Tensor } from './ir.ts';
import { elementCount } from './tensor-size.ts';

const dim = (t: Tensor | undefined, i: number): number => {
  if (!t) return 0;
  const d = t.shape[i < 0 ? t.shape.length + i : i];
  return d === undefined || d < 0 ? 1 : d;
};

export function operatorMacs(op: Operator, sg: Subgraph): number {
  const T = (i: number): Tensor | undefined => {
    const k = i < 0 ? op.inputs.length + i : i;
    const idx = op.inputs[k];
    return idx === undefined || idx < 0 ? undefined : sg.tensors[idx];
  };
  const out = op.outputs[0] !== undefined && op.outputs[0] >= 0 ? sg.tensors[op.outputs[0]] : undefined;
  switch (op.op) {
    case 'CONV_2D': {
      const f = T(1);
      if (!out || !f || f.shape.length !== 4 || out.shape.length !== 4) return 0;
      return elementCount(out.shape) * dim(f, 1) * dim(f, 2) * dim(f, 3);
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = T(1);
      if (!out || !f || f.shape.length !== 4) return 0;
      return elementCount(out.shape) * dim(f, 1) * dim(f, 2);
    }
    case 'FULLY_CONNECTED': {
      const input = T(0);
      const w = T(1);
      if (!input || !w || w.shape.length !== 2) return 0;
      const nIn = dim(w, 1);
      const rows = nIn > 0 ? Math.floor(elementCount(input.shape) / nIn) : 0;
      return rows * dim(w, 0) * nIn;
    }
    case 'TRANSPOSE_CONV': {
      // inputs: output_shape, weights [out_c, k_h, k_w, in_c], input [N, h, w, in_c]
      const w = T(1);
      const input = T(2);
      if (!w || !input || w.shape.length !== 4) return 0;
      return elementCount(input.shape) * dim(w, 0) * dim(w, 1) * dim(w, 2);
    }
    case 'BATCH_MATMUL': {
      // out [..., rows, cols] = lhs [..., rows, depth] x rhs [..., depth, cols] (adj_x: lhs transposed)
      const lhs = T(0);
      if (!out || !lhs || lhs.shape.length < 2) return 0;
      return elementCount(out.shape) * dim(lhs, op.options.adj_x === true ? -2 : -1);
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      const input = T(0);
      if (!input || input.shape.length < 2) return 0;
      const steps = elementCount(input.shape.slice(0, -1));
      let perStep = 0;
      for (let i = 1; i < op.inputs.length; i++) {
        const t = T(i);
        if (t?.data && t.shape.length === 2) perStep += dim(t, 0) * dim(t, 1);
      }
      return steps * perStep;
    }
    default:
      return 0;
  }
}

/** Elements of the operator's constant inputs (weights, bias, constant shapes). */
export function operatorParams(op: Operator, sg: Subgraph): number {
  let n = 0;
  for (const i of new Set(op.inputs)) {
    const t = i >= 0 ? sg.tensors[i] : undefined;
    if (t?.data) n += elementCount(t.shape);
  }
  return n;
}
