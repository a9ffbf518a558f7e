/**
 * TFLite fixed-point quantization arithmetic, exactly as TFLite Micro computes it (double rounding:
 * SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT; TFLITE_SINGLE_ROUNDING off).
 *
 * JS numbers are doubles: a 32x32-bit product needs up to 62 bits, which a double cannot hold
 * exactly. `srdhm` therefore splits one operand into 16-bit halves so that every partial product
 * stays below 2^53 and is exact; no BigInt is used (these run once per output element).
 */

const TWO_31 = 2147483648;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * gemmlowp SaturatingRoundingDoublingHighMul(a, b) for int32 a, b:
 * (a*b + nudge) / 2^31 with C truncating division, nudge = 2^30 for a*b >= 0 else 1 - 2^30;
 * the only overflow case (INT32_MIN * INT32_MIN) saturates to INT32_MAX.
 */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const aLo = a & 0xffff; // unsigned low half
  const aHi = (a - aLo) / 65536; // signed high half (exact)
  const hi = aHi * b; // |hi| < 2^46: exact
  const lo = aLo * b; // |lo| < 2^47: exact
  // a*b = hi*2^16 + lo. Split hi = hq*2^15 + hr so that a*b = hq*2^31 + (hr*2^16 + lo).
  const hq = Math.floor(hi / 32768);
  const hr = hi - hq * 32768;
  const negative = (a < 0 && b > 0) || (a > 0 && b < 0);
  const t = hr * 65536 + lo + (negative ? 1 - 1073741824 : 1073741824); // exact, < 2^49
  const tq = Math.floor(t / TWO_31);
  let q = hq + tq; // floor((a*b + nudge) / 2^31)
  // C division truncates toward zero: a negative non-multiple rounds up from the floor.
  if (negative && t !== tq * TWO_31) q += 1;
  return q;
}

/** gemmlowp RoundingDivideByPOT: arithmetic right shift rounding to nearest, ties away from 0. */
export function rdbpot(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift): x * multiplier * 2^shift, with the
 * left shift applied before (int32, wrapping like the C code) and the right shift after the
 * doubling high multiply.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const xs = shift > 0 ? Math.imul(x, 1 << shift) : x;
  // Fast path: when |xs * multiplier| < 2^52 the double product and the nudged sum are exact,
  // so SRDHM is a plain truncating division (the common case for conv accumulators).
  const p = xs * multiplier;
  let high: number;
  if (p < 4503599627370496 && p > -4503599627370496) {
    high = Math.trunc((p + (p >= 0 ? 1073741824 : 1 - 1073741824)) / TWO_31);
  } else {
    high = srdhm(xs, multiplier);
  }
  return shift > 0 ? high : rdbpot(high, -shift);
}

/** MultiplyByQuantizedMultiplierGreaterThanOne: left shift then high multiply. */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return srdhm(Math.imul(x, (2 ** leftShift) | 0), multiplier);
}

/** std::round / TfLiteRound: halves round away from zero (Math.round rounds them up). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** std::frexp: x = fraction * 2^exponent with |fraction| in [0.5, 1) (fraction 0 for x = 0). */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  const ax = Math.abs(x);
  let e = Math.floor(Math.log2(ax)) + 1;
  let f = ax / 2 ** e;
  // log2 may be off by one near powers of two; fix up so f is in [0.5, 1).
  while (f >= 1) {
    f /= 2;
    e += 1;
  }
  while (f < 0.5) {
    f *= 2;
    e -= 1;
  }
  return { fraction: x < 0 ? -f : f, exponent: e };
}

export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * TFLite QuantizeMultiplier: significand as Q0.31 (rounded half away from zero) and a power-of-two
 * shift; 2^31 after rounding is renormalised; shifts below -31 flush to zero.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  if (!Number.isFinite(real)) throw new RangeError(`Cannot quantize multiplier ${real}`);
  const { fraction, exponent } = frexp(real);
  let qFixed = roundHalfAway(fraction * TWO_31);
  let shift = exponent;
  if (qFixed === TWO_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** Per-channel QuantizeMultiplier over a list of real multipliers. */
export function quantizeMultipliers(reals: ArrayLike<number>): {
  multipliers: Int32Array;
  shifts: Int32Array;
} {
  const multipliers = new Int32Array(reals.length);
  const shifts = new Int32Array(reals.length);
  for (let i = 0; i < reals.length; i++) {
    const q = quantizeMultiplier(reals[i]);
    multipliers[i] = q.multiplier;
    shifts[i] = q.shift;
  }
  return { multipliers, shifts };
}

/** CalculateInputRadius(input_integer_bits, input_left_shift, total_signed_bits = 31). */
export function calculateInputRadius(
  inputIntegerBits: number,
  inputLeftShift: number,
  totalSignedBits = 31,
): number {
  const maxInputRescaled =
    (((1 << inputIntegerBits) - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}

export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';

/**
 * CalculateActivationRangeQuantized: the fused activation as an int range. The float bound is
 * quantized in float32 (`f / scale` in single precision, then TfLiteRound), as TFLite does.
 */
export function activationRangeQuantized(
  activation: string,
  scale: number,
  zeroPoint: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  const quantize = (f: number): number =>
    zeroPoint + roundHalfAway(Math.fround(Math.fround(f) / Math.fround(scale)));
  switch (activation) {
    case 'NONE':
    case '':
      return { min: qmin, max: qmax };
    case 'RELU':
      return { min: Math.max(qmin, quantize(0)), max: qmax };
    case 'RELU6':
      return { min: Math.max(qmin, quantize(0)), max: Math.min(qmax, quantize(6)) };
    case 'RELU_N1_TO_1':
      return { min: Math.max(qmin, quantize(-1)), max: Math.min(qmax, quantize(1)) };
    default:
      throw new Error(`fused activation ${activation} is not supported for quantized ops`);
  }
}

/** CalculateActivationRange for float: the clamp bounds of a fused activation. */
export function activationRangeFloat(activation: string): { min: number; max: number } {
  switch (activation) {
    case 'NONE':
    case '':
      return { min: -Infinity, max: Infinity };
    case 'RELU':
      return { min: 0, max: Infinity };
    case 'RELU6':
      return { min: 0, max: 6 };
    case 'RELU_N1_TO_1':
      return { min: -1, max: 1 };
    default:
      throw new Error(`fused activation ${activation} is not supported`);
  }
}

export const INT32 = { min: INT32_MIN, max: INT32_MAX };
