/**
 * Mixed precision: every activation tensor has one "home" type — the precision of the op that
 * writes it (graph inputs: the model's I/O type) — and an op that needs it in another type reads a
 * converted twin instead, written by a conversion op placed right after the producer (graph inputs:
 * at the front): DEQUANTIZE to float32, QUANTIZE to int8/int16 (from float32, or int8 <-> int16
 * requantization). Graph outputs are converted to the I/O type at the end. This is the layout the
 * TFLite converter writes for a denylisted (float) layer and for 16x8 layers in an int8 model.
 */
import type { Model, Quantization, Subgraph, Tensor } from '../model/ir.ts';
import { newOperator } from './model-edit.ts';

export type Precision = 'int8' | 'int16' | 'float32';

const BUILTIN_QUANTIZE = 114;
const BUILTIN_DEQUANTIZE = 6;
/** Op versions as TFLite's op_version.cc gives them: QUANTIZE to int16 is 2, DEQUANTIZE from int16 3. */
const QUANTIZE_VERSION: Record<Precision, number> = { int8: 1, int16: 2, float32: 1 };
const DEQUANTIZE_VERSION: Record<Precision, number> = { int8: 2, int16: 3, float32: 2 };

export interface EdgePlan {
  /** Precision of each operator (by position in sg.operators). */
  opPrecision: Precision[];
  io: 'int8' | 'float32';
  /** Quantization of tensor `t` when held as `p` (int8/int16). */
  quantOf: (t: Tensor, p: Exclude<Precision, 'float32'>) => Quantization;
  /**
   * Tensors written by an int16 op that are held in int8 (a lowered layer's output with an int16
   * interior, lowering-interior.ts), each with the ops (by position) of its layer: the producer
   * writes an int16 copy, which those ops read, and a QUANTIZE right after it writes the tensor.
   */
  int8Exits?: Map<number, Set<number>>;
}

/** Make `t` a `p` tensor holding the values of `of` (its own values unless a twin). */
const retype = (t: Tensor, p: Precision, plan: EdgePlan, of: Tensor = t) => {
  t.dtype = p;
  t.quantization = p === 'float32' ? null : plan.quantOf(of, p);
};

/**
 * Give every activation tensor its home type and insert the conversions. Operators keep their
 * order; new ones are placed as described above. Call after the ops' constants are quantized.
 */
export function insertConversions(m: Model, sg: Subgraph, plan: EdgePlan): void {
  const home = new Map<number, Precision>();
  const producer = new Map<number, number>();
  sg.operators.forEach((op, k) => op.outputs.forEach((o) => producer.set(o, k)));
  // conversions to emit after op k (-1: at the front), in creation order
  const after = new Map<number, ReturnType<typeof newOperator>[]>();
  /** Exit tensor → its int16 copy, read by the ops of its own layer. */
  const exitCopy = new Map<number, { copy: number; layer: Set<number> }>();
  for (const [t, layer] of plan.int8Exits ?? []) {
    const k = producer.get(t);
    if (k === undefined || plan.opPrecision[k] !== 'int16') continue;
    const src = sg.tensors[t];
    const copy: Tensor = {
      ...src,
      index: sg.tensors.length,
      name: `${src.name}_int16`,
      shape: src.shape.slice(),
    };
    sg.tensors.push(copy);
    retype(copy, 'int16', plan, src);
    const op = sg.operators[k];
    op.outputs = op.outputs.map((o) => (o === t ? copy.index : o));
    exitCopy.set(t, { copy: copy.index, layer });
    after.set(k, [
      ...(after.get(k) ?? []),
      newOperator(m, 'QUANTIZE', BUILTIN_QUANTIZE, QUANTIZE_VERSION.int8, [copy.index], [t]),
    ]);
  }
  // an input only CAST reads (Embedding's float indices) stays float32: int8 would round indices
  const indicesOnly = (i: number) => {
    const readers = sg.operators.filter((op) => op.inputs.includes(i));
    return readers.length > 0 && readers.every((op) => op.op === 'CAST');
  };
  for (const i of sg.inputs) home.set(i, indicesOnly(i) ? 'float32' : plan.io);
  // integer outputs (CAST to int32 indices) are not values to quantize: they keep their type
  sg.operators.forEach((op, k) =>
    op.outputs.forEach((o) => sg.tensors[o].dtype === 'float32' && home.set(o, plan.opPrecision[k])),
  );
  for (const t of exitCopy.keys()) home.set(t, 'int8');
  for (const [t, p] of home) retype(sg.tensors[t], p, plan);

  const twins = new Map<string, number>();
  const twinOf = (t: number, p: Precision): number => {
    const key = `${t}:${p}`;
    const known = twins.get(key);
    if (known !== undefined) return known;
    const src = sg.tensors[t];
    const copy: Tensor = {
      ...src,
      index: sg.tensors.length,
      name: `${src.name}_${p}`,
      shape: src.shape.slice(),
      buffer: 0,
      data: null,
    };
    retype(copy, p, plan, src);
    sg.tensors.push(copy);
    twins.set(key, copy.index);
    const from = home.get(t)!;
    const op =
      p === 'float32'
        ? newOperator(m, 'DEQUANTIZE', BUILTIN_DEQUANTIZE, DEQUANTIZE_VERSION[from], [t], [copy.index])
        : newOperator(m, 'QUANTIZE', BUILTIN_QUANTIZE, QUANTIZE_VERSION[p], [t], [copy.index]);
    const at = producer.get(t) ?? -1;
    after.set(at, [...(after.get(at) ?? []), op]);
    return copy.index;
  };
  sg.operators.forEach((op, k) => {
    const need = plan.opPrecision[k];
    op.inputs = op.inputs.map((i) => {
      const exit = exitCopy.get(i);
      if (exit && need === 'int16' && exit.layer.has(k)) return exit.copy;
      if (i < 0 || sg.tensors[i].data || !home.has(i)) return i;
      return home.get(i) === need ? i : twinOf(i, need);
    });
  });
  // Graph outputs in another type than the I/O: the producer writes a twin in its own type, a
  // conversion at the end writes the graph output (which keeps its index, name and signature).
  const tail: ReturnType<typeof newOperator>[] = [];
  for (const o of sg.outputs) {
    const p = home.get(o);
    if (p === undefined || p === plan.io) continue;
    const src = sg.tensors[o];
    const inner: Tensor = {
      ...src,
      index: sg.tensors.length,
      name: `${src.name}_${p}`,
      shape: src.shape.slice(),
    };
    sg.tensors.push(inner);
    for (const op of sg.operators) {
      op.inputs = op.inputs.map((k) => (k === o ? inner.index : k));
      op.outputs = op.outputs.map((k) => (k === o ? inner.index : k));
    }
    for (const ops of after.values())
      for (const op of ops) {
        op.inputs = op.inputs.map((k) => (k === o ? inner.index : k));
        op.outputs = op.outputs.map((k) => (k === o ? inner.index : k));
      }
    retype(src, plan.io, plan);
    tail.push(
      plan.io === 'float32'
        ? newOperator(m, 'DEQUANTIZE', BUILTIN_DEQUANTIZE, DEQUANTIZE_VERSION[p], [inner.index], [o])
        : newOperator(m, 'QUANTIZE', BUILTIN_QUANTIZE, QUANTIZE_VERSION[plan.io], [inner.index], [o]),
    );
  }
  const ordered = [...(after.get(-1) ?? [])];
  sg.operators.forEach((op, k) => ordered.push(op, ...(after.get(k) ?? [])));
  sg.operators = [...ordered, ...tail];
  sg.operators.forEach((op, i) => (op.index = i));
}
