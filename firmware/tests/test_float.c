/*
 * float32 kernels against hand-computed vectors (values chosen so every step is exact, or the
 * comment works out the one rounding), including the points where the numerics are pinned:
 * double accumulation, the bias position, NaN in the pools, the clamp (the element-wise ops, the
 * activations and SOFTMAX: test_float_elem.c). Built a second time with -DQS_WITH_FLOAT=0, where
 * every float32 op must be refused at load with QS_ERR_UNSUPPORTED while QUANTIZE/DEQUANTIZE and
 * the data-movement ops still run.
 */
#include <math.h>

#include "float_harness.h"

#if QS_WITH_FLOAT
static const int k_in4[4] = {0, 1, 2, 3};

/* Load only (no run, and not dumped as a fuzz seed: seeds must load): the status. */
static qs_status_t load_status(const tb_model_t *m) {
  qs_interp_t ip;
  size_t len = tb_write(m, g_model, sizeof(g_model));
  return len ? qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) : QS_ERR_ARG;
}

static void test_conv(void) {
  /* x = [[1,2,3],[4,5,6],[7,8,9]], w0 = [[1,0],[0,1]], w1 = [[0.5,0.5],[-1,0]], bias [0.25,-20]
   * VALID: ch0 = x[i][j] + x[i+1][j+1] + 0.25; ch1 = (x[i][j] + x[i][j+1]) / 2 - x[i+1][j] - 20,
   * then RELU: (0,0) 6.25, -22.5 -> 0; (0,1) 8.25, 0; (1,0) 12.25, 0; (1,1) 14.25, 0 */
  static const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[8] = {1, 0, 0, 1, 0.5f, 0.5f, -1, 0};
  static const float bias[2] = {0.25f, -20}, want[8] = {6.25f, 0, 8.25f, 0, 12.25f, 0, 14.25f, 0};
  /* SAME, 2x2 input, one all-ones 3x3 filter: every window holds the whole image (+ 0.0 taps) */
  static const float x2[4] = {1, 2, 3, 4}, ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, want2[4] = {10, 10, 10, 10};
  const int32_t din[4] = {1, 3, 3, 1}, dw[4] = {2, 2, 2, 1}, db[1] = {2}, dout[4] = {1, 2, 2, 2};
  const int32_t d2[4] = {1, 2, 2, 1}, dw2[4] = {1, 3, 3, 1};
  tb_model_t m;
  float out[8];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 3, 4, k_in3, 3, 1);
  m.t[0] = f32(4, din, NULL);
  m.t[1] = f32(4, dw, w);
  m.t[2] = f32(1, db, bias);
  m.t[3] = f32(4, dout, NULL);
  m.op[0].opt_type = 1;
  opt(&m.op[0], 0, 1, 1); /* VALID */
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  opt(&m.op[0], 3, 1, 1); /* RELU */
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float conv ran");
  expectf("conv_valid_relu", out, want, 8);
  memset(&m, 0, sizeof(m));
  model1(&m, 3, 3, k_in3, 2, 1);
  m.t[0] = f32(4, d2, NULL);
  m.t[1] = f32(4, dw2, ones);
  m.t[2] = f32(4, d2, NULL);
  m.op[0].opt_type = 1;
  opt(&m.op[0], 0, 1, 0); /* SAME */
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  in[0] = x2;
  CHECK(run(&m, in, out, 16, NULL) == 0, "float conv same ran");
  expectf("conv_same", out, want2, 4);
}

