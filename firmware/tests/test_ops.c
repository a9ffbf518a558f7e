/*
 * Hand-computed vectors for the ops no golden model uses: RELU, RELU6, LEAKY_RELU, TANH, MUL,
 * PAD, PADV2, CONCATENATION, PACK, TRANSPOSE, SHAPE, ARG_MAX, RESIZE_NEAREST_NEIGHBOR, MEAN,
 * STRIDED_SLICE, and HARD_SWISH (checked against the float function within 1 LSB).
 */
#include "kernel_harness.h"

/* One op: tensors t[0..n_t), inputs in[], output is the last tensor; graph input = tensor 0
 * (and tensor 1 when two_inputs). */
static void model1(tb_model_t *m, int code, int n_t, const int *in, int n_in, int two_inputs) {
  int i;
  m->ntensors = n_t;
  m->nops = 1;
  m->op[0].code = code, m->op[0].nin = n_in, m->op[0].out = n_t - 1;
  for (i = 0; i < n_in; i++) m->op[0].in[i] = in[i];
  m->nin = two_inputs ? 2 : 1, m->inputs[0] = 0, m->inputs[1] = 1;
  m->nout = 1, m->outputs[0] = n_t - 1;
}

static tb_tensor_t typed(int ndims, const int32_t *dims, int type, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, 1.0f, 0, data, len);
  t.type = type;
  t.nscales = 0;
  return t;
}

static void test_activations(void) {
  /* RELU, scale 1 -> 0.5, out zp -128: x*2 - 128, floor at quantize(0) = -128 */
  static const int8_t x[4] = {-5, 0, 3, 100}, want_relu[4] = {-128, -128, -122, 72};
  /* RELU6 at scale 0.1: clamp to [0, round(6/0.1) = 60] (input quantization; micro ignores
   * the output's, so the output here deliberately differs) */
  static const int8_t x6[4] = {-3, 20, 100, 60}, want6[4] = {0, 20, 60, 60};
  /* LEAKY_RELU alpha 0.25: -8 -> -2; -3 -> -0.75 -> -1; 5 -> 5 */
  static const int8_t xl[4] = {-8, -3, 5, 0}, wantl[4] = {-2, -1, 5, 0};
  /* TANH, in scale 0.1, out 1/128: tanh(1.0) * 128 = 97.48 -> 97; 12.7 saturates */
  static const int8_t xt[4] = {0, 10, 127, -10}, wantt[4] = {0, 97, 127, -97};
  const int32_t d[1] = {4};
  const int in0[1] = {0};
  tb_model_t m;
  int8_t out[4];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 19, 2, in0, 1, 0);
  m.t[0] = q8(1, d, 1.0f, 0, NULL, 0);
  m.t[1] = q8(1, d, 0.5f, -128, NULL, 0);
  CHECK(run(&m, in, out, 4, NULL) == 0, "relu ran");
  expect8("relu", out, want_relu, 4);
  m.op[0].code = 21;
  m.t[0] = q8(1, d, 0.1f, 0, NULL, 0);
  m.t[1] = q8(1, d, 0.2f, 5, NULL, 0);
  in[0] = x6;
  CHECK(run(&m, in, out, 4, NULL) == 0, "relu6 ran");
  expect8("relu6", out, want6, 4);
  m.op[0].code = 98, m.op[0].opt_type = 96, m.op[0].nopt = 1;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 0.25f;
  m.t[0] = q8(1, d, 1.0f, 0, NULL, 0);
  m.t[1] = q8(1, d, 1.0f, 0, NULL, 0);
  in[0] = xl;
  CHECK(run(&m, in, out, 4, NULL) == 0, "leaky relu ran");
  expect8("leaky_relu", out, wantl, 4);
  m.op[0].code = 28, m.op[0].opt_type = 0, m.op[0].nopt = 0;
  m.t[0] = q8(1, d, 0.1f, 0, NULL, 0);
  m.t[1] = q8(1, d, 1.0f / 128.0f, 0, NULL, 0);
  in[0] = xt;
  CHECK(run(&m, in, out, 4, NULL) == 0, "tanh ran");
  expect8("tanh", out, wantt, 4);
}

