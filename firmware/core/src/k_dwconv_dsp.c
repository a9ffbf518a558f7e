/*
 * DEPTHWISE_CONV_2D int8, depth multiplier 1 or a multiple of 4, Arm DSP variant of k_dwconv.c's
 * dw_eval_taps (same bits; facts in arm_dsp.h).
 *
 * Per output pixel the in-image taps are listed once (as in the portable kernel); then four
 * channels at a time, each tap reads one word of four weights and, with multiplier 1, one word
 * of four inputs. SXTB16 unpacks both into (c0, c2) and (c1, c3) int16 pairs, SADD16 adds the
 * input offset to both halves, and SMLABB / SMLATT (bottom x bottom, top x top, + accumulator,
 * modulo 2^32) add the four products. With a multiple of 4 the four channels share one input
 * byte, which SMLABB / SMLATB meet with the weights' bottom and top halves.
 * With multiplier 1, when the 8-instruction requantization of k_conv_dsp.c is exact for every
 * channel (|bias| + taps * 255 * 128 fits the left shift), each pixel runs in one assembly
 * routine (k_dwconv_dsp_pix.c) that keeps the accumulators in registers from the biases to
 * the stored bytes.
 */
#include "k_conv_dsp.h"

#if QS_ARM_DSP
/* a0..a3 += sum over the nt listed taps of (x[c] + off) * w[c] for the four channels at xb / wb.
 * Assembly: the same C leaves four register moves in the loop. Per tap: one LDRD of the two
 * offsets, two word loads, four SXTB16, two SADD16, four SMLAxy: 15 instructions, 4 MACs. */
static __attribute__((noinline)) void dw_taps4(const int32_t *tp, int nt, const int8_t *xb, const int8_t *wb, uint32_t off2,
                                                uint32_t *acc) {
  uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], xv, wv, t, u;
  __asm__ volatile(
      "1:\n\t"
      "ldrd %[xv], %[wv], [%[tp]], #8\n\t"
      "ldr %[xv], [%[xb], %[xv]]\n\t"
      "ldr %[wv], [%[wb], %[wv]]\n\t"
      "sxtb16 %[t], %[xv]\n\t"
      "sadd16 %[t], %[t], %[off2]\n\t"
      "sxtb16 %[u], %[wv]\n\t"
      "smlabb %[a0], %[t], %[u], %[a0]\n\t"
      "smlatt %[a2], %[t], %[u], %[a2]\n\t"
      "sxtb16 %[t], %[xv], ror #8\n\t"
      "sadd16 %[t], %[t], %[off2]\n\t"
      "sxtb16 %[u], %[wv], ror #8\n\t"
      "smlabb %[a1], %[t], %[u], %[a1]\n\t"
      "smlatt %[a3], %[t], %[u], %[a3]\n\t"
      "subs %[nt], %[nt], #1\n\t"
      "bne 1b"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [tp] "+r"(tp), [nt] "+r"(nt), [xv] "=&r"(xv),
        [wv] "=&r"(wv), [t] "=&r"(t), [u] "=&r"(u)
      : [xb] "r"(xb), [wb] "r"(wb), [off2] "r"(off2)
      : "cc", "memory");
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

/* Depth multiplier a multiple of 4: the four channels read one input channel, so per tap one
 * byte x + off (its low halfword) meets the weights' bottom and top halves (SMLABB, SMLATB). */
