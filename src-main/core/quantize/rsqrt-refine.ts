/**
 * One Newton step on an int8 RSQRT inside an int16 interior (lowering-interior.ts). TFLite Micro's
 * RSQRT takes float32 and int8 only, so in LayerNormalization's int16 interior 1/σ is computed from
 * the variance requantized to int8 and is itself rounded to an int8 step: 0.5–1 % off at typical
 * rows, which the full-size products carry to about half an output step. Given y ≈ 1/√v, one step
 * of Newton's method for f(y) = 1/y² − v gives
 *   y' = y·(3 − v·y²)/2,
 * whose relative error is about 1.5·e² for y = (1 + e)/√v (e = 1 % → 0.015 %). It runs in int16
 * with TFLite Micro's 16x8 MUL and SUB, reading the int16 variance (v + ε) that the int8 RSQRT input
 * was requantized from:
 *   square  = MUL(y, y)            y², symmetric over the int16 y's full range squared
 *   product = MUL(v, square)       v·y² ≈ 1, over ±2 (a y off by 41 % or more saturates here,
 *                                  which keeps y' = y/2 at worst instead of Newton's negative values)
 *   factor  = SUB(3, product)      3 − v·y² ∈ [1, 3], over ±3
 *   twice   = MUL(y, factor)       2·y', over twice y's range
 *   refined = MUL(twice, 0.5)      y', at y's own scale: the value the layer's ops read instead of y
 * Each int16 rounding is below 1e-4 of its value, against int8's 1e-2. The ops have no counterpart in
 * the float model (y' = y in float): their tensors are named '<rsqrt>/rsqrt_newton_*' so the report's
 * op alignment (op-align.ts) passes over them like the QUANTIZE / DEQUANTIZE conversions.
 */
import type { Model, Operator, Subgraph, Tensor } from '../model/ir.ts';
import { bytesOf, newOperator, setConstant } from './model-edit.ts';

/** The part of the name of every tensor a refinement op writes. */
export const NEWTON_TAG = '/rsqrt_newton_';

const BUILTIN_MUL = 18;
const BUILTIN_SUB = 41;
/** Op versions of the 16x8 forms (quantize-model.ts INT16_OP_VERSIONS). */
const MUL_VERSION = 4;
const SUB_VERSION = 5;
const INT16_MAX = 32767;

/** How the interior summary names an op left in int8 (RSQRT gets the Newton step). */
export const int8OpLabel = (op: string): string =>
  op === 'RSQRT' ? 'RSQRT (then one Newton step in int16)' : op;

/** An op the quantizer added to refine an int8 RSQRT (no float counterpart). */
export function isNewtonStep(sg: Subgraph, op: Operator): boolean {
  return op.outputs.some((o) => sg.tensors[o]?.name.includes(NEWTON_TAG));
}

/**
 * Refine `rsqrt` (an int8 RSQRT reading a QUANTIZE int16 → int8 of an int16 tensor, its output read
 * through a QUANTIZE int8 → int16) with one Newton step in int16: the ops go right after that second
 * QUANTIZE, and every other reader of its int16 output reads the refined value. Call after
 * insertConversions (operators in order, index = position). Returns false, changing nothing, when
 * the RSQRT is not in that form.
 */
export function refineRsqrt(m: Model, sg: Subgraph, rsqrt: Operator): boolean {
  const writer = (t: number) => sg.operators.find((o) => o.outputs.includes(t));
  const into = writer(rsqrt.inputs[0]);
  const v = into?.op === 'QUANTIZE' ? sg.tensors[into.inputs[0]] : undefined;
  const widen = sg.operators.find(
    (o) =>
      o.op === 'QUANTIZE' && o.inputs[0] === rsqrt.outputs[0] && sg.tensors[o.outputs[0]].dtype === 'int16',
  );
  if (!v || v.dtype !== 'int16' || !widen) return false;
  const y = sg.tensors[widen.outputs[0]];
  const yScale = y.quantization!.scale[0];
  const yMax = yScale * INT16_MAX;
  const base = sg.tensors[rsqrt.outputs[0]].name;
  const activation = (name: string, max: number): Tensor => {
    const t: Tensor = {
      index: sg.tensors.length,
      name: `${base}${NEWTON_TAG}${name}`,
      dtype: 'int16',
      shape: y.shape.slice(),
      buffer: 0,
      data: null,
      quantization: { scale: [Math.fround(max / INT16_MAX)], zeroPoint: [0], axis: 0 },
      isVariable: false,
    };
    sg.tensors.push(t);
    return t;
  };
  /** A one-value int16 constant at the full int16 range (value = 32767 steps). */
  const constant = (name: string, value: number): Tensor => {
    const t = activation(name, value);
    t.shape = [1];
    setConstant(m, t, bytesOf(Int16Array.of(INT16_MAX)));
    return t;
  };
  const square = activation('square', yMax * yMax);
  const product = activation('product', 2);
  const factor = activation('factor', 3);
  const twice = activation('twice', 2 * yMax);
  // y' keeps y's scale (and name suffix): the readers see the same range as before, refined
  const refined = activation('refined', yMax);
  refined.quantization = { ...y.quantization!, scale: [yScale] };
  const three = constant('three', 3);
  const half = constant('half', 0.5);
  const mul = (a: number, b: number, out: number) => {
    const op = newOperator(m, 'MUL', BUILTIN_MUL, MUL_VERSION, [a, b], [out]);
    op.options = { fused_activation_function: 'NONE' };
    return op;
  };
  const sub = newOperator(m, 'SUB', BUILTIN_SUB, SUB_VERSION, [three.index, product.index], [factor.index]);
  // general-scale int16 SUB (quantize-model.ts sets the same on the lowering's own SUBs)
  sub.options = { fused_activation_function: 'NONE', pot_scale_int16: false };
  const steps = [
    mul(y.index, y.index, square.index),
    mul(v.index, square.index, product.index),
    sub,
    mul(y.index, factor.index, twice.index),
    mul(twice.index, half.index, refined.index),
  ];
  for (const op of sg.operators) {
    if (op !== widen) op.inputs = op.inputs.map((i) => (i === y.index ? refined.index : i));
  }
  const at = sg.operators.indexOf(widen) + 1;
  sg.operators.splice(at, 0, ...steps);
  sg.operators.forEach((op, i) => (op.index = i));
  return true;
}
