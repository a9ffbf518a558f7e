/*
 * CONV_2D int8, Arm DSP variant of k_conv.c's conv_eval (same bits; facts in arm_dsp.h).
 *
 * Two output pixels per pass, two output channels per inner product (a 2 x 2 block of outputs).
 * The receptive fields of both pixels are gathered once into one int16 patch of x + in_off
 * (0 for padded taps), interleaved by groups of four taps so one LDRD fetches the same two
 * taps of both pixels: per four taps the words are pixel 0 (x0, x2), pixel 1 (x0, x2),
 * pixel 0 (x1, x3), pixel 1 (x1, x3). One word of four weights per channel unpacks with
 * SXTB16 into (w0, w2) and (w1, w3), and each unpacked pair meets both pixels: per four taps
 * 2 LDRD + 2 LDR + 4 SXTB16 + 8 SMLAD for 16 MACs. The k % 4 last taps follow the groups,
 * one (pixel 0, pixel 1) pair per tap. A 1x1 convolution (no padding can occur) converts
 * both pixels' channels a word at a time, without the per-tap bookkeeping.
 * Whole pixel pairs with k % 4 == 0 run in one assembly routine (k_conv_dsp_pix2.c).
 *
 * Requantization (the per-output cost that dominates layers with few input channels) is
 * TFLM's MultiplyByQuantizedMultiplier in 8 instructions, with per-channel constants computed
 * once per eval into scratch:
 * - SMMULR (DSP: (a * b + 2^31) >> 32, signed) of 2x and the multiplier is
 *   floor((x * m + 2^30) / 2^31), which equals TFLM's SaturatingRoundingDoublingHighMul for
 *   m > 0 (its truncating division with a sign-dependent nudge rounds half away from zero,
 *   and so does the floor here: checked in arm_dsp.h's history and by test_dsp). So the left
 *   shift is by left + 1. That is exact only while (acc << (left + 1)) fits in int32: the
 *   eval checks max|bias| + k * 255 * 128 against 2^(30 - left) for every channel and takes
 *   the portable requantization (qs_requant) otherwise (hostile biases or multipliers).
 * - RoundingDivideByPOT(v, e) = (v >> e) + (rem > (mask >> 1) + (v < 0)), rem = v & mask:
 *   CMP of rem against (mask >> 1) + 1 + (v < 0) sets the carry exactly when it is due, and
 *   ADC adds it together with the output zero point.
 * - SSAT to 8 bits, then (activation range narrower than int8) four outputs packed in a word
 *   clamped with SSUB8 / SEL (per byte: GE flags of the signed difference select the max,
 *   then the min). Saturating first does not change the clamp: lo >= -128, hi <= 127.
 */
#include "k_conv_dsp.h"

#if QS_ARM_DSP

/* int16 index of flat tap i (i < k4) of pixel slot s in the interleaved patch */
#define QS_SLOT(i, s) (2 * ((i) & ~3) + 4 * ((i) & 1) + 2 * (s) + (((i) >> 1) & 1))

/* a00 += pixel 0 . row 0, a01 += pixel 0 . row 1, a10 / a11 pixel 1, over n groups of four
 * taps. 13 registers, so the caller keeps nothing else live across it. */
static __attribute__((noinline)) void dot2x2(const int16_t *x, const int8_t *w0, const int8_t *w1, int n, uint32_t *a) {
  uint32_t a00 = a[0], a01 = a[1], a10 = a[2], a11 = a[3], xa, xb, wa, wb, t;
  __asm__ volatile(
      "1:\n\t"
      "ldrd %[xa], %[xb], [%[x]], #8\n\t"
      "ldr %[wa], [%[w0]], #4\n\t"
      "ldr %[wb], [%[w1]], #4\n\t"
      "sxtb16 %[t], %[wa]\n\t"
      "smlad %[a00], %[t], %[xa], %[a00]\n\t"
      "smlad %[a10], %[t], %[xb], %[a10]\n\t"
      "sxtb16 %[t], %[wb]\n\t"
      "smlad %[a01], %[t], %[xa], %[a01]\n\t"
      "smlad %[a11], %[t], %[xb], %[a11]\n\t"
      "ldrd %[xa], %[xb], [%[x]], #8\n\t"
      "sxtb16 %[t], %[wa], ror #8\n\t"
      "smlad %[a00], %[t], %[xa], %[a00]\n\t"
      "smlad %[a10], %[t], %[xb], %[a10]\n\t"
      "sxtb16 %[t], %[wb], ror #8\n\t"
      "smlad %[a01], %[t], %[xa], %[a01]\n\t"
      "smlad %[a11], %[t], %[xb], %[a11]\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 1b"
      : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1),
        [n] "+r"(n), [xa] "=&r"(xa), [xb] "=&r"(xb), [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t)
      :
      : "cc", "memory");
  a[0] = a00, a[1] = a01, a[2] = a10, a[3] = a11;
}

