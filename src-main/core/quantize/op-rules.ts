/**
 * int8 rules of the ops the Keras layer lowerings emit (model/keras/layers), from what the TFLite
 * converter writes and what TFLite Micro's int8 kernels require:
 * - ops that only move, pick or compare values (PAD, TRANSPOSE, RESIZE_*, GATHER, BROADCAST_TO,
 *   REDUCE_MAX, ...) keep the input's scale and zero point;
 * - TANH's int8 output is fixed at 1/128, 0;
 * - CONCATENATION, MAXIMUM and MINIMUM use the raw int8 values of every input, so every input must
 *   share the output's scale and zero point: an input quantized otherwise is requantized by a
 *   QUANTIZE (int8 → int8) in front of the op, a constant input is stored at the output's scale —
 *   what the converter's quantizer does for ops with "restricted same scale" inputs;
 * - CAST (Embedding's float32 indices → int32) stays a float32 op: its input is an index, not a
 *   value to quantize;
 * - every other op listed has its own calibrated output range (the kernels rescale).
 */
import type { Model, Subgraph, Tensor } from '../model/ir.ts';
import { bytesOf, newOperator } from './model-edit.ts';
import { roundHalfAway, type QuantParams } from './params.ts';

/**
 * The op version TFLite's converter writes for the int8 form of each op as these lowerings use
 * it (tools/versioning/op_version.cc: RESIZE_* with half-pixel centres 3, BROADCAST_TO int8 3,
 * LEAKY_RELU int8 1; MUL 2, or 3 when input1·input2/output scales ≥ 1; TFLite Micro reads none).
 */
export const LAYER_INT8_OP_VERSIONS: Record<string, number> = {
  CONCATENATION: 2,
  PAD: 2,
  TRANSPOSE: 2,
  RESIZE_NEAREST_NEIGHBOR: 3,
  RESIZE_BILINEAR: 3,
  GATHER: 2,
  BROADCAST_TO: 3,
  REDUCE_MAX: 2,
  EXPAND_DIMS: 1,
  SQUEEZE: 1,
  MEAN: 2,
  MUL: 2,
  SQUARED_DIFFERENCE: 2,
  RSQRT: 2,
  MAXIMUM: 2,
  MINIMUM: 2,
  BATCH_MATMUL: 2,
  TANH: 2,
  ELU: 1,
  LEAKY_RELU: 1,
  PRELU: 1,
  HARD_SWISH: 1,
  RELU: 2,
  RELU6: 2,
  CAST: 1,
  // Keras LSTM (model/keras/layers/recurrent.ts): the fused op, and the last step of its sequence
  UNIDIRECTIONAL_SEQUENCE_LSTM: 1,
  STRIDED_SLICE: 2,
};

export const LAYER_PASS_THROUGH = [
  'PAD',
  'TRANSPOSE',
  'RESIZE_NEAREST_NEIGHBOR',
  'RESIZE_BILINEAR',
  'GATHER',
  'BROADCAST_TO',
  'REDUCE_MAX',
  'EXPAND_DIMS',
  'SQUEEZE',
  'STRIDED_SLICE',
];

export const LAYER_FIXED_OUTPUT: Record<string, QuantParams> = {
  TANH: { scale: 1 / 128, zeroPoint: 0 },
};

/** Ops left in float32 inside an int8 model (their data are not quantizable values). */
export const KEEP_FLOAT_OPS = new Set(['CAST']);

/** Ops whose first input may be a constant to quantize like an activation (GATHER's table). */
export const CONSTANT_FIRST_INPUT = new Set(['GATHER']);

const SAME_SCALE = new Set(['CONCATENATION', 'MAXIMUM', 'MINIMUM']);
const BUILTIN_QUANTIZE = 114;

const same = (a: Tensor, b: Tensor) =>
  a.quantization?.scale[0] === b.quantization?.scale[0] &&
  a.quantization?.zeroPoint[0] === b.quantization?.zeroPoint[0];

/**
 * Give every input of CONCATENATION / MAXIMUM / MINIMUM the output's int8 parameters (run after
 * every tensor has its final type). Operators keep their order; requantizations go just before
 * the op that needs them.
 */
export function alignSameScale(m: Model, sg: Subgraph): void {
  const ordered: typeof sg.operators = [];
  for (const op of sg.operators) {
    const out = sg.tensors[op.outputs[0]];
    if (SAME_SCALE.has(op.op) && out.dtype === 'int8') {
      const [scale, zeroPoint] = [out.quantization!.scale[0], out.quantization!.zeroPoint[0]];
      op.inputs = op.inputs.map((i) => {
        const t = sg.tensors[i];
        if (i < 0 || t.dtype !== 'int8' || same(t, out)) return i;
        const copy: Tensor = {
          ...t,
          index: sg.tensors.length,
          name: `${t.name}_requantized`,
          shape: t.shape.slice(),
          quantization: { scale: [scale], zeroPoint: [zeroPoint], axis: 0 },
        };
        sg.tensors.push(copy);
        if (t.data) {
          const q = t.quantization!;
          const values = Int8Array.from(new Int8Array(t.data.slice().buffer), (v) => {
            const real = (v - q.zeroPoint[0]) * q.scale[0];
            return Math.max(-128, Math.min(127, roundHalfAway(real / scale) + zeroPoint));
          });
          m.buffers.push(bytesOf(values));
          copy.buffer = m.buffers.length - 1;
          copy.data = bytesOf(values);
        } else {
          copy.buffer = 0;
          copy.data = null;
          ordered.push(newOperator(m, 'QUANTIZE', BUILTIN_QUANTIZE, 1, [i], [copy.index]));
        }
        return copy.index;
      });
    }
    ordered.push(op);
  }
  sg.operators = ordered;
  sg.operators.forEach((op, i) => (op.index = i));
}
