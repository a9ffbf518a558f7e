/*
 * DEPTHWISE_CONV_2D int8, depth multiplier 1 or a multiple of 4, Helium (MVE) variant for the Cortex-M55 (same
 * bits as k_dwconv.c; facts in k_conv_mve.c). Channels are the vector lanes: per output
 * pixel, sixteen channels at a time in four int32x4 accumulators; per in-image tap, each
 * vector is VLDRB.S32 of four inputs (sign-extended), + input offset, VLDRB.S32 of four
 * weights, VMUL and VADD (lane-wise, modulo 2^32). Fewer than sixteen
 * channels left: one vector at a time, the lanes past the end predicated off (VCTP32: not
 * read, not stored). The taps of a pixel are listed once (input and filter offsets); a run
 * of pixels whose window lies inside the input shares one list. Requantization as in
 * k_conv_mve.c, four channels per vector.
 */
#include "k_conv_dsp.h"

#if QS_ARM_MVE
#include <arm_mve.h>

/* acc + x * w lane by lane (VMUL, VADD: MVE's VMLA takes a scalar multiplier), modulo 2^32 */
static inline int32x4_t qs_vmla(int32x4_t acc, int32x4_t x, int32x4_t w) { return vaddq_s32(acc, vmulq_s32(x, w)); }

/* requantize the channels of acc (predicate pr) and store their bytes at out */
static inline void dw_requant4(int32x4_t acc, const int32_t *mult, const int8_t *shift, int32_t zp, int32_t lo, int32_t hi,
                               int8_t *out, mve_pred16_t pr) {
  const int32x4_t sh = vldrbq_z_s32(shift, pr), zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(sh, zero), right = vminq_s32(sh, zero);
  int32x4_t v = vqrdmulhq_s32(vshlq_s32(acc, left), vldrwq_z_s32(mult, pr));
  v = vqaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), vshrq_n_s32(right, 31)));
  v = vaddq_n_s32(vrshlq_s32(v, right), zp);
  v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(lo)), vdupq_n_s32(hi));
  vstrbq_p_s32(out, v, pr);
}

