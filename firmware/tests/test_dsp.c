/*
 * The optimized int8 kernels against TFLite Micro's reference arithmetic, on random one-op models
 * (CONV_2D incl. groups, padding, stride, dilation and 1x1; DEPTHWISE_CONV_2D with depth multipliers
 * 1, 2 and 4; FULLY_CONNECTED),
 * with every shape edge the Arm DSP kernels treat apart: depths not a multiple of 4 (the k % 4
 * tail, taps that start mid-group in the reordered patch), output channel counts not a multiple
 * of 4 or 2, padded taps, input zero points across the int8 range, full-range weights.
 *
 * The same program runs natively (portable kernels; core-unit, ASan/UBSan) and on the emulated
 * Cortex-M4 (`make core-dsp-m4`: the Arm DSP kernels, __ARM_FEATURE_DSP), so both paths are held
 * to the same reference: equal outputs, byte for byte. Ends with a semihosting exit on Arm.
 */
#include <stdint.h>
#include <string.h>

#include "../core/src/qmath.h"
#include "qs_interp.h"
#include "tfl_build.h"

#if defined(__arm__)
#include "qs_port.h"
static void say(const char *s) { qs_port_write((const uint8_t *)s, strlen(s)); }
#else
#include <stdio.h>
static void say(const char *s) { fputs(s, stdout); }
#endif

static void say_int(long v) {
  char b[24];
  int i = 23, neg = v < 0;
  unsigned long u = neg ? 0ul - (unsigned long)v : (unsigned long)v;
  b[i] = 0;
  do b[--i] = (char)('0' + u % 10); while ((u /= 10) && i > 1);
  if (neg) b[--i] = '-';
  say(b + i);
}

enum { I32 = 2, I8 = 9, OP_CONV = 3, OP_DW = 4, OP_FC = 9 };
static uint8_t g_model[1 << 15], g_arena[1 << 16] __attribute__((aligned(16)));
static int8_t g_x[4096], g_w[8192], g_ref[4096];
static int32_t g_bias[64];
static float g_scales[16];
static uint32_t g_rng = 12345u;
static int failures, cases;

static uint32_t rnd(void) { /* xorshift32 */
  g_rng ^= g_rng << 13, g_rng ^= g_rng >> 17, g_rng ^= g_rng << 5;
  return g_rng;
}
static int pick(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }
static void fill8(int8_t *p, int n, int lo) {
  int i;
  for (i = 0; i < n; i++) p[i] = (int8_t)pick(lo, 127);
}

static tb_tensor_t q8(int ndims, const int32_t *dims, float scale, int zp, const void *data, size_t len) {
  tb_tensor_t t;
  memset(&t, 0, sizeof(t));
  t.ndims = ndims;
  memcpy(t.dims, dims, sizeof(int32_t) * (size_t)ndims);
  t.type = I8, t.nscales = 1, t.scales[0] = scale, t.zps[0] = zp;
  t.data = data, t.data_len = len;
  return t;
}
static void opt(tb_op_t *o, int field, int size, int32_t v) {
  o->opts[o->nopt].field = field, o->opts[o->nopt].size = size, o->opts[o->nopt].ival = v;
  o->nopt++;
}

/* TFLM's requantization of one channel: PopulateConvolutionQuantizationParams' multiplier;
 * clamped to [lo, hi] (the fused activation's range) */
static int8_t requant_act(int32_t acc, float in_s, float w_s, float out_s, int out_zp, int lo, int hi) {
  int32_t mult;
  int shift;
  qs_quantize_multiplier((double)in_s * (double)w_s / (double)out_s, &mult, &shift);
  return qs_requant(acc, mult, shift, out_zp, lo, hi);
}
static int8_t requant(int32_t acc, float in_s, float w_s, float out_s, int out_zp) {
  return requant_act(acc, in_s, w_s, out_s, out_zp, -128, 127);
}
/* CalculateActivationRangeQuantized: NONE 0, RELU 1, RELU6 3 (round half away from zero) */
static void act_range(int act, float out_s, int zp, int *lo, int *hi) {
  const float six = 6.0f / out_s;
  const int q6 = zp + (int)(six + 0.5f);
  *lo = act == 0 ? -128 : zp > -128 ? zp : -128;
  *hi = act == 3 && q6 < 127 ? q6 : 127;
}

