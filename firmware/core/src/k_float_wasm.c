/*
 * float32 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, WebAssembly SIMD variants of
 * k_float_conv.c with the same bits: every output channel keeps its own double accumulator
 * and adds exactly the portable kernel's terms in the portable order, so the vectors run
 * across output channels (two per f64x2), never along a sum:
 * - CONV_2D (one group) and FULLY_CONNECTED: weights transposed at prepare to double
 *   [k][ocp] (ocp = output channels rounded up to 8, zero columns); per input position i the
 *   input value is splatted and multiplied into eight channels of two pixels (two batch
 *   rows); the sum starts at 0.0, takes padded taps as 0.0 products like the portable patch,
 *   then adds the bias (only when there is one: x + 0.0 would turn -0.0 into +0.0);
 * - DEPTHWISE_CONV_2D: the sum starts at the bias (or 0.0) and adds the in-image taps in
 *   (ky, kx) order; the input is widened to double once per invoke (repeated per depth
 *   multiplier, or splatted when there is one input channel).
 * Products of two floats are exact in double and f64x2 add/mul round like scalar double ops;
 * the result is rounded to float32 once (f32x4.demote_f64x2_zero) and clamped in float.
 */
#include "k_params.h"

#if QS_WASM_SIMD && QS_WITH_FLOAT
/* Clamp like `v < lo ? lo : (v > hi ? hi : v)` (a NaN passes through), store the first n lanes. */
static void store_f32(float *dst, v128_t v, v128_t lo, v128_t hi, int n) {
  v = wasm_v128_bitselect(lo, v, wasm_f32x4_lt(v, lo));
  v = wasm_v128_bitselect(hi, v, wasm_f32x4_gt(v, hi));
  if (n >= 4) {
    wasm_v128_store(dst, v);
  } else if (n == 1) {
    wasm_v128_store32_lane(dst, v, 0);
  } else {
    wasm_v128_store64_lane(dst, v, 0);
    if (n == 3) wasm_v128_store32_lane(dst + 2, v, 2);
  }
}

/* (float) of two f64x2 sums as one f32x4. */
static inline v128_t demote2(v128_t a, v128_t b) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a), wasm_f32x4_demote_f64x2_zero(b), 0, 1, 4, 5);
}

/* Eight channels (c..c+7) of one or (`two`) two input vectors xa/xb of k doubles against wd
 * [k][ocp]: sums from 0.0 in order i = 0..k-1, then + bias if bd, rounded, clamped, stored
 * (n valid channels). */
static inline __attribute__((always_inline)) void dot8(const double *wd, int ocp, int k, const double *xa,
                                                      const double *xb, const double *bd, float *oa, float *ob,
                                                      int n, v128_t lo, v128_t hi, const int two) {
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int i;
  for (i = 0; i < k; i++, wd += ocp) {
    const v128_t w0 = wasm_v128_load(wd), w1 = wasm_v128_load(wd + 2), w2 = wasm_v128_load(wd + 4),
                 w3 = wasm_v128_load(wd + 6);
    const v128_t va = wasm_v128_load64_splat(xa + i);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(w0, va));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(w1, va));
    a2 = wasm_f64x2_add(a2, wasm_f64x2_mul(w2, va));
    a3 = wasm_f64x2_add(a3, wasm_f64x2_mul(w3, va));
    if (two) {
      const v128_t vb = wasm_v128_load64_splat(xb + i);
      b0 = wasm_f64x2_add(b0, wasm_f64x2_mul(w0, vb));
      b1 = wasm_f64x2_add(b1, wasm_f64x2_mul(w1, vb));
      b2 = wasm_f64x2_add(b2, wasm_f64x2_mul(w2, vb));
      b3 = wasm_f64x2_add(b3, wasm_f64x2_mul(w3, vb));
    }
  }
  if (bd) {
    const v128_t c0 = wasm_v128_load(bd), c1 = wasm_v128_load(bd + 2), c2 = wasm_v128_load(bd + 4),
                 c3 = wasm_v128_load(bd + 6);
    a0 = wasm_f64x2_add(a0, c0), a1 = wasm_f64x2_add(a1, c1), a2 = wasm_f64x2_add(a2, c2), a3 = wasm_f64x2_add(a3, c3);
    if (two) b0 = wasm_f64x2_add(b0, c0), b1 = wasm_f64x2_add(b1, c1), b2 = wasm_f64x2_add(b2, c2), b3 = wasm_f64x2_add(b3, c3);
  }
  store_f32(oa, demote2(a0, a1), lo, hi, n);
  if (n > 4) store_f32(oa + 4, demote2(a2, a3), lo, hi, n - 4);
  if (two) {
    store_f32(ob, demote2(b0, b1), lo, hi, n);
    if (n > 4) store_f32(ob + 4, demote2(b2, b3), lo, hi, n - 4);
  }
}

