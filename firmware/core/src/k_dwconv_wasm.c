/*
 * DEPTHWISE_CONV_2D int8, WebAssembly SIMD variant of k_dwconv.c (same bits; see wasm_simd.h).
 *
 * The input is widened once per invoke to int16 x + in_off, with each input channel repeated
 * depth-multiplier times, so output channel c reads lane c of its pixel; with one input
 * channel (depth multiplier = output channels) it is not repeated but splatted at each tap.
 * The filter was widened at prepare to one int16 row per tap, channels padded to a multiple
 * of 8 with zeros. Per output pixel the in-image taps are the prepared list of the whole
 * filter for an interior pixel, else listed on the spot; then eight channels per pass:
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

/* One output pixel: taps t < nt read x + tx[t] (+ channel, unless `splat`) and w16 + tw[t]. */
static inline __attribute__((always_inline)) void dw_pixel(const dw_params_t *p, const int16_t *x, const int32_t *tx,
                                                          const int32_t *tw, int nt, int8_t *out, const int splat) {
  const int C = p->oc;
  int c, t;
  for (c = 0; c < C; c += 8) {
    v128_t lo = wasm_i32x4_splat(0), hi = lo;
    const int16_t *xc = splat ? x : x + c, *wc = p->w16 + c;
    for (t = 0; t < nt; t++) {
      const v128_t xv = splat ? wasm_v128_load16_splat(xc + tx[t]) : wasm_v128_load(xc + tx[t]);
      const v128_t wv = wasm_v128_load(wc + tw[t]);
      lo = wasm_i32x4_add(lo, wasm_i32x4_extmul_low_i16x8(xv, wv));
      hi = wasm_i32x4_add(hi, wasm_i32x4_extmul_high_i16x8(xv, wv));
    }
    qs_wstore4(out + c, qs_wrq4(&p->rq, c, lo), C - c);
    if (c + 4 < C) qs_wstore4(out + c + 4, qs_wrq4(&p->rq, c + 4, hi), C - c - 4);
  }
}

/* One input channel, an interior pixel, no horizontal dilation: per filter row, horizontally
 * adjacent taps in pairs. The input pair (x[kx], x[kx+1]) is contiguous, splatted as one
 * 32-bit value, and one i32x4.dot_i16x8_s against (w[kx][c], w[kx+1][c]) for four channels
 * adds both taps (p->w16p: [ky][pair][channel][2], zero for the tap past an odd kw; the
 * input it pairs with is read, in the image or the zeroed tail of x16, and adds 0). */
static void dw_pixel_pairs(const dw_params_t *p, const int16_t *x, int8_t *out) {
  const int C = p->oc, kw2 = (p->kw + 1) / 2;
  int c, ky, j;
  for (c = 0; c < C; c += 8) {
    v128_t lo = wasm_i32x4_splat(0), hi = lo;
    const int16_t *w = p->w16p + 2 * c;
    for (ky = 0; ky < p->kh; ky++) {
      const int16_t *row = x + (size_t)ky * p->dh * p->iw;
      for (j = 0; j < kw2; j++, w += 2 * p->cpad) {
        const v128_t xv = wasm_v128_load32_splat(row + 2 * j);
        lo = wasm_i32x4_add(lo, wasm_i32x4_dot_i16x8(xv, wasm_v128_load(w)));
        hi = wasm_i32x4_add(hi, wasm_i32x4_dot_i16x8(xv, wasm_v128_load(w + 8)));
      }
    }
    qs_wstore4(out + c, qs_wrq4(&p->rq, c, lo), C - c);
    if (c + 4 < C) qs_wstore4(out + c + 4, qs_wrq4(&p->rq, c + 4, hi), C - c - 4);
  }
}

