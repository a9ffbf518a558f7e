/**
 * Pair the compute ops of an int8 model with those of the float model it came from: both lists
 * without QUANTIZE/DEQUANTIZE must have the same ops in the same order (true for our quantizer
 * and for TFLite's converter, which keep the float graph's op order). The int16 Newton step our
 * quantizer adds after an int8 RSQRT (rsqrt-refine.ts) has no float op and is passed over too.
 */
import type { Model, Operator } from '../model/ir.ts';
import { isNewtonStep } from './rsqrt-refine.ts';

const EDGE_OPS = new Set(['QUANTIZE', 'DEQUANTIZE']);

export interface OpPair {
  int8: Operator;
  float: Operator;
}

export function alignOps(int8: Model, float: Model): OpPair[] {
  const qsg = int8.subgraphs[0];
  const q = qsg.operators.filter((o) => !EDGE_OPS.has(o.op) && !isNewtonStep(qsg, o));
  const f = float.subgraphs[0].operators.filter((o) => !EDGE_OPS.has(o.op));
  if (q.length !== f.length) {
    throw new Error(
      `The int8 model has ${q.length} compute ops, the float model ${f.length}: not the same network`,
    );
  }
  return q.map((op, k) => {
    if (op.op !== f[k].op) {
      throw new Error(
        `int8 op ${op.index} (${op.op}) does not match float op ${f[k].index} (${f[k].op}): not the same network`,
      );
    }
    return { int8: op, float: f[k] };
  });
}
