/*
 * CONV_2D int8, Helium (MVE) variant for the Cortex-M55 (__ARM_FEATURE_MVE; same bits as
 * k_conv.c's conv_eval). Written from Arm's MVE intrinsics reference (arm_mve.h):
 * - VLDRB.S16 loads eight int8 sign-extended to int16 lanes; VLDRH.S16 eight int16; the _z
 *   forms with a VCTP16 predicate zero the lanes past the end without reading them.
 * - VMLADAVA.S16 adds the eight lane products to a 32-bit scalar, kept modulo 2^32 (like the
 *   portable uint32 accumulators).
 * As in the portable kernel, the receptive field of one pixel is gathered once into an int16
 * patch of x + in_off (0 for padded taps); then four output channels per pass share each patch
 * vector: per eight taps one patch load, four weight loads, four VMLADAVA.
 *
 * Requantization of four channels at once, equal to TFLM's MultiplyByQuantizedMultiplier for
 * every accumulator (no range condition):
 * - VSHL by the left shift (register shifts wrap, like the reference's int32 product);
 * - VQRDMULH = saturate((2ab + 2^31) >> 32) = floor((ab + 2^30) / 2^31): TFLM's
 *   SaturatingRoundingDoublingHighMul (its sign-dependent nudge and truncating division give
 *   the same floor; it saturates only for INT32_MIN * INT32_MIN, and multipliers are > 0);
 * - RoundingDivideByPOT rounds half away from zero; VRSHL by a negative count rounds half up
 *   (computed without overflow). Subtracting 1 from negative values first (VQADD: INT32_MIN
 *   stays, and gives the same result) turns one into the other when the shift is not 0.
 * - + zero point, VMAX / VMIN to the activation range, VSTRB.32 of the four low bytes.
 */
#include "k_conv_dsp.h"

#if QS_ARM_MVE
#include <arm_mve.h>

/* kc int8 values of one tap to dst, or the input zero point for a padded tap (src NULL): its
 * x + in_off is 0, so padded taps add nothing, as in the reference */
static void put_tap(int8_t *dst, const int8_t *src, int kc, int8_t zp) {
  int c;
  for (c = 0; c < kc; c += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(kc - c));
    vstrbq_p_s8(dst + c, src ? vldrbq_z_s8(src + c, p) : vdupq_n_s8(zp), p);
  }
}

static void gather(const conv_params_t *p, const int8_t *in, int oy, int ox, int g, int8_t *dst) {
  const int iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w;
  int ky, kx;
  for (ky = 0; ky < p->kh; ky++) {
    const int iy = iy0 + ky * p->dh;
    if (p->dw == 1 && p->groups == 1 && iy >= 0 && iy < p->ih && ix0 >= 0 && ix0 + p->kw <= p->iw) {
      /* the row's taps are contiguous in the input: one copy */
      put_tap(dst, in + ((size_t)iy * p->iw + ix0) * p->ic, p->kw * p->kc, 0);
      dst += p->kw * p->kc;
      continue;
    }
    for (kx = 0; kx < p->kw; kx++, dst += p->kc) {
      const int ix = ix0 + kx * p->dw;
      const int in_img = iy >= 0 && iy < p->ih && ix >= 0 && ix < p->iw;
      put_tap(dst, in_img ? in + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * p->kc : NULL, p->kc, (int8_t)-p->in_off);
    }
  }
}

/* four channels' requantized outputs to out[0..3] (facts above) */
static inline void requant4(int32x4_t acc, const int32_t *mult, const int8_t *shift, int32_t zp, int32_t lo, int32_t hi,
                            int8_t *out) {
  const int32x4_t sh = vldrbq_s32(shift), zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(sh, zero), right = vminq_s32(sh, zero);
  int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, left), vldrwq_s32(mult));
  v = vqaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), vshrq_n_s32(right, 31)));
  v = vaddq_n_s32(vrshlq_s32(v, right), zp);
  v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(lo)), vdupq_n_s32(hi));
  vstrbq_s32(out, v);
}

/* 1x1 with k < 16 (a VMLADAV would run mostly predicated): output channels as lanes instead.
 * The filter is transposed into scratch once per eval ([tap][channel]); per pixel and tap, the
 * input value + offset (a scalar) multiplies four channels' weights (VMLA by scalar). */
static int small_k(const conv_params_t *p) {
  const int k = p->kc;
  return p->kh == 1 && p->kw == 1 && p->groups == 1 && p->pad_h == 0 && p->pad_w == 0 && k < 16 && p->oc % 4 == 0 &&
         k * p->oc <= 1024;
}

