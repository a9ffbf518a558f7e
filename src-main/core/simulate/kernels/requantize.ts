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
 * - Both floors merge (floor(floor(a / B + c) / D) = floor((a + cB) / (BD)) for integer c), and
 *   h < 0 exactly when a = p + 2^30 < 0, so with a = x*m + 2^30:
 *     result = floor((a + 2^(r-1) * 2^31 - [a < 0] * 2^31) * 2^-(31 + r))
 *   one multiply and one floor per output (exact while every term stays below 2^53: |p| < 2^52,
 *   r <= 20).
 */
import { srdhm } from '../quant-math.ts';

export interface Requantizer {
  multipliers: Int32Array;
  /** 2^left for shift > 0 (else 1). */
  leftScale: Float64Array;
  /** 2^(right-1) and 2^-right for shift < 0 (0 and 1 when there is no right shift). */
  rounding: Float64Array;
  inverse: Float64Array;
  /** Merged form: 2^(r-1) * 2^31, the [a < 0] correction 2^31 (0 when r = 0), 2^-(31 + r). */
  roundingHigh: Float64Array;
  correction: Float64Array;
  inverseHigh: Float64Array;
  /** True when every channel can use the merged form (no left shift, r <= 20). */
  merged: boolean;
}

const TWO_NEG_31 = 4.656612873077393e-10;
const LIMIT = 4503599627370496; // 2^52

export function makeRequantizer(multipliers: Int32Array, shifts: Int32Array): Requantizer {
  const n = multipliers.length;
  const leftScale = new Float64Array(n);
  const rounding = new Float64Array(n);
  const inverse = new Float64Array(n);
  const roundingHigh = new Float64Array(n);
  const correction = new Float64Array(n);
  const inverseHigh = new Float64Array(n);
  let merged = true;
  for (let c = 0; c < n; c++) {
    const s = shifts[c];
    leftScale[c] = s > 0 ? 2 ** s : 1;
    rounding[c] = s < 0 ? 2 ** (-s - 1) : 0;
    inverse[c] = s < 0 ? 2 ** s : 1;
    roundingHigh[c] = s < 0 ? 2 ** (-s - 1 + 31) : 0;
    correction[c] = s < 0 ? 2147483648 : 0;
    inverseHigh[c] = 2 ** (-31 + Math.min(s, 0));
    if (s > 0 || s < -20) merged = false;
  }
  return { multipliers, leftScale, rounding, inverse, roundingHigh, correction, inverseHigh, merged };
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
  if (rq.merged) {
    const { roundingHigh, correction, inverseHigh } = rq;
    for (let c = 0; c < n; c++) {
      const x = bias !== null ? (acc[accBase + c] + bias[c]) | 0 : acc[accBase + c];
      const m = multipliers[c];
      const p = x * m;
      let v: number;
      if (p < LIMIT && p > -LIMIT) {
        const a = p + 1073741824;
        v = Math.floor((a + roundingHigh[c] - (a < 0 ? correction[c] : 0)) * inverseHigh[c]) + offset;
      } else {
        const high = srdhm(x, m);
        const r = rounding[c];
        v = (r === 0 ? high : Math.floor((high + r - (high >>> 31)) * inverse[c])) + offset;
      }
      output[o + c] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
    return;
  }
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
