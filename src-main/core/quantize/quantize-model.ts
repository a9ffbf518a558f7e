/**
 * Post-training int8 quantization of a float TFLite graph (subgraph 0), given calibrated float
 * ranges for its activations:
 * - weights symmetric int8 (per output channel for CONV_2D / DEPTHWISE_CONV_2D; per tensor for
 *   FULLY_CONNECTED unless asked, as the TFLite converter does), bias int32 at input×weight scale
 *   (a channel whose bias overflows gets a coarser weight scale, as the converter does: bias-fit.ts);
 * - selected layers kept in float32 (the converter's denylist) or in int16x8 (int16 symmetric
 *   activations, int8 weights, int64 bias), with conversions where precisions meet;
 * - activations asymmetric int8 from their ranges; ops whose int8 kernels fix or pass through the
 *   output parameters get them (SOFTMAX/LOGISTIC: 1/256, −128; pools and RESHAPE: the input's);
 * - inference I/O int8, or float32 with QUANTIZE / DEQUANTIZE at the edges.
 * BatchNorm and activations are already fused in a converted float .tflite; Keras graphs are folded
 * (model/keras/bn-fold.ts, during conversion) before they get here.
 */
import type { Model, Operator, Quantization, Tensor } from '../model/ir.ts';
import { fitWeightsToBias, type BiasScaleAdjustment } from './bias-fit.ts';
import {
  activationParams,
  activationParams16,
  quantizeBias,
  quantizeValue,
  quantizeValue16,
  quantizeWeightsSymmetric,
  type QuantParams,
} from './params.ts';
import { interiorPlan, type InteriorPlan, type InteriorPrecision } from './lowering-interior.ts';
import { insertConversions, type Precision } from './precision-edges.ts';
import { refineRsqrt } from './rsqrt-refine.ts';
import {
  alignSameScale,
  CONSTANT_FIRST_INPUT,
  KEEP_FLOAT_OPS,
  LAYER_FIXED_OUTPUT,
  LAYER_INT8_OP_VERSIONS,
  LAYER_PASS_THROUGH,
} from './op-rules.ts';
import type { Range } from './ranges.ts';
import { LSTM_CELL, quantizeLstm } from './lstm-quant.ts';
import { bytesOf, cloneModel, compactBuffers, floatData, opcodeFor, setConstant } from './model-edit.ts';

export interface QuantizeOptions {
  /** Type of the model's inputs and outputs (default int8). */
  io?: 'int8' | 'float32';
  /**
   * Per-tensor FULLY_CONNECTED weights, for runtimes without per-channel FULLY_CONNECTED (older
   * TFLite Micro and CMSIS-NN releases). Default false: per-channel like CONV_2D, which is never
   * worse in error and measurably better on small Dense models (docs/quantization.md).
   */
  fcPerTensor?: boolean;
  /**
   * Layers (float op index) kept in float32 or put in int16x8; every other layer is int8. The
   * result has QUANTIZE / DEQUANTIZE where precisions meet (precision-edges.ts).
   */
  precision?: Map<number, 'int16' | 'float32'>;
  /**
   * Interior of Keras layers lowered to several ops (float.lowerings): 'int16' (default) runs it
   * in 16x8 with int8 at the layer's boundary, 'int8' is the converter's all-int8 form
   * (lowering-interior.ts). Layers in `precision` are left as placed there.
   */
  loweringInterior?: InteriorPrecision;
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
  ...LAYER_INT8_OP_VERSIONS,
};

/** Output parameters fixed by the int8 kernel (TFLite requires exactly these). */
const FIXED_OUTPUT: Record<string, QuantParams> = {
  SOFTMAX: { scale: 1 / 256, zeroPoint: -128 },
  LOGISTIC: { scale: 1 / 256, zeroPoint: -128 },
  ...LAYER_FIXED_OUTPUT,
};
/** Ops whose int8 kernels do not rescale: output parameters = input parameters. */
const PASS_THROUGH = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', ...LAYER_PASS_THROUGH]);
/** Weight input index and its output-channel axis (TFLite layouts: OHWI, [1,H,W,O], [O,I]). */
const WEIGHT_AXIS: Record<string, number> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };

const toQuant = (p: QuantParams): Quantization => ({ scale: [p.scale], zeroPoint: [p.zeroPoint], axis: 0 });

/**
 * Ops with int16x8 kernels in the core (int16 activations, int8 weights, int64 bias), with the op
 * version TFLite's converter writes for 16x8.
 */
export const INT16_OP_VERSIONS: Record<string, number> = {
  CONV_2D: 4,
  DEPTHWISE_CONV_2D: 5,
  FULLY_CONNECTED: 7,
  AVERAGE_POOL_2D: 3,
  MAX_POOL_2D: 3,
  RESHAPE: 1,
  SOFTMAX: 3,
  LOGISTIC: 3,
  TANH: 3,
  // general-scale int16 (pot_scale_int16 false): op_version.cc gives ADD 3, SUB 5
  ADD: 3,
  SUB: 5,
  // squeeze-excite and hard_sigmoid's ×1/6 (effnetv2_cifar10 then runs all 37 layers in int16)
  MUL: 4,
  MEAN: 3,
  // Keras LSTM: the fused op in the converter's 16x8 form (op_version.cc: int16 in/out, int8
  // weights → 5) and the last step of its sequence (moves int16 values, no rescale)
  UNIDIRECTIONAL_SEQUENCE_LSTM: 5,
  STRIDED_SLICE: 1,
  // LayerNormalization's variance and MultiHeadAttention's heads (op_version.cc: SQUARED_DIFFERENCE
  // has no int16 version of its own, BATCH_MATMUL int16 3, TRANSPOSE int16 5, PAD int16 3)
  SQUARED_DIFFERENCE: 1,
  BATCH_MATMUL: 3,
  TRANSPOSE: 5,
  PAD: 3,
};
/** int16 output parameters fixed by TFLite Micro's int16 kernels (symmetric, 2^-15). */
const FIXED_OUTPUT16: Record<string, QuantParams> = {
  SOFTMAX: { scale: 1 / 32768, zeroPoint: 0 },
  LOGISTIC: { scale: 1 / 32768, zeroPoint: 0 },
  TANH: { scale: 1 / 32768, zeroPoint: 0 },
};

type Bits = 8 | 16;

export function quantizeModel(
  float: Model,
  ranges: Map<number, Range>,
  options: QuantizeOptions = {},
): Model {
  return quantizeModelDetailed(float, ranges, options).model;
}

export interface QuantizedModel {
  model: Model;
  /** Bias channels whose weight scale was raised so the bias fits (bias-fit.ts). */
  biasAdjustments: BiasScaleAdjustment[];
  /** Lowered layers whose interior runs in int16 (lowering-interior.ts). */
  interior: InteriorPlan;
}