static void test_mul(void) {
  /* scales 0.5 * 0.5 / 0.25 = 1: [2,-3,4,-128] * [3] -> [6, -9, 12, -128 (saturated)] */
  static const int8_t a[4] = {2, -3, 4, -128}, b[1] = {3}, want[4] = {6, -9, 12, -128};
  const int32_t d4[1] = {4}, d1[1] = {1};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[4];
  const void *in[2] = {a, b};
  memset(&m, 0, sizeof(m));
  model1(&m, 18, 3, ins, 2, 1);
  m.t[0] = q8(1, d4, 0.5f, 0, NULL, 0);
  m.t[1] = q8(1, d1, 0.5f, 0, NULL, 0);
  m.t[2] = q8(1, d4, 0.25f, 0, NULL, 0);
  CHECK(run(&m, in, out, 4, NULL) == 0, "mul ran");
  expect8("mul", out, want, 4);
}

static void test_pad(void) {
  /* [1,2] padded [[0,0],[1,2]] -> [1,5]; PAD fills with the zero point 3, PADV2 with 7 */
  static const int8_t x[2] = {10, 11}, want[5] = {3, 10, 11, 3, 3}, want2[5] = {7, 10, 11, 7, 7}, seven[1] = {7};
  static const int32_t pads[4] = {0, 0, 1, 2};
  const int32_t din[2] = {1, 2}, dpad[2] = {2, 2}, dout[2] = {1, 5}, d1[1] = {1};
  const int ins[3] = {0, 1, 2};
  tb_model_t m;
  int8_t out[5];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 34, 3, ins, 2, 0);
  m.t[0] = q8(2, din, 0.5f, 3, NULL, 0);
  m.t[1] = typed(2, dpad, I32, pads, sizeof(pads));
  m.t[2] = q8(2, dout, 0.5f, 3, NULL, 0);
  CHECK(run(&m, in, out, 5, NULL) == 0, "pad ran");
  expect8("pad", out, want, 5);
  model1(&m, 60, 4, ins, 3, 0);
  m.t[2] = q8(1, d1, 0.5f, 3, seven, 1);
  m.t[3] = q8(2, dout, 0.5f, 3, NULL, 0);
  CHECK(run(&m, in, out, 5, NULL) == 0, "padv2 ran");
  expect8("padv2", out, want2, 5);
}

static void test_concat_pack(void) {
  /* concat axis 1: [[1,2],[3,4]] + [[5],[6]] -> [[1,2,5],[3,4,6]]; pack axis 1 of [1,2],[3,4] -> [[1,3],[2,4]] */
  static const int8_t a[4] = {1, 2, 3, 4}, b[2] = {5, 6}, want[6] = {1, 2, 5, 3, 4, 6};
  static const int8_t pa[2] = {1, 2}, pb[2] = {3, 4}, wantp[4] = {1, 3, 2, 4};
  const int32_t da[2] = {2, 2}, db[2] = {2, 1}, dout[2] = {2, 3}, dp[1] = {2}, dpo[2] = {2, 2};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[6];
  const void *in[2] = {a, b};
  memset(&m, 0, sizeof(m));
  model1(&m, 2, 3, ins, 2, 1);
  m.t[0] = q8(2, da, 1.0f, 0, NULL, 0);
  m.t[1] = q8(2, db, 1.0f, 0, NULL, 0);
  m.t[2] = q8(2, dout, 1.0f, 0, NULL, 0);
  m.op[0].opt_type = 10;
  opt(&m.op[0], 0, 4, -1); /* axis -1 == 1 */
  CHECK(run(&m, in, out, 6, NULL) == 0, "concat ran");
  expect8("concatenation", out, want, 6);
  memset(&m, 0, sizeof(m));
  model1(&m, 83, 3, ins, 2, 1);
  m.t[0] = q8(1, dp, 1.0f, 0, NULL, 0);
  m.t[1] = q8(1, dp, 1.0f, 0, NULL, 0);
  m.t[2] = q8(2, dpo, 1.0f, 0, NULL, 0);
  m.op[0].opt_type = 59;
  opt(&m.op[0], 0, 4, 2);
  opt(&m.op[0], 1, 4, 1);
  in[0] = pa, in[1] = pb;
  CHECK(run(&m, in, out, 4, NULL) == 0, "pack ran");
  expect8("pack", out, wantp, 4);
}

