/*
 * Edge cases the field goldens lack, for the int16x8 kernels and zero-scale weight channels
 * (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, QUANTIZE, the pools), each against
 * arithmetic worked out here (the rule each case tests is written beside it): int16 saturation,
 * TFLM's two int16 requantizations (int64: 15-bit multiplier, round half up; int32 bias: double
 * rounding, half away from zero), a per-channel weight scale of 0. Built a second time with
 * -DQS_WITH_INT16=0, where every int16 op must be refused at load. TRANSPOSE_CONV: test_tconv.c;
 * int16 LOGISTIC, TANH and SOFTMAX: test_act16.c.
 */
#include "int16_harness.h"

/* CONV_2D 1x1 over [1, 1, n, c] (graph input tensor 0, filter 1, bias 2 or none, output last). */
static void conv1x1(tb_model_t *m, int with_bias) {
  tb_op_t *o = &m->op[0];
  memset(m, 0, sizeof(*m));
  m->nops = 1, m->nin = 1, m->inputs[0] = 0, m->nout = 1;
  m->ntensors = with_bias ? 4 : 3;
  m->outputs[0] = m->ntensors - 1;
  o->code = 3, o->nin = with_bias ? 3 : 2, o->in[0] = 0, o->in[1] = 1, o->in[2] = 2, o->out = m->ntensors - 1;
  o->opt_type = 1;
  opt(o, 0, 1, 1); /* VALID */
  opt(o, 1, 4, 1);
  opt(o, 2, 4, 1);
}