export function quantizeModelDetailed(
  float: Model,
  ranges: Map<number, Range>,
  options: QuantizeOptions = {},
): QuantizedModel {
  if (float.subgraphs.length !== 1)
    throw new Error(`Only single-subgraph models can be quantized (this one has ${float.subgraphs.length})`);
  const m = cloneModel(float);
  const sg = m.subgraphs[0];
  const interior = interiorPlan(
    float,
    options.loweringInterior ?? 'int16',
    INT16_OP_VERSIONS,
    options.precision,
  );
  const precisionOf = (i: number): Precision =>
    options.precision?.get(i) ??
    interior.ops.get(i) ??
    (KEEP_FLOAT_OPS.has(sg.operators[i]?.op) ? 'float32' : 'int8');
  for (const op of sg.operators) {
    const p = precisionOf(op.index);
    if (p === 'int8' && !(op.op in INT8_OP_VERSIONS)) {
      const out = op.outputs.length > 0 ? sg.tensors[op.outputs[0]].name : '';
      throw new Error(
        `Cannot quantize layer ${op.index} (${op.op}): the int8 firmware has no kernel for it; keep it in float32 with --keep-float '${out}'`,
      );
    }
    if (p === 'int16' && !(op.op in INT16_OP_VERSIONS)) {
      throw new Error(
        `Cannot put layer ${op.index} (${op.op}) in int16x8: the core's int16 kernels cover ${Object.keys(INT16_OP_VERSIONS).join(', ')}`,
      );
    }
  }
  const params: Record<Bits, Map<number, QuantParams>> = { 8: new Map(), 16: new Map() };
  const activation = (t: Tensor, bits: Bits = 8): QuantParams => {
    const known = params[bits].get(t.index);
    if (known) return known;
    const r = ranges.get(t.index);
    if (!r) throw new Error(`No calibration range for tensor ${t.index} '${t.name}'`);
    const p = bits === 8 ? activationParams(r.min, r.max) : activationParams16(r.min, r.max);
    // The file stores float32 scales; compute everything downstream from the stored value.
    const stored = { scale: Math.fround(p.scale), zeroPoint: p.zeroPoint };
    params[bits].set(t.index, stored);
    return stored;
  };
  const weightsDone = new Set<number>();
  const biasAdjustments: BiasScaleAdjustment[] = [];
  for (const op of sg.operators) {
    const precision = precisionOf(op.index);
    if (precision === 'float32') continue; // kept as it is: float weights, float kernels
    const bits: Bits = precision === 'int16' ? 16 : 8;
    const inputs = op.inputs.map((i) => (i < 0 ? null : sg.tensors[i]));
    const x = inputs[0];
    if (!x) throw new Error(`Layer ${op.index} (${op.op}) has no first input`);
    if (!x.data) activation(x, bits);
    if (op.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
      const out = activation(sg.tensors[op.outputs[0]], bits);
      quantizeLstm(
        m,
        op,
        sg.tensors,
        activation(x, bits),
        out,
        ranges.get(op.inputs[LSTM_CELL]),
        weightsDone,
        bits,
      );
    } else if (op.op in WEIGHT_AXIS) {
      const adjusted = quantizeWeightsOf(m, op, inputs, activation(x, bits), weightsDone, options, bits);
      biasAdjustments.push(...adjusted);
    } else {
      // Constant float operands of other ops (e.g. ADD of a constant) get their own range.
      for (const t of CONSTANT_FIRST_INPUT.has(op.op) ? inputs : inputs.slice(1)) {
        if (t && t.data && t.dtype === 'float32' && !weightsDone.has(t.index)) {
          const v = floatData(t);
          const lo = v.reduce((a, b) => Math.min(a, b), 0);
          const hi = v.reduce((a, b) => Math.max(a, b), 0);
          if (bits === 8) {
            const p = activationParams(lo, hi);
            setConstant(m, t, bytesOf(Int8Array.from(v, (f) => quantizeValue(f, p))));
            t.dtype = 'int8';
            t.quantization = toQuant(p);
            params[8].set(t.index, p); // a pass-through op after it (GATHER) takes these
          } else {
            const p = activationParams16(lo, hi);
            setConstant(m, t, bytesOf(Int16Array.from(v, (f) => quantizeValue16(f, p))));
            t.dtype = 'int16';
            t.quantization = toQuant(p);
          }
          weightsDone.add(t.index);
        }
      }
    }
    for (const o of op.outputs) {
      const fixed = bits === 8 ? FIXED_OUTPUT[op.op] : FIXED_OUTPUT16[op.op];
      if (fixed) params[bits].set(o, fixed);
      else if (PASS_THROUGH.has(op.op)) params[bits].set(o, activation(x, bits));
      else activation(sg.tensors[o], bits);
    }
    // int16 ADD / SUB rescale like int8 (general scales, not powers of two): the schema's default
    // pot_scale_int16 = true would make TFLite refuse them (TFLite Micro ignores the flag)
    if (bits === 16 && (op.op === 'ADD' || op.op === 'SUB'))
      op.options = { ...op.options, pot_scale_int16: false };
    op.opcodeIndex = opcodeFor(m, op.builtinCode, (bits === 8 ? INT8_OP_VERSIONS : INT16_OP_VERSIONS)[op.op]);
  }
  for (const t of sg.tensors) {
    if (!t.data && t.dtype !== 'float32' && (params[8].has(t.index) || params[16].has(t.index)))
      throw new Error(`Activation tensor ${t.index} '${t.name}' is ${t.dtype}, expected float32`);
  }
  // an int8 RSQRT inside an int16 interior gets one Newton step in int16 (rsqrt-refine.ts)
  const interiorOps = new Set(
    interior.layers.flatMap((l) => float.lowerings?.find((x) => x.layer === l.layer)?.ops ?? []),
  );
  const rsqrts = sg.operators.filter((op) => op.op === 'RSQRT' && interiorOps.has(op.index));
  insertConversions(m, sg, {
    opPrecision: sg.operators.map((op) => precisionOf(op.index)),
    io: options.io ?? 'int8',
    quantOf: (t, p) => toQuant(activation(t, p === 'int16' ? 16 : 8)),
    int8Exits: new Map(
      [...interior.exits].map((t) => {
        const layer = interior.layers.find((l) =>
          l.int16Ops.some((k) => sg.operators[k].outputs.includes(t)),
        );
        return [t, new Set(layer?.int16Ops ?? [])];
      }),
    ),
  });
  for (const op of rsqrts) refineRsqrt(m, sg, op);
  alignSameScale(m, sg);
  compactBuffers(m);
  return { model: m, biasAdjustments, interior };
}

