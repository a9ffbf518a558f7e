/**
 * Per-channel requantization of a row of int32 accumulators to int8: exactly
 * MultiplyByQuantizedMultiplier(acc + bias, m[c], shift[c]) + offset, clamped; written as one loop
 * with the per-channel shift masks precomputed so the hot path has no function call.
 */
import { srdhm } from '../quant-math.ts';

export interface Requantizer {
  multipliers: Int32Array;
  /** Left shift (shift > 0) and right shift (shift < 0) per channel. */
  left: Int32Array;
  right: Int32Array;
  /** (1 << right) - 1 and its half, for RoundingDivideByPOT. */
  mask: Int32Array;
  half: Int32Array;
}

export function makeRequantizer(multipliers: Int32Array, shifts: Int32Array): Requantizer {
  const n = multipliers.length;
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const mask = new Int32Array(n);
  const half = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    left[c] = shifts[c] > 0 ? shifts[c] : 0;
    right[c] = shifts[c] > 0 ? 0 : -shifts[c];
    mask[c] = right[c] >= 31 ? 0x7fffffff : (1 << right[c]) - 1;
    half[c] = mask[c] >> 1;
  }
  return { multipliers, left, right, mask, half };
}

/** output[o + c] = clamp(MBQM(acc[c] + bias[c]) + offset) for c < n. */
export function requantizeRow(
  rq: Requantizer,
  acc: Int32Array,
  bias: Int32Array | null,
  n: number,
  offset: number,
  actMin: number,
  actMax: number,
  output: Int8Array,
  o: number,
): void {
  const { multipliers, left, right, mask, half } = rq;
  for (let c = 0; c < n; c++) {
    let x = bias !== null ? (acc[c] + bias[c]) | 0 : acc[c];
    if (left[c] > 0) x = Math.imul(x, 1 << left[c]);
    const m = multipliers[c];
    const p = x * m;
    // Exact when |p| < 2^52 (double product and nudged sum both exact); else the split form.
    let hi =
      p < 4503599627370496 && p > -4503599627370496
        ? Math.trunc((p + (p >= 0 ? 1073741824 : -1073741823)) * 4.656612873077393e-10) // exact: 2^-31
        : srdhm(x, m);
    const r = right[c];
    if (r > 0) {
      const rem = hi & mask[c];
      hi = (hi >> r) + (rem > half[c] + (hi < 0 ? 1 : 0) ? 1 : 0);
    }
    let v = hi + offset;
    if (v < actMin) v = actMin;
    else if (v > actMax) v = actMax;
    output[o + c] = v;
  }
}
