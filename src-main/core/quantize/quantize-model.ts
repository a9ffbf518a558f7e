/**
 * Post-training int8 quantization of a float TFLite graph (subgraph 0), given calibrated float
 * ranges for its activations:
 * - weights symmetric int8 (per output channel for CONV_2D / DEPTHWISE_CONV_2D; per tensor for
 *   FULLY_CONNECTED unless asked, as the TFLite converter does), bias int32 at input×weight scale;
 * - activations asymmetric int8 from their ranges; ops whose int8 kernels fix or pass through the
 *   output parameters get them (SOFTMAX/LOGISTIC: 1/256, −128; pools and RESHAPE: the input's);
 * - inference I/O int8, or float32 with QUANTIZE / DEQUANTIZE at the edges.
 * BatchNorm and activations are already fused in a converted float .tflite; Keras graphs are folded
 * (model/keras/bn-fold.ts, during conversion) before they get here.
 */
import type { Model, Quantization, Subgraph, Tensor } from '../model/ir.ts';
import {
  activationParams,
  quantizeBias,
  quantizeValue,
  quantizeWeightsSymmetric,
  type QuantParams,
} from './params.ts';
import type { Range } from './ranges.ts';
import {
  bytesOf,
  cloneModel,
  compactBuffers,
  floatData,
  newOperator,
  opcodeFor,
  setConstant,
} from './model-edit.ts';

export interface QuantizeOptions {
  /** Type of the model's inputs and outputs (default int8). */
  io?: 'int8' | 'float32';
  /**
   * Per-tensor FULLY_CONNECTED weights, for runtimes without per-channel FULLY_CONNECTED (older
   * TFLite Micro and CMSIS-NN releases). Default false: per-channel like CONV_2D, which is never
   * worse in error and measurably better on small Dense models (docs/quantization.md).
   */
  fcPerTensor?: boolean;
}

/** Ops the int8 firmware and simulator run, with the op version TFLite's converter writes for int8. */
export const INT8_OP_VERSIONS: Record<string, number> = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  AVERAGE_POOL_2D: 2,
  MAX_POOL_2D: 2,
  RESHAPE: 1,
  SOFTMAX: 2,
  LOGISTIC: 2,
  ADD: 2,
  SUB: 2,
  QUANTIZE: 1,
  DEQUANTIZE: 2,
};
const BUILTIN_QUANTIZE = 114;
const BUILTIN_DEQUANTIZE = 6;

/** Output parameters fixed by the int8 kernel (TFLite requires exactly these). */
const FIXED_OUTPUT: Record<string, QuantParams> = {
  SOFTMAX: { scale: 1 / 256, zeroPoint: -128 },
  LOGISTIC: { scale: 1 / 256, zeroPoint: -128 },
};
/** Ops whose int8 kernels do not rescale: output parameters = input parameters. */
const PASS_THROUGH = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE']);
/** Weight input index and its output-channel axis (TFLite layouts: OHWI, [1,H,W,O], [O,I]). */
const WEIGHT_AXIS: Record<string, number> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };

const toQuant = (p: QuantParams): Quantization => ({ scale: [p.scale], zeroPoint: [p.zeroPoint], axis: 0 });

