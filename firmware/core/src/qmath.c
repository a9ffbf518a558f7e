#include "qmath.h"

#include <string.h>

double qs_frexp(double x, int *exp) {
  uint64_t bits;
  int e;
  memcpy(&bits, &x, 8);
  e = (int)((bits >> 52) & 0x7FF);
  if (x == 0.0 || e == 0x7FF) { /* zero, inf, nan: returned unchanged */
    *exp = 0;
    return x;
  }
  if (e == 0) { /* subnormal: scale into the normal range first */
    double y = qs_frexp(x * 18014398509481984.0 /* 2^54 */, exp);
    *exp -= 54;
    return y;
  }
  *exp = e - 1022;
  bits = (bits & ~((uint64_t)0x7FF << 52)) | ((uint64_t)1022 << 52); /* [0.5, 1) */
  memcpy(&x, &bits, 8);
  return x;
}

double qs_round(double x) {
  double a = x < 0 ? -x : x, t;
  if (!(a < 4503599627370496.0)) return x; /* >= 2^52: already integral (or NaN) */
  t = (double)(int64_t)a;                  /* exact truncation */
  if (a - t >= 0.5) t += 1.0;
  return x < 0 ? -t : t;
}

float qs_roundf(float x) {
  float a = x < 0 ? -x : x, t;
  if (!(a < 8388608.0f)) return x; /* >= 2^23: already integral (or NaN) */
  t = (float)(int32_t)a;
  if (a - t >= 0.5f) t += 1.0f;
  return x < 0 ? -t : t;
}