static void dw_eval_mve(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t *taps = (int32_t *)(void *)m->scratch; /* pairs: input offset, filter offset */
  const int C = p->oc;
  const int32_t off = p->in_off, zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  const int32_t *const bias = p->bias, *const mult = p->mult;
  const int8_t *const shift = p->shift, *const w = p->w;
  int b, oy, ox, ky, kx, c, t, nt, full = 0;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int ix0 = ox * p->sw - p->pad_w;
        const int8_t *base = inb;
        nt = 0;
        if (iy0 >= 0 && ix0 >= 0 && iy0 + (p->kh - 1) * p->dh < p->ih && ix0 + (p->kw - 1) * p->dw < p->iw) {
          base = inb + ((size_t)iy0 * p->iw + ix0) * p->ic, nt = p->kh * p->kw;
          if (!full)
            for (ky = 0, t = 0; ky < p->kh; ky++)
              for (kx = 0; kx < p->kw; kx++, t++) taps[2 * t] = (ky * p->dh * p->iw + kx * p->dw) * p->ic, taps[2 * t + 1] = t * C;
          full = 1;
        } else {
          full = 0;
          for (ky = 0; ky < p->kh; ky++) {
            const int iy = iy0 + ky * p->dh;
            if (iy < 0 || iy >= p->ih) continue;
            for (kx = 0; kx < p->kw; kx++) {
              const int ix = ix0 + kx * p->dw;
              if (ix < 0 || ix >= p->iw) continue;
              taps[2 * nt] = (iy * p->iw + ix) * p->ic, taps[2 * nt + 1] = (ky * p->kw + kx) * C;
              nt++;
            }
          }
        }
        if (p->dm != 1) {
          /* multiplier a multiple of 4: the four channels of a vector read one input value,
           * a scalar (x + off) multiplying the weight vector (VMLA by scalar) */
          for (c = 0; c < C; c += 4) {
            const int8_t *xb = base + c / p->dm, *wb = w + c;
            int32x4_t a = bias ? vldrwq_s32(bias + c) : vdupq_n_s32(0);
            for (t = 0; t < nt; t++) a = vmlaq_n_s32(a, vldrbq_s32(wb + taps[2 * t + 1]), xb[taps[2 * t]] + off);
            dw_requant4(a, mult + c, shift + c, zp, lo, hi, out + c, 0xffff);
          }
          continue;
        }
        for (c = 0; c + 16 <= C; c += 16) {
          const int8_t *xb = base + c, *wb = w + c;
          int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
          if (bias) a0 = vldrwq_s32(bias + c), a1 = vldrwq_s32(bias + c + 4), a2 = vldrwq_s32(bias + c + 8), a3 = vldrwq_s32(bias + c + 12);
          for (t = 0; t < nt; t++) {
            const int8_t *x = xb + taps[2 * t], *f = wb + taps[2 * t + 1];
            a0 = qs_vmla(a0, vaddq_n_s32(vldrbq_s32(x), off), vldrbq_s32(f));
            a1 = qs_vmla(a1, vaddq_n_s32(vldrbq_s32(x + 4), off), vldrbq_s32(f + 4));
            a2 = qs_vmla(a2, vaddq_n_s32(vldrbq_s32(x + 8), off), vldrbq_s32(f + 8));
            a3 = qs_vmla(a3, vaddq_n_s32(vldrbq_s32(x + 12), off), vldrbq_s32(f + 12));
          }
          dw_requant4(a0, mult + c, shift + c, zp, lo, hi, out + c, 0xffff);
          dw_requant4(a1, mult + c + 4, shift + c + 4, zp, lo, hi, out + c + 4, 0xffff);
          dw_requant4(a2, mult + c + 8, shift + c + 8, zp, lo, hi, out + c + 8, 0xffff);
          dw_requant4(a3, mult + c + 12, shift + c + 12, zp, lo, hi, out + c + 12, 0xffff);
        }
        if (c + 8 <= C) { /* eight channels left: two vectors, no predicate */
          const int8_t *xb = base + c, *wb = w + c;
          int32x4_t a0 = vdupq_n_s32(0), a1 = a0;
          if (bias) a0 = vldrwq_s32(bias + c), a1 = vldrwq_s32(bias + c + 4);
          for (t = 0; t < nt; t++) {
            const int8_t *x = xb + taps[2 * t], *f = wb + taps[2 * t + 1];
            a0 = qs_vmla(a0, vaddq_n_s32(vldrbq_s32(x), off), vldrbq_s32(f));
            a1 = qs_vmla(a1, vaddq_n_s32(vldrbq_s32(x + 4), off), vldrbq_s32(f + 4));
          }
          dw_requant4(a0, mult + c, shift + c, zp, lo, hi, out + c, 0xffff);
          dw_requant4(a1, mult + c + 4, shift + c + 4, zp, lo, hi, out + c + 4, 0xffff);
          c += 8;
        }
        for (; c < C; c += 4) {
          const mve_pred16_t pr = vctp32q((uint32_t)(C - c));
          const int8_t *xb = base + c, *wb = w + c;
          int32x4_t a = bias ? vldrwq_z_s32(bias + c, pr) : vdupq_n_s32(0);
          for (t = 0; t < nt; t++)
            a = qs_vmla(a, vaddq_n_s32(vldrbq_z_s32(xb + taps[2 * t], pr), off), vldrbq_z_s32(wb + taps[2 * t + 1], pr));
          dw_requant4(a, mult + c, shift + c, zp, lo, hi, out + c, pr);
        }
      }
    }
  }
}

/* Multiplier 1 or a multiple of 4 (the portable prepare has recorded the 8-byte-per-tap
 * scratch; a multiple of 4 makes the channel count one too): 1 when taken. */
int qs_dwconv_mve_prepare(qs_op_t *op, const dw_params_t *p) {
  if (p->dm != 1 && p->dm % 4 != 0) return 0;
  op->eval = dw_eval_mve;
  return 1;
}
#endif
