/*
 * Edge cases the field goldens lack, for the int16x8 kernels, TRANSPOSE_CONV and zero-scale weight
 * channels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL), each against arithmetic worked out here (the rule each case tests is written beside it):
 * int16 saturation, TFLM's two int16 requantizations (int64: 15-bit multiplier, round half up;
 * int32 bias: double rounding, half away from zero), a per-channel weight scale of 0, and
 * TRANSPOSE_CONV strides and padding checked against a scatter written out in this file.
 */
#include <math.h>
#include "kernel_harness.h"

enum { I16 = 7, I64 = 4 };

static tb_tensor_t qt(int type, int ndims, const int32_t *dims, float scale, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, scale, 0, data, len);
  t.type = type;
  return t;
}

static void expect16(const char *name, const int16_t *got, const int16_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %d want %d", name, i, got[i], want[i]);
}

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

/* The reference's TRANSPOSE_CONV written out as a scatter (every input pixel times the kernel,
 * added into the output at stride steps, shifted by the padding): integer sums, scales 1. */
static void tconv_scatter(const int *x, int ih, int iw, const int *w, int k, int stride, int pad, int oh, int ow,
                          int *out) {
  int iy, ix, fy, fx;
  memset(out, 0, sizeof(int) * (size_t)oh * (size_t)ow);
  for (iy = 0; iy < ih; iy++)
    for (ix = 0; ix < iw; ix++)
      for (fy = 0; fy < k; fy++)
        for (fx = 0; fx < k; fx++) {
          int oy = iy * stride - pad + fy, ox = ix * stride - pad + fx;
          if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) out[oy * ow + ox] += x[iy * iw + ix] * w[fy * k + fx];
        }
}

/* TRANSPOSE_CONV: tensor 0 output_shape (constant), 1 filter [1, k, k, 1], 2 input [1, ih, iw, 1]
 * (the graph input), 3 output [1, oh, ow, 1]; type I8, I16 or F32. */
static int run_tconv(int type, int padding, int stride, int k, const int *x, int ih, int iw, const int *w, int oh,
                     int ow, int *got) {
  static int32_t shape[4];
  static int8_t w8[16], x8[16];
  static int16_t x16[16], o16[64];
  static float wf[16], xf[16], of[64];
  static int8_t o8[64];
  const int32_t ds[1] = {4}, dw[4] = {1, k, k, 1}, din[4] = {1, ih, iw, 1}, dout[4] = {1, oh, ow, 1};
  tb_model_t m;
  const void *in[1];
  int i, r;
  shape[0] = 1, shape[1] = oh, shape[2] = ow, shape[3] = 1;
  for (i = 0; i < k * k; i++) w8[i] = (int8_t)w[i], wf[i] = (float)w[i];
  for (i = 0; i < ih * iw; i++) x8[i] = (int8_t)x[i], x16[i] = (int16_t)x[i], xf[i] = (float)x[i];
  memset(&m, 0, sizeof(m));
  m.ntensors = 4, m.nops = 1, m.nin = 1, m.inputs[0] = 2, m.nout = 1, m.outputs[0] = 3;
  m.op[0].code = 67, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.op[0].opt_type = 49;
  opt(&m.op[0], 0, 1, padding);
  opt(&m.op[0], 1, 4, stride);
  opt(&m.op[0], 2, 4, stride);
  m.t[0] = qt(I32, 1, ds, 1.0f, shape, sizeof(shape));
  m.t[0].nscales = 0;
  if (type == F32) {
    m.t[1] = qt(F32, 4, dw, 1.0f, wf, sizeof(float) * (size_t)(k * k)), m.t[1].nscales = 0;
    m.t[2] = qt(F32, 4, din, 1.0f, NULL, 0), m.t[2].nscales = 0;
    m.t[3] = qt(F32, 4, dout, 1.0f, NULL, 0), m.t[3].nscales = 0;
    in[0] = xf;
  } else {
    m.t[1] = q8(4, dw, 1.0f, 0, w8, (size_t)(k * k));
    m.t[2] = qt(type, 4, din, 1.0f, NULL, 0);
    m.t[3] = qt(type, 4, dout, 1.0f, NULL, 0);
    in[0] = type == I8 ? (const void *)x8 : (const void *)x16;
  }
  r = run(&m, in, type == F32 ? (void *)of : type == I8 ? (void *)o8 : (void *)o16,
          (size_t)(oh * ow) * (type == F32 ? 4u : type == I8 ? 1u : 2u), NULL);
  for (i = 0; i < oh * ow; i++) got[i] = type == F32 ? (int)of[i] : type == I8 ? o8[i] : o16[i];
  return r;
}

