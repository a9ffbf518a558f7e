/**
 * The gemmlowp fixed-point transcendental functions TFLite's int8 SOFTMAX, LOGISTIC and TANH use,
 * over raw int32 values. A value with `integerBits` m is raw / 2^(31-m). Products are
 * SaturatingRoundingDoublingHighMul; additions wrap like int32 in C.
 *
 * These are not on the hot path: unary ops evaluate them once per possible int8 input when
 * building a lookup table, softmax once per distinct input difference.
 */
import { rdbpot, srdhm } from './quant-math.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** SaturatingRoundingMultiplyByPOT<exponent>: saturating left shift, or rounding right shift. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return rdbpot(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** RoundingHalfSum: (a + b) / 2 rounded to nearest, ties away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8. */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constantOneThird = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = rdbpot(x4, 2);
  const poly = rdbpot((srdhm((x4Over4 + x3) | 0, constantOneThird) + x2) | 0, 1);
  return (constantTerm + srdhm(constantTerm, (x + poly) | 0)) | 0;
}

const EXP_BARREL: ReadonlyArray<[number, number]> = [
  [-2, 1672461947], // exp(-1/4)
  [-1, 1302514674], // exp(-1/2)
  [0, 790015084], // exp(-1)
  [1, 290630308], // exp(-2)
  [2, 39332535], // exp(-4)
  [3, 720401], // exp(-8)
  [4, 242], // exp(-16)
];

/** exp(a) for a <= 0 given with `integerBits` integer bits; result in Q0.31. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const shiftAmount = fractionalBits + exponent;
      if (remainder & (1 << shiftAmount)) result = srdhm(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(2 ** (36 - integerBits)); // -32.0
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** Newton-Raphson for 1 / (1 + x) with x in [0, 1): returns the F2 iterate. */
function newtonReciprocalHalfDenominator(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const constant48Over17 = 1515870810;
  const constantNeg32Over17 = -1010580540;
  const oneF2 = 1 << 29;
  let x = (constant48Over17 + srdhm(halfDenominator, constantNeg32Over17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhm(halfDenominator, x);
    const oneMinus = (oneF2 - halfDenominatorTimesX) | 0;
    x = (x + saturatingRoundingMultiplyByPOT(srdhm(x, oneMinus), 2)) | 0;
  }
  return x;
}

/** 1 / (1 + a) for a in [0, 1), Q0.31. */
export function oneOverOnePlusXForXIn01(a: number): number {
  // ExactMulByPot<-1> turns F2 into F1 (raw unchanged); Rescale<0> then shifts left by 1.
  return saturatingRoundingMultiplyByPOT(newtonReciprocalHalfDenominator(a), 1);
}

/** (1 - a) / (1 + a) for a in [0, 1), Q0.31. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  return saturatingRoundingMultiplyByPOT((newtonReciprocalHalfDenominator(a) - (1 << 29)) | 0, 2);
}

/** gemmlowp::logistic for a raw input with `integerBits`; Q0.31 result. */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const ifPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? ifPositive : (INT32_MAX - ifPositive) | 0;
}

/** gemmlowp::tanh for a raw input with `integerBits`; Q0.31 result. */
export function tanhFixed(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // ExactMulByPot<1>: same raw value, one more integer bit, i.e. exp(2n).
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/** CountLeadingZeros of a value as uint32. */
export function countLeadingZeros32(x: number): number {
  return Math.clz32(x);
}

/**
 * GetReciprocal(x, x_integer_digits): 1/x as a Q0.31 scale plus the number of bits x exceeds 1 by.
 */
export function getReciprocal(x: number, xIntegerDigits: number): { scale: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0; // uint32 (x<<h) - 2^31
  return { scale: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}
