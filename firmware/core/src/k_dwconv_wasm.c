/*
 * DEPTHWISE_CONV_2D int8, WebAssembly SIMD variant of k_dwconv.c (same bits; see wasm_simd.h).
 *
 * The input is widened once per invoke to int16 x + in_off with each input channel repeated
 * depth-multiplier times, so output channel c reads lane c of its pixel. The filter was
 * widened at prepare to one int16 row per tap, channels padded to a multiple of 8 with
 * zeros. Per output pixel the in-image taps are listed once, then eight channels per pass:
 * i32x4 extending multiplies accumulate every tap, and the eight sums are requantized.
 */
#include "k_params.h"

#if QS_WASM_SIMD
/* x16[p*C + ic*dm + d] = in[p*ic_count + ic] + off, for dm > 1. */
static void widen_expand(const int8_t *in, int16_t *x16, size_t values, int dm, int32_t off) {
  size_t i;
  int d;
  for (i = 0; i < values; i++) {
    const int16_t v = (int16_t)(in[i] + off);
    for (d = 0; d < dm; d++) *x16++ = v;
  }
}

static void dw_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int C = p->oc, cpad = p->cpad;
  const size_t pixels = (size_t)p->n * p->ih * p->iw, img = (size_t)p->ih * p->iw * C;
  int16_t *x16 = (int16_t *)(void *)m->scratch;
  int32_t *taps = (int32_t *)(void *)(x16 + ((pixels * C + 8 + 1) & ~(size_t)1)); /* pairs: input, filter offset */
  int b, oy, ox, ky, kx, c, t, nt;
  if (p->dm == 1) qs_wwiden(in, x16, pixels * C, p->in_off);
  else widen_expand(in, x16, pixels * p->ic, p->dm, p->in_off);
  qs_wzero16(x16 + pixels * C, 8); /* the last pixel's padding lanes read zeros */
  for (b = 0; b < p->n; b++) {
    const int16_t *xb = x16 + b * img;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int ix0 = ox * p->sw - p->pad_w;
        nt = 0;
        for (ky = 0; ky < p->kh; ky++) {
          const int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            const int ix = ix0 + kx * p->dw;
            if (ix < 0 || ix >= p->iw) continue;
            taps[2 * nt] = (iy * p->iw + ix) * C;
            taps[2 * nt + 1] = (ky * p->kw + kx) * cpad;
            nt++;
          }
        }
        for (c = 0; c < C; c += 8) {
          v128_t lo = wasm_i32x4_splat(0), hi = lo;
          const int16_t *xc = xb + c, *wc = p->w16 + c;
          for (t = 0; t < nt; t++) {
            const v128_t xv = wasm_v128_load(xc + taps[2 * t]), wv = wasm_v128_load(wc + taps[2 * t + 1]);
            lo = wasm_i32x4_add(lo, wasm_i32x4_extmul_low_i16x8(xv, wv));
            hi = wasm_i32x4_add(hi, wasm_i32x4_extmul_high_i16x8(xv, wv));
          }
          qs_wstore4(out + c, qs_wrq4(&p->rq, c, lo), C - c);
          if (c + 4 < C) qs_wstore4(out + c + 4, qs_wrq4(&p->rq, c + 4, hi), C - c - 4);
        }
      }
    }
  }
}

qs_status_t qs_dwconv_wasm_prepare(qs_model_t *m, qs_op_t *op, dw_params_t *p) {
  const uint64_t pixels = (uint64_t)p->n * p->ih * p->iw, taps = (uint64_t)p->kh * p->kw;
  const uint64_t scratch = 2u * (pixels * (uint64_t)p->oc + 10u) + 8u * taps;
  int16_t *w16;
  int t;
  qs_status_t s;
  /* A depth multiplier expands the widened input beyond the input tensor's size: keep the
   * portable kernel if that copy would be absurdly large (no real model comes close). */
  if (scratch > ((uint64_t)1 << 30)) return QS_OK;
  p->cpad = (p->oc + 7) & ~7;
  if (!(w16 = (int16_t *)qs_alloc(m, 2u * (size_t)taps * (size_t)p->cpad))) return QS_ERR_ARENA;
  for (t = 0; t < (int)taps; t++) qs_wwiden(p->w + (size_t)t * p->oc, w16 + (size_t)t * p->cpad, (size_t)p->oc, 0);
  p->w16 = w16;
  if ((s = qs_wrq_init(m, &p->rq, p->oc, p->bias, p->mult, p->shift, 1, p->out_zp, p->act_min, p->act_max)))
    return s;
  qs_scratch(m, (size_t)scratch);
  op->eval = dw_eval_wasm;
  return QS_OK;
}
#endif
