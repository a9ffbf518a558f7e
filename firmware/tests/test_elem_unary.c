/*
 * One-input math ops (k_unary.c, k_rownorm.c) on one-op models: ABS, RSQRT, the float32 rounding
 * ops and transcendentals, ELU, LOG_SOFTMAX, L2_NORMALIZATION, and the core's own sqrtf; expected
 * values worked out by hand from TFLite Micro's arithmetic (the rule each case tests is written
 * beside it). float32 transcendentals are compared with the C library's double functions within
 * a relative 1e-5. The binary, comparison and cast ops: test_elem.c.
 */
#include "elem_harness.h"
#include "../core/src/qmath.h"

static void test_abs_rsqrt(void) {
  static const int8_t ax[3] = {0, 20, -118}, awant[3] = {-108, -108, 127};
  static const int8_t nx[2] = {-128, 5}, nwant[2] = {127, 5};
  static const int16_t hx[3] = {-32768, -5, 7}, hwant[3] = {-32768, 5, 7};
  static const int8_t rx[5] = {16, 1, 4, 64, 0}, rwant[5] = {32, 127, 64, 16, 127};
  static const float fx[3] = {-2.5f, 4.0f, 0.25f};
  static const double fabs_w[3] = {2.5, 4.0, 0.25}, frsqrt[3] = {NAN, 0.5, 2.0};
  tb_tensor_t t[2];
  int8_t o8[5];
  int16_t o16[3];
  float fo[3];
  const void *in[1] = {ax};
  /* int8 ABS with rescale: |x - 10| * (1 / 0.5) - 128, saturating (|-118 - 10| = 128 -> 256) */
  t[0] = T(I8, 1, 3, 0, 1.0f, 10, NULL, 0), t[1] = T(I8, 1, 3, 0, 0.5f, -128, NULL, 0);
  CHECK(op1(ABS, 1, t, in, o8, 3, 0, -1) == QS_OK, "abs i8 ran");
  expect8("abs i8", o8, awant, 3);
  /* int8 ABS with equal scales: no rescale, |-128| = 128 clamps to 127 */
  t[0] = T(I8, 1, 2, 0, 0.5f, 0, NULL, 0), t[1] = t[0];
  in[0] = nx;
  CHECK(op1(ABS, 1, t, in, o8, 2, 0, -1) == QS_OK, "abs i8 same scale ran");
  expect8("abs i8 same scale", o8, nwant, 2);
  /* unquantized int16 ABS: std::abs, -32768 wraps to itself */
  t[0] = T(I16, 1, 3, 0, 0, 0, NULL, 0), t[1] = t[0];
  in[0] = hx;
  CHECK(op1(ABS, 1, t, in, o16, sizeof(o16), 0, -1) == QS_OK, "abs i16 ran");
  expect_i16("abs i16", o16, hwant, 3);
  /* int8 RSQRT, in scale 1/4, out scale 1/64: 1/sqrt(4) = 0.5 -> 32; 1/sqrt(0.25) = 2 -> 128
   * saturates; 1/sqrt(1) -> 64; 1/sqrt(16) -> 16; the zero point gives 127 */
  t[0] = T(I8, 1, 5, 0, 0.25f, 0, NULL, 0), t[1] = T(I8, 1, 5, 0, 1.0f / 64, 0, NULL, 0);
  in[0] = rx;
  CHECK(op1(RSQRT, 1, t, in, o8, 5, 0, -1) == QS_OK, "rsqrt i8 ran");
  expect8("rsqrt i8", o8, rwant, 5);
  /* int16 RSQRT: TFLM's prepare accepts float32 and int8 only */
  t[0] = T(I16, 1, 5, 0, 0.25f, 0, NULL, 0), t[1] = t[0];
  CHECK(op1(RSQRT, 1, t, in, o8, 5, 0, -1) == QS_ERR_TYPE, "rsqrt i16 refused");
  /* float32 ABS and RSQRT (1 / sqrtf: exact for these; a negative input gives NaN) */
  t[0] = T(F32, 1, 3, 0, 0, 0, NULL, 0), t[1] = t[0];
  in[0] = fx;
  CHECK(op1(ABS, 1, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "abs f32 ran");
  expect_f("abs f32", fo, fabs_w, 3, 0);
  CHECK(op1(RSQRT, 1, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "rsqrt f32 ran");
  expect_f("rsqrt f32", fo, frsqrt, 3, 0);
}

static void test_float_unary(void) {
  static const float x[6] = {-2.5f, -1.5f, 0.5f, 1.5f, 2.5f, 2.7f};
  static const double neg[6] = {2.5, 1.5, -0.5, -1.5, -2.5, -2.7f}, flo[6] = {-3, -2, 0, 1, 2, 2},
                      cei[6] = {-2, -1, 1, 2, 3, 3}, rnd[6] = {-2, -2, 0, 2, 2, 3}, sq[6] = {6.25, 2.25, 0.25, 2.25, 6.25, 2.7f * 2.7f};
  static const int codes[5] = {NEG, FLOOR, CEIL, ROUND, SQUARE};
  const double *wants[5] = {neg, flo, cei, rnd, sq};
  static const float px[4] = {0.5f, 1.0f, 2.0f, 10.0f};
  static const int tcodes[6] = {SQRT, EXP, LOG, SIN, COS, ELU};
  tb_tensor_t t[2];
  float o[6];
  double want[6];
  const void *in[1] = {x};
  int i, k;
  t[0] = T(F32, 1, 6, 0, 0, 0, NULL, 0), t[1] = t[0];
  /* exact ops: NEG, FLOOR, CEIL, ROUND (half to even), SQUARE (float product) */
  for (k = 0; k < 5; k++) {
    CHECK(op1(codes[k], 1, t, in, o, sizeof(o), 0, -1) == QS_OK, "unary %d ran", codes[k]);
    if (codes[k] == SQUARE) CHECK(o[5] == 2.7f * 2.7f, "square is the float product");
    else expect_f("float unary", o, wants[k], 6, 0);
  }
  /* transcendentals: the C library's float functions, within 1e-5 of the double ones (issue 13) */
  t[0] = T(F32, 1, 4, 0, 0, 0, NULL, 0), t[1] = t[0];
  in[0] = px;
  for (k = 0; k < 6; k++) {
    CHECK(op1(tcodes[k], 1, t, in, o, 16, 0, -1) == QS_OK, "unary %d ran", tcodes[k]);
    for (i = 0; i < 4; i++) {
      double v = px[i];
      want[i] = tcodes[k] == SQRT ? sqrt(v) : tcodes[k] == EXP ? exp(v) : tcodes[k] == LOG ? log(v) :
                tcodes[k] == SIN ? sin(v) : tcodes[k] == COS ? cos(v) : v;
    }
    expect_f("float transcendental", o, want, 4, 1e-5);
  }
  /* NEG int8 is not in TFLM (float32 only) */
  t[0] = T(I8, 1, 4, 0, 1.0f, 0, NULL, 0), t[1] = t[0];
  CHECK(op1(NEG, 1, t, in, o, 4, 0, -1) == QS_ERR_TYPE, "neg i8 refused");
}

static void test_elu(void) {
  static const float fx[2] = {-1.0f, 2.0f};
  static const int8_t qx[3] = {-10, 0, 20}, qwant[3] = {-13, 0, 40};
  double fwant[2];
  tb_tensor_t t[2];
  float fo[2];
  int8_t qo[3];
  const void *in[1] = {fx};
  /* float32: expm1f for x < 0 */
  fwant[0] = expm1(-1.0), fwant[1] = 2.0;
  t[0] = T(F32, 1, 2, 0, 0, 0, NULL, 0), t[1] = t[0];
  CHECK(op1(ELU, 1, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "elu f32 ran");
  expect_f("elu f32", fo, fwant, 2, 1e-5);
  /* int8 table: -10 * 0.1 = -1 -> exp(-1) - 1 = -0.632 / 0.05 = -12.6 -> -13; 20 * 0.1 / 0.05 = 40 */
  t[0] = T(I8, 1, 3, 0, 0.1f, 0, NULL, 0), t[1] = T(I8, 1, 3, 0, 0.05f, 0, NULL, 0);
  in[0] = qx;
  CHECK(op1(ELU, 1, t, in, qo, 3, 0, -1) == QS_OK, "elu i8 ran");
  expect8("elu i8", qo, qwant, 3);
}

static void test_rownorm(void) {
  static const float fx[6] = {1, 2, 3, 3, 4, 0};
  static const int8_t qx[6] = {3, 4, 0, 0, 0, 0}, qwant[6] = {77, 102, 0, 0, 0, 0};
  static const int8_t sx[8] = {0, 0, 0, 0, 10, 20, 30, 127};
  double want[6], s;
  tb_tensor_t t[2];
  float fo[6];
  int8_t qo[8];
  const void *in[1] = {fx};
  int i, r;
  /* float32 LOG_SOFTMAX per row of 3: x - max - log(sum exp(x - max)) */
  t[0] = T(F32, 2, 2, 3, 0, 0, NULL, 0), t[1] = t[0];
  CHECK(op1(LOGSM, 1, t, in, fo, sizeof(fo), 0, -1) == QS_OK, "log_softmax f32 ran");
  for (r = 0; r < 2; r++) {
    double mx = fmax(fmax(fx[3 * r], fx[3 * r + 1]), fx[3 * r + 2]);
    for (s = 0, i = 0; i < 3; i++) s += exp(fx[3 * r + i] - mx);
    for (i = 0; i < 3; i++) want[3 * r + i] = fx[3 * r + i] - mx - log(s);
  }
  expect_f("log_softmax f32", fo, want, 6, 1e-5);
  /* int8 LOG_SOFTMAX (output 16/256, zp 127) within 1 LSB of the real value: a row of equal
   * inputs is log(1/4) = -1.386 -> -22.2 + 127 = 105; in the other row (scale 0.2) the smallest
   * entries are 23.4 below the maximum and saturate at -128 */
  t[0] = T(I8, 2, 2, 4, 0.2f, 0, NULL, 0), t[1] = T(I8, 2, 2, 4, 16.0f / 256, 127, NULL, 0);
  in[0] = sx;
  CHECK(op1(LOGSM, 1, t, in, qo, 8, 0, -1) == QS_OK, "log_softmax i8 ran");
  for (r = 0; r < 2; r++) {
    double mx = 0.2 * (r ? 127 : 0);
    for (s = 0, i = 0; i < 4; i++) s += exp(0.2 * sx[4 * r + i] - mx);
    for (i = 0; i < 4; i++) {
      double real = (0.2 * sx[4 * r + i] - mx - log(s)) * 16 + 127;
      int w = real < -128 ? -128 : (int)floor(real + 0.5);
      CHECK(abs(qo[4 * r + i] - w) <= 1, "log_softmax i8[%d]: got %d want %d (within 1)", 4 * r + i, qo[4 * r + i], w);
    }
  }
  /* the int8 output must be 16/256 and 127 (TFLM's prepare) */
  t[1] = T(I8, 2, 2, 4, 1.0f / 256, -128, NULL, 0);
  CHECK(op1(LOGSM, 1, t, in, qo, 8, 0, -1) == QS_ERR_QUANT, "log_softmax i8 output quantization refused");
  /* float32 L2_NORMALIZATION: [3, 4] / 5; a zero row stays 0 (norm floored at 1e-6) */
  {
    static const float lx[4] = {3, 4, 0, 0};
    static const double lw[4] = {0.6f, 0.8f, 0, 0};
    t[0] = T(F32, 2, 2, 2, 0, 0, NULL, 0), t[1] = t[0];
    in[0] = lx;
    CHECK(op1(L2N, 1, t, in, fo, 16, 12, 0) == QS_OK, "l2norm f32 ran");
    expect_f("l2norm f32", fo, lw, 4, 1e-7);
  }
  /* int8 L2_NORMALIZATION writes Q0.7 whatever the output says: 0.6 * 128 = 76.8 -> 77,
   * 0.8 * 128 = 102.4 -> 102; an all-zero row gives 0 */
  t[0] = T(I8, 2, 2, 3, 0.5f, 0, NULL, 0), t[1] = T(I8, 2, 2, 3, 0.3f, 5, NULL, 0);
  in[0] = qx;
  CHECK(op1(L2N, 1, t, in, qo, 6, 12, 0) == QS_OK, "l2norm i8 ran");
  expect8("l2norm i8", qo, qwant, 6);
  /* a fused activation is refused (TFLM's prepare) */
  CHECK(op1(L2N, 1, t, in, qo, 6, 12, 1) == QS_ERR_UNSUPPORTED, "l2norm relu refused");
}

/* qs_sqrtf (no libm, prepare-time scales) equals sqrtf on normal and subnormal floats. */
static void test_sqrtf(void) {
  uint32_t u = 1, i, bad = 0;
  for (i = 0; i < 200000; i++) {
    float f;
    u = u * 1664525u + 1013904223u;
    f = 0;
    {
      uint32_t v = u & 0x7f7fffffu; /* positive, finite */
      memcpy(&f, &v, 4);
    }
    if (!(f > 0.0f)) continue;
    if (qs_sqrtf(f) != sqrtf(f)) bad++;
  }
  CHECK(bad == 0, "qs_sqrtf differs from sqrtf on %u of 200000 floats", bad);
}

int main(void) {
  (void)q8, (void)opt, (void)expect_u8, (void)expect_i32; /* harness helpers this file does not need */
  test_sqrtf();
  test_abs_rsqrt();
  test_float_unary();
  test_elu();
  test_rownorm();
  printf("elem unary: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