static void conv_eval_small_k(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int k = p->kc, oc = p->oc;
  int8_t *wt = (int8_t *)m->scratch;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max, off = p->in_off;
  int b, oy, ox, c, i;
  for (c = 0; c < oc; c++)
    for (i = 0; i < k; i++) wt[i * oc + c] = p->w[c * k + i];
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += oc) {
        const int8_t *x = inb + ((size_t)oy * p->sh * p->iw + (size_t)ox * p->sw) * p->ic;
        for (c = 0; c + 16 <= oc; c += 16) {
          int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
          if (p->bias) a0 = vldrwq_s32(p->bias + c), a1 = vldrwq_s32(p->bias + c + 4), a2 = vldrwq_s32(p->bias + c + 8), a3 = vldrwq_s32(p->bias + c + 12);
          for (i = 0; i < k; i++) {
            const int8_t *f = wt + i * oc + c;
            const int32_t xs = x[i] + off;
            a0 = vmlaq_n_s32(a0, vldrbq_s32(f), xs), a1 = vmlaq_n_s32(a1, vldrbq_s32(f + 4), xs);
            a2 = vmlaq_n_s32(a2, vldrbq_s32(f + 8), xs), a3 = vmlaq_n_s32(a3, vldrbq_s32(f + 12), xs);
          }
          requant4(a0, p->mult + c, p->shift + c, zp, lo, hi, out + c);
          requant4(a1, p->mult + c + 4, p->shift + c + 4, zp, lo, hi, out + c + 4);
          requant4(a2, p->mult + c + 8, p->shift + c + 8, zp, lo, hi, out + c + 8);
          requant4(a3, p->mult + c + 12, p->shift + c + 12, zp, lo, hi, out + c + 12);
        }
        for (; c < oc; c += 4) {
          int32x4_t a = p->bias ? vldrwq_s32(p->bias + c) : vdupq_n_s32(0);
          for (i = 0; i < k; i++) a = vmlaq_n_s32(a, vldrbq_s32(wt + i * oc + c), x[i] + off);
          requant4(a, p->mult + c, p->shift + c, zp, lo, hi, out + c);
        }
      }
    }
  }
}

static void conv_eval_mve(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int k = p->kh * p->kw * p->kc, k16 = k & ~15, ocg = p->oc / p->groups;
  int8_t *patch = (int8_t *)m->scratch;
  int32_t *bias_eff = (int32_t *)(void *)(m->scratch + (((size_t)k + 7u) & ~(size_t)7u));
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  const mve_pred16_t tail = vctp8q((uint32_t)(k - k16));
  const int one = p->kh == 1 && p->kw == 1 && p->groups == 1 && p->pad_h == 0 && p->pad_w == 0;
  int b, oy, ox, g, c, i;
  /* bias + in_off * sum(w): the offset's share of every pixel (modulo 2^32, as the accumulators) */
  for (c = 0; c < p->oc; c++) {
    const int8_t *wc = p->w + (size_t)c * k;
    int32_t s = 0;
    for (i = 0; i < k16; i += 16) s = vaddvaq_s8(s, vldrbq_s8(wc + i));
    if (k16 < k) s = vaddvaq_s8(s, vldrbq_z_s8(wc + k16, tail));
    bias_eff[c] = (int32_t)((uint32_t)(p->bias ? p->bias[c] : 0) + (uint32_t)p->in_off * (uint32_t)s);
  }
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        for (g = 0; g < p->groups; g++) {
          const int c1 = (g + 1) * ocg;
          const int8_t *x = patch;
          if (one) x = inb + ((size_t)oy * p->sh * p->iw + (size_t)ox * p->sw) * p->ic;
          else gather(p, inb, oy, ox, g, patch);
          for (c = g * ocg; c + 4 <= c1; c += 4) {
            const int8_t *w0 = p->w + (size_t)c * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
            int32_t a0 = bias_eff[c], a1 = bias_eff[c + 1], a2 = bias_eff[c + 2], a3 = bias_eff[c + 3];
            int32x4_t acc;
            for (i = 0; i < k16; i += 16) {
              const int8x16_t xv = vldrbq_s8(x + i);
              a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0 + i)), a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1 + i));
              a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2 + i)), a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3 + i));
            }
            if (k16 < k) {
              const int8x16_t xv = vldrbq_z_s8(x + k16, tail);
              a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w0 + k16, tail)), a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1 + k16, tail));
              a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2 + k16, tail)), a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3 + k16, tail));
            }
            acc = vsetq_lane_s32(a0, vdupq_n_s32(0), 0);
            acc = vsetq_lane_s32(a1, acc, 1), acc = vsetq_lane_s32(a2, acc, 2), acc = vsetq_lane_s32(a3, acc, 3);
            requant4(acc, p->mult + c, p->shift + c, zp, lo, hi, out + c);
          }
          for (; c < c1; c++) {
            const int8_t *w0 = p->w + (size_t)c * k;
            int32_t a = bias_eff[c];
            for (i = 0; i < k16; i += 16) a = vmladavaq_s8(a, vldrbq_s8(x + i), vldrbq_s8(w0 + i));
            if (k16 < k) a = vmladavaq_s8(a, vldrbq_z_s8(x + k16, tail), vldrbq_z_s8(w0 + k16, tail));
            out[c] = qs_requant(a, p->mult[c], p->shift[c], zp, lo, hi);
          }
        }
      }
    }
  }
}

/* The portable prepare has set everything this eval reads; scratch: the int8 patch (k bytes),
 * then bias + in_off * sum(w) per output channel. */
int qs_conv_mve_prepare(qs_model_t *m, qs_op_t *op, const conv_params_t *p) {
  const size_t k = (size_t)p->kh * p->kw * p->kc;
  if (small_k(p)) {
    qs_scratch(m, k * (size_t)p->oc); /* the transposed filter */
    op->eval = conv_eval_small_k;
    return 1;
  }
  qs_scratch(m, ((k + 7u) & ~(size_t)7u) + 4u * (size_t)p->oc);
  op->eval = conv_eval_mve;
  return 1;
}
#endif