/* Load, invoke and compare output 0 (n bytes) with g_ref; names the case on a mismatch. */
static void run_case(const char *what, const tb_model_t *m, int n, const char *shape) {
  qs_interp_t ip;
  size_t len = tb_write(m, g_model, sizeof g_model);
  qs_status_t s;
  const int8_t *out;
  int i, bad = -1;
  cases++;
  if (!len || (s = qs_load(&ip, g_model, len, g_arena, sizeof g_arena)) != QS_OK) {
    say("FAIL "), say(what), say(" "), say(shape), say(": did not load: "), say(len ? ip.err.msg : "model too big"), say("\n");
    failures++;
    return;
  }
  memcpy(qs_input_data(&ip, 0), g_x, (size_t)m->t[0].dims[0] * m->t[0].dims[1] * (m->t[0].ndims > 2 ? m->t[0].dims[2] * m->t[0].dims[3] : 1));
  if (qs_invoke(&ip, NULL, NULL) != QS_OK) bad = -2;
  out = (const int8_t *)qs_output_data(&ip, 0);
  for (i = 0; bad == -1 && i < n; i++)
    if (out[i] != g_ref[i]) bad = i;
  if (bad != -1) {
    say("FAIL "), say(what), say(" "), say(shape), say(": element "), say_int(bad);
    if (bad >= 0) say(" got "), say_int(out[bad]), say(" want "), say_int(g_ref[bad]);
    say("\n");
    failures++;
  }
}

static int out_size(int same, int in, int k, int s, int d) {
  const int ek = (k - 1) * d + 1;
  return same ? (in + s - 1) / s : (in - ek + s) / s;
}
static int pad_of(int s, int d, int in, int k, int out) {
  const int p = ((out - 1) * s + (k - 1) * d + 1 - in) / 2;
  return p > 0 ? p : 0;
}