void test_transpose_conv(void) {
  /* Rule: TRANSPOSE_CONV places input pixel (iy, ix) times the kernel at (iy*stride - pad, ix*stride
   * - pad) and sums overlaps; the output tensor's static shape decides the output size and (TFLM's
   * ComputePaddingHeightWidth on the output size) the padding: VALID pads 0; SAME with a 4x4
   * kernel, stride 2, output 4 pads (1*2 + 4 - 4) / 2 = 1; SAME with 3x3, stride 2, output 4 pads
   * (1*2 + 3 - 4) / 2 = 0 (the odd pixel is dropped at the end). Checked against tconv_scatter for
   * int8, int16 and float32 (small integers: every type computes them exactly), and two values by
   * hand. */
  static const int x[4] = {1, 2, 3, 4};
  static const int w9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const int w16[16] = {1, -1, 2, 0, 3, 1, -2, 1, 0, 1, 1, 2, -1, 0, 1, 3};
  const struct {
    int padding, stride, k, oh;
    const int *w;
  } cases[] = {{1, 2, 3, 5, w9}, {0, 2, 4, 4, w16}, {0, 2, 3, 4, w9}, {1, 1, 3, 4, w9}, {0, 3, 3, 6, w9}};
  const int types[3] = {I8, I16, F32};
  int c, t, i, want[64], got[64];
  for (c = 0; c < (int)(sizeof(cases) / sizeof(cases[0])); c++) {
    int pad = 0, k = cases[c].k, oh = cases[c].oh;
    if (cases[c].padding == 0) { /* SAME: the forward conv of the output size gives ceil(oh / s) */
      int fwd = (oh + cases[c].stride - 1) / cases[c].stride, total = (fwd - 1) * cases[c].stride + k - oh;
      pad = total > 0 ? total / 2 : 0;
    }
    tconv_scatter(x, 2, 2, cases[c].w, k, cases[c].stride, pad, oh, oh, want);
    for (t = 0; t < 3; t++) {
      CHECK(run_tconv(types[t], cases[c].padding, cases[c].stride, k, x, 2, 2, cases[c].w, oh, oh, got) == 0,
            "transpose conv case %d type %d ran", c, types[t]);
      for (i = 0; i < oh * oh; i++)
        CHECK(got[i] == want[i], "transpose conv case %d type %d [%d]: got %d want %d", c, types[t], i, got[i], want[i]);
    }
  }
  /* by hand, case 0 (VALID, stride 2, 3x3, 2x2 -> 5x5): output (2, 2) is where all four input
   * pixels overlap, each through the kernel's corner: 1*9 + 2*7 + 3*3 + 4*1 = 36; output (0, 0) is
   * x(0,0) * w(0,0) = 1 */
  tconv_scatter(x, 2, 2, w9, 3, 2, 0, 5, 5, want);
  CHECK(want[2 * 5 + 2] == 36 && want[0] == 1, "scatter by hand: (2,2) = %d want 36, (0,0) = %d want 1", want[12], want[0]);
}

void test_tconv_requant(void) {
  /* Rule: int8 TRANSPOSE_CONV adds the input offset before multiplying and requantizes like CONV
   * (double rounding, output zero point, clamp): zp_in -3, x = 7 -> 10; w = 5; scales 0.5 * 1 / 2
   * = 0.25: 50 * 0.25 = 12.5 -> 13 (half away from zero) + zp_out 4 = 17; x = 127 -> 130 * 5 *
   * 0.25 = 162.5 -> 163 + 4 -> 127 (saturated). */
  static const int32_t shape[4] = {1, 1, 2, 1};
  static const int8_t w[1] = {5}, x[2] = {7, 127}, want[2] = {17, 127};
  const int32_t ds[1] = {4}, dw[4] = {1, 1, 1, 1}, din[4] = {1, 1, 2, 1}, dout[4] = {1, 1, 2, 1};
  tb_model_t m;
  int8_t out[2];
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  m.ntensors = 4, m.nops = 1, m.nin = 1, m.inputs[0] = 2, m.nout = 1, m.outputs[0] = 3;
  m.op[0].code = 67, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.op[0].opt_type = 49;
  opt(&m.op[0], 0, 1, 1);
  opt(&m.op[0], 1, 4, 1);
  opt(&m.op[0], 2, 4, 1);
  m.t[0] = qt(I32, 1, ds, 1.0f, shape, sizeof(shape));
  m.t[0].nscales = 0;
  m.t[1] = q8(4, dw, 1.0f, 0, w, sizeof(w));
  m.t[2] = q8(4, din, 0.5f, -3, NULL, 0);
  m.t[3] = q8(4, dout, 2.0f, 4, NULL, 0);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "int8 transpose conv ran");
  expect8("tconv int8 requant", out, want, 2);
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