static void test_depthwise(void) {
  /* 2x2 pixels, 2 channels, 2x2 filter, VALID -> one pixel. ch0 = 1+2+3+4 (w 1) + 0.5,
   * ch1 = 2*(-1) + 0*(-2) + 0*(-3) + 1*(-4) + 0 = -6, RELU6 -> [6 (10.5 clamped), 0];
   * depth multiplier 2 on one pixel: x = 3, w = [2, -0.5], bias [1, 1] -> [7, -0.5] */
  static const float x[8] = {1, -1, 2, -2, 3, -3, 4, -4}, w[8] = {1, 2, 1, 0, 1, 0, 1, 1};
  static const float bias[2] = {0.5f, 0}, want[2] = {6, 0};
  static const float x2[1] = {3}, w2[2] = {2, -0.5f}, bias2[2] = {1, 1}, want2[2] = {7, -0.5f};
  const int32_t din[4] = {1, 2, 2, 2}, db[1] = {2}, dout[4] = {1, 1, 1, 2}, d1[4] = {1, 1, 1, 1}, dw2[4] = {1, 1, 1, 2};
  tb_model_t m;
  float out[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 4, 4, k_in3, 3, 1);
  m.t[0] = f32(4, din, NULL);
  m.t[1] = f32(4, din, w);
  m.t[1].dims[0] = 1;
  m.t[2] = f32(1, db, bias);
  m.t[3] = f32(4, dout, NULL);
  m.op[0].opt_type = 2;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  opt(&m.op[0], 4, 1, 3); /* RELU6 */
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float depthwise ran");
  expectf("depthwise_relu6", out, want, 2);
  m.t[0] = f32(4, d1, NULL);
  m.t[1] = f32(4, dw2, w2);
  m.t[2] = f32(1, db, bias2);
  m.op[0].nopt = 3; /* no activation */
  in[0] = x2;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float depthwise m2 ran");
  expectf("depthwise_m2", out, want2, 2);
}

static void test_fully_connected(void) {
  /* Double accumulation: x = [2^25, 1, -2^25] against a row of ones sums to 1 exactly (a float32
   * running sum would lose the 1, giving 0.5 after the bias); + bias 0.5 -> 1.5. Row 2 weights
   * [0.5, 0.25, 0]: 2^24 + 0.25, - 4 = 16777212.25 -> float32 16777212. Batch 2 is zeros: the
   * biases. RELU_N1_TO_1 then clamps to [-1, 1]. */
  static const float x[6] = {33554432.0f, 1, -33554432.0f, 0, 0, 0}, w[6] = {1, 1, 1, 0.5f, 0.25f, 0};
  static const float bias[2] = {0.5f, -4}, want_none[4] = {1.5f, 16777212.0f, 0.5f, -4};
  static const float want_n1[4] = {1, 1, 0.5f, -1};
  const int32_t din[2] = {2, 3}, dw[2] = {2, 3}, db[1] = {2}, dout[2] = {2, 2};
  tb_model_t m;
  float out[4];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 9, 4, k_in3, 3, 1);
  m.t[0] = f32(2, din, NULL);
  m.t[1] = f32(2, dw, w);
  m.t[2] = f32(1, db, bias);
  m.t[3] = f32(2, dout, NULL);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float fc ran");
  expectf("fc", out, want_none, 4);
  m.op[0].opt_type = 8;
  opt(&m.op[0], 0, 1, 2); /* RELU_N1_TO_1 */
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float fc relu_n1 ran");
  expectf("fc_relu_n1_to_1", out, want_n1, 4);
}

static void test_pools(void) {
  /* 1x1x6x1, filter 1x3 stride 3: avg [1, 2, 3] -> 2; [2^24, 5, 0]: the double sum 2^24 + 5 is
   * rounded to float32 first (2^24 + 4), then divided by 3: 5592406.67 -> 5592406.5 (dividing the
   * unrounded sum would give 5592407). max [NaN, -3, -5] -> -3 (NaN never wins), [-0.5, 7, 1] -> 7,
   * then RELU6: [0, 6] */
  static const float xa[6] = {1, 2, 3, 16777216.0f, 5, 0}, wa[2] = {2, 5592406.5f};
  static const float wm[2] = {0, 6};
  const int32_t din[4] = {1, 1, 6, 1}, dout[4] = {1, 1, 2, 1};
  float xm[6];
  tb_model_t m;
  float out[2];
  const void *in[1] = {xa};
  xm[0] = NAN, xm[1] = -3, xm[2] = -5, xm[3] = -0.5f, xm[4] = 7, xm[5] = 1;
  memset(&m, 0, sizeof(m));
  model1(&m, 1, 2, k_in3, 1, 1);
  m.t[0] = f32(4, din, NULL);
  m.t[1] = f32(4, dout, NULL);
  m.op[0].opt_type = 5;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 3);
  opt(&m.op[0], 2, 4, 1);
  opt(&m.op[0], 3, 4, 3);
  opt(&m.op[0], 4, 4, 1);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float avg pool ran");
  expectf("average_pool", out, wa, 2);
  m.op[0].code = 17;
  opt(&m.op[0], 5, 1, 3); /* RELU6 */
  in[0] = xm;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float max pool ran");
  expectf("max_pool_relu6", out, wm, 2);
}

