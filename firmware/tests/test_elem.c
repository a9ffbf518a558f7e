/*
 * Element-wise binary ops (k_binary.c: SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, DIV, PRELU, FLOOR_DIV,
 * FLOOR_MOD), the comparisons, logical ops and SELECT, and CAST on one-op models: every dtype
 * TFLite Micro accepts, expected values worked out by hand from TFLite Micro's arithmetic (the
 * rule each case tests is written beside it). The one-input math ops: test_elem_unary.c.
 */
#include "elem_harness.h"

static void test_squared_difference(void) {
  static const float fa[2] = {1.5f, -2.0f}, fb[1] = {0.5f};
  static const double fwant[2] = {1.0, 6.25};
  static const int32_t ia[3] = {3, -4, 65536}, ib[3] = {1, 1, 0}, iwant[3] = {4, 25, 0};
  static const int8_t qa[3] = {3, -4, 20}, qb[3] = {1, 1, -2}, qwant[3] = {-124, -103, 127};
  static const int16_t ha[2] = {100, -300}, hb[2] = {40, 0}, hwant[2] = {3600, 32767};
  tb_tensor_t t[3];
  float fo[2];
  int32_t io[3];
  int8_t qo[3];
  int16_t ho[2];
  const void *in[2];
  /* float32 with broadcasting: (a - b)^2 in float */
  t[0] = T(F32, 1, 2, 0, 0, 0, NULL, 0), t[1] = T(F32, 1, 1, 0, 0, 0, NULL, 0), t[2] = T(F32, 1, 2, 0, 0, 0, NULL, 0);
  in[0] = fa, in[1] = fb;
  CHECK(op1(SQDIFF, 2, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "sqdiff f32 ran");
  expect_f("sqdiff f32", fo, fwant, 2, 0);
  /* int32: the square wraps modulo 2^32 (65536^2 = 2^32 -> 0) */
  t[0] = T(I32, 1, 3, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = ia, in[1] = ib;
  CHECK(op1(SQDIFF, 2, t, in, io, sizeof(io), 0, -1) == QS_OK, "sqdiff i32 ran");
  expect_i32("sqdiff i32", io, iwant, 3);
  /* int8, all scales 1: inputs << 7 times 1/2, difference squared (4096 (a-b)^2), times
   * 4 / (2^14 * 1) = 2^-12: (a-b)^2 + zp_out (-128), saturating at 127 (22^2 = 484) */
  t[0] = T(I8, 1, 3, 0, 1.0f, 0, NULL, 0), t[1] = t[0], t[2] = T(I8, 1, 3, 0, 1.0f, -128, NULL, 0);
  in[0] = qa, in[1] = qb;
  CHECK(op1(SQDIFF, 2, t, in, qo, sizeof(qo), 0, -1) == QS_OK, "sqdiff i8 ran");
  expect8("sqdiff i8", qo, qwant, 3);
  /* int16, zero points 0, no left shift: halves (50 - 20)^2 times 4 = 3600; (-150)^2 * 4 saturates */
  t[0] = T(I16, 1, 2, 0, 1.0f, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = ha, in[1] = hb;
  CHECK(op1(SQDIFF, 2, t, in, ho, sizeof(ho), 0, -1) == QS_OK, "sqdiff i16 ran");
  expect_i16("sqdiff i16", ho, hwant, 2);
  /* int16 needs zero points of 0 (TFLM's prepare) */
  t[2] = T(I16, 1, 2, 0, 1.0f, 3, NULL, 0);
  CHECK(op1(SQDIFF, 2, t, in, ho, sizeof(ho), 0, -1) == QS_ERR_QUANT, "sqdiff i16 zp refused");
}

static void test_max_min(void) {
  static const int8_t a8[3] = {1, -5, 7}, b8[1] = {0}, max8[3] = {1, 0, 7}, min8[3] = {0, -5, 0};
  static const int16_t a16[2] = {-300, 300}, b16[2] = {200, 200}, max16[2] = {200, 300};
  static const int64_t a64[2] = {(int64_t)1 << 40, -1}, b64[2] = {1, 0};
  static const float fa[3] = {NAN, 1.0f, -0.0f}, fb[3] = {1.0f, NAN, 0.0f};
  static const double fmax[3] = {1.0, NAN, 0.0};
  tb_tensor_t t[3];
  int8_t o8[3];
  int16_t o16[2];
  int64_t o64[2];
  float fo[3];
  const void *in[2] = {a8, b8};
  /* int8: raw values compared, second input broadcast; the quantization is not looked at */
  t[0] = T(I8, 1, 3, 0, 0.5f, 0, NULL, 0), t[1] = T(I8, 1, 1, 0, 0.1f, 3, NULL, 0), t[2] = T(I8, 1, 3, 0, 2.0f, 0, NULL, 0);
  CHECK(op1(MAX, 2, t, in, o8, 3, 0, -1) == QS_OK, "max i8 ran");
  expect8("max i8", o8, max8, 3);
  CHECK(op1(MIN, 2, t, in, o8, 3, 0, -1) == QS_OK, "min i8 ran");
  expect8("min i8", o8, min8, 3);
  /* int16 raw */
  t[0] = T(I16, 1, 2, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = a16, in[1] = b16;
  CHECK(op1(MAX, 2, t, in, o16, sizeof(o16), 0, -1) == QS_OK, "max i16 ran");
  expect_i16("max i16", o16, max16, 2);
  /* int64: full 64-bit compare */
  t[0] = T(I64, 1, 2, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = a64, in[1] = b64;
  CHECK(op1(MIN, 2, t, in, o64, sizeof(o64), 0, -1) == QS_OK, "min i64 ran");
  CHECK(o64[0] == 1 && o64[1] == -1, "min i64: %lld %lld", (long long)o64[0], (long long)o64[1]);
  /* float32: el1 > el2 ? el1 : el2, so a NaN first gives the second, a NaN second propagates */
  t[0] = T(F32, 1, 3, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = fa, in[1] = fb;
  CHECK(op1(MAX, 2, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "max f32 ran");
  expect_f("max f32", fo, fmax, 3, 0);
  CHECK(!signbit(fo[2]), "max(-0, +0) is the second (+0)");
}

static void test_div(void) {
  static const float fa[4] = {1, -1, 0, 6}, fb[4] = {2, 0, 0, 3};
  static const double fnone[4] = {0.5, -3.40282347e38, NAN, 2}, frelu6[4] = {0.5, 0, NAN, 2};
  static const int32_t ia[4] = {7, -7, 5, INT32_MIN}, ib[4] = {2, 2, 0, -1}, iwant[4] = {3, -3, 0, INT32_MIN};
  static const int32_t irelu[4] = {3, 0, 0, 0};
  static const int8_t qa[6] = {6, -7, 100, 127, 5, -5}, qb[6] = {3, 3, 7, -3, 0, 0}, qwant[6] = {2, -2, 14, -42, 127, -128};
  tb_tensor_t t[3];
  float fo[4];
  int32_t io[4];
  int8_t qo[6];
  const void *in[2] = {fa, fb};
  /* float32: a / b, NONE clamps to +-FLT_MAX (CalculateActivationRange), NaN passes the clamp */
  t[0] = T(F32, 1, 4, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  CHECK(op1(DIV, 2, t, in, fo, sizeof(fo), 29, 0) == QS_OK, "div f32 ran");
  expect_f("div f32", fo, fnone, 4, 0);
  CHECK(op1(DIV, 2, t, in, fo, sizeof(fo), 29, 3) == QS_OK, "div f32 relu6 ran");
  expect_f("div f32 relu6", fo, frelu6, 4, 0);
  /* int32: C division (truncating); by zero gives 0 and INT32_MIN / -1 gives INT32_MIN here
   * (TFLM traps on both); RELU clamps at 0 */
  t[0] = T(I32, 1, 4, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = ia, in[1] = ib;
  CHECK(op1(DIV, 2, t, in, io, sizeof(io), 29, -1) == QS_OK, "div i32 ran");
  expect_i32("div i32", io, iwant, 4);
  CHECK(op1(DIV, 2, t, in, io, sizeof(io), 29, 1) == QS_OK, "div i32 relu ran");
  expect_i32("div i32 relu", io, irelu, 4);
  /* int8, scales 1: the quotient rounded to nearest (none of these is a tie), negative divisor
   * flips both signs; by zero: the clamp bound of the dividend's sign */
  t[0] = T(I8, 1, 6, 0, 1.0f, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = qa, in[1] = qb;
  CHECK(op1(DIV, 2, t, in, qo, sizeof(qo), 29, 0) == QS_OK, "div i8 ran");
  expect8("div i8", qo, qwant, 6);
  /* int16 DIV: TFLM's kernel has none */
  t[0] = T(I16, 1, 6, 0, 1.0f, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  CHECK(op1(DIV, 2, t, in, qo, sizeof(qo), 29, 0) == QS_ERR_TYPE, "div i16 refused");
}

static void test_prelu(void) {
  static const float fx[2] = {-2.0f, 3.0f}, fal[1] = {0.5f};
  static const double fwant[2] = {-1.0, 3.0};
  static const int8_t qx[3] = {-8, 5, -3}, qal[1] = {16}, qwant[3] = {-2, 5, -1};
  static const int16_t hx[2] = {-800, 700}, hwant[2] = {-200, 700};
  tb_tensor_t t[3];
  float fo[2];
  int8_t qo[3];
  int16_t ho[2];
  const void *in[1] = {fx};
  /* float32: x >= 0 ? x : x * alpha, alpha a broadcast constant */
  t[0] = T(F32, 1, 2, 0, 0, 0, NULL, 0), t[1] = T(F32, 1, 1, 0, 0, 0, fal, 4), t[2] = t[0];
  CHECK(op1(PRELU, 2, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "prelu f32 ran");
  expect_f("prelu f32", fo, fwant, 2, 0);
  /* int8: alpha 16 * 1/64 = 0.25; -3 * 0.25 = -0.75 rounds to -1 */
  t[0] = T(I8, 1, 3, 0, 1.0f, 0, NULL, 0), t[1] = T(I8, 1, 1, 0, 1.0f / 64, 0, qal, 1), t[2] = t[0];
  in[0] = qx;
  CHECK(op1(PRELU, 2, t, in, qo, sizeof(qo), 0, -1) == QS_OK, "prelu i8 ran");
  expect8("prelu i8", qo, qwant, 3);
  /* int16 input with an int8 alpha */
  t[0] = T(I16, 1, 2, 0, 1.0f, 0, NULL, 0), t[2] = t[0];
  in[0] = hx;
  CHECK(op1(PRELU, 2, t, in, ho, sizeof(ho), 0, -1) == QS_OK, "prelu i16 ran");
  expect_i16("prelu i16", ho, hwant, 2);
}

static void test_compare_logical_select(void) {
  static const int8_t a8[3] = {2, 2, 2}, b8[3] = {3, 4, 5};
  static const uint8_t lt[3] = {0, 0, 1}, le[3] = {0, 1, 1}, gt[3] = {1, 0, 0}, ge[3] = {1, 1, 0}, eq[3] = {0, 1, 0},
                       ne[3] = {1, 0, 1};
  static const int32_t ia[2] = {-1, 5}, ib[1] = {5};
  static const int64_t la[2] = {(int64_t)1 << 33, 0}, lb[2] = {0, 0};
  static const float fa[3] = {NAN, 1.0f, -0.0f}, fb[1] = {1.0f};
  static const uint8_t ba[4] = {0, 0, 1, 1}, bb[4] = {0, 1, 0, 1}, and_w[4] = {0, 0, 0, 1}, or_w[4] = {0, 1, 1, 1},
                       not_w[4] = {1, 1, 0, 0};
  static const uint8_t cond[2] = {1, 0};
  static const int8_t sx[4] = {1, 2, 3, 4}, sy[1] = {-9}, swant[4] = {1, 2, -9, -9};
  static const int16_t hx[2] = {1000, 2000}, hy[2] = {-1, -2}, hwant[2] = {1000, -2};
  static const float fx[1] = {7.0f}, fy[2] = {-1.0f, -2.0f};
  static const double fsel[2] = {7.0, -2.0};
  static const int codes[6] = {LESS, LE, GT, GE, EQ, NE};
  const uint8_t *wants[6] = {lt, le, gt, ge, eq, ne};
  tb_tensor_t t[4];
  uint8_t o[4];
  int8_t o8[4];
  int16_t o16[2];
  float fo[2];
  const void *in[3] = {a8, b8};
  int i;
  /* int8 compares the rescaled values (<< 8, times the own scale): 2 * 0.5 vs {0.75, 1, 1.25} */
  t[0] = T(I8, 1, 3, 0, 0.5f, 0, NULL, 0), t[1] = T(I8, 1, 3, 0, 0.25f, 0, NULL, 0), t[2] = T(BOOL, 1, 3, 0, 0, 0, NULL, 0);
  for (i = 0; i < 6; i++) {
    CHECK(op1(codes[i], 2, t, in, o, 3, 0, -1) == QS_OK, "compare %d ran", codes[i]);
    expect_u8("compare i8", o, wants[i], 3);
  }
  /* int8 with a scale of 1 or more: QuantizeMultiplierSmallerThanOneExp aborts in TFLM: refused */
  t[0] = T(I8, 1, 3, 0, 1.0f, 0, NULL, 0);
  CHECK(op1(LESS, 2, t, in, o, 3, 0, -1) == QS_ERR_QUANT, "compare i8 scale 1 refused");
  /* int32 raw, broadcast */
  t[0] = T(I32, 1, 2, 0, 0, 0, NULL, 0), t[1] = T(I32, 1, 1, 0, 0, 0, NULL, 0), t[2] = T(BOOL, 1, 2, 0, 0, 0, NULL, 0);
  in[0] = ia, in[1] = ib;
  CHECK(op1(GE, 2, t, in, o, 2, 0, -1) == QS_OK && o[0] == 0 && o[1] == 1, "greater_equal i32");
  /* int64 raw: 2^33 > 0 */
  t[0] = T(I64, 1, 2, 0, 0, 0, NULL, 0), t[1] = t[0];
  in[0] = la, in[1] = lb;
  CHECK(op1(GT, 2, t, in, o, 2, 0, -1) == QS_OK && o[0] == 1 && o[1] == 0, "greater i64");
  /* float32: NaN compares unequal to everything, -0 == 0 */
  t[0] = T(F32, 1, 3, 0, 0, 0, NULL, 0), t[1] = T(F32, 1, 1, 0, 0, 0, NULL, 0), t[2] = T(BOOL, 1, 3, 0, 0, 0, NULL, 0);
  in[0] = fa, in[1] = fb;
  CHECK(op1(NE, 2, t, in, o, 3, 0, -1) == QS_OK && o[0] == 1 && o[1] == 0 && o[2] == 1, "not_equal f32");
  CHECK(op1(LE, 2, t, in, o, 3, 0, -1) == QS_OK && o[0] == 0 && o[1] == 1 && o[2] == 1, "less_equal f32");
  /* bool EQUAL exists in TFLM; bool LESS does not */
  t[0] = T(BOOL, 1, 4, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = ba, in[1] = bb;
  CHECK(op1(EQ, 2, t, in, o, 4, 0, -1) == QS_OK && o[0] == 1 && o[1] == 0 && o[2] == 0 && o[3] == 1, "equal bool");
  CHECK(op1(LESS, 2, t, in, o, 4, 0, -1) == QS_ERR_TYPE, "less bool refused");
  /* LOGICAL_AND / OR / NOT over bools */
  CHECK(op1(LAND, 2, t, in, o, 4, 0, -1) == QS_OK, "and ran");
  expect_u8("logical_and", o, and_w, 4);
  CHECK(op1(LOR, 2, t, in, o, 4, 0, -1) == QS_OK, "or ran");
  expect_u8("logical_or", o, or_w, 4);
  t[1] = t[0];
  CHECK(op1(LNOT, 1, t + 1, in, o, 4, 0, -1) == QS_OK, "not ran");
  expect_u8("logical_not", o, not_w, 4);
  /* SELECT_V2 int8: condition [2,1] broadcast over x [2,2], y a scalar-like [1] */
  t[0] = T(BOOL, 2, 2, 1, 0, 0, NULL, 0), t[1] = T(I8, 2, 2, 2, 0.5f, 0, NULL, 0), t[2] = T(I8, 1, 1, 0, 0.5f, 0, NULL, 0);
  t[3] = t[1];
  in[0] = cond, in[1] = sx, in[2] = sy;
  CHECK(op1(SELECT_V2, 3, t, in, o8, 4, 0, -1) == QS_OK, "select_v2 i8 ran");
  expect8("select_v2 i8", o8, swant, 4);
  /* SELECT_V2 int16 same shapes; float32 with x broadcast */
  t[0] = T(BOOL, 1, 2, 0, 0, 0, NULL, 0), t[1] = T(I16, 1, 2, 0, 0, 0, NULL, 0), t[2] = t[1], t[3] = t[1];
  in[1] = hx, in[2] = hy;
  CHECK(op1(SELECT_V2, 3, t, in, o16, sizeof(o16), 0, -1) == QS_OK, "select_v2 i16 ran");
  expect_i16("select_v2 i16", o16, hwant, 2);
  t[1] = T(F32, 1, 1, 0, 0, 0, NULL, 0), t[2] = T(F32, 1, 2, 0, 0, 0, NULL, 0), t[3] = t[2];
  in[1] = fx, in[2] = fy;
  CHECK(op1(SELECT_V2, 3, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "select_v2 f32 ran");
  expect_f("select_v2 f32", fo, fsel, 2, 0);
  /* SELECT (v1) is not in TFLM's op resolver: refused */
  t[1] = t[2];
  CHECK(op1(SELECT, 3, t, in, fo, sizeof(fo), 0, -1) == QS_ERR_UNSUPPORTED, "select v1 refused");
  /* shapes that do not broadcast are refused */
  t[0] = T(BOOL, 1, 3, 0, 0, 0, NULL, 0);
  CHECK(op1(SELECT_V2, 3, t, in, fo, sizeof(fo), 0, -1) == QS_ERR_SHAPE, "select_v2 bad broadcast refused");
}

static void test_cast(void) {
  static const float f[5] = {1.9f, -1.9f, NAN, 3.0e9f, 300.5f};
  static const int32_t fi32[5] = {1, -1, INT32_MIN, INT32_MIN, 300};
  static const int8_t fi8[5] = {1, -1, 0, 0, 44};
  static const int32_t i32[3] = {257, -129, 70000};
  static const int8_t i32i8[3] = {1, 127, 112};
  static const int16_t i32i16[3] = {257, -129, 4464};
  static const uint8_t b[3] = {0, 1, 1};
  static const double bf[3] = {0, 1, 1};
  static const int8_t i8[2] = {-128, 127};
  static const double i8f[2] = {-128, 127};
  tb_tensor_t t[2];
  int32_t o32[5];
  int8_t o8[5];
  int16_t o16[3];
  float fo[3];
  const void *in[1] = {f};
  /* float -> int32: truncation, NaN and out of range give INT32_MIN (x86 cvttss2si) */
  t[0] = T(F32, 1, 5, 0, 0, 0, NULL, 0), t[1] = T(I32, 1, 5, 0, 0, 0, NULL, 0);
  CHECK(op1(CAST, 1, t, in, o32, sizeof(o32), 0, -1) == QS_OK, "cast f32->i32 ran");
  expect_i32("cast f32->i32", o32, fi32, 5);
  /* float -> int8: through int32, then the low byte (300 -> 44) */
  t[1] = T(I8, 1, 5, 0, 0, 0, NULL, 0);
  CHECK(op1(CAST, 1, t, in, o8, 5, 0, -1) == QS_OK, "cast f32->i8 ran");
  expect8("cast f32->i8", o8, fi8, 5);
  /* int32 -> int8 / int16: modulo 2^8 / 2^16 */
  t[0] = T(I32, 1, 3, 0, 0, 0, NULL, 0), t[1] = T(I8, 1, 3, 0, 0, 0, NULL, 0);
  in[0] = i32;
  CHECK(op1(CAST, 1, t, in, o8, 3, 0, -1) == QS_OK, "cast i32->i8 ran");
  expect8("cast i32->i8", o8, i32i8, 3);
  t[1] = T(I16, 1, 3, 0, 0, 0, NULL, 0);
  CHECK(op1(CAST, 1, t, in, o16, sizeof(o16), 0, -1) == QS_OK, "cast i32->i16 ran");
  expect_i16("cast i32->i16", o16, i32i16, 3);
  /* bool -> float32: 0 / 1; int8 -> float32: the raw value (no dequantization) */
  t[0] = T(BOOL, 1, 3, 0, 0, 0, NULL, 0), t[1] = T(F32, 1, 3, 0, 0, 0, NULL, 0);
  in[0] = b;
  CHECK(op1(CAST, 1, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "cast bool->f32 ran");
  expect_f("cast bool->f32", fo, bf, 3, 0);
  t[0] = T(I8, 1, 2, 0, 0.5f, 3, NULL, 0), t[1] = T(F32, 1, 2, 0, 0, 0, NULL, 0);
  in[0] = i8;
  CHECK(op1(CAST, 1, t, in, fo, 8, 0, -1) == QS_OK, "cast i8->f32 ran");
  expect_f("cast i8->f32", fo, i8f, 2, 0);
  /* a bool output is not in TFLM's CAST */
  t[1] = T(BOOL, 1, 2, 0, 0, 0, NULL, 0);
  CHECK(op1(CAST, 1, t, in, o8, 2, 0, -1) == QS_ERR_TYPE, "cast to bool refused");
}

static void test_floor_div_mod(void) {
  static const float a[4] = {7.0f, -7.0f, 7.5f, 6.0f}, b[4] = {2.0f, 2.0f, -2.0f, 3.0f};
  static const double div_w[4] = {3, -4, -4, 2}, mod_w[4] = {1, 1, -0.5, 0};
  static const int32_t ia[1] = {7}, ib[1] = {2};
  tb_tensor_t t[3];
  float o[4];
  int32_t io[1];
  const void *in[2] = {a, b};
  /* FLOOR_DIV: floor of the double quotient; FLOOR_MOD: fmodf moved to the divisor's sign */
  t[0] = T(F32, 1, 4, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  CHECK(op1(FLOOR_DIV, 2, t, in, o, sizeof(o), 0, -1) == QS_OK, "floor_div ran");
  expect_f("floor_div", o, div_w, 4, 0);
  CHECK(op1(FLOOR_MOD, 2, t, in, o, sizeof(o), 0, -1) == QS_OK, "floor_mod ran");
  expect_f("floor_mod", o, mod_w, 4, 0);
  /* TFLM's FLOOR_DIV / FLOOR_MOD take float32 only: int32 is refused */
  t[0] = T(I32, 1, 1, 0, 0, 0, NULL, 0), t[1] = t[0], t[2] = t[0];
  in[0] = ia, in[1] = ib;
  CHECK(op1(FLOOR_DIV, 2, t, in, io, sizeof(io), 0, -1) == QS_ERR_TYPE, "floor_div i32 refused");
}

int main(void) {
  (void)q8, (void)opt; /* harness helpers this file does not need */
  test_squared_difference();
  test_max_min();
  test_div();
  test_prelu();
  test_compare_logical_select();
  test_cast();
  test_floor_div_mod();
  printf("elem: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