/* One-input one-output op (code) from tensor 0 to tensor 1, no options. */
static void unary_model(tb_model_t *m, int code, tb_tensor_t in, tb_tensor_t out) {
  memset(m, 0, sizeof(*m));
  m->ntensors = 2, m->nops = 1, m->nin = 1, m->inputs[0] = 0, m->nout = 1, m->outputs[0] = 1;
  m->op[0].code = code, m->op[0].nin = 1, m->op[0].in[0] = 0, m->op[0].out = 1;
  m->t[0] = in, m->t[1] = out;
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

#if QS_WITH_INT16
void qs_sigmoid_table_u16(uint16_t *t); /* core/src/k_act16.c */

/* Rule: the generated table is TFLM's sigmoid_table_uint16 (common.h). Spot entries read from it:
 * 0 (exactly 0.5), 4 and 8 (where round(65536 * sigmoid(i/24)) alone is 1 too low), 174 (the entry
 * closest to a rounding boundary, 0.004 LSB), 254 and 255 (full scale 65535); every entry within
 * 1.2 of 65536 * sigmoid(i/24) (entry 35 is the farthest, 1.11 above) and the table non-decreasing. */
void test_sigmoid_table(void) {
  static const int idx[7] = {0, 1, 4, 8, 174, 254, 255};
  static const uint16_t want[7] = {32768, 33451, 35493, 38180, 65489, 65534, 65535};
  uint16_t t[256];
  int i;
  qs_sigmoid_table_u16(t);
  for (i = 0; i < 7; i++) CHECK(t[idx[i]] == want[i], "sigmoid table[%d]: got %u want %u", idx[i], t[idx[i]], want[i]);
  for (i = 0; i < 256; i++) {
    double f = 65536.0 / (1.0 + exp(-i / 24.0));
    CHECK(fabs(t[i] - f) < 1.2, "sigmoid table[%d] = %u, far from %.3f", i, t[i], f);
    if (i) CHECK(t[i] >= t[i - 1], "sigmoid table not monotone at %d", i);
  }
}

/* Run LOGISTIC (14) or TANH (28) int16 over xs with the given input and output scales. */
static int run_sig16(int code, float in_scale, float out_scale, int32_t zp, const int16_t *xs, int16_t *out, int n, qs_status_t *st) {
  tb_model_t m;
  const int32_t d[1] = {n};
  const void *in[1] = {xs};
  tb_tensor_t ti = qt(I16, 1, d, in_scale, NULL, 0), to = qt(I16, 1, d, out_scale, NULL, 0);
  ti.zps[0] = zp;
  unary_model(&m, code, ti, to);
  return run(&m, in, out, (size_t)n * sizeof(int16_t), st);
}

void test_logistic_tanh16(void) {
  /* Rule (TFLM reference_integer_ops::Logistic int16, worked by hand): scale 2^-12 is the
   * power-of-two case, x = in * 3; in = 0: 0.5 -> 16384; in = 4096 (1.0): x = 12288, entry 24
   * exactly (47911), (47911 << 9 + 512) >> 10 = 23956; in = -4096: ((1 << 25) - (47911 << 9) + 511)
   * >> 10 = 8812; in = 1: x = 3, 32768 * 512 + 3 * (33451 - 32768) + 512 >> 10 = 16386. */
  static const int16_t x[4] = {0, 4096, -4096, 1}, want_l[4] = {16384, 23956, 8812, 16386};
  /* Rule (Tanh int16): x = 12288 indexes entry 48 (57724) with 8 fractional bits: (57724 << 8)
   * - (1 << 23) + 128 >> 8 = 24956; its mirror (-r + (1 << 23) + 127) >> 8 (floor) = -24956. */
  static const int16_t want_t[4] = {0, 24956, -24956, 1};
  /* Rule (prepare's rescale): scale 1e-4 is not a power of two: multiplier 1.2288 doubled 14 times
   * = 20132 (truncated), in = 10000: (10000 * 20132 + 8192) >> 14 = 12288, the same 1.0 -> 23956. */
  static const int16_t x2[2] = {10000, -10000}, want2[2] = {23956, 8812};
  /* Rule (saturation): scale 2^-11 gives x = 6 * in; |x| >> 9 >= 255 saturates: LOGISTIC to
   * 32767 and, on the negative side, to 1 (TFLM's rounding there), TANH to +/-32767. */
  static const int16_t xs[2] = {32767, -32768}, want_ls[2] = {32767, 1}, want_ts[2] = {32767, -32767};
  const float q15 = 1.0f / 32768.0f;
  int16_t out[4];
  qs_status_t st = QS_OK;
  CHECK(run_sig16(14, 1.0f / 4096.0f, q15, 0, x, out, 4, NULL) == 0, "logistic16 ran");
  expect16("logistic16", out, want_l, 4);
  CHECK(run_sig16(28, 1.0f / 4096.0f, q15, 0, x, out, 4, NULL) == 0, "tanh16 ran");
  /* in = 1: x = 3, entry 0 + 3 * 683 / 256 steps: (32768 * 256 + 2049 - (1 << 23) + 128) >> 8 = 8 */
  {
    int16_t w[4] = {want_t[0], want_t[1], want_t[2], 8};
    expect16("tanh16", out, w, 4);
  }
  CHECK(run_sig16(14, 1.0e-4f, q15, 0, x2, out, 2, NULL) == 0, "logistic16 scale 1e-4 ran");
  expect16("logistic16 scale 1e-4", out, want2, 2);
  CHECK(run_sig16(14, 1.0f / 2048.0f, q15, 0, xs, out, 2, NULL) == 0, "logistic16 saturation ran");
  expect16("logistic16 saturation", out, want_ls, 2);
  CHECK(run_sig16(28, 1.0f / 2048.0f, q15, 0, xs, out, 2, NULL) == 0, "tanh16 saturation ran");
  expect16("tanh16 saturation", out, want_ts, 2);
  /* Rule: TFLM requires the int16 output scale 2^-15 and zero points 0; anything else is refused
   * at load with a quantization error naming it. */
  CHECK(run_sig16(14, 1.0f / 4096.0f, 1.0f / 256.0f, 0, x, out, 4, &st) != 0 && st == QS_ERR_QUANT,
        "logistic16 output scale 1/256: status %s", qs_status_str(st));
  CHECK(run_sig16(28, 1.0f / 4096.0f, q15, 3, x, out, 4, &st) != 0 && st == QS_ERR_QUANT,
        "tanh16 input zero point 3: status %s", qs_status_str(st));
}

/* Rule: over every int16 input, at three input scales, LOGISTIC stays within 2 output steps of
 * 32768 * sigmoid(in * scale) and TANH within 3 of 32768 * tanh(in * scale), both non-decreasing in
 * the input (the table interpolation's accuracy; a wrong table entry or shift breaks it). */
void test_logistic_tanh16_sweep(void) {
  static int16_t xs[65536], out[65536];
  static const float scales[3] = {1.0f / 4096.0f, 3.0e-4f, 1.0e-3f};
  int si, i, code;
  for (i = 0; i < 65536; i++) xs[i] = (int16_t)(i - 32768);
  for (code = 0; code < 2; code++)
    for (si = 0; si < 3; si++) {
      int worst = 0, worst_i = 0;
      for (i = 0; i < 65536; i += 4096) /* chunks that fit the harness arena */
        CHECK(run_sig16(code ? 28 : 14, scales[si], 1.0f / 32768.0f, 0, xs + i, out + i, 4096, NULL) == 0, "sweep ran");
      for (i = 0; i < 65536; i++) {
        double r = (double)xs[i] * scales[si];
        double f = code ? 32768.0 * tanh(r) : 32768.0 / (1.0 + exp(-r));
        int e = (int)fabs(out[i] - f + 0.0);
        if (e > worst) worst = e, worst_i = i;
        if (i) CHECK(out[i] >= out[i - 1], "%s not monotone at %d", code ? "tanh16" : "logistic16", xs[i]);
      }
      CHECK(worst <= (code ? 3 : 2), "%s scale %g: error %d at input %d", code ? "tanh16" : "logistic16", scales[si], worst, xs[worst_i]);
    }
}

/* SOFTMAX (25) int16 over [outer, depth] with beta 1. */
static int run_softmax16(float in_scale, float out_scale, int outer, int depth, const int16_t *xs, int16_t *out, qs_status_t *st) {
  tb_model_t m;
  const int32_t d[2] = {outer, depth};
  const void *in[1] = {xs};
  unary_model(&m, 25, qt(I16, 2, d, in_scale, NULL, 0), qt(I16, 2, d, out_scale, NULL, 0));
  m.op[0].opt_type = 9; /* SoftmaxOptions */
  m.op[0].nopt = 1;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 1.0f;
  return run(&m, in, out, (size_t)outer * depth * sizeof(int16_t), st);
}

/* Rule (TFLM SoftmaxInt16): a row of equal values gives 1/depth in Q0.15 (the exp table's top
 * entry, normalized by the 1/(1+x) table); inputs 10 or more below the row maximum (real
 * terms) all read exp(-10); random rows stay within 24 steps (0.07 %) of
 * float softmax and sum to 32768 within depth steps; the output is 0..32767. A wrong table node,
 * a lost normalization shift or an off-by-one index breaks one of them. */
void test_softmax16(void) {
  static int16_t x[8 * 16], out[8 * 16];
  const float sc = 1.0f / 1024.0f;
  int i, c, depth = 16, outer = 8;
  uint32_t seed = 12345;
  qs_status_t st = QS_OK;
  for (i = 0; i < 16; i++) x[i] = 500;
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, 1, 16, x, out, NULL) == 0, "softmax16 ran");
  for (i = 0; i < 16; i++) CHECK(abs(out[i] - 2048) <= 1, "uniform row[%d]: got %d want 2048 +/- 1", i, out[i]);
  x[0] = 32767, x[1] = 0, x[2] = -32768;
  /* values 10 or more below the max (real terms) all read exp(-10), the exp table's first node
   * (about 1.5 steps): an equal small share each, 2, and the max the rest */
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, 1, 3, x, out, NULL) == 0 && out[0] == 32764 && out[1] == 2 && out[2] == 2,
        "dominant max: got %d %d %d", out[0], out[1], out[2]);
  for (i = 0; i < outer * depth; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (int16_t)((int32_t)(seed >> 16) - 32768) / 8; /* +/- 4 in real terms */
  }
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, outer, depth, x, out, NULL) == 0, "softmax16 random ran");
  for (i = 0; i < outer; i++) {
    double mx = -1e9, sum = 0.0;
    int total = 0;
    for (c = 0; c < depth; c++) mx = x[i * depth + c] * sc > mx ? x[i * depth + c] * sc : mx;
    for (c = 0; c < depth; c++) sum += exp(x[i * depth + c] * sc - mx);
    for (c = 0; c < depth; c++) {
      double want = 32768.0 * exp(x[i * depth + c] * sc - mx) / sum;
      int got = out[i * depth + c];
      total += got;
      CHECK(got >= 0 && fabs(got - want) <= 24.0, "row %d col %d: got %d, float %.1f", i, c, got, want);
    }
    CHECK(abs(total - 32768) <= depth, "row %d sums to %d", i, total);
  }
  /* Rule: TFLM requires int16 output scale 1/32768 (within 0.1 %) and zero point 0 */
  CHECK(run_softmax16(sc, 1.0f / 16384.0f, 1, 3, x, out, &st) != 0 && st == QS_ERR_QUANT, "softmax16 output scale 1/16384: status %s",
        qs_status_str(st));
}
#endif

int main(void) {
#if !QS_WITH_INT16
  test_without_int16();
  test_tconv_requant();
  printf("int16/transpose_conv (QS_WITH_INT16=0): %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
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
  test_transpose_conv();
  test_tconv_requant();
#if QS_WITH_INT16
  test_sigmoid_table();
  test_logistic_tanh16();
  test_logistic_tanh16_sweep();
  test_softmax16();
#endif
  printf("int16/transpose_conv: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
