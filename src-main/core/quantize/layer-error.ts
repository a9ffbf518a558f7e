/**
 * Per-layer quantization error, computed the way TFLite's QuantizationDebugger does (and MLTK's
 * quantization report prints it): for each int8 op, diff = dequantized int8 output − the float op
 * run on the *dequantized int8 inputs* (the op's local error). Per sample: num_elements, stddev,
 * mean_error, max_abs_error, mean_squared_error of diff; then each averaged over samples (so
 * max_abs_error is the mean of per-sample maxima). Plus the accumulated error: the full float
 * model vs the int8 model at the same tensor.
 */
import type { Model } from '../model/ir.ts';
import { prepare, tensorValue } from '../simulate/interpreter.ts';
import { invokeSample } from './sample-invoke.ts';
import { alignOps } from './op-align.ts';
import { dequantize, int8Inputs } from './io-convert.ts';
import { singleOpModel } from './single-op.ts';

export interface LayerErrorRow {
  op_name: string;
  /** Output tensor index in the int8 model. */
  tensor_idx: number;
  num_elements: number;
  stddev: number;
  mean_error: number;
  max_abs_error: number;
  mean_squared_error: number;
  scale: number;
  zero_point: number;
  tensor_name: string;
  /** scale × 255: the float span int8 covers (ideally < 255 per MLTK). */
  range: number;
  /** sqrt(mean_squared_error) / scale: ≈ 0.289 (1/√12) when the layer quantizes healthily. */
  rmse_over_scale: number;
  /** int8 op index, for linking advice to the layer. */
  op_index: number;
  /**
   * Type of the layer's output in the quantized model: 'int8', or 'int16' / 'float32' for layers
   * kept in int16x8 / float32. The MLTK thresholds (rmse/scale, range) are int8 rules: only int8
   * rows are flagged (an int16 layer's error against its 1/32767 step is large by construction).
   */
  dtype: string;
  /** Full float model vs int8 model at this tensor (errors accumulated from the input on). */
  accumulated_rmse: number;
  accumulated_max_abs_error: number;
}

export const MLTK_COLUMNS = [
  'op_name',
  'tensor_idx',
  'num_elements',
  'stddev',
  'mean_error',
  'max_abs_error',
  'mean_squared_error',
  'scale',
  'zero_point',
  'tensor_name',
  'range',
  'rmse/scale',
] as const;

export interface LayerErrorOptions {
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

interface Acc {
  stddev: number;
  mean: number;
  maxAbs: number;
  mse: number;
  accSe: number;
  accMax: number;
}

/** Statistics of diff = a − b for one sample. */
function stats(a: Float32Array, b: Float32Array): { std: number; mean: number; maxAbs: number; mse: number } {
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d;
    sq += d * d;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  const mean = sum / a.length;
  const mse = sq / a.length;
  return { std: Math.sqrt(Math.max(0, mse - mean * mean)), mean, maxAbs, mse };
}

export function layerErrors(
  int8: Model,
  float: Model,
  samples: Float32Array[][],
  options: LayerErrorOptions = {},
): LayerErrorRow[] {
  if (samples.length === 0) throw new Error('The quantization report needs at least one sample');
  const qsg0 = int8.subgraphs[0];
  // ops writing integers that are not quantized values (CAST to int32 indices) have no error row
  const pairs = alignOps(int8, float).filter((p) => {
    const t = qsg0.tensors[p.int8.outputs[0]];
    return t.dtype === 'float32' || t.quantization !== null;
  });
  const qpm = prepare(int8);
  const fpm = prepare(float);
  const qsg = int8.subgraphs[0];
  const singles = pairs.map((p) => {
    const s = singleOpModel(float, p.float);
    return { ...s, pm: prepare(s.model) };
  });
  const acc: Acc[] = pairs.map(() => ({ stddev: 0, mean: 0, maxAbs: 0, mse: 0, accSe: 0, accMax: 0 }));
  samples.forEach((sample, n) => {
    if (options.isCancelled?.()) throw new Error('Quantization report cancelled');
    const q = invokeSample(qpm, int8Inputs(qpm, sample), { taps: true }).tensors;
    const f = invokeSample(fpm, sample, { taps: true }).tensors;
    pairs.forEach((p, k) => {
      const { pm, inputSlots } = singles[k];
      const localInputs = inputSlots.map((slot) => {
        const t = qsg.tensors[p.int8.inputs[slot]];
        const v = tensorValue(q, t.index);
        return t.dtype === 'float32' || t.quantization ? dequantize(t, v) : v; // int32 indices as they are
      });
      const local = invokeSample(pm, localInputs, { taps: false }).outputs[0].data as Float32Array;
      const outT = qsg.tensors[p.int8.outputs[0]];
      const got = dequantize(outT, tensorValue(q, outT.index));
      const s = stats(got, local);
      const a = acc[k];
      a.stddev += s.std;
      a.mean += s.mean;
      a.maxAbs += s.maxAbs;
      a.mse += s.mse;
      const full = stats(got, tensorValue(f, p.float.outputs[0]) as Float32Array);
      a.accSe += full.mse;
      a.accMax += full.maxAbs;
    });
    options.onProgress?.(n + 1, samples.length);
  });
  const n = samples.length;
  return pairs.map((p, k) => {
    const t = qsg.tensors[p.int8.outputs[0]];
    const scale = t.quantization?.scale[0] ?? 0;
    const a = acc[k];
    const mse = a.mse / n;
    return {
      op_name: p.int8.op,
      tensor_idx: t.index,
      num_elements: t.shape.reduce((x, y) => x * y, 1),
      stddev: a.stddev / n,
      mean_error: a.mean / n,
      max_abs_error: a.maxAbs / n,
      mean_squared_error: mse,
      scale,
      zero_point: t.quantization?.zeroPoint[0] ?? 0,
      tensor_name: t.name,
      range: scale * 255,
      rmse_over_scale: scale > 0 ? Math.sqrt(mse) / scale : 0,
      op_index: p.int8.index,
      dtype: t.dtype,
      accumulated_rmse: Math.sqrt(a.accSe / n),
      accumulated_max_abs_error: a.accMax / n,
    };
  });
}

/** The MLTK CSV: exactly its 12 columns in its order, one row per int8 op output. */
export function layerErrorsCsv(rows: LayerErrorRow[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rows.map((r) =>
    [
      r.op_name,
      r.tensor_idx,
      r.num_elements,
      r.stddev,
      r.mean_error,
      r.max_abs_error,
      r.mean_squared_error,
      r.scale,
      r.zero_point,
      r.tensor_name,
      r.range,
      r.rmse_over_scale,
    ]
      .map(cell)
      .join(','),
  );
  return [MLTK_COLUMNS.join(','), ...lines].join('\n') + '\n';
}
