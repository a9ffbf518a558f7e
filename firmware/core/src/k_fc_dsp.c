/*
 * FULLY_CONNECTED int8, Arm DSP variant of k_fc.c's fc_eval (same bits; facts in arm_dsp.h).
 *
 * The loop is sum(w * (x + x_off)) (k_fc.c): per four inputs one word of x is unpacked once
 * with SXTAB16, which adds x_off to both halves as it sign-extends, into (x0, x2) and (x1, x3)
 * (|x + x_off| <= 255 fits an int16 half), and each of the two rows of a pass adds them with
 * one weight word, two unpacks and two SMLADs. The k % 4 last inputs are added one by one.
 */
#include "k_params.h"

#if QS_ARM_DSP
/* off (an int16 pair) + the sign-extended bytes 0, 2 / 1, 3 of w */
static inline __attribute__((always_inline)) uint32_t sxa_even(uint32_t off, uint32_t w) {
  return (uint32_t)__sxtab16((int16x2_t)off, (int8x4_t)w);
}
static inline __attribute__((always_inline)) uint32_t sxa_odd(uint32_t off, uint32_t w) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off), "r"(w));
  return r;
}

static void fc_eval_dsp(qs_model_t *m, const qs_op_t *op) {
  const fc_params_t *p = (const fc_params_t *)op->params;
  const int8_t *x = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int k = p->k, k4 = k & ~3;
  /* in locals: a store through out (int8) may alias *p, so GCC would reload these per row */
  const int32_t *const bias = p->bias, *const mult = p->mult, xo = p->x_off;
  const uint32_t off2 = ((uint32_t)xo & 0xFFFFu) | ((uint32_t)xo << 16);
  const int8_t *const shift = p->shift, *const w = p->w;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int b, c, i;
  for (b = 0; b < p->batches; b++, x += k, out += p->oc) {
    uint32_t wterm = 0;
    if (p->w_off != 0) {
      uint32_t s = (uint32_t)k * (uint32_t)xo;
      for (i = 0; i < k; i++) s += (uint32_t)(int32_t)x[i];
      wterm = (uint32_t)p->w_off * s;
    }
    for (c = 0; c < p->oc; c += 2) {
      const int c2 = c + 1 < p->oc ? c + 1 : c; /* odd count: last row computed twice */
      const int8_t *w0 = w + (size_t)c * k, *w1 = w + (size_t)c2 * k;
      uint32_t a0 = wterm + (bias ? (uint32_t)bias[c] : 0u), a1 = wterm + (bias ? (uint32_t)bias[c2] : 0u);
      const int q0 = p->per_channel ? c : 0, q1 = p->per_channel ? c2 : 0;
      for (i = 0; i < k4; i += 4) {
        const uint32_t xv = qs_ld32(x + i), v0 = qs_ld32(w0 + i), v1 = qs_ld32(w1 + i);
        const uint32_t xe = sxa_even(off2, xv), xd = sxa_odd(off2, xv);
        a0 = qs_smlad(qs_sx_even(v0), xe, a0), a0 = qs_smlad(qs_sx_odd(v0), xd, a0);
        a1 = qs_smlad(qs_sx_even(v1), xe, a1), a1 = qs_smlad(qs_sx_odd(v1), xd, a1);
      }
      for (; i < k; i++) {
        a0 += (uint32_t)((x[i] + xo) * w0[i]);
        a1 += (uint32_t)((x[i] + xo) * w1[i]);
      }
      out[c] = qs_requant((int32_t)a0, mult[q0], shift[q0], zp, lo, hi);
      out[c2] = qs_requant((int32_t)a1, mult[q1], shift[q1], zp, lo, hi);
    }
  }
}

/* The portable prepare has set everything this eval reads; it needs no scratch. */
void qs_fc_dsp_prepare(qs_op_t *op) { op->eval = fc_eval_dsp; }
#endif
