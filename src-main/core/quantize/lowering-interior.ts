/**
 * The interior precision of multi-op Keras lowerings (LayerNormalization, swish, gelu,
 * hard_sigmoid, a Conv1D with its activation, MultiHeadAttention, ...). In the converter's all-int8
 * form every intermediate tensor of such a layer is rounded to int8, and each rounding is carried
 * through the ops after it: the layer ends up 1.5–3 steps off its float reference although each op
 * alone is within one step. With an int16 interior the layer keeps int8 at its boundary — its
 * input is requantized int8 → int16 by a QUANTIZE in front of its first op, its output written in
 * int16 and requantized to int8 by a QUANTIZE after its last op — and its ops run TFLite Micro's
 * 16x8 kernels (int16 activations, int8 weights, int64 bias) in between, so the only int8
 * rounding left is the output's.
 *
 * A lowering qualifies when at least two of its ops round their output (moves such as RESHAPE or
 * TRANSPOSE do not) and the output of one of them can stay int16 for the next (both have int16
 * kernels, with only moves between them). Its ops that have an int16 kernel in TFLite Micro (and the core) run in int16;
 * an op without one (RSQRT: TFLite Micro's elementwise.cc accepts only float32 and int8 at
 * prepare, although its eval has an int16 branch) stays int8 inside, with QUANTIZE ops around it
 * (and RSQRT's result is refined by one Newton step in int16: rsqrt-refine.ts).
 * 'int8' gives the converter's all-int8 form (`--lowering-interior int8`).
 */
import type { Model } from '../model/ir.ts';

export type InteriorPrecision = 'int16' | 'int8';

/** Ops that only move or pick values: they add no rounding of their own. */
const MOVES = new Set([
  'RESHAPE',
  'TRANSPOSE',
  'PAD',
  'SQUEEZE',
  'EXPAND_DIMS',
  'STRIDED_SLICE',
  'GATHER',
  'CONCATENATION',
  'MAX_POOL_2D',
  'REDUCE_MAX',
  'BROADCAST_TO',
]);

export interface InteriorLayer {
  /** Keras layer path. */
  layer: string;
  /** Float model op indices run in int16. */
  int16Ops: number[];
  /** Ops of the lowering left in int8 (no int16 kernel in TFLite Micro), by name. */
  int8Ops: string[];
}

export interface InteriorPlan {
  /** Every layer whose interior runs in int16. */
  layers: InteriorLayer[];
  /** Float op index → int16, for the ops of those layers. */
  ops: Map<number, 'int16'>;
  /**
   * Tensors an int16 interior op writes that are read outside its layer (or are graph outputs):
   * the op writes an int16 copy and a QUANTIZE writes these in int8.
   */
  exits: Set<number>;
}

/**
 * Which lowered layers of `float` run their interior in int16. `int16Ops`: the ops with an int16
 * kernel (quantize-model.ts INT16_OP_VERSIONS); `fixed`: layers the caller already placed (kept
 * in float or chosen int16), which are left as they are.
 */
export function interiorPlan(
  float: Model,
  choice: InteriorPrecision,
  int16Ops: Record<string, number>,
  fixed: ReadonlyMap<number, unknown> = new Map(),
): InteriorPlan {
  const plan: InteriorPlan = { layers: [], ops: new Map(), exits: new Set() };
  if (choice === 'int8' || !float.lowerings || float.subgraphs.length !== 1) return plan;
  const sg = float.subgraphs[0];
  for (const { layer, ops } of float.lowerings) {
    const members = ops.map((i) => sg.operators[i]).filter((op) => op !== undefined);
    if (members.length !== ops.length || ops.some((i) => fixed.has(i))) continue;
    if (members.filter((op) => !MOVES.has(op.op)).length < 2) continue;
    const wide = members.filter((op) => op.op in int16Ops);
    // worth it only when a rounding op's output stays int16 for another rounding int16 op of the
    // layer, through int16 moves (CONV_2D then ELU, which has no int16 kernel, would only round
    // the conv output twice)
    const reachesWide = (t: number): boolean =>
      wide.some((c) => c.inputs.includes(t) && (!MOVES.has(c.op) || c.outputs.some((o) => reachesWide(o))));
    const kept = wide.some((p) => !MOVES.has(p.op) && p.outputs.some((o) => reachesWide(o)));
    if (!kept) continue;
    const inside = new Set(ops);
    for (const op of wide) plan.ops.set(op.index, 'int16');
    const written = new Set(wide.flatMap((op) => op.outputs));
    for (const t of written) {
      const outside = sg.operators.some((op) => !inside.has(op.index) && op.inputs.includes(t));
      if (outside || sg.outputs.includes(t)) plan.exits.add(t);
    }
    plan.layers.push({
      layer,
      int16Ops: wide.map((op) => op.index),
      int8Ops: members.filter((op) => !(op.op in int16Ops)).map((op) => op.op),
    });
  }
  return plan;
}