/* Patch of output pixel (oy, ox) as doubles (one group: kc = ic), 0.0 where padded. */
static void gather_d(const fconv_params_t *p, const float *in, int oy, int ox, double *dst) {
  const int iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w, kc = p->kc;
  int ky, kx, c;
  for (ky = 0; ky < p->kh; ky++) {
    const int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, dst += kc) {
      const int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) {
        for (c = 0; c < kc; c++) dst[c] = 0.0;
      } else {
        const float *src = in + ((size_t)iy * p->iw + ix) * p->ic;
        for (c = 0; c < kc; c++) dst[c] = src[c];
      }
    }
  }
}

static void conv_f32_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const fconv_params_t *p = (const fconv_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  const int k = p->kh * p->kw * p->kc, npix = p->oh * p->ow, oc = p->oc;
  const v128_t lo = wasm_f32x4_splat(p->lo), hi = wasm_f32x4_splat(p->hi);
  double *pa = (double *)(void *)m->scratch, *pb = pa + k;
  int b, pix, c;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    float *ob = out + (size_t)b * npix * oc;
    for (pix = 0; pix < npix; pix += 2) {
      const int two = pix + 1 < npix;
      float *oa = ob + (size_t)pix * oc;
      gather_d(p, inb, pix / p->ow, pix % p->ow, pa);
      if (two) gather_d(p, inb, (pix + 1) / p->ow, (pix + 1) % p->ow, pb);
      for (c = 0; c < oc; c += 8) {
        const int n = oc - c < 8 ? oc - c : 8;
        const double *bd = p->has_bias ? p->bd + c : NULL;
        if (two) dot8(p->wd + c, p->ocp, k, pa, pb, bd, oa + c, oa + oc + c, n, lo, hi, 1);
        else dot8(p->wd + c, p->ocp, k, pa, pa, bd, oa + c, oa + c, n, lo, hi, 0);
      }
    }
  }
}

/* Depthwise, one output pixel: channels in fours, taps t < nt at x + tx[t] and wd + tw[t]. */
static inline __attribute__((always_inline)) void dw_pixel(const fconv_params_t *p, const double *x, const int32_t *tx,
                                                          const int32_t *tw, int nt, float *out, v128_t lo,
                                                          v128_t hi, const int splat) {
  const int C = p->oc;
  int c, t;
  for (c = 0; c < C; c += 4) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0;
    const double *xc = splat ? x : x + c, *wc = p->wd + c;
    if (p->has_bias) a0 = wasm_v128_load(p->bd + c), a1 = wasm_v128_load(p->bd + c + 2);
    for (t = 0; t < nt; t++) {
      const v128_t x0 = splat ? wasm_v128_load64_splat(xc + tx[t]) : wasm_v128_load(xc + tx[t]);
      const v128_t x1 = splat ? x0 : wasm_v128_load(xc + tx[t] + 2);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(wasm_v128_load(wc + tw[t]), x0));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(wasm_v128_load(wc + tw[t] + 2), x1));
    }
    store_f32(out + c, demote2(a0, a1), lo, hi, C - c);
  }
}

static inline __attribute__((always_inline)) void dw_run(qs_model_t *m, const qs_op_t *op, const int splat) {
  const fconv_params_t *p = (const fconv_params_t *)op->params;
  float *out = (float *)(void *)qs_tdata(m, op->out);
  const int C = p->oc, xs = splat ? 1 : C, nk = p->kh * p->kw;
  const size_t pixels = (size_t)p->n * p->ih * p->iw, img = (size_t)p->ih * p->iw * xs;
  const double *xd = (const double *)(const void *)m->scratch;
  int32_t *taps = (int32_t *)(void *)(m->scratch + 8u * (pixels * xs + 4));
  const int ylast = (p->kh - 1) * p->dh, xlast = (p->kw - 1) * p->dw;
  const v128_t lo = wasm_f32x4_splat(p->lo), hi = wasm_f32x4_splat(p->hi);
  int b, oy, ox, ky, kx, nt;
  for (b = 0; b < p->n; b++) {
    const double *xb = xd + b * img;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h, rows_in = iy0 >= 0 && iy0 + ylast < p->ih;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int ix0 = ox * p->sw - p->pad_w;
        if (rows_in && ix0 >= 0 && ix0 + xlast < p->iw) {
          dw_pixel(p, xb + ((size_t)iy0 * p->iw + ix0) * xs, p->taps, p->taps + nk, nk, out, lo, hi, splat);
          continue;
        }
        nt = 0; /* in (ky, kx) order, as the portable kernel adds them */
        for (ky = 0; ky < p->kh; ky++) {
          const int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            const int ix = ix0 + kx * p->dw;
            if (ix < 0 || ix >= p->iw) continue;
            taps[nt] = (iy * p->iw + ix) * xs;
            taps[nk + nt] = (ky * p->kw + kx) * p->ocp;
            nt++;
          }
        }
        dw_pixel(p, xb, taps, taps + nk, nt, out, lo, hi, splat);
      }
    }
  }
}

