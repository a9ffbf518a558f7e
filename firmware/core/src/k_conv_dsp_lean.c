/*
 * CONV_2D int8, Arm DSP, lean variant of k_conv_dsp.c's eval (same bits), run for the op qs_plan
 * marks lean: the op whose usual scratch (two-pixel patch + per-channel constants) would raise the
 * arena. Offered by qs_conv_dsp_prepare for windows of k >= 32 taps.
 */
#include "k_conv_dsp.h"

#if QS_ARM_DSP
/* Lean variant (op->lean: qs_plan sets it only where the usual scratch would raise the arena):
 * one pixel's patch (2k bytes, taps grouped by four as words (x0, x2), (x1, x3), the k % 4 last
 * taps after them) and no per-channel scratch (bias and shifts read from the params), two
 * output channels per inner product: per four taps 2 LDR + 2 LDR + 4 SXTB16 + 4 SMLAD. */
#define QS_ONE(i) (((i) & ~3) + 2 * ((i) & 1) + (((i) >> 1) & 1))

static void gather_one(const conv_params_t *p, const int8_t *inb, int oy, int ox, int g, int16_t *patch, int k4) {
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
          memcpy(patch + i0 + c, &e, 4);
          memcpy(patch + i0 + c + 2, &o, 4);
        }
      }
      for (; c < kc; c++) {
        const int i = i0 + c;
        patch[i < k4 ? QS_ONE(i) : i] = (int16_t)(src ? src[c] + off : 0);
      }
    }
  }
}

/* a[j] = b[j] + patch . row j (rows w, w + k, w2 = w + 2k, w2 + k) over n groups of four taps, n even */
static const int32_t k_zero4[4];
static __attribute__((noinline)) void dot1x4(const int16_t *x, const int8_t *w, int32_t k, int n, const int32_t *b,
                                              uint32_t *a) {
  uint32_t a0 = (uint32_t)b[0], a1 = (uint32_t)b[1], a2 = (uint32_t)b[2], a3 = (uint32_t)b[3], xa, xb, wv, t;
  const int8_t *w2 = w + 2 * k;
  __asm__ volatile(
      "1:\n\t"
      "ldrd %[xa], %[xb], [%[x]], #8\n\t"
      "ldr %[wv], [%[w], %[k]]\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a1], %[t], %[xa], %[a1]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a1], %[t], %[xb], %[a1]\n\t"
      "ldr %[wv], [%[w]], #4\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a0], %[t], %[xa], %[a0]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a0], %[t], %[xb], %[a0]\n\t"
      "ldr %[wv], [%[w2], %[k]]\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a3], %[t], %[xa], %[a3]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a3], %[t], %[xb], %[a3]\n\t"
      "ldr %[wv], [%[w2]], #4\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a2], %[t], %[xa], %[a2]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a2], %[t], %[xb], %[a2]\n\t"
      "ldrd %[xa], %[xb], [%[x]], #8\n\t"
      "ldr %[wv], [%[w], %[k]]\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a1], %[t], %[xa], %[a1]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a1], %[t], %[xb], %[a1]\n\t"
      "ldr %[wv], [%[w]], #4\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a0], %[t], %[xa], %[a0]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a0], %[t], %[xb], %[a0]\n\t"
      "ldr %[wv], [%[w2], %[k]]\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a3], %[t], %[xa], %[a3]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a3], %[t], %[xb], %[a3]\n\t"
      "ldr %[wv], [%[w2]], #4\n\t"
      "sxtb16 %[t], %[wv]\n\t"
      "smlad %[a2], %[t], %[xa], %[a2]\n\t"
      "sxtb16 %[t], %[wv], ror #8\n\t"
      "smlad %[a2], %[t], %[xb], %[a2]\n\t"
      "subs %[n], %[n], #2\n\t"
      "bne 1b"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), [w2] "+r"(w2),
        [n] "+r"(n), [xa] "=&r"(xa), [xb] "=&r"(xb), [wv] "=&r"(wv), [t] "=&r"(t)
      : [k] "r"(k)
      : "cc", "memory");
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
}

static inline __attribute__((always_inline)) int32_t lean_out(const conv_params_t *p, uint32_t a, int c, const int mode) {
  const int sh = p->shift[c], left = sh > 0 ? sh : 0, right = sh > 0 ? 0 : -sh;
  const int32_t k0 = (int32_t)((1u << (unsigned)right) - 1u);
  int32_t v;
  if (mode == 2) return qs_requant((int32_t)a, p->mult[c], sh, p->out_zp, p->act_min, p->act_max);
  v = rq_fast(a, p->mult[c], (uint32_t)left + 1u, (uint32_t)right, k0, (k0 >> 1) + 1, p->out_zp);
  return mode == 0 ? v : v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v;
}