static void test_mean(void) {
  /* axes [1, 2] of [1,2,2,2]: channel 0 (1+2+3+5)/4 = 2.75, channel 1 (-1-1-1-0.5)/4 = -0.875 */
  static const float x[8] = {1, -1, 2, -1, 3, -1, 5, -0.5f}, want[2] = {2.75f, -0.875f};
  static const int32_t axes[2] = {1, 2};
  const int32_t din[4] = {1, 2, 2, 2}, dax[1] = {2}, dout[4] = {1, 1, 1, 2};
  tb_model_t m;
  float out[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 40, 3, k_in3, 2, 1);
  m.t[0] = f32(4, din, NULL);
  m.t[1] = q8(1, dax, 1.0f, 0, axes, sizeof(axes));
  m.t[1].type = I32, m.t[1].nscales = 0;
  m.t[2] = f32(4, dout, NULL);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float mean ran");
  expectf("mean", out, want, 2);
}

static void test_rejects(void) {
  /* float32 input with an int8 filter, int8 bias on a float FC, output type, non-constant filter */
  static const int8_t w8[4] = {1, 1, 1, 1};
  static const float w[4] = {1, 1, 1, 1};
  static const int32_t b32[2] = {0, 0};
  const int32_t d4[4] = {1, 2, 2, 1}, dw[4] = {1, 2, 2, 1}, d1[4] = {1, 1, 1, 1}, dfc[2] = {2, 2}, db[1] = {2};
  tb_model_t m;
  qs_status_t s;
  memset(&m, 0, sizeof(m));
  model1(&m, 3, 3, k_in3, 2, 1);
  m.t[0] = f32(4, d4, NULL);
  m.t[1] = q8(4, dw, 1.0f, 0, w8, 4);
  m.t[2] = f32(4, d1, NULL);
  m.op[0].opt_type = 1;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  CHECK((s = load_status(&m)) == QS_ERR_TYPE, "float input + int8 filter: got %s", qs_status_str(s));
  m.t[1] = f32(4, dw, NULL);
  m.nin = 2, m.inputs[1] = 1;
  CHECK((s = load_status(&m)) == QS_ERR_UNSUPPORTED, "non-constant filter: got %s", qs_status_str(s));
  memset(&m, 0, sizeof(m));
  model1(&m, 9, 4, k_in4, 3, 1);
  m.t[0] = f32(2, dfc, NULL);
  m.t[1] = f32(2, dfc, w);
  m.t[2] = q8(1, db, 1.0f, 0, b32, sizeof(b32));
  m.t[2].type = I32;
  m.t[3] = f32(2, dfc, NULL);
  CHECK((s = load_status(&m)) == QS_ERR_TYPE, "int32 bias on a float FC: got %s", qs_status_str(s));
  m.t[2] = f32(1, db, w);
  m.t[3] = q8(2, dfc, 1.0f, 0, NULL, 0);
  CHECK((s = load_status(&m)) == QS_ERR_TYPE, "int8 output of a float FC: got %s", qs_status_str(s));
  m.t[3] = f32(2, dfc, NULL);
  m.op[0].opt_type = 8;
  opt(&m.op[0], 0, 1, 4); /* TANH as a fused activation */
  CHECK((s = load_status(&m)) == QS_ERR_UNSUPPORTED, "fused TANH: got %s", qs_status_str(s));
}

