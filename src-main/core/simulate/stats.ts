/**
 * Per-layer output statistics: min / max / mean / std (raw and, for quantized tensors, in real
 * units), the share of elements saturated at the int8 limits, a histogram, and top-k.
 */
import type { TensorData } from './tensor-data.ts';

export interface LayerStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Same four in real units (scale * (q - zp)) when quantization was given, else equal to raw. */
  real: { min: number; max: number; mean: number; std: number };
  /** Percent of elements at -128 / 127 (int8 only; 0 otherwise). */
  saturatedLowPct: number;
  saturatedHighPct: number;
  histogram: { lo: number; hi: number; counts: number[] };
}

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

function asNumbers(data: TensorData): ArrayLike<number> {
  return data instanceof BigInt64Array || data instanceof BigUint64Array
    ? Array.from(data, Number)
    : (data as ArrayLike<number>);
}

/** Histogram bins: one per int8 value for int8 data (256), else `bins` equal-width over [min, max]. */
export function layerStats(data: TensorData, quant: QuantParams | null = null, bins = 32): LayerStats {
  const x = asNumbers(data);
  const n = x.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === -128) low++;
    else if (v === 127) high++;
  }
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (x[i] - mean) ** 2;
  const std = n > 0 ? Math.sqrt(sq / n) : 0;
  const isInt8 = data instanceof Int8Array;
  const lo = isInt8 ? -128 : n > 0 ? min : 0;
  const hi = isInt8 ? 127 : n > 0 ? max : 0;
  const nb = isInt8 ? 256 : bins;
  const counts = new Array<number>(nb).fill(0);
  const width = (hi - lo) / nb;
  for (let i = 0; i < n; i++) {
    const b = isInt8 ? x[i] + 128 : width > 0 ? Math.min(nb - 1, Math.floor((x[i] - lo) / width)) : 0;
    counts[b]++;
  }
  const toReal = (v: number): number => (quant ? quant.scale * (v - quant.zeroPoint) : v);
  return {
    count: n,
    min: n > 0 ? min : 0,
    max: n > 0 ? max : 0,
    mean,
    std,
    real: {
      min: toReal(n > 0 ? min : 0),
      max: toReal(n > 0 ? max : 0),
      mean: toReal(mean),
      std: quant ? quant.scale * std : std,
    },
    saturatedLowPct: isInt8 && n > 0 ? (100 * low) / n : 0,
    saturatedHighPct: isInt8 && n > 0 ? (100 * high) / n : 0,
    histogram: { lo, hi, counts },
  };
}

export interface TopEntry {
  index: number;
  value: number;
  /** Real value (dequantized) when quantization was given. */
  real: number;
}

/** The k largest elements, largest first; ties keep the lower index first. */
export function topK(data: TensorData, k: number, quant: QuantParams | null = null): TopEntry[] {
  const x = asNumbers(data);
  const idx = Array.from({ length: x.length }, (_, i) => i);
  idx.sort((a, b) => x[b] - x[a] || a - b);
  return idx.slice(0, Math.max(0, k)).map((i) => ({
    index: i,
    value: x[i],
    real: quant ? quant.scale * (x[i] - quant.zeroPoint) : x[i],
  }));
}