static void dw_f32_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const fconv_params_t *p = (const fconv_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  double *xd = (double *)(void *)m->scratch;
  const size_t values = (size_t)p->n * p->ih * p->iw * p->ic;
  size_t i;
  int d;
  if (p->ic == 1) {
    for (i = 0; i < values; i++) xd[i] = in[i];
    dw_run(m, op, 1);
    return;
  }
  for (i = 0; i < values; i++)
    for (d = 0; d < p->dm; d++) *xd++ = in[i];
  for (d = 0; d < 4; d++) xd[d] = 0.0; /* the last pixel's padding lanes */
  dw_run(m, op, 0);
}

/* Bias as double, ocp long (zeros past oc or without a bias). */
static double *bias_d(qs_model_t *m, const float *b, int oc, int ocp) {
  double *bd = (double *)qs_alloc(m, 8u * (size_t)ocp);
  int c;
  if (bd && b)
    for (c = 0; c < oc; c++) bd[c] = b[c];
  return bd;
}

qs_status_t qs_conv_f32_wasm_prepare(qs_model_t *m, qs_op_t *op, fconv_params_t *p, int depthwise) {
  const int nk = p->kh * p->kw, k = nk * p->kc;
  double *wd;
  int32_t *rel;
  int c, i;
  /* a bias or filter that is not a constant (p->b / p->w NULL) keeps the portable kernel */
  if (!p->w || (p->has_bias && !p->b) || (!depthwise && p->groups != 1)) return QS_OK;
  p->ocp = (p->oc + 7) & ~7;
  if (!(p->bd = bias_d(m, p->b, p->oc, p->ocp))) return QS_ERR_ARENA;
  if (!depthwise) {
    if (!(wd = (double *)qs_alloc(m, 8u * (size_t)k * p->ocp))) return QS_ERR_ARENA;
    for (c = 0; c < p->oc; c++)
      for (i = 0; i < k; i++) wd[(size_t)i * p->ocp + c] = p->w[(size_t)c * k + i];
    p->wd = wd;
    qs_scratch(m, 16u * (size_t)k);
    op->eval = conv_f32_eval_wasm;
    return QS_OK;
  }
  {
    const int xs = p->ic == 1 ? 1 : p->oc;
    const uint64_t scratch = 8u * ((uint64_t)p->n * p->ih * p->iw * xs + 4u) + 8u * (uint64_t)nk;
    if (scratch > ((uint64_t)1 << 30)) return QS_OK; /* see k_dwconv_wasm.c */
    if (!(wd = (double *)qs_alloc(m, 8u * (size_t)nk * p->ocp)) || !(rel = (int32_t *)qs_alloc(m, 8u * (size_t)nk)))
      return QS_ERR_ARENA;
    for (i = 0; i < nk; i++) {
      const int ky = i / p->kw, kx = i % p->kw;
      for (c = 0; c < p->oc; c++) wd[(size_t)i * p->ocp + c] = p->w[(size_t)i * p->oc + c];
      rel[i] = (ky * p->dh * p->iw + kx * p->dw) * xs;
      rel[nk + i] = i * p->ocp;
    }
    p->wd = wd;
    p->taps = rel;
    qs_scratch(m, (size_t)scratch);
    op->eval = dw_f32_eval_wasm;
    return QS_OK;
  }
}

static void fc_f32_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const ffc_params_t *p = (const ffc_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  const int k = p->k, oc = p->oc;
  const v128_t lo = wasm_f32x4_splat(p->lo), hi = wasm_f32x4_splat(p->hi);
  double *xa = (double *)(void *)m->scratch, *xb = xa + k;
  int b, c, i;
  for (b = 0; b < p->batches; b += 2, x += 2 * (size_t)k, out += 2 * (size_t)oc) {
    const int two = b + 1 < p->batches;
    for (i = 0; i < k; i++) xa[i] = x[i];
    if (two)
      for (i = 0; i < k; i++) xb[i] = x[k + i];
    for (c = 0; c < oc; c += 8) {
      const int n = oc - c < 8 ? oc - c : 8;
      const double *bd = p->has_bias ? p->bd + c : NULL;
      if (two) dot8(p->wd + c, p->ocp, k, xa, xb, bd, out + c, out + oc + c, n, lo, hi, 1);
      else dot8(p->wd + c, p->ocp, k, xa, xa, bd, out + c, out + c, n, lo, hi, 0);
    }
  }
}

qs_status_t qs_fc_f32_wasm_prepare(qs_model_t *m, qs_op_t *op, ffc_params_t *p) {
  double *wd;
  int c, i;
  if (!p->w || (p->has_bias && !p->b)) return QS_OK; /* weights or bias computed at run time */
  p->ocp = (p->oc + 7) & ~7;
  if (!(p->bd = bias_d(m, p->b, p->oc, p->ocp))) return QS_ERR_ARENA;
  if (!(wd = (double *)qs_alloc(m, 8u * (size_t)p->k * p->ocp))) return QS_ERR_ARENA;
  for (c = 0; c < p->oc; c++)
    for (i = 0; i < p->k; i++) wd[(size_t)i * p->ocp + c] = p->w[(size_t)c * p->k + i];
  p->wd = wd;
  qs_scratch(m, 16u * (size_t)p->k);
  op->eval = fc_f32_eval_wasm;
  return QS_OK;
}
#endif
