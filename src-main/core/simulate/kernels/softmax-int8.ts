/**
 * int8 -> int8 SOFTMAX as TFLite Micro's reference kernel (gemmlowp fixed point): input
 * differences to the row max are rescaled to Q5.26, exp() evaluated in Q0.31, summed in Q12.19,
 * inverted with GetReciprocal and the product rounded down to 8 bits.
 *
 * exp() depends only on the difference (max - x) in [0, 255], so prepare builds a 256-entry
 * table of exp values (Q0.31) once; per row only the sum and the reciprocal are computed.
 */
import {
  calculateInputRadius,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  rdbpot,
  srdhm,
} from '../quant-math.ts';
import { expOnNegativeValues, getReciprocal } from '../fixed-point.ts';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

export interface SoftmaxInt8Params {
  depth: number;
  outer: number;
  /** expTable[d] = exp(-d * scale * beta) in Q0.31 for d = max - x; -1 marks d beyond diff_min. */
  expTable: Float64Array;
}

/** PreprocessSoftmaxScaling + CalculateInputRadius, then the exp table over all 256 differences. */
export function prepareSoftmaxInt8(
  beta: number,
  inputScale: number,
  depth: number,
  outer: number,
): SoftmaxInt8Params {
  const real = Math.min(beta * inputScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  const diffMin = -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, shift);
  const expTable = new Float64Array(256);
  for (let d = 0; d < 256; d++) {
    const diff = -d;
    if (diff >= diffMin) {
      const rescaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, shift);
      expTable[d] = expOnNegativeValues(rescaled, SCALED_DIFF_INTEGER_BITS);
    } else {
      expTable[d] = -1;
    }
  }
  return { depth, outer, expTable };
}

export function softmaxInt8(p: SoftmaxInt8Params, input: Int8Array, output: Int8Array): void {
  const { depth, expTable } = p;
  for (let r = 0; r < p.outer; r++) {
    const base = r * depth;
    let max = -128;
    for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
    // sum_of_exps in Q12.19: each exp (Q0.31) is Rescale<12>'d = rounding shift right by 12.
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const e = expTable[max - input[base + c]];
      if (e >= 0) sum = (sum + rdbpot(e, ACCUMULATION_INTEGER_BITS)) | 0;
    }
    const { scale, numBitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const e = expTable[max - input[base + c]];
      if (e < 0) {
        output[base + c] = -128;
        continue;
      }
      let v = rdbpot(srdhm(scale, e), exponent) - 128;
      if (v > 127) v = 127;
      else if (v < -128) v = -128;
      output[base + c] = v;
    }
  }
}