static void test_transpose_shape_argmax_resize(void) {
  static const int8_t x[6] = {1, 2, 3, 4, 5, 6}, wantt[6] = {1, 4, 2, 5, 3, 6};
  static const int32_t perm[2] = {1, 0}, axis[1] = {1};
  static const int8_t xa[6] = {1, 5, 5, -3, -4, -1};
  static const int8_t xr[4] = {1, 2, 3, 4};
  static const int8_t wantr[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  static const int32_t size[2] = {4, 4};
  const int32_t d23[2] = {2, 3}, d32[2] = {3, 2}, d2[1] = {2}, d1[1] = {1};
  const int32_t dr[4] = {1, 2, 2, 1}, dro[4] = {1, 4, 4, 1};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[16];
  int32_t outi[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 39, 3, ins, 2, 0);
  m.t[0] = q8(2, d23, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, d2, I32, perm, sizeof(perm));
  m.t[2] = q8(2, d32, 1.0f, 0, NULL, 0);
  CHECK(run(&m, in, out, 6, NULL) == 0, "transpose ran");
  expect8("transpose", out, wantt, 6);
  memset(&m, 0, sizeof(m));
  model1(&m, 77, 2, ins, 1, 0);
  m.t[0] = q8(2, d23, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, d2, I32, NULL, 0);
  CHECK(run(&m, in, outi, 8, NULL) == 0 && outi[0] == 2 && outi[1] == 3, "shape: got [%d, %d] want [2, 3]", outi[0], outi[1]);
  /* ARG_MAX over axis 1 of [[1,5,5],[-3,-4,-1]] -> [1 (first of the tie), 2] */
  memset(&m, 0, sizeof(m));
  model1(&m, 56, 3, ins, 2, 0);
  m.t[0] = q8(2, d23, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, d1, I32, axis, sizeof(axis));
  m.t[2] = typed(1, d2, I32, NULL, 0);
  in[0] = xa;
  CHECK(run(&m, in, outi, 8, NULL) == 0 && outi[0] == 1 && outi[1] == 2, "arg_max: got [%d, %d] want [1, 2]", outi[0], outi[1]);
  /* RESIZE_NEAREST_NEIGHBOR 2x2 -> 4x4, no align: source = floor(dst * 0.5) */
  memset(&m, 0, sizeof(m));
  model1(&m, 97, 3, ins, 2, 0);
  m.t[0] = q8(4, dr, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, d2, I32, size, sizeof(size));
  m.t[2] = q8(4, dro, 1.0f, 0, NULL, 0);
  in[0] = xr;
  CHECK(run(&m, in, out, 16, NULL) == 0, "resize ran");
  expect8("resize_nearest", out, wantr, 16);
}

static void test_mean(void) {
  /* axes [1,2] of [1,2,2,1], TFLM's QuantizedMeanOrSum (1/count folded into the multiplier):
   * same quantization -> 11 * 2^30 (shift -1): SRDHM 6 -> RDBPOT(6, 1) = 3; -11: SRDHM -5 ->
   * RDBPOT(-5, 1) = -3; scale 1 -> 0.5: multiplier 2^30, shift 0: SRDHM(11) = 6 */
  static const int8_t x[4] = {1, 2, 3, 5}, xn[4] = {-1, -2, -3, -5};
  static const int32_t axes[2] = {1, 2};
  const int32_t din[4] = {1, 2, 2, 1}, dax[1] = {2}, dout[4] = {1, 1, 1, 1};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[1];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 40, 3, ins, 2, 0);
  m.t[0] = q8(4, din, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, dax, I32, axes, sizeof(axes));
  m.t[2] = q8(4, dout, 1.0f, 0, NULL, 0);
  CHECK(run(&m, in, out, 1, NULL) == 0 && out[0] == 3, "mean same quant: got %d want 3", out[0]);
  in[0] = xn;
  CHECK(run(&m, in, out, 1, NULL) == 0 && out[0] == -3, "mean negative: got %d want -3", out[0]);
  m.t[2] = q8(4, dout, 0.5f, 0, NULL, 0);
  in[0] = x;
  CHECK(run(&m, in, out, 1, NULL) == 0 && out[0] == 6, "mean rescaled: got %d want 6", out[0]);
}