/* one pixel's receptive field (group g) into slot s of the interleaved patch */
static void gather_px(const conv_params_t *p, const int8_t *inb, int oy, int ox, int g, int16_t *patch, int s, int k4) {
  const int iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w, kc = p->kc;
  const int32_t off = p->in_off;
  const uint32_t off2 = ((uint32_t)off & 0xffffu) * 0x10001u;
  int ky, kx, i0 = 0;
  for (ky = 0; ky < p->kh; ky++) {
    const int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, i0 += kc) {
      const int ix = ix0 + kx * p->dw;
      const int8_t *src = iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw ? NULL : inb + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * kc;
      int c = 0;
      if (src && (i0 & 3) == 0) {
        for (; c + 4 <= kc && i0 + c + 4 <= k4; c += 4) {
          const uint32_t v = qs_ld32(src + c);
          const uint32_t e = qs_add16(qs_sx_even(v), off2), o = qs_add16(qs_sx_odd(v), off2);
          memcpy(patch + 2 * (i0 + c) + 2 * s, &e, 4);
          memcpy(patch + 2 * (i0 + c) + 4 + 2 * s, &o, 4);
        }
      }
      for (; c < kc; c++) {
        const int i = i0 + c;
        patch[i < k4 ? QS_SLOT(i, s) : 2 * k4 + 2 * (i - k4) + s] = (int16_t)(src ? src[c] + off : 0);
      }
    }
  }
}

/* 1x1, one group: both pixels' k channels at once */
static void gather_1x1(const int8_t *x0, const int8_t *x1, int k, int k4, int32_t off, int16_t *patch) {
  const uint32_t off2 = ((uint32_t)off & 0xffffu) * 0x10001u;
  uint32_t *d = (uint32_t *)(void *)patch;
  int i;
  for (i = 0; i < k4; i += 4, d += 4) {
    const uint32_t v0 = qs_ld32(x0 + i), v1 = qs_ld32(x1 + i);
    d[0] = qs_add16(qs_sx_even(v0), off2), d[1] = qs_add16(qs_sx_even(v1), off2);
    d[2] = qs_add16(qs_sx_odd(v0), off2), d[3] = qs_add16(qs_sx_odd(v1), off2);
  }
  for (; i < k; i++) patch[2 * i] = (int16_t)(x0[i] + off), patch[2 * i + 1] = (int16_t)(x1[i] + off);
}

/* The 2 x 2 outputs of channels c, c2 (c2 == c: the last of an odd count) for pixels 0, 1.
 * mode 0: fast requantization, full int8 range; 1: fast, narrower activation range; 2: qs_requant. */