/* CONV_2D (dw = 0) or DEPTHWISE_CONV_2D (dw = 1, multiplier dm) with random geometry */
static void conv_case(int dw, int wide) {
  static const int depths[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 17};
  /* wide (CONV_2D): 1x1 over 32-64 channels into up to 40, one filter scale (the requantization
   * table and the two-pixel blocks over many channels); 2: over 1-15 channels into 16-40 (a
   * multiple of 4); huge biases (the exact fallback) */
  const int act = pick(0, 2) == 2 ? 3 : pick(0, 1), huge = pick(0, 7) == 0;
  const int ih = pick(1, 8), iw = pick(1, 8), kh = wide ? 1 : pick(1, 3), kw = wide ? 1 : pick(1, 3), same = pick(0, 1);
  const int sh = wide ? 1 : pick(1, 2), sw = wide ? 1 : pick(1, 2), dh = pick(1, 2), dwl = pick(1, 2);
  int ic = depths[pick(0, 9)], groups = 1, oc, kc, dm = 1, oh, ow, c, y, x, ky, kx, i, n, lo, hi;
  const int in_zp = pick(-128, 127), out_zp = pick(-128, 127);
  const float in_s = 0.02f + (float)pick(0, 100) / 1000.0f, out_s = 0.5f + (float)pick(0, 100) / 50.0f;
  int32_t din[4], dwt[4], dout[4], db[1];
  char shape[128];
  tb_model_t m;
  if (dw) {
    const int r = pick(0, 3);
    dm = r == 0 ? 2 : r == 1 ? 4 : 1; /* 1 and 4: the DSP kernels; 2 keeps the portable eval */
    oc = ic * dm, kc = 1;
  } else {
    if (ic % 2 == 0 && pick(0, 3) == 0 && !wide) groups = 2;
    if (wide) ic = wide == 2 ? pick(1, 15) : 32 + 16 * pick(0, 2);
    kc = ic / groups;
    oc = wide == 2 ? 4 * pick(4, 10) : wide ? pick(17, 40) : groups * pick(1, 6);
  }
  oh = out_size(same, ih, kh, sh, dh), ow = out_size(same, iw, kw, sw, dwl);
  if (oh < 1 || ow < 1 || oc > (wide ? 40 : 16)) return;
  act_range(act, out_s, out_zp, &lo, &hi);
  fill8(g_x, ih * iw * ic, -128);
  n = dw ? kh * kw * oc : oc * kh * kw * kc;
  fill8(g_w, n, -127);
  for (c = 0; c < oc; c++) {
    g_bias[c] = huge ? (int32_t)(rnd() - 0x80000000u) : pick(-3000, 3000);
    g_scales[c < 16 ? c : 15] = 0.001f + (float)pick(1, 200) / 20000.0f;
  }
  if (wide) {
    for (c = 1; c < 16; c++) g_scales[c] = g_scales[0];
  }
  din[0] = 1, din[1] = ih, din[2] = iw, din[3] = ic;
  dwt[0] = dw ? 1 : oc, dwt[1] = kh, dwt[2] = kw, dwt[3] = dw ? oc : kc;
  dout[0] = 1, dout[1] = oh, dout[2] = ow, dout[3] = oc, db[0] = oc;
  memset(&m, 0, sizeof m);
  m.ntensors = 4;
  m.t[0] = q8(4, din, in_s, in_zp, NULL, 0);
  m.t[1] = q8(4, dwt, g_scales[0], 0, g_w, (size_t)n);
  m.t[1].nscales = wide ? 1 : oc, m.t[1].qdim = dw ? 3 : 0;
  for (c = 0; c < m.t[1].nscales; c++) m.t[1].scales[c] = g_scales[c], m.t[1].zps[c] = 0;
  m.t[2] = q8(1, db, in_s * g_scales[0], 0, g_bias, 4u * (size_t)oc);
  m.t[2].type = I32;
  m.t[3] = q8(4, dout, out_s, out_zp, NULL, 0);
  m.nops = 1;
  m.op[0].code = dw ? OP_DW : OP_CONV, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2;
  m.op[0].out = 3, m.op[0].opt_type = dw ? 2 : 1;
  opt(&m.op[0], 0, 1, same ? 0 : 1);
  opt(&m.op[0], 1, 4, sw), opt(&m.op[0], 2, 4, sh);
  if (dw) opt(&m.op[0], 3, 4, dm), opt(&m.op[0], 4, 1, act), opt(&m.op[0], 5, 4, dwl), opt(&m.op[0], 6, 4, dh);
  else opt(&m.op[0], 3, 1, act), opt(&m.op[0], 4, 4, dwl), opt(&m.op[0], 5, 4, dh);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 3;
  {
    const int ph = pad_of(sh, dh, ih, kh, oh), pw = pad_of(sw, dwl, iw, kw, ow);
    for (y = 0; y < oh; y++)
      for (x = 0; x < ow; x++)
        for (c = 0; c < oc; c++) {
          uint32_t acc = (uint32_t)g_bias[c]; /* int32 arithmetic modulo 2^32, as TFLM's on these targets */
          const int g = c / (oc / groups);
          for (ky = 0; ky < kh; ky++)
            for (kx = 0; kx < kw; kx++) {
              const int iy = y * sh - ph + ky * dh, ix = x * sw - pw + kx * dwl;
              if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
              if (dw) {
                acc += (uint32_t)((g_x[(iy * iw + ix) * ic + c / dm] - in_zp) * g_w[(ky * kw + kx) * oc + c]);
              } else {
                for (i = 0; i < kc; i++)
                  acc += (uint32_t)((g_x[(iy * iw + ix) * ic + g * kc + i] - in_zp) * g_w[((c * kh + ky) * kw + kx) * kc + i]);
              }
            }
          g_ref[(y * ow + x) * oc + c] = requant_act((int32_t)acc, in_s, g_scales[wide ? 0 : c], out_s, out_zp, lo, hi);
        }
  }
  {
    char *p = shape;
    const int v[] = {ih, iw, ic, oc, kh, kw, sh, sw, dh, dwl, same, groups, dm, in_zp, act, huge};
    static const char *const nm[] = {"ih", "iw", "ic", "oc", "kh", "kw", "sh", "sw", "dh", "dw", "same", "g", "dm", "zp", "act", "huge"};
    for (i = 0; i < 16; i++) {
      int t = v[i], j = 0;
      char d[8];
      const char *q = nm[i];
      while (*q) *p++ = *q++;
      if (t < 0) *p++ = '-', t = -t;
      do d[j++] = (char)('0' + t % 10); while ((t /= 10) > 0);
      while (j) *p++ = d[--j];
      *p++ = ' ';
    }
    p[-1] = 0;
  }
  run_case(dw ? "DEPTHWISE_CONV_2D" : "CONV_2D", &m, oh * ow * oc, shape);
}