export function quantizeModel(
  float: Model,
  ranges: Map<number, Range>,
  options: QuantizeOptions = {},
): Model {
  if (float.subgraphs.length !== 1)
    throw new Error(`Only single-subgraph models can be quantized (this one has ${float.subgraphs.length})`);
  const m = cloneModel(float);
  const sg = m.subgraphs[0];
  for (const op of sg.operators) {
    if (!(op.op in INT8_OP_VERSIONS)) {
      throw new Error(`Cannot quantize layer ${op.index} (${op.op}): the int8 firmware has no kernel for it`);
    }
  }
  const params = new Map<number, QuantParams>();
  const activation = (t: Tensor): QuantParams => {
    const known = params.get(t.index);
    if (known) return known;
    const r = ranges.get(t.index);
    if (!r) throw new Error(`No calibration range for tensor ${t.index} '${t.name}'`);
    const p = activationParams(r.min, r.max);
    // The file stores float32 scales; compute everything downstream from the stored value.
    const stored = { scale: Math.fround(p.scale), zeroPoint: p.zeroPoint };
    params.set(t.index, stored);
    return stored;
  };
  const weightsDone = new Set<number>();
  for (const op of sg.operators) {
    const inputs = op.inputs.map((i) => (i < 0 ? null : sg.tensors[i]));
    const x = inputs[0];
    if (!x) throw new Error(`Layer ${op.index} (${op.op}) has no first input`);
    if (!x.data) activation(x);
    if (op.op in WEIGHT_AXIS) quantizeWeightsOf(m, op.op, inputs, activation(x), weightsDone, options);
    else {
      // Constant float operands of other ops (e.g. ADD of a constant) get their own range.
      for (const t of inputs.slice(1)) {
        if (t && t.data && t.dtype === 'float32' && !weightsDone.has(t.index)) {
          const v = floatData(t);
          const p = activationParams(
            v.reduce((a, b) => Math.min(a, b), 0),
            v.reduce((a, b) => Math.max(a, b), 0),
          );
          const q = Int8Array.from(v, (f) => quantizeValue(f, p));
          setConstant(m, t, bytesOf(q));
          t.dtype = 'int8';
          t.quantization = toQuant(p);
          weightsDone.add(t.index);
        }
      }
    }
    for (const o of op.outputs) {
      const fixed = FIXED_OUTPUT[op.op];
      if (fixed) params.set(o, fixed);
      else if (PASS_THROUGH.has(op.op)) params.set(o, activation(x));
      else activation(sg.tensors[o]);
    }
    op.opcodeIndex = opcodeFor(m, op.builtinCode, INT8_OP_VERSIONS[op.op]);
  }
  for (const [index, p] of params) {
    const t = sg.tensors[index];
    if (t.dtype !== 'float32')
      throw new Error(`Activation tensor ${index} '${t.name}' is ${t.dtype}, expected float32`);
    t.dtype = 'int8';
    t.quantization = toQuant(p);
  }
  if ((options.io ?? 'int8') === 'float32') addFloatEdges(m, sg);
  sg.operators.forEach((op, i) => (op.index = i));
  compactBuffers(m);
  return m;
}

function quantizeWeightsOf(
  m: Model,
  op: string,
  inputs: (Tensor | null)[],
  x: QuantParams,
  done: Set<number>,
  options: QuantizeOptions,
): void {
  const [, w, b] = inputs;
  if (!w?.data) throw new Error(`${op}: weights must be constant`);
  if (done.has(w.index))
    throw new Error(`${op}: weight tensor '${w.name}' is shared between layers; not supported`);
  const axis = op === 'FULLY_CONNECTED' && options.fcPerTensor ? -1 : WEIGHT_AXIS[op];
  const qw = quantizeWeightsSymmetric(floatData(w), w.shape, axis);
  setConstant(m, w, bytesOf(qw.values));
  w.dtype = 'int8';
  w.quantization = { scale: qw.scales, zeroPoint: qw.zeroPoints, axis: axis === -1 ? 0 : axis };
  done.add(w.index);
  if (b?.data) {
    const qb = quantizeBias(floatData(b), x.scale, qw.scales);
    if (qb.clamped.length > 0) {
      throw new Error(
        `${op} bias '${b.name}': channels ${qb.clamped.join(', ')} overflow int32 at scale input × weight`,
      );
    }
    setConstant(m, b, bytesOf(qb.values));
    b.dtype = 'int32';
    b.quantization = { scale: qb.scales.map(Math.fround), zeroPoint: qb.scales.map(() => 0), axis: 0 };
    done.add(b.index);
  }
}

/**
 * Keep the graph's original input/output tensors float32 (signatures keep pointing at them) and
 * move the int8 versions to new tensors, with QUANTIZE first and DEQUANTIZE last.
 */
function addFloatEdges(m: Model, sg: Subgraph): void {
  const twin = (t: Tensor): Tensor => {
    const copy: Tensor = { ...t, index: sg.tensors.length, name: `${t.name}_int8`, shape: t.shape.slice() };
    sg.tensors.push(copy);
    t.dtype = 'float32';
    t.quantization = null;
    return copy;
  };
  const front = sg.inputs.map((i) => {
    const q = twin(sg.tensors[i]);
    for (const op of sg.operators) op.inputs = op.inputs.map((k) => (k === i ? q.index : k));
    return newOperator(m, 'QUANTIZE', BUILTIN_QUANTIZE, INT8_OP_VERSIONS.QUANTIZE, [i], [q.index]);
  });
  const back = sg.outputs.map((o) => {
    const q = twin(sg.tensors[o]);
    for (const op of sg.operators) op.outputs = op.outputs.map((k) => (k === o ? q.index : k));
    return newOperator(m, 'DEQUANTIZE', BUILTIN_DEQUANTIZE, INT8_OP_VERSIONS.DEQUANTIZE, [q.index], [o]);
  });
  sg.operators = [...front, ...sg.operators, ...back];
}
