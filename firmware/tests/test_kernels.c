/*
 * Kernel unit tests against hand-computed vectors (each expected value is worked out in the
 * comment next to it from TFLite's arithmetic), plus the shared QuantizeMultiplier /
 * MultiplyByQuantizedMultiplier vectors and a randomized comparison of the fixed-point
 * primitives with an independent 128-bit transcription of their definitions.
 */
#include "../core/src/qmath.h"
#include "kernel_harness.h"
#include "vectors_qmul.h"

static void test_conv_valid(void) {
  /* x-zp = [[0,2,4],[-1,1,3],[-2,6,8]]; w0 = [[1,2],[3,4]], w1 = [[-1,0],[2,-3]], bias [4,-2].
   * (0,0): ch0 0+4-3+4+4 = 9 * 0.5 = 4.5 -> 5 (+zp -3) = 2; ch1 -2-3-2 = -7 * 1.0 -> -7 -3 = -10
   * (0,1): ch0 2+8+3+12+4 = 29 -> 14.5 -> 15 -> 12;  ch1 -2+0+2-9-2 = -11 -> -14
   * (1,0): ch0 -1+2-6+24+4 = 23 -> 11.5 -> 12 -> 9;  ch1 1-4-18-2 = -23 -> -26
   * (1,1): ch0 1+6+18+32+4 = 61 -> 30.5 -> 31 -> 28;  ch1 -1+12-24-2 = -15 -> -18 */
  static const int8_t x[9] = {1, 3, 5, 0, 2, 4, -1, 7, 9}, w[8] = {1, 2, 3, 4, -1, 0, 2, -3};
  static const int32_t bias[2] = {4, -2};
  static const int8_t want[8] = {2, -10, 12, -14, 9, -26, 28, -18};
  const int32_t din[4] = {1, 3, 3, 1}, dw[4] = {2, 2, 2, 1}, dout[4] = {1, 2, 2, 2}, db[1] = {2};
  tb_model_t m;
  int8_t out[8];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 4;
  m.t[0] = q8(4, din, 0.5f, 1, NULL, 0);
  m.t[1] = q8(4, dw, 0.25f, 0, w, 8);
  m.t[1].nscales = 2, m.t[1].scales[1] = 0.5f, m.t[1].zps[1] = 0; /* per-channel */
  m.t[2] = q8(1, db, 0.125f, 0, bias, 8);
  m.t[2].type = I32;
  m.t[3] = q8(4, dout, 0.25f, -3, NULL, 0);
  m.nops = 1;
  m.op[0].code = 3, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.op[0].opt_type = 1;
  opt(&m.op[0], 0, 1, 1); /* VALID */
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 3;
  CHECK(run(&m, in, out, 8, NULL) == 0, "conv valid ran");
  expect8("conv_valid", out, want, 8);
}

