/*
 * CONV_2D int8, WebAssembly SIMD variant of k_conv.c's conv_eval (same bits; see wasm_simd.h).
 *
 * The input is widened once per invoke to int16 holding x + in_off; the filter was widened
 * at prepare to int16 rows of kpad values (k rounded up to 8, zero tail). Output pixels go in
 * pairs: each pixel's receptive field is gathered into a kpad-long int16 patch (0 for padded
 * taps, like the portable patch), or read in place for a 1x1 stride-1 conv whose depth is a
 * multiple of 8. Then four output channels x two pixels per pass of i32x4.dot_i16x8_s, and
 * the four sums of each pixel are requantized together.
 */
#include "k_params.h"

#if QS_WASM_SIMD
/* Shallow filters (k <= QS_WASM_PAIRS_MAX) in the channel-pair layout: per block of four
 * output channels, one vector per pair of patch positions j holding (w[c][2j], w[c][2j+1])
 * for the four channels. The pair (x[2j], x[2j+1]) is splatted to all lanes, so one
 * i32x4.dot_i16x8_s adds two taps to four channels and no horizontal sum is needed. */
#define QS_WASM_PAIRS_MAX 32
static inline __attribute__((always_inline)) void dot_pairs(const int16_t *w, int k2, const int16_t *a,
                                                           const int16_t *b, v128_t *ra, v128_t *rb,
                                                           const int two) {
  v128_t sa = wasm_i32x4_splat(0), sb = sa;
  int j;
  for (j = 0; j < k2; j++, w += 8) {
    const v128_t f = wasm_v128_load(w);
    sa = wasm_i32x4_add(sa, wasm_i32x4_dot_i16x8(wasm_v128_load32_splat(a + 2 * j), f));
    if (two) sb = wasm_i32x4_add(sb, wasm_i32x4_dot_i16x8(wasm_v128_load32_splat(b + 2 * j), f));
  }
  *ra = sa;
  if (two) *rb = sb;
}

/* Patch of output pixel (oy, ox), group g: kh*kw taps of kc values of the widened input. */
static void gather(const conv_params_t *p, const int16_t *x, int oy, int ox, int g, int16_t *dst) {
  const int iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w, kc = p->kc;
  int ky, kx;
  if (p->groups == 1 && p->dw == 1 && ix0 >= 0 && ix0 + p->kw <= p->iw) {
    /* the whole row of taps is in the image and contiguous in NHWC: one copy per filter row */
    const int row = p->kw * kc;
    for (ky = 0; ky < p->kh; ky++, dst += row) {
      const int iy = iy0 + ky * p->dh;
      if (iy < 0 || iy >= p->ih) qs_wzero16(dst, row);
      else qs_wcopy16(dst, x + ((size_t)iy * p->iw + ix0) * kc, row);
    }
    return;
  }
  for (ky = 0; ky < p->kh; ky++) {
    const int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, dst += kc) {
      const int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) qs_wzero16(dst, kc);
      else if (kc == 1) *dst = x[((size_t)iy * p->iw + ix) * p->ic + g];
      else qs_wcopy16(dst, x + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * kc, kc);
    }
  }
}

static void conv_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int k = p->kh * p->kw * p->kc, kpad = p->kpad, oc = p->oc, ocg = oc / p->groups;
  const int npix = p->oh * p->ow, k2 = (k + 1) / 2, nb = (ocg + 3) / 4;
  const size_t img = (size_t)p->ih * p->iw * p->ic;
  int16_t *x16 = (int16_t *)(void *)m->scratch;
  int16_t *pa = x16 + p->n * img, *pb = pa + kpad;
  int b, pix, g, c;
  qs_wwiden(in, x16, p->n * img, p->in_off);
  qs_wzero16(pa + k, kpad - k);
  qs_wzero16(pb + k, kpad - k);
  for (b = 0; b < p->n; b++) {
    const int16_t *xb = x16 + b * img;
    int8_t *ob = out + (size_t)b * npix * oc;
    for (pix = 0; pix < npix; pix += 2) {
      const int two = pix + 1 < npix;
      int8_t *oa = ob + (size_t)pix * oc, *o2 = oa + oc;
      for (g = 0; g < p->groups; g++) {
        const int c1 = (g + 1) * ocg;
        const int16_t *a = pa, *a2 = pb;
        if (p->direct) {
          a = xb + (size_t)pix * k;
          a2 = a + k;
        } else {
          gather(p, xb, pix / p->ow, pix % p->ow, g, pa);
          if (two) gather(p, xb, (pix + 1) / p->ow, (pix + 1) % p->ow, g, pb);
        }
        /* rows c..c+3 always exist (oc + 3 rows, or whole blocks); lanes past c1 are not stored */
        for (c = g * ocg; c < c1; c += 4) {
          const int n = c1 - c < 4 ? c1 - c : 4;
          v128_t ra, rb;
          if (p->pairs) {
            const int16_t *w = p->w16 + ((size_t)g * nb + (size_t)(c - g * ocg) / 4) * 8u * (size_t)k2;
            if (two) dot_pairs(w, k2, a, a2, &ra, &rb, 1);
            else dot_pairs(w, k2, a, a, &ra, &ra, 0);
          } else {
            const int16_t *w = p->w16 + (size_t)c * kpad;
            if (two) qs_wdot4(w, kpad, a, a2, &ra, &rb, 1);
            else qs_wdot4(w, kpad, a, a, &ra, &ra, 0);
          }
          qs_wstore4(oa + c, qs_wrq4(&p->rq, c, ra), n);
          if (two) qs_wstore4(o2 + c, qs_wrq4(&p->rq, c, rb), n);
        }
      }
    }
  }
}

qs_status_t qs_conv_wasm_prepare(qs_model_t *m, qs_op_t *op, conv_params_t *p) {
  const int k = p->kh * p->kw * p->kc;
  int16_t *w16;
  qs_status_t s;
  p->kpad = (k + 7) & ~7;
  p->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pad_h == 0 && p->pad_w == 0 &&
              p->groups == 1 && k == p->kpad;
  p->pairs = k <= QS_WASM_PAIRS_MAX;
  if (p->pairs) {
    /* [group][block of 4 channels][pair j][channel l][2]; zeros past k and past the group */
    const int ocg = p->oc / p->groups, k2 = (k + 1) / 2, nb = (ocg + 3) / 4;
    int g, c, i;
    if (!(w16 = (int16_t *)qs_alloc(m, 2u * 8u * (size_t)p->groups * nb * k2))) return QS_ERR_ARENA;
    for (g = 0; g < p->groups; g++)
      for (c = 0; c < ocg; c++)
        for (i = 0; i < k; i++)
          w16[(((size_t)g * nb + c / 4) * k2 + i / 2) * 8 + (c % 4) * 2 + i % 2] = p->w[((size_t)g * ocg + c) * k + i];
  } else {
    if (!(w16 = (int16_t *)qs_alloc(m, 2u * ((size_t)p->oc + 3) * (size_t)p->kpad))) return QS_ERR_ARENA;
    qs_wwiden_rows(p->w, w16, p->oc, k, p->kpad);
  }
  p->w16 = w16;
  if ((s = qs_wrq_init(m, &p->rq, p->oc, p->bias, p->mult, p->shift, 1, p->out_zp, p->act_min, p->act_max)))
    return s;
  /* widened input (tensors hold at most 2^28 elements: no overflow) + two patches */
  qs_scratch(m, 2u * ((size_t)p->n * p->ih * p->iw * p->ic + 2u * (size_t)p->kpad));
  op->eval = conv_eval_wasm;
  return QS_OK;
}
#endif
