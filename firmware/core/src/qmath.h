/*
 * TFLite quantization arithmetic, once for the whole core: QuantizeMultiplier,
 * MultiplyByQuantizedMultiplier (TFLite Micro's default double-rounding form) and the
 * gemmlowp fixed-point helpers used by SOFTMAX and LOGISTIC. No libm.
 */
#ifndef QS_QMATH_H
#define QS_QMATH_H

#include <stdint.h>

/* double -> (significand in [2^30, 2^31), exponent) as TFLite's QuantizeMultiplier. */
void qs_quantize_multiplier(double real, int32_t *multiplier, int *shift);
/* std::frexp for finite doubles. */
double qs_frexp(double x, int *exp);
/* std::round (half away from zero) for float and double, as TfLiteRound. */
float qs_roundf(float x);
double qs_round(double x);

/* (a*b*2 + 2^31 rounding) >> 32 with TFLite's nudge; saturates INT32_MIN*INT32_MIN. */
static inline int32_t qs_srdhm(int32_t a, int32_t b) {
  int64_t ab, nudge;
  if (a == b && a == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  /* C division truncates toward zero, exactly like the reference's "/ (1ll << 31)". */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* Rounding arithmetic right shift, ties away from zero (gemmlowp RoundingDivideByPOT). */
static inline int32_t qs_rdbpot(int32_t x, int exponent) {
  int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier: shift > 0 scales up before the high multiply. The left
 * shift is done in uint32 so an out-of-range product wraps (as on the reference's targets)
 * instead of being undefined behaviour. */
static inline int32_t qs_mbqm(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return qs_rdbpot(qs_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

/* gemmlowp fixed point (raw int32 values). */
int32_t qs_fp_exp_on_negative_values(int32_t a, int integer_bits); /* Q(integer_bits) -> Q0 */
int32_t qs_fp_one_over_one_plus_x(int32_t a);                      /* Q0 in [0,1) -> Q0 */
int32_t qs_fp_logistic(int32_t a, int integer_bits);                /* Q(integer_bits) -> Q0 */
int32_t qs_fp_tanh(int32_t a, int integer_bits);                    /* Q(integer_bits) -> Q0 */
/* TFLite GetReciprocal: 1/x for x in Q(x_integer_digits); returns Q0 and the extra shift. */
int32_t qs_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit);
/* TFLite CalculateInputRadius. */
int32_t qs_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits);


/* MultiplyByQuantizedMultiplier for multiplier >= 0 (every prepared multiplier is: scales are
 * positive). Then SRDHM's sign-dependent nudge followed by a truncating division by 2^31
 * equals one flooring shift: for ab >= 0, (ab + 2^30) >> 31; for ab < 0, trunc((ab + 1 -
 * 2^30) / 2^31) = (ab + 1 - 2^30 + 2^31 - 1) >> 31 = (ab + 2^30) >> 31. Same bits as qs_mbqm
 * (checked on random inputs by test_kernels), about half the instructions on Cortex-M3.
 * Relies on >> of a negative value being arithmetic (gcc, clang, armcc all define it so). */
static inline int32_t qs_mbqm_pos(int32_t x, int32_t multiplier, int shift) {
  int32_t v;
  if (shift > 0) x = (int32_t)((uint32_t)x << shift);
  v = (int32_t)(((int64_t)x * multiplier + (1 << 30)) >> 31);
  return shift < 0 ? qs_rdbpot(v, -shift) : v;
}

/* MultiplyByQuantizedMultiplier for the int64 accumulators of the int16x8 kernels, as TFLite
 * (common.cc): the multiplier is rounded to 15 bits, then x * m15 is shifted right by 15 - shift
 * with round-half-up. shift <= 14 (checked at prepare); a zero multiplier gives 0. Done in uint64
 * so a hostile accumulator wraps like the reference's unsanitized int64 instead of being undefined;
 * the result is truncated to int32 as the reference's assignment does. */
static inline int32_t qs_mbqm64(int64_t x, int32_t multiplier, int shift) {
  int32_t m15 = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  int total = 15 - shift;
  uint64_t v = (uint64_t)x * (uint64_t)(int64_t)m15 + ((uint64_t)1 << (total - 1));
  return (int32_t)(uint32_t)(uint64_t)((int64_t)v >> total);
}

/* Output stage shared by CONV/DEPTHWISE/FC: rescale the int32 accumulator, add the output
 * zero point, clamp to the fused activation range. */
static inline int8_t qs_requant(int32_t acc, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v = qs_mbqm_pos(acc, mult, shift) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

/* GetInvSqrtQuantizedMultiplierExp: 1/sqrt(input) as a multiplier and shift (reverse_shift -1:
 * the shift is a left shift, as MultiplyByQuantizedMultiplier takes it). */
int32_t qs_inv_sqrt_multiplier(int32_t input, int reverse_shift, int *shift);
/* log_x_for_x_greater_than_or_equal_to_1: Q(input_bits) in, Q(output_bits) out. */
int32_t qs_fp_log_x_ge_1(int32_t input, int input_bits, int output_bits);
/* sqrtf of a positive finite float, correctly rounded, without libm (prepare-time scales). */
float qs_sqrtf(float x);
#endif