void test_conv16_saturation(void) {
  /* Rule: an int16x8 CONV_2D output clamps to [-32768, 32767]: 2 * 32767 * 127 and its negation
   * overflow int16 (scales 1, so the accumulator is the output). */
  static const int16_t x[4] = {32767, 32767, -32768, 32767};
  static const int8_t w[2] = {127, 127};
  static const int16_t want[2] = {32767, -1};
  const int32_t din[4] = {1, 1, 2, 2}, dw[4] = {1, 1, 1, 2}, dout[4] = {1, 1, 2, 1};
  tb_model_t m;
  int16_t out[2];
  const void *in[1] = {x};
  conv1x1(&m, 0);
  m.t[0] = qt(I16, 4, din, 1.0f, NULL, 0);
  m.t[1] = q8(4, dw, 1.0f, 0, w, sizeof(w));
  m.t[2] = qt(I16, 4, dout, 1.0f, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 conv ran");
  /* pixel 1: (-32768 + 32767) * 127 = -127, inside the range */
  CHECK(out[0] == want[0], "saturated high: got %d want %d", out[0], want[0]);
  CHECK(out[1] == -127, "pixel 1: got %d want -127", out[1]);
  {
    static const int16_t xn[4] = {-32768, -32768, 0, 0};
    const void *inn[1] = {xn};
    CHECK(run(&m, inn, out, sizeof(out), NULL) == 0 && out[0] == -32768 && out[1] == 0,
          "saturated low: got %d, %d want -32768, 0", out[0], out[1]);
  }
}

void test_conv16_rounding(void) {
  /* Rule: the int64 path (int64 bias) requantizes like TFLM's MultiplyByQuantizedMultiplier(int64):
   * scale 0.5 * 0.5 / 1 = 0.25 -> multiplier 2^30, shift -1, rounded to 15 bits = 2^14, then
   * (acc * 2^14 + 2^15) >> 16 = round half UP: 6 -> 1.5 -> 2, -6 -> -1.5 -> -1, -10 -> -2.5 -> -2.
   * Rule: with an int32 bias TFLM takes the int32 accumulator and the double-rounding multiply:
   * SRDHM then a rounding shift, half AWAY from zero: -6 -> -2, -10 -> -3, 6 -> 2. */
  static const int16_t x[3] = {6, -6, -10};
  static const int8_t w[1] = {1};
  static const int64_t b64[1] = {0};
  static const int32_t b32[1] = {0};
  static const int16_t want64[3] = {2, -1, -2}, want32[3] = {2, -2, -3};
  const int32_t din[4] = {1, 1, 3, 1}, dw[4] = {1, 1, 1, 1}, db[1] = {1}, dout[4] = {1, 1, 3, 1};
  tb_model_t m;
  int16_t out[3];
  const void *in[1] = {x};
  conv1x1(&m, 1);
  m.t[0] = qt(I16, 4, din, 0.5f, NULL, 0);
  m.t[1] = q8(4, dw, 0.5f, 0, w, sizeof(w));
  m.t[2] = qt(I64, 1, db, 0.25f, b64, sizeof(b64));
  m.t[3] = qt(I16, 4, dout, 1.0f, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 conv (int64 bias) ran");
  expect16("int64 path", out, want64, 3);
  m.t[2] = qt(I32, 1, db, 0.25f, b32, sizeof(b32));
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 conv (int32 bias) ran");
  expect16("int32 path", out, want32, 3);
}

void test_zero_scale_channels(void) {
  /* Rule: a per-channel weight scale of 0 is accepted (TFLM: QuantizeMultiplier(0) = 0) and that
   * channel's output is the output zero point, clamped by the activation; the other channel is
   * unaffected. int8: x = 10 - zp(2) = 8, w = [3, 100]: channel 0 (scale 0) -> zp 5; channel 1,
   * scale 0.5 * 0.25 / 1: 8 * 100 * 0.125 = 100 -> 105. The zero scale is channel 0 on purpose: a
   * first scale of 0 used to fail as "without a positive scale". */
  static const int8_t x[1] = {10}, w[2] = {3, 100}, want[2] = {5, 105};
  static const int16_t x16[1] = {8}, want16[2] = {0, 100};
  const int32_t din[4] = {1, 1, 1, 1}, dw[4] = {2, 1, 1, 1}, dout[4] = {1, 1, 1, 2};
  tb_model_t m;
  int8_t out[2];
  int16_t out16[2];
  const void *in[1] = {x};
  const void *in16[1] = {x16};
  conv1x1(&m, 0);
  m.t[0] = q8(4, din, 0.5f, 2, NULL, 0);
  m.t[1] = q8(4, dw, 0.0f, 0, w, sizeof(w));
  m.t[1].nscales = 2, m.t[1].scales[1] = 0.25f, m.t[1].zps[1] = 0, m.t[1].qdim = 0;
  m.t[2] = q8(4, dout, 1.0f, 5, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int8 conv with a zero-scale channel ran");
  expect8("int8 zero-scale channel", out, want, 2);
  /* Rule: the same for int16x8 (multiplier 0 -> 0, zero point 0): 8 * 100 * 0.125 = 100 */
  m.t[0] = qt(I16, 4, din, 0.5f, NULL, 0);
  m.t[2] = qt(I16, 4, dout, 1.0f, NULL, 0);
  CHECK(run(&m, in16, out16, sizeof(out16), NULL) == 0, "int16 conv with a zero-scale channel ran");
  expect16("int16 zero-scale channel", out16, want16, 2);
}

void test_add16(void) {
  /* Rule: int16 ADD uses TFLM's general path with left_shift 15 and saturates to int16:
   * scales 1, 1 -> 1: 30000 + 30000 = 60000 -> 32767; -30000 - 30000 -> -32768; 100 + -7 = 93.
   * Rule: int16 SUB the same way: 100 - (-7) = 107, 30000 - (-30000) -> 32767.
   * Rule: int16 MUL (zero points 0): scales 0.01 * 0.01 / 0.01: 200 * 300 * 0.01 = 600;
   * 30000 * 30000 * 0.01 = 9e6 -> 32767. */
  static const int16_t a[3] = {30000, -30000, 100}, b[3] = {30000, -30000, -7};
  static const int16_t bs[3] = {-30000, 30000, -7};
  static const int16_t want_add[3] = {32767, -32768, 93}, want_sub[3] = {32767, -32768, 107};
  static const int16_t ma[2] = {200, 30000}, mb[2] = {300, 30000}, want_mul[2] = {600, 32767};
  const int32_t d3[1] = {3}, d2[1] = {2};
  tb_model_t m;
  int16_t out[3];
  const void *in[2] = {a, b};
  memset(&m, 0, sizeof(m));
  m.ntensors = 3, m.nops = 1, m.nin = 2, m.inputs[0] = 0, m.inputs[1] = 1, m.nout = 1, m.outputs[0] = 2;
  m.op[0].code = 0, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2;
  m.t[0] = qt(I16, 1, d3, 1.0f, NULL, 0);
  m.t[1] = qt(I16, 1, d3, 1.0f, NULL, 0);
  m.t[2] = qt(I16, 1, d3, 1.0f, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 add ran");
  expect16("add16", out, want_add, 3);
  m.op[0].code = 41;
  in[1] = bs;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 sub ran");
  expect16("sub16", out, want_sub, 3);
  m.op[0].code = 18;
  m.t[0] = qt(I16, 1, d2, 0.01f, NULL, 0);
  m.t[1] = qt(I16, 1, d2, 0.01f, NULL, 0);
  m.t[2] = qt(I16, 1, d2, 0.01f, NULL, 0);
  in[0] = ma, in[1] = mb;
  CHECK(run(&m, in, out, 2 * sizeof(int16_t), NULL) == 0, "int16 mul ran");
  expect16("mul16", out, want_mul, 2);
}

void test_fc16(void) {
  /* Rule: int16 FULLY_CONNECTED keeps the input offset and the output zero point (TFLM's FC
   * template applies both): x = [100, -50] - zp 10 = [90, -60], w = [-3, -1]: -270 + 60 = -210,
   * bias -4 -> -214, scale 1 * 1 / 4 = 0.25 (multiplier 2^30, shift -1) -> -53.5. int64 bias: 15-bit
   * multiply, half up -> -53; int32 bias: SRDHM gives -107 exactly, then the rounding shift by 1
   * takes the tie away from zero -> -54; then + zp -3. */
  static const int16_t x[2] = {100, -50};
  static const int8_t w[2] = {-3, -1};
  static const int64_t b64[1] = {-4};
  static const int32_t b32[1] = {-4};
  const int32_t din[2] = {1, 2}, dw[2] = {1, 2}, db[1] = {1}, dout[2] = {1, 1};
  tb_model_t m;
  int16_t out[1];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 4, m.nops = 1, m.nin = 1, m.inputs[0] = 0, m.nout = 1, m.outputs[0] = 3;
  m.op[0].code = 9, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.t[0] = qt(I16, 2, din, 1.0f, NULL, 0), m.t[0].zps[0] = 10;
  m.t[1] = q8(2, dw, 1.0f, 0, w, sizeof(w));
  m.t[2] = qt(I64, 1, db, 1.0f, b64, sizeof(b64));
  m.t[3] = qt(I16, 2, dout, 4.0f, NULL, 0), m.t[3].zps[0] = -3;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0 && out[0] == -56, "fc16 int64 bias: got %d want -56", out[0]);
  m.t[2] = qt(I32, 1, db, 1.0f, b32, sizeof(b32));
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0 && out[0] == -57, "fc16 int32 bias: got %d want -57", out[0]);
}

void test_dwconv16(void) {
  /* Rule: int16 DEPTHWISE_CONV_2D sums the in-image taps only (SAME padding, 1x2 kernel: the
   * right tap of the last pixel is outside and skipped), adds the int64 bias, and output channel
   * c reads input channel c / depth_multiplier. x = [1000, -3000] (one channel), w = [2, 3], bias 7:
   * pixel 0: 2000 - 9000 + 7 = -6993; pixel 1: -6000 + 7 = -5993 (scales 1). */
  static const int16_t x[2] = {1000, -3000}, want[2] = {-6993, -5993};
  static const int8_t w[2] = {2, 3};
  static const int64_t b[1] = {7};
  /* depth multiplier 2 over two input channels: out = [x0*w0, x0*w1, x1*w2, x1*w3] */
  static const int16_t x2[2] = {100, -200}, want2[4] = {100, 200, -600, -800};
  static const int8_t w2[4] = {1, 2, 3, 4};
  const int32_t din[4] = {1, 1, 2, 1}, dw[4] = {1, 1, 2, 1}, db[1] = {1}, dout[4] = {1, 1, 2, 1};
  const int32_t din2[4] = {1, 1, 1, 2}, dw2[4] = {1, 1, 1, 4}, dout2[4] = {1, 1, 1, 4};
  tb_model_t m;
  int16_t out[4];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 4, m.nops = 1, m.nin = 1, m.inputs[0] = 0, m.nout = 1, m.outputs[0] = 3;
  m.op[0].code = 4, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.op[0].opt_type = 2;
  opt(&m.op[0], 0, 1, 0); /* SAME */
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  m.t[0] = qt(I16, 4, din, 1.0f, NULL, 0);
  m.t[1] = q8(4, dw, 1.0f, 0, w, sizeof(w));
  m.t[1].qdim = 3;
  m.t[2] = qt(I64, 1, db, 1.0f, b, sizeof(b));
  m.t[3] = qt(I16, 4, dout, 1.0f, NULL, 0);
  CHECK(run(&m, in, out, 2 * sizeof(int16_t), NULL) == 0, "dwconv16 ran");
  expect16("dwconv16 SAME", out, want, 2);
  m.op[0].nin = 2, m.ntensors = 4;
  m.t[0] = qt(I16, 4, din2, 1.0f, NULL, 0);
  m.t[1] = q8(4, dw2, 1.0f, 0, w2, sizeof(w2));
  m.t[1].qdim = 3;
  m.t[3] = qt(I16, 4, dout2, 1.0f, NULL, 0);
  in[0] = x2;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "dwconv16 multiplier 2 ran");
  expect16("dwconv16 depth multiplier", out, want2, 4);
}

void test_quantize16(void) {
  static const float xf[4] = {1.25f, -1.25f, 20000.0f, -1.0e9f};
  static const int16_t want_f[4] = {3, -3, 32767, -32768};
  static const int16_t x16[3] = {5, -5, 1000};
  static const int8_t want_8[3] = {4, -1, 127};
  static const int8_t x8[2] = {10, -128};
  static const int16_t want_8to16[2] = {28, -524};
  static const int16_t x1616[2] = {20000, -3}, want_1616[2] = {32767, -6};
  static const int16_t xd[2] = {10, -32768};
  const int32_t d4[1] = {4}, d3[1] = {3}, d2[1] = {2};
  tb_model_t m;
  int16_t o16[4];
  int8_t o8[3];
  float of[2];
  const void *in[1];
  tb_tensor_t f32 = qt(F32, 1, d4, 1.0f, NULL, 0);
  f32.nscales = 0;
  /* Rule: QUANTIZE float32 -> int16 is AffineQuantize: round(x / scale) half away from zero, +
   * zero point, clamped to int16: scale 0.5: 1.25 -> 2.5 -> 3, -1.25 -> -3, 40000 -> 32767. */
  unary_model(&m, 114, f32, qt(I16, 1, d4, 0.5f, NULL, 0));
  in[0] = xf;
  CHECK(run(&m, in, o16, sizeof(o16), NULL) == 0, "quantize f32->int16 ran");
  expect16("quantize f32->int16", o16, want_f, 4);
  /* Rule: int16 -> int8 is TFLM Requantize with the int32 double-rounding multiply: scale 1 -> 2
   * (multiplier 2^30, shift 0), zero point 1: 5 * 0.5 = 2.5 -> 3 (+1 = 4); -2.5 -> SRDHM's nudge
   * truncates to -2 (+1 = -1); 500 + 1 -> 127 (clamped to int8). */
  unary_model(&m, 114, qt(I16, 1, d3, 1.0f, NULL, 0), q8(1, d3, 2.0f, 1, NULL, 0));
  in[0] = x16;
  CHECK(run(&m, in, o8, sizeof(o8), NULL) == 0, "quantize int16->int8 ran");
  expect8("quantize int16->int8", o8, want_8, 3);
  /* Rule: int8 -> int16: (x - zp 3) * (1 / 0.25): 7 * 4 = 28, -131 * 4 = -524. */
  unary_model(&m, 114, q8(1, d2, 1.0f, 3, NULL, 0), qt(I16, 1, d2, 0.25f, NULL, 0));
  in[0] = x8;
  CHECK(run(&m, in, o16, 2 * sizeof(int16_t), NULL) == 0, "quantize int8->int16 ran");
  expect16("quantize int8->int16", o16, want_8to16, 2);
  /* Rule: int16 -> int16 rescales and saturates: scale 1 -> 0.5: 40000 -> 32767, -3 -> -6. */
  unary_model(&m, 114, qt(I16, 1, d2, 1.0f, NULL, 0), qt(I16, 1, d2, 0.5f, NULL, 0));
  in[0] = x1616;
  CHECK(run(&m, in, o16, 2 * sizeof(int16_t), NULL) == 0, "quantize int16->int16 ran");
  expect16("quantize int16->int16", o16, want_1616, 2);
  /* Rule: DEQUANTIZE int16 is (float)(scale * (x - zero point)): scale 0.25, zp 4: 10 -> 1.5,
   * -32768 -> -8193. */
  f32.dims[0] = 2;
  unary_model(&m, 6, qt(I16, 1, d2, 0.25f, NULL, 0), f32);
  m.t[0].zps[0] = 4;
  in[0] = xd;
  CHECK(run(&m, in, of, sizeof(of), NULL) == 0 && of[0] == 1.5f && of[1] == -8193.0f,
        "dequantize int16: got %g, %g want 1.5, -8193", (double)of[0], (double)of[1]);
}

void test_pool16(void) {
  /* Rule: int16 AVERAGE_POOL_2D divides the int32 window sum by the in-image tap count with
   * rounding half away from zero; MAX_POOL_2D takes the max; both on raw int16 values, then clamp.
   * 2x2 window, stride 2 over [1, 2, 4, 1]: window 0 = {30001, 30002, -3, -4}: sum 59996 / 4 =
   * 14999; window 1 = {-32768, -32768, -32768, 1}: sum -98303 / 4 = -24575.75 -> -24576. Max: 30002,
   * 1. SAME padding, 3x3 window, stride 2 over 2x4: output 1x2, each window clipped to 2x2 / 2x3. */
  static const int16_t x[8] = {30001, 30002, -32768, -32768, -3, -4, -32768, 1};
  static const int16_t want_avg[2] = {14999, -24576}, want_max[2] = {30002, 1};
  const int32_t din[4] = {1, 2, 4, 1}, dout[4] = {1, 1, 2, 1};
  tb_model_t m;
  int16_t out[2];
  const void *in[1] = {x};
  unary_model(&m, 1, qt(I16, 4, din, 1.0f, NULL, 0), qt(I16, 4, dout, 1.0f, NULL, 0));
  m.op[0].opt_type = 5;
  opt(&m.op[0], 0, 1, 1); /* VALID */
  opt(&m.op[0], 1, 4, 2);
  opt(&m.op[0], 2, 4, 2);
  opt(&m.op[0], 3, 4, 2);
  opt(&m.op[0], 4, 4, 2);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 average pool ran");
  expect16("avgpool16", out, want_avg, 2);
  m.op[0].code = 17;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 max pool ran");
  expect16("maxpool16", out, want_max, 2);
  {
    /* SAME, 3x3, stride 2: out 1x2; pad_h = (0*2 + 3 - 2) / 2 = 0, pad_w = (1*2 + 3 - 4) / 2 = 0:
     * window 0 covers columns 0..2 of both rows: {30001, 30002, -32768, -3, -4, -32768}: sum -5540
     * / 6 = -923.33 -> -923; window 1 covers columns 2..3: {-32768, -32768, -32768, 1}: -24576 */
    static const int16_t want_same[2] = {-923, -24576};
    m.op[0].code = 1;
    m.op[0].opts[0].ival = 0, m.op[0].opts[3].ival = 3, m.op[0].opts[4].ival = 3;
    CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int16 average pool SAME ran");
    expect16("avgpool16 SAME", out, want_same, 2);
  }
}

/* Rule (QS_WITH_INT16=0, the build for boards short of flash): every op with int16 activations is
 * refused at load as unsupported in this build, not mistyped; int8 ops still run. */
void test_without_int16(void) {
  const int32_t din[4] = {1, 1, 2, 2}, dw[4] = {1, 1, 1, 2}, dout[4] = {1, 1, 2, 1}, d4[1] = {4};
  static const int8_t w[2] = {1, 1};
  tb_model_t m;
  qs_status_t st = QS_OK;
  int16_t out[4];
  static const int16_t x[4] = {1, 2, 3, 4};
  const void *in[2] = {x, x};
  tb_tensor_t f32 = qt(F32, 1, d4, 1.0f, NULL, 0);
  f32.nscales = 0;
  conv1x1(&m, 0);
  m.t[0] = qt(I16, 4, din, 1.0f, NULL, 0);
  m.t[1] = q8(4, dw, 1.0f, 0, w, sizeof(w));
  m.t[2] = qt(I16, 4, dout, 1.0f, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), &st) != 0 && st == QS_ERR_UNSUPPORTED, "int16 conv: status %s", qs_status_str(st));
  unary_model(&m, 114, f32, qt(I16, 1, d4, 0.5f, NULL, 0));
  CHECK(run(&m, in, out, sizeof(out), &st) != 0 && st == QS_ERR_UNSUPPORTED, "quantize to int16: status %s", qs_status_str(st));
  unary_model(&m, 6, qt(I16, 1, d4, 0.5f, NULL, 0), f32);
  CHECK(run(&m, in, out, sizeof(out), &st) != 0 && st == QS_ERR_UNSUPPORTED, "dequantize int16: status %s", qs_status_str(st));
  /* int16 LOGISTIC and TANH: refused as left out of the build too */
  unary_model(&m, 14, qt(I16, 1, d4, 1.0f / 4096.0f, NULL, 0), qt(I16, 1, d4, 1.0f / 32768.0f, NULL, 0));
  CHECK(run(&m, in, out, sizeof(out), &st) != 0 && st == QS_ERR_UNSUPPORTED, "logistic int16: status %s", qs_status_str(st));
  unary_model(&m, 28, qt(I16, 1, d4, 1.0f / 4096.0f, NULL, 0), qt(I16, 1, d4, 1.0f / 32768.0f, NULL, 0));
  CHECK(run(&m, in, out, sizeof(out), &st) != 0 && st == QS_ERR_UNSUPPORTED, "tanh int16: status %s", qs_status_str(st));
}

int main(void) {
#if !QS_WITH_INT16
  test_without_int16();
  printf("int16 (QS_WITH_INT16=0): %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
#endif
  test_conv16_saturation();
  test_conv16_rounding();
  test_zero_scale_channels();
  test_add16();
  test_fc16();
  test_dwconv16();
  test_quantize16();
  test_pool16();
  printf("int16: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
