/**
 * Per-channel requantization of a row of int32 accumulators to int8: exactly
 * MultiplyByQuantizedMultiplier(acc + bias, m[c], shift[c]) + offset, clamped, as one branch-light
 * loop (the data-dependent branches of the textbook form mispredict a lot in conv layers).
 *
 * Identities used (all integers, exact in doubles while |x * m| < 2^52):
 * - SaturatingRoundingDoublingHighMul(x, m) = trunc((x*m + nudge) / 2^31) with nudge 2^30 for
 *   x*m >= 0 and 1 - 2^30 otherwise; for negative products trunc = ceil and
 *   ceil((p + 1 - 2^30) / 2^31) = floor((p + 2^30) / 2^31), so it is floor((p + 2^30) / 2^31) for
 *   every p (INT32_MIN * INT32_MIN never takes this path: |p| >= 2^52).
 * - RoundingDivideByPOT(h, r) (halves away from zero) = floor((h + 2^(r-1) - [h < 0]) / 2^r), r > 0.
 */
import { srdhm } from '../quant-math.ts';

export interface Requantizer {
  multipliers: Int32Array;
  /** 2^left for shift > 0 (else 1). */
  leftScale: Float64Array;
  /** 2^(right-1) and 2^-right for shift < 0 (0 and 1 when there is no right shift). */
  rounding: Float64Array;
  inverse: Float64Array;
}

const TWO_NEG_31 = 4.656612873077393e-10;
const LIMIT = 4503599627370496; // 2^52

export function makeRequantizer(multipliers: Int32Array, shifts: Int32Array): Requantizer {
  const n = multipliers.length;
  const leftScale = new Float64Array(n);
  const rounding = new Float64Array(n);
  const inverse = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const s = shifts[c];
    leftScale[c] = s > 0 ? 2 ** s : 1;
    rounding[c] = s < 0 ? 2 ** (-s - 1) : 0;
    inverse[c] = s < 0 ? 2 ** s : 1;
  }
  return { multipliers, leftScale, rounding, inverse };
}

/** output[o + c] = clamp(MBQM(acc[accBase + c] + bias[c]) + offset) for c < n. */
export function requantizeRow(
  rq: Requantizer,
  acc: Int32Array,
  accBase: number,
  bias: Int32Array | null,
  n: number,
  offset: number,
  actMin: number,
  actMax: number,
  output: Int8Array,
  o: number,
): void {
  const { multipliers, leftScale, rounding, inverse } = rq;
  for (let c = 0; c < n; c++) {
    const a = bias !== null ? (acc[accBase + c] + bias[c]) | 0 : acc[accBase + c];
    // The C code shifts left in int32 (wrapping); `| 0` reproduces that.
    const x = leftScale[c] === 1 ? a : (a * leftScale[c]) | 0;
    const m = multipliers[c];
    const p = x * m;
    const high = p < LIMIT && p > -LIMIT ? Math.floor((p + 1073741824) * TWO_NEG_31) : srdhm(x, m);
    const r = rounding[c];
    const v = (r === 0 ? high : Math.floor((high + r - (high >>> 31)) * inverse[c])) + offset;
    output[o + c] = v < actMin ? actMin : v > actMax ? actMax : v;
  }
}