static __attribute__((noinline)) void dw_taps4_shared(const int32_t *tp, int nt, const int8_t *xb, const int8_t *wb,
                                                      int32_t off, uint32_t *acc) {
  uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], xv, wv, u;
  __asm__ volatile(
      "1:\n\t"
      "ldrd %[xv], %[wv], [%[tp]], #8\n\t"
      "ldrsb %[xv], [%[xb], %[xv]]\n\t"
      "ldr %[wv], [%[wb], %[wv]]\n\t"
      "add %[xv], %[xv], %[off]\n\t"
      "sxtb16 %[u], %[wv]\n\t"
      "smlabb %[a0], %[u], %[xv], %[a0]\n\t"
      "smlatb %[a2], %[u], %[xv], %[a2]\n\t"
      "sxtb16 %[u], %[wv], ror #8\n\t"
      "smlabb %[a1], %[u], %[xv], %[a1]\n\t"
      "smlatb %[a3], %[u], %[xv], %[a3]\n\t"
      "subs %[nt], %[nt], #1\n\t"
      "bne 1b"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [tp] "+r"(tp), [nt] "+r"(nt), [xv] "=&r"(xv),
        [wv] "=&r"(wv), [u] "=&r"(u)
      : [xb] "r"(xb), [wb] "r"(wb), [off] "r"(off)
      : "cc", "memory");
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static void dw_eval_dsp(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t *taps = (int32_t *)(void *)m->scratch; /* pairs: input offset, filter offset */
  conv_rq_t *rq = (conv_rq_t *)(void *)(m->scratch + 8u * (size_t)p->kh * p->kw);
  dw_job_t j;
  const int C = p->oc;
  const int32_t off = p->in_off;
  const uint32_t off2 = ((uint32_t)off & 0xffffu) * 0x10001u;
  /* in locals: a store through out (int8) may alias *p, so GCC would reload these per channel */
  const int32_t *const bias = p->bias, *const mult = p->mult;
  const int8_t *const shift = p->shift, *const w = p->w;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int b, oy, ox, ky, kx, c, t, nt, safe = p->dm == 1, full = 0;
  /* the fast requantization's bound, as in k_conv_dsp.c: |acc| <= |bias| + kh*kw * 255 * 128 */
  for (c = 0; safe && c < C; c++) {
    const int32_t bc = bias ? bias[c] : 0;
    const int sh = shift[c], left = sh > 0 ? sh : 0, right = sh > 0 ? 0 : -sh;
    const uint64_t babs = bc < 0 ? (uint64_t)0 - (uint64_t)(int64_t)bc : (uint64_t)bc;
    if (left > 29 || babs + (uint64_t)p->kh * p->kw * 32640u >= ((uint64_t)1 << (30 - left))) safe = 0;
    rq[c].bias = bc, rq[c].sh = (uint32_t)right | (uint32_t)(left + 1) << 8;
  }
  j.off2 = off2, j.zp = zp;
  j.lo4 = ((uint32_t)lo & 0xffu) * 0x01010101u, j.hi4 = ((uint32_t)hi & 0xffu) * 0x01010101u;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int ix0 = ox * p->sw - p->pad_w;
        const int8_t *base = inb; /* the listed offsets are from here */
        const int32_t *const tl = taps;
        nt = 0;
        if (iy0 >= 0 && ix0 >= 0 && iy0 + (p->kh - 1) * p->dh < p->ih && ix0 + (p->kw - 1) * p->dw < p->iw) {
          /* the window lies inside: every tap, relative to its corner, listed once for a run of such pixels */
          base = inb + ((size_t)iy0 * p->iw + ix0) * p->ic, nt = p->kh * p->kw;
          if (!full)
            for (ky = 0, t = 0; ky < p->kh; ky++)
              for (kx = 0; kx < p->kw; kx++, t++) taps[2 * t] = (ky * p->dh * p->iw + kx * p->dw) * p->ic, taps[2 * t + 1] = t * C;
          full = 1;
          ky = p->kh;
        } else {
          full = 0, ky = 0;
        }
        for (; ky < p->kh; ky++) {
          const int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            const int ix = ix0 + kx * p->dw;
            if (ix < 0 || ix >= p->iw) continue;
            taps[2 * nt] = (iy * p->iw + ix) * p->ic;
            taps[2 * nt + 1] = (ky * p->kw + kx) * C;
            nt++;
          }
        }
        c = 0;
        if (safe && nt > 0 && C >= 4) {
          j.taps = tl, j.nt = nt, j.xb = base, j.wb = w, j.rq = rq, j.mult = mult, j.out = out, j.groups = C >> 2;
          qs_dw_pix(&j);
          c = C & ~3;
        }
        for (; c + 4 <= C; c += 4) {
          uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          const int32_t *tp = tl;
          const int8_t *xb = base + c, *wb = w + c;
          if (bias) a0 = (uint32_t)bias[c], a1 = (uint32_t)bias[c + 1], a2 = (uint32_t)bias[c + 2], a3 = (uint32_t)bias[c + 3];
          if (nt > 0) {
            uint32_t acc[4];
            acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
            if (p->dm == 1) dw_taps4(tp, nt, xb, wb, off2, acc);
            else dw_taps4_shared(tp, nt, base + c / p->dm, wb, off, acc);
            a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
          }
          out[c] = qs_requant_dsp((int32_t)a0, mult[c], shift[c], zp, lo, hi);
          out[c + 1] = qs_requant_dsp((int32_t)a1, mult[c + 1], shift[c + 1], zp, lo, hi);
          out[c + 2] = qs_requant_dsp((int32_t)a2, mult[c + 2], shift[c + 2], zp, lo, hi);
          out[c + 3] = qs_requant_dsp((int32_t)a3, mult[c + 3], shift[c + 3], zp, lo, hi);
        }
        for (; c < C; c++) {
          uint32_t a = bias ? (uint32_t)bias[c] : 0u;
          for (t = 0; t < nt; t++) a += (uint32_t)((base[tl[2 * t] + c] + off) * w[tl[2 * t + 1] + c]);
          out[c] = qs_requant_dsp((int32_t)a, mult[c], shift[c], zp, lo, hi);
        }
      }
    }
  }
}

/* Depth multiplier 1 or a multiple of 4 (with a multiple of 4 the channel count is too, so no
 * tail); others keep the portable eval. */
void qs_dwconv_dsp_prepare(qs_model_t *m, qs_op_t *op, const dw_params_t *p) {
#if QS_ARM_MVE
  if (qs_dwconv_mve_prepare(op, p)) return; /* Helium (Cortex-M55): the portable tap scratch */
#endif
  if (p->dm == 1 || p->dm % 4 == 0) {
    /* the pixel's taps, then (multiplier 1) the channel constants */
    qs_scratch(m, 8u * (size_t)p->kh * p->kw + (p->dm == 1 ? sizeof(conv_rq_t) * (size_t)p->oc : 0u));
    op->eval = dw_eval_dsp;
  }
}
#endif
