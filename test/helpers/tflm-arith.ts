/**
 * TFLite Micro's quantization arithmetic, written out in TypeScript for tests only: the tests
 * work out expected op outputs with it and compare them with what the C core computes (the
 * simulator never uses this file). BigInt keeps every intermediate exact.
 * Facts from tensorflow/lite/kernels/internal/{quantization_util.cc, common.cc} (default
 * double rounding).
 */

const I32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

/** QuantizeMultiplier: real -> (multiplier in [2^30, 2^31), shift). */
export function quantizeMultiplier(real: number): { mult: number; shift: number } {
  if (real === 0) return { mult: 0, shift: 0 };
  let shift = Math.floor(Math.log2(Math.abs(real))) + 1; // frexp exponent
  let q = real / 2 ** shift;
  // guard log2 rounding at exact powers of two: q must land in [0.5, 1)
  if (q >= 1) ((q /= 2), shift++);
  if (q < 0.5) ((q *= 2), shift--);
  let fixed = Math.round(q * 2 ** 31); // q * 2^31 >= 2^30 > 0: Math.round is half away from zero here
  if (fixed === 2 ** 31) ((fixed /= 2), shift++);
  if (shift < -31) return { mult: 0, shift: 0 };
  return { mult: fixed, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul. */
export function srdhm(a: number, b: number): number {
  if (a === b && a === -(2 ** 31)) return 2 ** 31 - 1;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return I32((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C
}

/** gemmlowp RoundingDivideByPOT (ties away from zero). */
export function rdbpot(x: number, exponent: number): number {
  const bx = BigInt(x);
  const mask = (1n << BigInt(exponent)) - 1n;
  const remainder = bx & mask;
  const threshold = (mask >> 1n) + (x < 0 ? 1n : 0n);
  return I32((bx >> BigInt(exponent)) + (remainder > threshold ? 1n : 0n));
}

/** MultiplyByQuantizedMultiplier(int32 x, ...): the left shift wraps in int32. */
export function mbqm(x: number, mult: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(I32(BigInt(x) << BigInt(left)), mult), right);
}

/** MultiplyByQuantizedMultiplier(int64 x, ...): the 15-bit multiplier form of the int16 kernels. */
export function mbqm64(x: bigint, mult: number, shift: number): number {
  const m15 = mult < 0x7fff0000 ? (mult + (1 << 15)) >> 16 : 0x7fff;
  const total = BigInt(15 - shift);
  return I32((x * BigInt(m15) + (1n << (total - 1n))) >> total);
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** float32 rounding of a double, as every float32 store. */
export const f32 = Math.fround;