static void test_conv_same_zero_point(void) {
  /* 2x2 input, 3x3 all-ones filter, SAME: every window covers the whole image and 5 padded
   * taps, which must contribute 0 (padding is the zero point, not 0). x-zp = [2,4,-2,0]
   * -> sum 4 for every output, scale 0.5*1/0.5 = 1. */
  static const int8_t x[4] = {3, 5, -1, 1}, w[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const int8_t want[4] = {4, 4, 4, 4};
  const int32_t din[4] = {1, 2, 2, 1}, dw[4] = {1, 3, 3, 1};
  tb_model_t m;
  int8_t out[4];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  m.t[0] = q8(4, din, 0.5f, 1, NULL, 0);
  m.t[1] = q8(4, dw, 1.0f, 0, w, 9);
  m.t[2] = q8(4, din, 0.5f, 0, NULL, 0);
  m.nops = 1;
  m.op[0].code = 3, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2, m.op[0].opt_type = 1;
  opt(&m.op[0], 0, 1, 0); /* SAME */
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
  CHECK(run(&m, in, out, 4, NULL) == 0, "conv same ran");
  expect8("conv_same_zp", out, want, 4);
}

static void test_depthwise(void) {
  /* channels interleaved: ch0 = [1,2,3,4], ch1 = [-1,-2,-3,-4]; w ch0 = [1,1,1,1],
   * ch1 = [2,0,0,1] -> ch0 10, ch1 -2-4 = -6; scale 1, output zp 5 -> [15, -1] */
  static const int8_t x[8] = {1, -1, 2, -2, 3, -3, 4, -4}, w[8] = {1, 2, 1, 0, 1, 0, 1, 1};
  static const int8_t want[2] = {15, -1};
  /* depth multiplier 2: x = 3, w = [2, -1] -> [6, -3] */
  static const int8_t x2[1] = {3}, w2[2] = {2, -1}, want2[2] = {6, -3};
  const int32_t din[4] = {1, 2, 2, 2}, dout[4] = {1, 1, 1, 2}, d1[4] = {1, 1, 1, 1}, dw2[4] = {1, 1, 1, 2};
  tb_model_t m;
  int8_t out[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  m.t[0] = q8(4, din, 1.0f, 0, NULL, 0);
  m.t[1] = q8(4, din, 1.0f, 0, w, 8);
  m.t[1].dims[0] = 1;
  m.t[2] = q8(4, dout, 1.0f, 5, NULL, 0);
  m.nops = 1;
  m.op[0].code = 4, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2, m.op[0].opt_type = 2;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  opt(&m.op[0], 3, 4, 1);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
  CHECK(run(&m, in, out, 2, NULL) == 0, "depthwise ran");
  expect8("depthwise", out, want, 2);
  m.t[0] = q8(4, d1, 1.0f, 0, NULL, 0);
  m.t[1] = q8(4, dw2, 1.0f, 0, w2, 2);
  m.t[2] = q8(4, dout, 1.0f, 0, NULL, 0);
  in[0] = x2;
  CHECK(run(&m, in, out, 2, NULL) == 0, "depthwise multiplier 2 ran");
  expect8("depthwise_m2", out, want2, 2);
}

static void test_fully_connected(void) {
  /* x+1 = [1,2,3]; w = [[1,1,1],[1,-1,2]]; bias [10,0]; scale 1*1/2 = 0.5
   * -> (6+10)*0.5 = 8; (1-2+6)*0.5 = 2.5 -> 3 */
  static const int8_t x[3] = {0, 1, 2}, w[6] = {1, 1, 1, 1, -1, 2}, want[2] = {8, 3};
  static const int32_t bias[2] = {10, 0};
  const int32_t din[2] = {1, 3}, dw[2] = {2, 3}, dout[2] = {1, 2}, db[1] = {2};
  tb_model_t m;
  int8_t out[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 4;
  m.t[0] = q8(2, din, 1.0f, -1, NULL, 0);
  m.t[1] = q8(2, dw, 1.0f, 0, w, 6);
  m.t[2] = q8(1, db, 1.0f, 0, bias, 8);
  m.t[2].type = I32;
  m.t[3] = q8(2, dout, 2.0f, 0, NULL, 0);
  m.nops = 1;
  m.op[0].code = 9, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 3;
  CHECK(run(&m, in, out, 2, NULL) == 0, "fc ran");
  expect8("fully_connected", out, want, 2);
}

static void test_pools(void) {
  /* 1x1x4x1, filter 1x2 stride 2: avg [-1,-2] -> -3/2 = -1.5 -> -2 (away from zero);
   * [2,3] -> 2.5 -> 3. max [-5,3] -> 3, [7,-128] -> 7 */
  static const int8_t xa[4] = {-1, -2, 2, 3}, xm[4] = {-5, 3, 7, -128};
  static const int8_t wa[2] = {-2, 3}, wm[2] = {3, 7};
  const int32_t din[4] = {1, 1, 4, 1}, dout[4] = {1, 1, 2, 1};
  tb_model_t m;
  int8_t out[2];
  const void *in[1] = {xa};
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(4, din, 0.5f, 0, NULL, 0);
  m.t[1] = q8(4, dout, 0.5f, 0, NULL, 0);
  m.nops = 1;
  m.op[0].code = 1, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1, m.op[0].opt_type = 5;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 2);
  opt(&m.op[0], 2, 4, 1);
  opt(&m.op[0], 3, 4, 2);
  opt(&m.op[0], 4, 4, 1);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  CHECK(run(&m, in, out, 2, NULL) == 0, "avg pool ran");
  expect8("average_pool", out, wa, 2);
  m.op[0].code = 17;
  in[0] = xm;
  CHECK(run(&m, in, out, 2, NULL) == 0, "max pool ran");
  expect8("max_pool", out, wm, 2);
}

static void test_add(void) {
  /* scales 1: 3+4 = 7 through the 2^20 rescale path; broadcast [1,2,3,120] + [10] with
   * saturation at 127; SUB: [1,2,3,120] - [10] */
  static const int8_t a[4] = {1, 2, 3, 120}, b[1] = {10};
  static const int8_t want_add[4] = {11, 12, 13, 127}, want_sub[4] = {-9, -8, -7, 110};
  const int32_t d4[4] = {1, 2, 2, 1}, d1[1] = {1};
  tb_model_t m;
  int8_t out[4];
  const void *in[2] = {a, b};
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  m.t[0] = q8(4, d4, 1.0f, 0, NULL, 0);
  m.t[1] = q8(1, d1, 1.0f, 0, NULL, 0);
  m.t[2] = q8(4, d4, 1.0f, 0, NULL, 0);
  m.nops = 1;
  m.op[0].code = 0, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2;
  m.nin = 2, m.nout = 1, m.inputs[0] = 0, m.inputs[1] = 1, m.outputs[0] = 2;
  CHECK(run(&m, in, out, 4, NULL) == 0, "add ran");
  expect8("add_broadcast", out, want_add, 4);
  m.op[0].code = 41;
  CHECK(run(&m, in, out, 4, NULL) == 0, "sub ran");
  expect8("sub_broadcast", out, want_sub, 4);
}

static void test_softmax_logistic(void) {
  /* softmax of 4 equal values: 0.25 * 256 = 64 -> 64 - 128 = -64.
   * [100, -128] with scale 1: exp(-228) vanishes -> [127 (clamped 256-128), -128].
   * logistic, scale 0.1: x=0 -> 0.5*256-128 = 0; x=10 (1.0) -> 0.731059*256 = 187.15 -> 59;
   * x=127 (12.7) -> 127; x=-127 -> -128 */
  static const int8_t xs[4] = {7, 7, 7, 7}, want_s[4] = {-64, -64, -64, -64};
  static const int8_t xs2[2] = {100, -128}, want_s2[2] = {127, -128};
  static const int8_t xl[4] = {0, 10, 127, -127}, want_l[4] = {0, 59, 127, -128};
  const int32_t d4[2] = {1, 4}, d2[2] = {1, 2};
  tb_model_t m;
  int8_t out[4];
  const void *in[1] = {xs};
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(2, d4, 1.0f, 0, NULL, 0);
  m.t[1] = q8(2, d4, 1.0f / 256.0f, -128, NULL, 0);
  m.nops = 1;
  m.op[0].code = 25, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1, m.op[0].opt_type = 9;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 1.0f;
  m.op[0].nopt = 1;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  CHECK(run(&m, in, out, 4, NULL) == 0, "softmax ran");
  expect8("softmax_uniform", out, want_s, 4);
  m.t[0] = q8(2, d2, 1.0f, 0, NULL, 0);
  m.t[1] = q8(2, d2, 1.0f / 256.0f, -128, NULL, 0);
  in[0] = xs2;
  CHECK(run(&m, in, out, 2, NULL) == 0, "softmax 2 ran");
  expect8("softmax_peaked", out, want_s2, 2);
  m.t[0] = q8(2, d4, 0.1f, 0, NULL, 0);
  m.t[1] = q8(2, d4, 1.0f / 256.0f, -128, NULL, 0);
  m.op[0].code = 14, m.op[0].opt_type = 0, m.op[0].nopt = 0;
  in[0] = xl;
  CHECK(run(&m, in, out, 4, NULL) == 0, "logistic ran");
  expect8("logistic", out, want_l, 4);
}

static void test_quantize(void) {
  /* float -> int8, scale 0.5 zp 1: 0.25/0.5 = 0.5 -> 1 (+1) = 2; -0.5 -> -1 -> 0; 1.5 -> 2 -> 3;
   * 200 -> 127; -200 -> -128; 2 -> 3.  int8 -> float: (q - 1) * 0.5.
   * int8 -> int8, scale 1 -> 2: 1.5 -> 2, -1.5 -> -1 (SRDHM nudge), 2.5 -> 3 */
  static const float xf[6] = {0.25f, -0.25f, 0.75f, 100.0f, -100.0f, 1.0f};
  static const int8_t want_q[6] = {2, 0, 3, 127, -128, 3};
  static const int8_t xq[4] = {1, 3, -128, 127};
  static const float want_f[4] = {0.0f, 1.0f, -64.5f, 63.0f};
  static const int8_t xr[3] = {3, -3, 5}, want_r[3] = {2, -1, 3};
  const int32_t d6[1] = {6}, d4[1] = {4}, d3[1] = {3};
  tb_model_t m;
  int8_t out[6];
  float outf[4];
  const void *in[1] = {xf};
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(1, d6, 1.0f, 0, NULL, 0);
  m.t[0].type = F32, m.t[0].nscales = 0;
  m.t[1] = q8(1, d6, 0.5f, 1, NULL, 0);
  m.nops = 1;
  m.op[0].code = 114, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  CHECK(run(&m, in, out, 6, NULL) == 0, "quantize ran");
  expect8("quantize", out, want_q, 6);
  m.t[0] = q8(1, d4, 0.5f, 1, NULL, 0);
  m.t[1] = q8(1, d4, 1.0f, 0, NULL, 0);
  m.t[1].type = F32, m.t[1].nscales = 0;
  m.op[0].code = 6;
  in[0] = xq;
  CHECK(run(&m, in, outf, sizeof(outf), NULL) == 0, "dequantize ran");
  for (i = 0; i < 4; i++) CHECK(outf[i] == want_f[i], "dequantize[%d]: got %g want %g", i, outf[i], want_f[i]);
  m.t[0] = q8(1, d3, 1.0f, 0, NULL, 0);
  m.t[1] = q8(1, d3, 2.0f, 0, NULL, 0);
  m.op[0].code = 114;
  in[0] = xr;
  CHECK(run(&m, in, out, 3, NULL) == 0, "requantize ran");
  expect8("requantize", out, want_r, 3);
}

/* Independent transcription of the definitions with 128-bit integers. */
static int32_t ref_srdhm(int32_t a, int32_t b) {
  __int128 ab = (__int128)a * b, nudge = ab >= 0 ? ((__int128)1 << 30) : (1 - ((__int128)1 << 30));
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)((ab + nudge) / ((__int128)1 << 31));
}
static int32_t ref_rdbpot(int32_t x, int e) {
  int64_t mask = ((int64_t)1 << e) - 1, rem = (int64_t)x & mask, thr = (mask >> 1) + (x < 0);
  return (int32_t)(((int64_t)x >> e) + (rem > thr));
}

static void test_qmul(void) {
  size_t i;
  uint32_t r = 12345;
  for (i = 0; i < sizeof(k_qm_vectors) / sizeof(k_qm_vectors[0]); i++) {
    int32_t m;
    int s;
    qs_quantize_multiplier(k_qm_vectors[i].real, &m, &s);
    CHECK(m == k_qm_vectors[i].multiplier && s == k_qm_vectors[i].shift, "QuantizeMultiplier(%.17g): got (%d, %d) want (%d, %d)",
          k_qm_vectors[i].real, m, s, k_qm_vectors[i].multiplier, k_qm_vectors[i].shift);
  }
  for (i = 0; i < sizeof(k_mbqm_vectors) / sizeof(k_mbqm_vectors[0]); i++) {
    int32_t got = qs_mbqm(k_mbqm_vectors[i].x, k_mbqm_vectors[i].multiplier, k_mbqm_vectors[i].shift);
    CHECK(got == k_mbqm_vectors[i].want, "MBQM(%d, %d, %d): got %d want %d", k_mbqm_vectors[i].x,
          k_mbqm_vectors[i].multiplier, k_mbqm_vectors[i].shift, got, k_mbqm_vectors[i].want);
  }
  for (i = 0; i < 200000; i++) {
    int32_t a, b, e;
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    a = (int32_t)r;
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    b = (int32_t)r;
    e = (int32_t)(r % 32);
    if (qs_srdhm(a, b) != ref_srdhm(a, b)) {
      CHECK(0, "srdhm(%d, %d)", a, b);
      break;
    }
    if (b >= 0 && qs_mbqm_pos(a, b, (int)(r % 62) - 31) != qs_mbqm(a, b, (int)(r % 62) - 31)) {
      CHECK(0, "mbqm_pos(%d, %d, %d)", a, b, (int)(r % 62) - 31);
      break;
    }
    if (qs_rdbpot(a, e) != ref_rdbpot(a, e)) {
      CHECK(0, "rdbpot(%d, %d)", a, e);
      break;
    }
  }
  CHECK(qs_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "srdhm saturation");
  /* the fast form at the edges: extreme accumulators, largest multiplier, every shift */
  for (i = 0; i < 62; i++) {
    static const int32_t xs[6] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX};
    static const int32_t ms[4] = {0, 1 << 30, INT32_MAX, 1518500250};
    size_t a, b;
    for (a = 0; a < 6; a++)
      for (b = 0; b < 4; b++)
        CHECK(qs_mbqm_pos(xs[a], ms[b], (int)i - 31) == qs_mbqm(xs[a], ms[b], (int)i - 31), "mbqm_pos edge %d %d %d",
              xs[a], ms[b], (int)i - 31);
  }
}

int main(void) {
  test_qmul();
  test_conv_valid();
  test_conv_same_zero_point();
  test_depthwise();
  test_fully_connected();
  test_pools();
  test_add();
  test_softmax_logistic();
  test_quantize();
  printf("kernels: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