static inline __attribute__((always_inline)) void block(const conv_params_t *p, const conv_rq_t *rq, const int16_t *patch,
                                                        int k, int k4, int c, int c2, int8_t *o0, int8_t *o1,
                                                        const int mode, uint32_t lo4, uint32_t hi4) {
  const int8_t *w0 = p->w + (size_t)c * k, *w1 = p->w + (size_t)c2 * k;
  uint32_t a[4];
  int i;
  a[0] = a[2] = (uint32_t)rq[c].bias, a[1] = a[3] = (uint32_t)rq[c2].bias;
  if (k4 > 0) dot2x2(patch, w0, w1, k4 >> 2, a);
  for (i = 0; i < k - k4; i++) {
    const int32_t x0 = patch[2 * k4 + 2 * i], x1 = patch[2 * k4 + 2 * i + 1];
    a[0] += (uint32_t)(x0 * w0[k4 + i]), a[1] += (uint32_t)(x0 * w1[k4 + i]);
    a[2] += (uint32_t)(x1 * w0[k4 + i]), a[3] += (uint32_t)(x1 * w1[k4 + i]);
  }
  if (mode == 2) {
    o0[c] = qs_requant((int32_t)a[0], p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
    o1[c] = qs_requant((int32_t)a[2], p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
    o0[c2] = qs_requant((int32_t)a[1], p->mult[c2], p->shift[c2], p->out_zp, p->act_min, p->act_max);
    o1[c2] = qs_requant((int32_t)a[3], p->mult[c2], p->shift[c2], p->out_zp, p->act_min, p->act_max);
  } else {
    const int32_t zp = p->out_zp;
    const uint32_t s0 = rq[c].sh, s1 = rq[c2].sh;
    const int32_t m0 = p->mult[c], m1 = p->mult[c2];
    const int32_t k0 = (int32_t)((1u << (s0 & 31u)) - 1u), k1 = (int32_t)((1u << (s1 & 31u)) - 1u);
    const int32_t v00 = rq_fast(a[0], m0, s0 >> 8, s0, k0, (k0 >> 1) + 1, zp);
    const int32_t v10 = rq_fast(a[2], m0, s0 >> 8, s0, k0, (k0 >> 1) + 1, zp);
    const int32_t v01 = rq_fast(a[1], m1, s1 >> 8, s1, k1, (k1 >> 1) + 1, zp);
    const int32_t v11 = rq_fast(a[3], m1, s1 >> 8, s1, k1, (k1 >> 1) + 1, zp);
    if (mode == 0 || c2 == c) {
      /* bytes (for an odd last channel a halfword would reach past the pixel) */
      const int32_t lo = p->act_min, hi = p->act_max;
      o0[c] = (int8_t)(mode == 0 ? v00 : v00 < lo ? lo : v00 > hi ? hi : v00);
      o1[c] = (int8_t)(mode == 0 ? v10 : v10 < lo ? lo : v10 > hi ? hi : v10);
      o0[c2] = (int8_t)(mode == 0 ? v01 : v01 < lo ? lo : v01 > hi ? hi : v01);
      o1[c2] = (int8_t)(mode == 0 ? v11 : v11 < lo ? lo : v11 > hi ? hi : v11);
    } else {
      const uint32_t v = clamp4(((uint32_t)v00 & 0xffu) | ((uint32_t)v01 & 0xffu) << 8 | ((uint32_t)v10 & 0xffu) << 16 |
                                    (uint32_t)v11 << 24,
                                lo4, hi4);
      const uint16_t h0 = (uint16_t)v, h1 = (uint16_t)(v >> 16);
      memcpy(o0 + c, &h0, 2);
      memcpy(o1 + c, &h1, 2);
    }
  }
}

static inline __attribute__((always_inline)) void conv_run(const conv_params_t *p, const conv_rq_t *rq, const int8_t *in,
                                                           int8_t *out, int16_t *patch, const int mode) {
  const int k = p->kh * p->kw * p->kc, k4 = k & ~3, ocg = p->oc / p->groups, oc = p->oc;
  const int npix = p->n * p->oh * p->ow, plane = p->oh * p->ow, one = p->kh == 1 && p->kw == 1 && p->groups == 1 &&
                                                                      p->pad_h == 0 && p->pad_w == 0;
  const uint32_t lo4 = ((uint32_t)p->act_min & 0xffu) * 0x01010101u, hi4 = ((uint32_t)p->act_max & 0xffu) * 0x01010101u;
  int q, g, c;
  for (q = 0; q < npix; q += 2) {
    const int q1 = q + 1 < npix ? q + 1 : q; /* odd count: the last pixel computed twice */
    const int b0 = q / plane, y0 = q % plane / p->ow, x0 = q % p->ow;
    const int b1 = q1 / plane, y1 = q1 % plane / p->ow, x1 = q1 % p->ow;
    const int8_t *in0 = in + (size_t)b0 * p->ih * p->iw * p->ic, *in1 = in + (size_t)b1 * p->ih * p->iw * p->ic;
    int8_t *o0 = out + (size_t)q * oc, *o1 = out + (size_t)q1 * oc;
    for (g = 0; g < p->groups; g++) {
      const int c1 = (g + 1) * ocg;
      if (one) {
        gather_1x1(in0 + ((size_t)y0 * p->sh * p->iw + (size_t)x0 * p->sw) * p->ic,
                   in1 + ((size_t)y1 * p->sh * p->iw + (size_t)x1 * p->sw) * p->ic, k, k4, p->in_off, patch);
      } else {
        gather_px(p, in0, y0, x0, g, patch, 0, k4);
        gather_px(p, in1, y1, x1, g, patch, 1, k4);
      }
      c = g * ocg;
      if (mode != 2 && k == k4 && c1 - c >= 2) {
        conv_job_t j;
        const int pairs = (c1 - c) >> 1;
        j.patch = patch, j.w = p->w + (size_t)c * k, j.n = k >> 2, j.k = k, j.rq = rq + c, j.mult = p->mult + c;
        j.o0 = o0 + c, j.o1 = o1 + c, j.pairs = pairs, j.zp = p->out_zp, j.lo4 = lo4, j.hi4 = hi4;
        qs_conv_pix2(&j);
        c += 2 * pairs; /* the routine counts j.pairs down */
      }
      for (; c < c1; c += 2) block(p, rq, patch, k, k4, c, c + 1 < c1 ? c + 1 : c, o0, o1, mode, lo4, hi4);
    }
  }
}


static void conv_eval_dsp(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int k = p->kh * p->kw * p->kc;
  int16_t *patch = (int16_t *)(void *)m->scratch;
  conv_rq_t *rq = (conv_rq_t *)(void *)(m->scratch + ((4u * (size_t)k + 7u) & ~(size_t)7u));
  /* largest |acc| << (left + 1) must fit in int32 for SMMULR: |acc| <= |bias| + k * 255 * 128 */
  const uint64_t mac_max = (uint64_t)k * 32640u;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int c, safe = 1;
  for (c = 0; c < p->oc; c++) {
    const int32_t b = p->bias ? p->bias[c] : 0;
    const int sh = p->shift[c], left = sh > 0 ? sh : 0, right = sh > 0 ? 0 : -sh;
    const uint64_t babs = b < 0 ? (uint64_t)0 - (uint64_t)(int64_t)b : (uint64_t)b;
    if (left > 29 || right > 31 || babs + mac_max >= ((uint64_t)1 << (30 - left))) safe = 0;
    if (op->lean) continue; /* no per-channel scratch */
    rq[c].bias = b;
    rq[c].sh = (uint32_t)right | (uint32_t)(left + 1) << 8;
  }
  if (op->lean) { /* k_conv_dsp_lean.c */
    qs_conv_dsp_lean(p, in, out, patch, !safe ? 2 : p->act_min == -128 && p->act_max == 127 ? 0 : 1);
    return;
  }
  if (!safe) conv_run(p, rq, (const int8_t *)qs_tdata(m, op->in[0]), (int8_t *)qs_tdata(m, op->out), patch, 2);
  else if (p->act_min == -128 && p->act_max == 127)
    conv_run(p, rq, (const int8_t *)qs_tdata(m, op->in[0]), (int8_t *)qs_tdata(m, op->out), patch, 0);
  else conv_run(p, rq, (const int8_t *)qs_tdata(m, op->in[0]), (int8_t *)qs_tdata(m, op->out), patch, 1);
}

/* The portable prepare has set everything this eval reads; the scratch holds the two-pixel
 * patch (4k bytes) and the per-channel requantization constants (8 bytes each). */
void qs_conv_dsp_prepare(qs_model_t *m, qs_op_t *op, const conv_params_t *p) {
  const size_t k = (size_t)p->kh * p->kw * p->kc;
#if QS_ARM_MVE
  op->lean = 0; /* no lean Helium variant: the portable one costs more than its bytes save */
  if (qs_conv_mve_prepare(m, op, p)) return; /* Helium (Cortex-M55): the portable patch scratch only */
#endif
  /* lean: one pixel's patch only, in 8 B units above QS_LEAN_CAN. Offered for k >= 32 only: over
   * shorter windows the per-output requantization and call dominate (person_detect's 1x1 CONV_2D #2,
   * k = 8, took 3x its ticks for 144 B); none when k is too large for the unit count. */
  op->lean = k >= 32u && k <= 4u * (255u - QS_LEAN_CAN) ? (uint8_t)(QS_LEAN_CAN + (2u * k + 7u) / 8u) : 0;
  qs_scratch(m, ((4u * k + 7u) & ~(size_t)7u) + sizeof(conv_rq_t) * (size_t)p->oc);
  op->eval = conv_eval_dsp;
}
#endif