/* FULLY_CONNECTED: k (any, incl. k % 4 tails), odd and even unit counts, batches */
static void fc_case(void) {
  const int k = pick(1, 70), oc = pick(1, 9), nb = pick(1, 3), in_zp = pick(-128, 127), out_zp = pick(-128, 127);
  const float in_s = 0.02f + (float)pick(0, 100) / 1000.0f, w_s = 0.002f + (float)pick(0, 100) / 20000.0f, out_s = 0.5f + (float)pick(0, 50) / 25.0f;
  int32_t din[2], dwt[2], dout[2], db[1];
  tb_model_t m;
  int b, c, i;
  char shape[40] = "k=";
  fill8(g_x, nb * k, -128);
  fill8(g_w, oc * k, -127);
  for (c = 0; c < oc; c++) g_bias[c] = pick(-3000, 3000);
  din[0] = nb, din[1] = k, dwt[0] = oc, dwt[1] = k, dout[0] = nb, dout[1] = oc, db[0] = oc;
  memset(&m, 0, sizeof m);
  m.ntensors = 4;
  m.t[0] = q8(2, din, in_s, in_zp, NULL, 0);
  m.t[1] = q8(2, dwt, w_s, 0, g_w, (size_t)oc * k);
  m.t[2] = q8(1, db, in_s * w_s, 0, g_bias, 4u * (size_t)oc);
  m.t[2].type = I32;
  m.t[3] = q8(2, dout, out_s, out_zp, NULL, 0);
  m.nops = 1;
  m.op[0].code = OP_FC, m.op[0].nin = 3, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].in[2] = 2, m.op[0].out = 3;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 3;
  for (b = 0; b < nb; b++)
    for (c = 0; c < oc; c++) {
      int32_t acc = g_bias[c];
      for (i = 0; i < k; i++) acc += (g_x[b * k + i] - in_zp) * g_w[c * k + i];
      g_ref[b * oc + c] = requant(acc, in_s, w_s, out_s, out_zp);
    }
  shape[2] = (char)('0' + k / 10), shape[3] = (char)('0' + k % 10), shape[4] = ' ', shape[5] = 'u';
  shape[6] = (char)('0' + oc), shape[7] = ' ', shape[8] = 'b', shape[9] = (char)('0' + nb), shape[10] = 0;
  run_case("FULLY_CONNECTED", &m, nb * oc, shape);
}

#if defined(__arm__)
static void semihost_exit(int ok) { /* SYS_EXIT: ApplicationExit or RunTimeErrorUnknown */
  register uint32_t r0 __asm__("r0") = 0x18;
  register uint32_t r1 __asm__("r1") = ok ? 0x20026u : 0x20023u;
  __asm__ volatile("bkpt 0xAB" : : "r"(r0), "r"(r1) : "memory");
}
#endif

int main(void) {
  int i;
#if defined(__arm__)
  qs_port_init();
#endif
  /* rule: the optimized kernels equal TFLM's reference arithmetic on every shape edge (portable
   * natively, Arm DSP on the Cortex-M4), 300 random cases per op */
  for (i = 0; i < 300; i++) conv_case(0, 0);
  for (i = 0; i < 300; i++) conv_case(1, 0);
  /* rule: the same with 1x1 convolutions over 32-64 input channels into 17-40 outputs (one
   * filter scale), as the pointwise layers of MobileNets */
  for (i = 0; i < 60; i++) conv_case(0, 1);
  /* rule: and 1x1 convolutions over 1-15 input channels into 16-40 outputs (a multiple of 4), as
   * the first pointwise layers (the Helium kernel's channels-as-lanes path) */
  for (i = 0; i < 40; i++) conv_case(0, 2);
  for (i = 0; i < 300; i++) fc_case();
  say("test_dsp: "), say_int(cases), say(" cases, "), say_int(failures), say(failures ? " FAILED\n" : " failures\n");
#if defined(__arm__)
  semihost_exit(failures == 0);
  for (;;) {
  }
#endif
  return failures != 0;
}