static void test_strided_slice(void) {
  /* [[1,2,3],[4,5,6]]: [0:2, 1:3] -> [2,3,5,6]; [0:2, 2:-4:-1] -> [3,2,1,6,5,4];
   * shrink axis 0 at 1 -> [4,5,6] */
  static const int8_t x[6] = {1, 2, 3, 4, 5, 6};
  static const int8_t w1[4] = {2, 3, 5, 6}, w2[6] = {3, 2, 1, 6, 5, 4}, w3[3] = {4, 5, 6};
  static const int32_t b1[2] = {0, 1}, e1[2] = {2, 3}, s1[2] = {1, 1};
  static const int32_t b2[2] = {0, 2}, e2[2] = {2, -4}, s2[2] = {1, -1};
  static const int32_t b3[2] = {1, 0}, e3[2] = {2, 3};
  const int32_t din[2] = {2, 3}, d2[1] = {2}, do1[2] = {2, 2}, do3[1] = {3};
  const int ins[4] = {0, 1, 2, 3};
  tb_model_t m;
  int8_t out[6];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 45, 5, ins, 4, 0);
  m.t[0] = q8(2, din, 1.0f, 0, NULL, 0);
  m.t[1] = typed(1, d2, I32, b1, 8);
  m.t[2] = typed(1, d2, I32, e1, 8);
  m.t[3] = typed(1, d2, I32, s1, 8);
  m.t[4] = q8(2, do1, 1.0f, 0, NULL, 0);
  CHECK(run(&m, in, out, 4, NULL) == 0, "strided slice ran");
  expect8("strided_slice", out, w1, 4);
  m.t[1] = typed(1, d2, I32, b2, 8);
  m.t[2] = typed(1, d2, I32, e2, 8);
  m.t[3] = typed(1, d2, I32, s2, 8);
  m.t[4] = q8(2, din, 1.0f, 0, NULL, 0);
  CHECK(run(&m, in, out, 6, NULL) == 0, "reverse slice ran");
  expect8("strided_slice_reverse", out, w2, 6);
  m.t[1] = typed(1, d2, I32, b3, 8);
  m.t[2] = typed(1, d2, I32, e3, 8);
  m.t[3] = typed(1, d2, I32, s1, 8);
  m.t[4] = q8(1, do3, 1.0f, 0, NULL, 0);
  m.op[0].opt_type = 32;
  opt(&m.op[0], 4, 4, 1); /* shrink_axis_mask */
  CHECK(run(&m, in, out, 3, NULL) == 0, "shrink slice ran");
  expect8("strided_slice_shrink", out, w3, 3);
}

static void test_hard_swish(void) {
  /* No hand vector: every int8 input must land within 1 LSB of the float function
   * x * relu6(x + 3) / 6, and the input zero point must map to the output zero point. */
  const int32_t d[1] = {256};
  const int in0[1] = {0};
  const float si = 0.05f, so = 0.03f;
  const int zi = 3, zo = -20;
  int8_t x[256], out[256];
  const void *in[1] = {x};
  tb_model_t m;
  int i;
  for (i = 0; i < 256; i++) x[i] = (int8_t)(i - 128);
  memset(&m, 0, sizeof(m));
  model1(&m, 117, 2, in0, 1, 0);
  m.t[0] = q8(1, d, si, zi, NULL, 0);
  m.t[1] = q8(1, d, so, zo, NULL, 0);
  CHECK(run(&m, in, out, 256, NULL) == 0, "hard swish ran");
  for (i = 0; i < 256; i++) {
    float xf = si * (float)(x[i] - zi), r = xf + 3.0f, y, q;
    r = r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r);
    y = xf * r / 6.0f;
    q = y / so + (float)zo;
    q = q > 127.0f ? 127.0f : (q < -128.0f ? -128.0f : q);
    CHECK(out[i] >= q - 1.0f && out[i] <= q + 1.0f, "hard_swish(%d): got %d, float says %.2f", x[i], out[i], q);
  }
  CHECK(out[zi + 128] == zo, "hard_swish(zero point) = %d, want %d", out[zi + 128], zo);
}

int main(void) {
  test_strided_slice();
  test_hard_swish();
  test_mean();
  test_activations();
  test_mul();
  test_pad();
  test_concat_pack();
  test_transpose_shape_argmax_resize();
  printf("ops: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
