/**
 * Float vs dequantized int8 value histograms per layer output, for the Report view's "selected
 * layer" chart: both models run on the same (normalized) samples; each aligned op output gets
 * `bins` shared bins over the union of both value ranges, so the two distributions overlay.
 */
import type { Model } from '../model/ir.ts';
import { dequantize, int8Inputs } from '../quantize/io-convert.ts';
import { alignOps } from '../quantize/op-align.ts';
import { invoke, prepare, tensorValue } from '../simulate/interpreter.ts';
import type { LayerHistogram } from './quant-types.ts';

export function layerHistograms(
  int8: Model,
  float: Model,
  samples: Float32Array[][],
  bins = 40,
): LayerHistogram[] {
  const pairs = alignOps(int8, float);
  const qpm = prepare(int8);
  const fpm = prepare(float);
  const qsg = int8.subgraphs[0];
  const values = pairs.map(() => ({ f: [] as Float32Array[], q: [] as Float32Array[] }));
  for (const s of samples) {
    const q = invoke(qpm, int8Inputs(qpm, s), { taps: true }).tensors;
    const f = invoke(fpm, s, { taps: true }).tensors;
    pairs.forEach((p, k) => {
      const t = qsg.tensors[p.int8.outputs[0]];
      values[k].q.push(dequantize(t, tensorValue(q, t.index)));
      values[k].f.push(Float32Array.from(tensorValue(f, p.float.outputs[0]) as Float32Array));
    });
  }
  return pairs.map((p, k) => {
    let min = Infinity;
    let max = -Infinity;
    for (const arr of [...values[k].f, ...values[k].q])
      for (const v of arr) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    if (!(max > min)) max = min + 1; // a constant tensor still gets one visible bin
    const count = (arrs: Float32Array[]) => {
      const h = new Array<number>(bins).fill(0);
      for (const arr of arrs)
        for (const v of arr) h[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]++;
      return h;
    };
    return { op_index: p.int8.index, min, max, float: count(values[k].f), int8: count(values[k].q) };
  });
}