function quantizeWeightsOf(
  m: Model,
  op: Operator,
  inputs: (Tensor | null)[],
  x: QuantParams,
  done: Set<number>,
  options: QuantizeOptions,
  bits: Bits,
): BiasScaleAdjustment[] {
  const [, w, b] = inputs;
  if (!w?.data) throw new Error(`${op.op}: weights must be constant`);
  if (done.has(w.index))
    throw new Error(`${op.op}: weight tensor '${w.name}' is shared between layers; not supported`);
  const axis = op.op === 'FULLY_CONNECTED' && options.fcPerTensor ? -1 : WEIGHT_AXIS[op.op];
  const wf = floatData(w);
  let qw = quantizeWeightsSymmetric(wf, w.shape, axis);
  let adjustments: BiasScaleAdjustment[] = [];
  const biasBits = bits === 8 ? 32 : 64;
  if (b?.data) {
    // a channel whose bias overflows at input × weight scale gets a coarser weight scale (bias-fit.ts)
    const fit = fitWeightsToBias(
      { index: op.index, op: op.op, tensor: w.name },
      wf,
      w.shape,
      qw,
      floatData(b),
      x.scale,
      biasBits,
    );
    qw = fit.weights;
    adjustments = fit.adjustments;
  }
  setConstant(m, w, bytesOf(qw.values));
  w.dtype = 'int8';
  w.quantization = { scale: qw.scales, zeroPoint: qw.zeroPoints, axis: axis === -1 ? 0 : axis };
  done.add(w.index);
  if (b?.data) {
    const qb = quantizeBias(floatData(b), x.scale, qw.scales, biasBits);
    if (qb.clamped.length > 0) {
      throw new Error(
        `${op.op} bias '${b.name}': channels ${qb.clamped.join(', ')} overflow int${biasBits} at scale input × weight`,
      );
    }
    if (biasBits === 32) {
      setConstant(m, b, bytesOf(Int32Array.from(qb.values)));
      b.dtype = 'int32';
    } else {
      setConstant(m, b, bytesOf(BigInt64Array.from(qb.values, (v) => BigInt(v))));
      b.dtype = 'int64';
    }
    b.quantization = { scale: qb.scales.map(Math.fround), zeroPoint: qb.scales.map(() => 0), axis: 0 };
    done.add(b.index);
  }
  return adjustments;
}