/* The whole model shifted by one byte: every constant float is misaligned and must be copied. */
static void test_misaligned_constants(void) {
  static const float x[3] = {1, 2, 3}, w[6] = {1, 2, 3, -1, 0.5f, 0.25f}, bias[2] = {1, 0}, want[2] = {15, 0.75f};
  const int32_t din[2] = {1, 3}, dw[2] = {2, 3}, db[1] = {2}, dout[2] = {1, 2};
  tb_model_t m;
  qs_interp_t ip;
  size_t len;
  float out[2];
  memset(&m, 0, sizeof(m));
  model1(&m, 9, 4, k_in3, 3, 1);
  m.t[0] = f32(2, din, NULL);
  m.t[1] = f32(2, dw, w);
  m.t[2] = f32(1, db, bias);
  m.t[3] = f32(2, dout, NULL);
  len = tb_write(&m, g_model, sizeof(g_model) - 1);
  memmove(g_model + 1, g_model, len);
  CHECK(qs_load(&ip, g_model + 1, len, g_arena, sizeof(g_arena)) == QS_OK, "misaligned model: %s", ip.err.msg);
  memcpy(qs_input_data(&ip, 0), x, sizeof(x));
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "misaligned model ran");
  memcpy(out, qs_output_data(&ip, 0), sizeof(out));
  expectf("fc_misaligned", out, want, 2);
}
#endif

/* Every build: QUANTIZE float32 -> int8 and DEQUANTIZE int8 -> float32 (x = q * 0.5). */
static void test_quantize_dequantize(void) {
  static const float x[4] = {-1, 0.2f, 3, 100}, wantf[4] = {-1, 0, 3, 63.5f};
  static const int8_t want8[4] = {-2, 0, 6, 127};
  const int32_t d[1] = {4};
  static const int ins[1] = {0};
  tb_model_t m;
  int8_t q[4];
  float out[4];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 114, 2, ins, 1, 1);
  m.t[0] = f32(1, d, NULL);
  m.t[1] = q8(1, d, 0.5f, 0, NULL, 0);
  CHECK(run(&m, in, q, 4, NULL) == 0, "quantize ran");
  expect8("quantize", q, want8, 4);
  model1(&m, 6, 2, ins, 1, 1);
  m.t[0] = q8(1, d, 0.5f, 0, NULL, 0);
  m.t[1] = f32(1, d, NULL);
  in[0] = q;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "dequantize ran");
  expectf("dequantize", out, wantf, 4);
}

#if !QS_WITH_FLOAT
/* Without float kernels: a float32 FULLY_CONNECTED is refused with a message naming the switch;
 * RESHAPE of float32 still loads. */
static void test_refused(void) {
  static const float w[4] = {1, 1, 1, 1};
  const int32_t d[2] = {2, 2}, d4[1] = {4};
  static const int ins[2] = {0, 1};
  tb_model_t m;
  qs_interp_t ip;
  size_t len;
  float out[4];
  const void *in[1] = {w};
  memset(&m, 0, sizeof(m));
  model1(&m, 9, 3, ins, 2, 1);
  m.t[0] = f32(2, d, NULL);
  m.t[1] = f32(2, d, w);
  m.t[2] = f32(2, d, NULL);
  len = tb_write(&m, g_model, sizeof(g_model));
  CHECK(qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) == QS_ERR_UNSUPPORTED && strstr(ip.err.msg, "QS_WITH_FLOAT"),
        "float FC without float kernels: %s: %s", qs_status_str(ip.err.status), ip.err.msg);
  CHECK(ip.err.op == 0 && ip.err.tensor == 0, "refusal names op 0 / tensor 0, got %d / %d", ip.err.op, ip.err.tensor);
  memset(&m, 0, sizeof(m));
  model1(&m, 22, 2, ins, 1, 1);
  m.t[0] = f32(2, d, NULL);
  m.t[1] = f32(1, d4, NULL);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0 && memcmp(out, w, sizeof(w)) == 0, "float RESHAPE still runs");
}
#endif

int main(void) {
#if QS_WITH_FLOAT
  test_conv();
  test_depthwise();
  test_fully_connected();
  test_pools();
  test_mean();
  test_rejects();
  test_misaligned_constants();
#else
  (void)opt; /* harness helper the float kernel tests use */
  test_refused();
#endif
  test_quantize_dequantize();
  printf("float (QS_WITH_FLOAT=%d): %s (%d failures)\n", QS_WITH_FLOAT, failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