static inline __attribute__((always_inline)) void dw_run(qs_model_t *m, const qs_op_t *op, const int splat) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int C = p->oc, xs = splat ? 1 : C; /* int16 values per pixel in x16 */
  const size_t pixels = (size_t)p->n * p->ih * p->iw, img = (size_t)p->ih * p->iw * xs;
  const int16_t *x16 = (const int16_t *)(const void *)m->scratch;
  int32_t *taps = (int32_t *)(void *)(m->scratch + 2u * ((pixels * xs + 8 + 1) & ~(size_t)1));
  const int32_t *rx = p->taps, *rw = p->taps + p->kh * p->kw;
  const int ylast = (p->kh - 1) * p->dh, xlast = (p->kw - 1) * p->dw;
  int b, oy, ox, ky, kx, nt;
  for (b = 0; b < p->n; b++) {
    const int16_t *xb = x16 + b * img;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h, rows_in = iy0 >= 0 && iy0 + ylast < p->ih;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int ix0 = ox * p->sw - p->pad_w;
        if (rows_in && ix0 >= 0 && ix0 + xlast < p->iw) {
          if (splat && p->w16p) dw_pixel_pairs(p, xb + (size_t)iy0 * p->iw + ix0, out);
          else dw_pixel(p, xb + ((size_t)iy0 * p->iw + ix0) * xs, rx, rw, p->kh * p->kw, out, splat);
          continue;
        }
        nt = 0;
        for (ky = 0; ky < p->kh; ky++) {
          const int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            const int ix = ix0 + kx * p->dw;
            if (ix < 0 || ix >= p->iw) continue;
            taps[nt] = (iy * p->iw + ix) * xs;
            taps[p->kh * p->kw + nt] = (ky * p->kw + kx) * p->cpad;
            nt++;
          }
        }
        dw_pixel(p, xb, taps, taps + p->kh * p->kw, nt, out, splat);
      }
    }
  }
}

static void dw_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int16_t *x16 = (int16_t *)(void *)m->scratch;
  const size_t pixels = (size_t)p->n * p->ih * p->iw;
  if (p->ic == 1) {
    qs_wwiden(in, x16, pixels, p->in_off);
    qs_wzero16(x16 + pixels, 8); /* read beside the last pixel by an odd kw's tap pair */
    dw_run(m, op, 1);
    return;
  }
  if (p->dm == 1) qs_wwiden(in, x16, pixels * p->oc, p->in_off);
  else widen_expand(in, x16, pixels * p->ic, p->dm, p->in_off);
  qs_wzero16(x16 + pixels * p->oc, 8); /* the last pixel's padding lanes read zeros */
  dw_run(m, op, 0);
}

qs_status_t qs_dwconv_wasm_prepare(qs_model_t *m, qs_op_t *op, dw_params_t *p) {
  const uint64_t pixels = (uint64_t)p->n * p->ih * p->iw, taps = (uint64_t)p->kh * p->kw;
  const int xs = p->ic == 1 ? 1 : p->oc;
  const uint64_t scratch = 2u * (pixels * (uint64_t)xs + 10u) + 8u * taps;
  int16_t *w16;
  int32_t *rel;
  int ky, kx;
  qs_status_t s;
  /* A depth multiplier expands the widened input beyond the input tensor's size: keep the
   * portable kernel if that copy would be absurdly large (no real model comes close). */
  if (scratch > ((uint64_t)1 << 30)) return QS_OK;
  p->cpad = (p->oc + 7) & ~7;
  if (!(w16 = (int16_t *)qs_alloc(m, 2u * (size_t)taps * (size_t)p->cpad))) return QS_ERR_ARENA;
  if (!(rel = (int32_t *)qs_alloc(m, 8u * (size_t)taps))) return QS_ERR_ARENA;
  for (ky = 0; ky < p->kh; ky++)
    for (kx = 0; kx < p->kw; kx++) {
      const int t = ky * p->kw + kx;
      qs_wwiden(p->w + (size_t)t * p->oc, w16 + (size_t)t * p->cpad, (size_t)p->oc, 0);
      rel[t] = (ky * p->dh * p->iw + kx * p->dw) * xs; /* from the window's top-left input */
      rel[taps + t] = t * p->cpad;
    }
  p->w16 = w16;
  p->taps = rel;
  if (p->ic == 1 && p->dw == 1) {
    const int kw2 = (p->kw + 1) / 2;
    int16_t *wp = (int16_t *)qs_alloc(m, 4u * (size_t)p->kh * kw2 * p->cpad);
    int c;
    if (!wp) return QS_ERR_ARENA;
    for (ky = 0; ky < p->kh; ky++)
      for (kx = 0; kx < p->kw; kx++)
        for (c = 0; c < p->oc; c++)
          wp[(((size_t)ky * kw2 + kx / 2) * p->cpad + c) * 2 + kx % 2] = p->w[((size_t)ky * p->kw + kx) * p->oc + c];
    p->w16p = wp;
  }
  if ((s = qs_wrq_init(m, &p->rq, p->oc, p->bias, p->mult, p->shift, 1, p->out_zp, p->act_min, p->act_max)))
    return s;
  qs_scratch(m, (size_t)scratch);
  op->eval = dw_eval_wasm;
  return QS_OK;
}
#endif