void qs_quantize_multiplier(double real, int32_t *multiplier, int *shift) {
  double q;
  int64_t q_fixed;
  if (real == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  q = qs_frexp(real, shift);
  q_fixed = (int64_t)qs_round(q * 2147483648.0);
  if (q_fixed == ((int64_t)1 << 31)) { /* rounding carried into bit 31 */
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) { /* flush tiny multipliers to zero, as the reference does */
    *shift = 0;
    q_fixed = 0;
  }
  *multiplier = (int32_t)q_fixed;
}

/* --- gemmlowp fixed point. A value in Q(k) has k integer bits and 31-k fractional bits. --- */

static int32_t add_wrap(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t sub_wrap(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* SaturatingRoundingMultiplyByPOT<e>: saturating left shift for e > 0, rounding right shift below. */
static int32_t mul_pot(int32_t x, int e) {
  int32_t threshold;
  if (e <= 0) return e == 0 ? x : qs_rdbpot(x, -e);
  threshold = (int32_t)((1u << (31 - e)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(x) for x in [-1/4, 0), Q0 in and out: Taylor series around -1/8. */
static int32_t exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668;   /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883; /* 1/3 */
  int32_t x = add_wrap(a, 1 << 28);            /* a + 1/8 */
  int32_t x2 = qs_srdhm(x, x), x3 = qs_srdhm(x2, x), x4 = qs_srdhm(x2, x2);
  int32_t x4_over_4 = mul_pot(x4, -2);
  int32_t poly = mul_pot(add_wrap(qs_srdhm(add_wrap(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add_wrap(constant_term, qs_srdhm(constant_term, add_wrap(x, poly)));
}

int32_t qs_fp_exp_on_negative_values(int32_t a, int integer_bits) {
  /* exp(-2^k) in Q0 for k = -2..4: the barrel shifter multiplies these in per remainder bit. */
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                                  39332535,   720401,     242};
  const int frac = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (frac - 2);
  int32_t mask = one_quarter - 1;
  int32_t a_mod = sub_wrap(a & mask, one_quarter);
  int32_t result = exp_quarter(mul_pot(a_mod, integer_bits)); /* Rescale to Q0 */
  int32_t remainder = sub_wrap(a_mod, a);
  int k;
  for (k = -2; k <= 4; k++) {
    if (integer_bits > k) {
      int sh = frac + k;
      if (remainder & ((int32_t)1 << sh)) result = qs_srdhm(result, mult[k + 2]);
    }
  }
  if (integer_bits > 5) {
    int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32 */
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX; /* One() in Q0 */
  return result;
}

/* Newton-Raphson for 1/(1+a) in Q2 (gemmlowp), shared by 1/(1+x) and (1-x)/(1+x). */
static int32_t reciprocal_q2(int32_t a, int32_t *half_den) {
  int64_t sum = (int64_t)a + INT32_MAX;
  int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2); /* RoundingHalfSum */
  int32_t x = add_wrap(1515870810, qs_srdhm(half_denominator, -1010580540)); /* 48/17 - 32/17 d */
  int i;
  for (i = 0; i < 3; i++) {
    int32_t hdx = qs_srdhm(half_denominator, x);
    int32_t one_minus = sub_wrap((int32_t)1 << 29, hdx); /* One() in Q2 */
    x = add_wrap(x, mul_pot(qs_srdhm(x, one_minus), 2)); /* Q4 -> Q2 */
  }
  *half_den = half_denominator;
  return x;
}

int32_t qs_fp_one_over_one_plus_x(int32_t a) {
  int32_t hd, x = reciprocal_q2(a, &hd);
  return mul_pot(x, 1); /* ExactMulByPot<-1> to Q1, then Rescale to Q0 */
}

int32_t qs_fp_tanh(int32_t a, int integer_bits) {
  /* gemmlowp tanh: n = -|a|; t = (1 - e)/(1 + e) with e = exp(2n) (same raw read as
   * Q(integer_bits+1)); result sign follows a. */
  int32_t n, e, x, hd, t;
  if (a == 0) return 0;
  n = a < 0 ? a : -a;
  e = qs_fp_exp_on_negative_values(n, integer_bits + 1);
  x = reciprocal_q2(e, &hd);
  t = mul_pot(sub_wrap(x, (int32_t)1 << 29), 2); /* x - One() in Q2, Rescale to Q0 */
  return a < 0 ? -t : t;
}

int32_t qs_fp_logistic(int32_t a, int integer_bits) {
  int32_t abs_a, pos;
  if (a == 0) return 1 << 30; /* 0.5 */
  abs_a = a > 0 ? a : -a;
  pos = qs_fp_one_over_one_plus_x(qs_fp_exp_on_negative_values(-abs_a, integer_bits));
  return a > 0 ? pos : sub_wrap(INT32_MAX, pos);
}

int32_t qs_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  uint32_t ux = (uint32_t)x;
  int headroom_plus_one = 0;
  int32_t shifted_minus_one;
  if (ux == 0) { /* 1/0: the reference never calls this with 0 (the sum includes exp(0)) */
    *num_bits_over_unit = 0;
    return INT32_MAX;
  }
  while (headroom_plus_one < 32 && !(ux & (0x80000000u >> headroom_plus_one))) headroom_plus_one++;
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  shifted_minus_one = (int32_t)((ux << headroom_plus_one) - 0x80000000u);
  return qs_fp_one_over_one_plus_x(shifted_minus_one);
}

int32_t qs_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits) {
  double max_input_rescaled = 1.0 * (double)((1 << input_integer_bits) - 1) *
                              (double)((int64_t)1 << (total_signed_bits - input_integer_bits)) /
                              (double)((int64_t)1 << input_left_shift);
  return (int32_t)max_input_rescaled; /* positive: truncation is floor */
}

/* --- inverse square root, log and an exact float square root (element-wise and math ops) --- */

static int clz32(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

int32_t qs_inv_sqrt_multiplier(int32_t input, int reverse_shift, int *shift_out) {
  /* GetInvSqrtQuantizedMultiplierExp: normalize the input into [2^27, 2^29) by pairs of bits,
   * then five Newton-Raphson steps x <- 1.5 x - (input / 2) x^3 in Q3 starting from x = 1. */
  int shift = 11, pairs, i;
  int32_t half_input, x;
  if (input <= 1) { /* 0 (invalid) and 1 both give the largest multiplier, as the reference */
    *shift_out = 0;
    return INT32_MAX;
  }
  while (input >= (1 << 29)) input /= 4, shift++;
  pairs = (clz32((uint32_t)input) - 1) / 2 - 1;
  shift -= pairs;
  input = (int32_t)((uint32_t)input << (2 * pairs));
  half_input = qs_rdbpot(input >> 1, 1); /* Q3 input, times 1/2 */
  x = 1 << 28;                           /* One() in Q3 */
  for (i = 0; i < 5; i++) {
    int32_t x3 = mul_pot(qs_srdhm(qs_srdhm(x, x), x), 6); /* Q9 -> Q3 */
    x = mul_pot(sub_wrap(qs_srdhm((1 << 28) + (1 << 27), x), qs_srdhm(half_input, x3)), 3); /* Q6 -> Q3 */
  }
  x = qs_srdhm(x, 1518500250); /* times sqrt(2)/2 */
  if (shift < 0) {
    x = (int32_t)((uint32_t)x << -shift);
    shift = 0;
  }
  *shift_out = shift * reverse_shift;
  return x;
}

static int32_t sat_add(int32_t a, int32_t b) {
  int64_t s = (int64_t)a + b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}
static int32_t sat_sub(int32_t a, int32_t b) {
  int64_t s = (int64_t)a - b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

int32_t qs_fp_log_x_ge_1(int32_t input, int input_bits, int output_bits) {
  /* log_x_for_x_greater_than_or_equal_to_1_impl: log2 of the input's power-of-two part (two
   * candidates, a quarter apart) times log(2), plus a rational approximation of the remainder
   * in [sqrt(1/2), 1); accumulated in Q(output_bits + 1). Every product is SRDHM. */
  const int accum_bits = output_bits + 1;
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
  const int32_t shifted_quarter = mul_pot(536870912, -accum_bits);
  int z_a_headroom_plus_1 = clz32((uint32_t)input), z_b_headroom;
  int32_t r_a, r_b, za_adj, zb_adj, z_b, r, z_adj, p, q, common_sq, num, denom_m1, recip;
  int64_t half_sum;
  r_a = mul_pot(qs_srdhm(mul_pot(input, z_a_headroom_plus_1 - 1), sqrt_half), 1);
  za_adj = sat_add(mul_pot(input_bits - z_a_headroom_plus_1, 31 - accum_bits), shifted_quarter);
  z_b = qs_srdhm(input, sqrt_half);
  z_b_headroom = clz32((uint32_t)z_b) - 1;
  r_b = mul_pot(input, z_b_headroom);
  zb_adj = sat_sub(mul_pot(input_bits - z_b_headroom, 31 - accum_bits), shifted_quarter);
  r = r_a < r_b ? r_a : r_b;
  z_adj = za_adj > zb_adj ? za_adj : zb_adj;
  half_sum = (int64_t)r + sqrt_sqrt_half; /* RoundingHalfSum */
  p = (int32_t)((half_sum + (half_sum >= 0 ? 1 : -1)) / 2);
  q = sub_wrap(r, sqrt_sqrt_half);
  q = add_wrap(q, q);
  common_sq = qs_srdhm(q, q);
  num = add_wrap(qs_srdhm(q, r), qs_srdhm(qs_srdhm(q, common_sq), alpha_n));
  denom_m1 = add_wrap(qs_srdhm(p, add_wrap(add_wrap(alpha_i, q), qs_srdhm(alpha_d, common_sq))), qs_srdhm(alpha_f, q));
  recip = qs_fp_one_over_one_plus_x(denom_m1);
  return mul_pot(add_wrap(qs_srdhm(z_adj, log_2), qs_srdhm(mul_pot(num, -accum_bits), recip)), accum_bits - output_bits);
}

float qs_sqrtf(float x) {
  /* correctly rounded (round to nearest even) square root of a positive finite float, from
   * the integer square root of its significand: the same bits as any IEEE sqrtf, no libm */
  uint32_t u, mant, rem_bits, half;
  uint64_t mm, r = 0, bit, rest;
  int e, ex, drop, nb;
  float f;
  memcpy(&u, &x, 4);
  if (!(x > 0.0f) || x > 3.4028235e38f) return x > 0.0f ? x : 0.0f;
  e = (int)((u >> 23) & 0xffu);
  mant = u & 0x7fffffu;
  if (e == 0) { /* subnormal: normalize */
    e = 1;
    while (!(mant & 0x800000u)) mant <<= 1, e--;
  } else {
    mant |= 0x800000u;
  }
  ex = e - 150; /* x = mant * 2^ex */
  mm = mant;
  if (ex & 1) mm <<= 1, ex -= 1;
  mm <<= 28, ex -= 28; /* sqrt(mm) has 26 or 27 bits */
  rest = mm;
  for (bit = (uint64_t)1 << 62; bit > rest; bit >>= 2) {
  }
  while (bit) { /* bitwise integer square root */
    if (rest >= r + bit) {
      rest -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  for (nb = 0; (r >> nb) != 0; nb++) {
  }
  drop = nb - 24;
  mant = (uint32_t)(r >> drop);
  rem_bits = (uint32_t)(r & ((1u << drop) - 1u));
  half = 1u << (drop - 1);
  if (rem_bits > half || (rem_bits == half && (rest != 0 || (mant & 1u)))) mant++;
  e = drop + ex / 2 + 23 + 127;
  if (mant == 0x1000000u) mant >>= 1, e++;
  u = ((uint32_t)e << 23) | (mant & 0x7fffffu);
  memcpy(&f, &u, 4);
  return f;
}
