/*
 * CONV_2D int8, Arm DSP variant of k_conv.c's conv_eval (same bits; facts in arm_dsp.h).
 *
 * As in the portable kernel, the receptive field of one output pixel is gathered once into an
 * int16 patch of x + in_off (0 for padded taps). Here the patch is stored with each group of
 * four values in the order (0, 2, 1, 3): one word of four int8 weights unpacks with SXTB16 into
 * (w0, w2) and (w1, w3), which then meet the patch words (x0, x2) and (x1, x3) in two SMLADs,
 * so four taps of one channel cost one weight load, two unpacks and two dual MACs. Four
 * output channels per pass share the two patch loads. The k % 4 last taps stay in plain
 * order and are added one by one.
 */
#include "k_params.h"

#if QS_ARM_DSP
/* position of flat patch index i (i < k4) in the reordered patch: swap the middle two of each four */
#define QS_REORDER(i) (((i) & ~3) | (((i) & 1) << 1) | (((i) >> 1) & 1))

/* kc int8 values (+ offset) of one tap to dst at flat index i0 of the patch */
static void put_tap(int16_t *patch, int i0, int k4, const int8_t *src, int kc, int32_t off) {
  int c = 0;
  if ((i0 & 3) == 0) {
    /* whole groups of four from a word: (x0, x2) and (x1, x3), offset added to both halves */
    const uint32_t off2 = ((uint32_t)off & 0xffffu) * 0x10001u;
    for (; c + 4 <= kc && i0 + c + 4 <= k4; c += 4) {
      const uint32_t v = qs_ld32(src + c);
      const uint32_t e = qs_add16(qs_sx_even(v), off2), o = qs_add16(qs_sx_odd(v), off2);
      memcpy(patch + i0 + c, &e, 4);
      memcpy(patch + i0 + c + 2, &o, 4);
    }
  }
  for (; c < kc; c++) {
    const int i = i0 + c;
    patch[i < k4 ? QS_REORDER(i) : i] = (int16_t)(src[c] + off);
  }
}

static void gather(const conv_params_t *p, const int8_t *in, int oy, int ox, int g, int16_t *patch, int k4) {
  const int iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w, kc = p->kc;
  int ky, kx, i0 = 0;
  for (ky = 0; ky < p->kh; ky++) {
    const int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, i0 += kc) {
      const int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) {
        int c;
        for (c = 0; c < kc; c++) patch[i0 + c < k4 ? QS_REORDER(i0 + c) : i0 + c] = 0;
      } else {
        put_tap(patch, i0, k4, in + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * kc, kc, p->in_off);
      }
    }
  }
}

/* acc[j] += sum over i < k of patch[i] * w[j*k + i] for four rows (patch reordered up to k4).
 * The four-tap step is written in assembly: GCC spills an accumulator and the loop bound of
 * the same C. Rows 1 and 3 are read at offset k from rows 0 and 2 and the loop counts down,
 * so it needs 13 registers: per four taps, 2 patch + 4 weight loads, 8 SXTB16, 8 SMLAD. Not
 * inlined, so the caller's live values never leave the asm without registers. */
static __attribute__((noinline)) void dot4(const int16_t *x, const int8_t *w0, int k, int k4, uint32_t *acc) {
  const int8_t *w2 = w0 + 2 * k;
  uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int i, n = k4 >> 2;
  if (n > 0) {
    uint32_t xe, xo, w, t;
    __asm__ volatile(
        "1:\n\t"
        "ldr %[xe], [%[x]], #4\n\t"
        "ldr %[xo], [%[x]], #4\n\t"
        "ldr %[w], [%[w0], %[k]]\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a1], %[t], %[xe], %[a1]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a1], %[t], %[xo], %[a1]\n\t"
        "ldr %[w], [%[w0]], #4\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a0], %[t], %[xe], %[a0]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a0], %[t], %[xo], %[a0]\n\t"
        "ldr %[w], [%[w2], %[k]]\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a3], %[t], %[xe], %[a3]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a3], %[t], %[xo], %[a3]\n\t"
        "ldr %[w], [%[w2]], #4\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a2], %[t], %[xe], %[a2]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a2], %[t], %[xo], %[a2]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w0] "+r"(w0), [w2] "+r"(w2),
          [n] "+r"(n), [xe] "=&r"(xe), [xo] "=&r"(xo), [w] "=&r"(w), [t] "=&r"(t)
        : [k] "r"(k)
        : "cc", "memory");
  }
  for (i = 0; i < k - k4; i++) {
    const int32_t v = x[i];
    a0 += (uint32_t)(v * w0[i]), a1 += (uint32_t)(v * w0[k + i]);
    a2 += (uint32_t)(v * w2[i]), a3 += (uint32_t)(v * w2[k + i]);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static uint32_t dot1(const int16_t *x, const int8_t *w, int k, int k4) {
  const int16_t *end = x + k4;
  uint32_t a = 0;
  int i;
  while (x < end) {
    const uint32_t v = qs_ld32(w);
    a = qs_smlad(qs_sx_even(v), qs_ld32(x), a);
    a = qs_smlad(qs_sx_odd(v), qs_ld32(x + 2), a);
    x += 4, w += 4;
  }
  for (i = 0; i < k - k4; i++) a += (uint32_t)(x[i] * w[i]);
  return a;
}

static void conv_eval_dsp(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int16_t *patch = (int16_t *)(void *)m->scratch;
  const int k = p->kh * p->kw * p->kc, k4 = k & ~3, ocg = p->oc / p->groups;
  int b, oy, ox, g, c, j;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        for (g = 0; g < p->groups; g++) {
          const int c1 = (g + 1) * ocg;
          gather(p, inb, oy, ox, g, patch, k4);
          for (c = g * ocg; c + 4 <= c1; c += 4) {
            uint32_t acc[4];
            for (j = 0; j < 4; j++) acc[j] = p->bias ? (uint32_t)p->bias[c + j] : 0u;
            dot4(patch, p->w + (size_t)c * k, k, k4, acc);
            for (j = 0; j < 4; j++)
              out[c + j] = qs_requant((int32_t)acc[j], p->mult[c + j], p->shift[c + j], p->out_zp, p->act_min, p->act_max);
          }
          for (; c < c1; c++) {
            const uint32_t a = (p->bias ? (uint32_t)p->bias[c] : 0u) + dot1(patch, p->w + (size_t)c * k, k, k4);
            out[c] = qs_requant((int32_t)a, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

/* The portable prepare has set everything this eval reads, and the same patch scratch (2k bytes). */
void qs_conv_dsp_prepare(qs_op_t *op) { op->eval = conv_eval_dsp; }
#endif