static inline __attribute__((always_inline)) void conv_run_lean(const conv_params_t *p, const int8_t *in, int8_t *out,
                                                                int16_t *patch, const int mode) {
  const int k = p->kh * p->kw * p->kc, k4 = k & ~3, ocg = p->oc / p->groups;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max, *mult = p->mult, *bias = p->bias;
  const int8_t *shift = p->shift;
  const uint32_t lo4 = ((uint32_t)lo & 0xffu) * 0x01010101u, hi4 = ((uint32_t)hi & 0xffu) * 0x01010101u;
  int b, oy, ox, g, c, i;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        for (g = 0; g < p->groups; g++) {
          const int c1 = (g + 1) * ocg;
          gather_one(p, inb, oy, ox, g, patch, k4);
          c = g * ocg;
          if (k4 == k && k4 >= 8)
            for (; c + 4 <= c1; c += 4) {
              uint32_t a[4];
              int j;
              uint32_t v;
              dot1x4(patch, p->w + (size_t)c * k, k, (k4 >> 3) << 1, bias ? bias + c : k_zero4, a);
              if (k4 & 4) { /* an odd group count: the last four taps */
                const int8_t *w = p->w + (size_t)c * k + k4 - 4;
                const uint32_t xa = qs_ld32(patch + k4 - 4), xb = qs_ld32(patch + k4 - 2);
                for (j = 0; j < 4; j++, w += k) {
                  const uint32_t wv = qs_ld32(w);
                  a[j] = qs_smlad(qs_sx_odd(wv), xb, qs_smlad(qs_sx_even(wv), xa, a[j]));
                }
              }
              v = 0;
#pragma GCC unroll 4
              for (j = 0; j < 4; j++) { /* constants in locals: the int8 stores would reload them from p */
                const int sh = shift[c + j], left = sh & ~(sh >> 31), right = left - sh;
                const int32_t k0 = (int32_t)((1u << (unsigned)right) - 1u);
                const int32_t r = mode == 2 ? qs_requant((int32_t)a[j], mult[c + j], sh, zp, lo, hi)
                                            : rq_fast(a[j], mult[c + j], (uint32_t)left + 1u, (uint32_t)right, k0, (k0 >> 1) + 1, zp);
                v |= ((uint32_t)r & 0xffu) << (8 * j);
              }
              if (mode == 1) v = clamp4(v, lo4, hi4);
              memcpy(out + c, &v, 4);
            }
          for (; c < c1; c += 2) {
            const int c2 = c + 1 < c1 ? c + 1 : c;
            const int8_t *w0 = p->w + (size_t)c * k, *w1 = p->w + (size_t)c2 * k;
            const int16_t *x = patch;
            uint32_t a0 = p->bias ? (uint32_t)p->bias[c] : 0u, a1 = p->bias ? (uint32_t)p->bias[c2] : 0u;
            for (i = 0; i < k4; i += 4, x += 4) {
              const uint32_t xa = qs_ld32(x), xb = qs_ld32(x + 2), wa = qs_ld32(w0 + i), wb = qs_ld32(w1 + i);
              a0 = qs_smlad(qs_sx_even(wa), xa, a0), a1 = qs_smlad(qs_sx_even(wb), xa, a1);
              a0 = qs_smlad(qs_sx_odd(wa), xb, a0), a1 = qs_smlad(qs_sx_odd(wb), xb, a1);
            }
            for (; i < k; i++) a0 += (uint32_t)(patch[i] * w0[i]), a1 += (uint32_t)(patch[i] * w1[i]);
            out[c] = (int8_t)lean_out(p, a0, c, mode);
            out[c2] = (int8_t)lean_out(p, a1, c2, mode);
          }
        }
      }
    }
  }
}

void qs_conv_dsp_lean(const conv_params_t *p, const int8_t *in, int8_t *out, int16_t *patch, int mode) {
  if (mode == 0) conv_run_lean(p, in, out, patch, 0);
  else if (mode == 1) conv_run_lean(p, in, out, patch, 1);
  else conv_run_lean(p, in, out, patch, 2);
}
#endif
