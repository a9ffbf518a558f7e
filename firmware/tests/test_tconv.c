/*
 * TRANSPOSE_CONV (k_tconv.c) for int8, int16x8 and float32: strides and padding checked against a
 * scatter written out in this file, and the int8 requantization worked out by hand (the rule each
 * case tests is written beside it). Built a second time with -DQS_WITH_INT16=0: the int8 kernel
 * still runs there.
 */
#include "int16_harness.h"

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

int main(void) {
  (void)expect16, (void)unary_model; /* int16 harness helpers this file does not need */
#if !QS_WITH_INT16
  test_tconv_requant();
  printf("transpose_conv (QS_WITH_INT16=0): %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
#endif
  test_transpose_conv();
  test_tconv_requant();
  printf("transpose_conv: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
