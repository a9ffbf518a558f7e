/*
 * CONV_2D int8, lean variant of k_conv.c's conv_eval (same bits): no im2col patch, so no scratch.
 * qs_plan picks it for an op whose patch would raise the arena (the op at the activation peak,
 * where the input and output alone fill the area: keyword_spotting's second CONV_2D), and only
 * there, as the patch variant is the faster one elsewhere.
 *
 * The filter window is read in place: for each filter row, the taps inside the image are
 * contiguous in NHWC (dilation 1, one group: kx * channels bytes), and so are their weights in
 * OHWI. Taps outside the image are skipped, not zero-filled: the reference skips them too, so the
 * sum is the same; x + in_off is formed per loaded input value and shared by four channels. The
 * accumulators are uint32 (modulo 2^32, as in k_conv.c: any order of the terms gives the same bits).
 */
#include "k_params.h"

/* the taps k of one axis whose input i0 + k * d lies in [0, n): [*k0, *k1) */
static void valid_taps(int i0, int d, int kn, int n, int *k0, int *k1) {
  int a = 0, b = kn;
  while (a < b && i0 + a * d < 0) a++;
  while (b > a && i0 + (b - 1) * d >= n) b--;
  *k0 = a, *k1 = b;
}

/* four channels (weight rows k apart) over n input values */
static void dot4x(const int8_t *x, const int8_t *w0, int k, int n, int32_t off, uint32_t *acc) {
  const int8_t *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k, *end = x + n;
  uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  while (x < end) {
    const int32_t v = *x++ + off;
    a0 += (uint32_t)(v * *w0++);
    a1 += (uint32_t)(v * *w1++);
    a2 += (uint32_t)(v * *w2++);
    a3 += (uint32_t)(v * *w3++);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static uint32_t dot1x(const int8_t *x, const int8_t *w, int n, int32_t off) {
  const int8_t *end = x + n;
  uint32_t a = 0;
  while (x < end) a += (uint32_t)((*x++ + off) * *w++);
  return a;
}

/* One pixel's valid taps: nr segments of len input values, the first at x (then xs apart), whose
 * weights start wo into a channel's row (then ws apart). Contiguous filter rows (dilation 1, one
 * group) are one segment each; otherwise every tap is one (kc values). */
typedef struct {
  const int8_t *x;
  int nr, len, xs, ws, wo, row, kx0, kx1;
} window_t;

static void dots(const conv_params_t *p, const window_t *v, int c, int nc, uint32_t *acc) {
  const int k = p->kh * p->kw * p->kc;
  const int8_t *w = p->w + (size_t)c * k + v->wo, *x = v->x;
  int r, kx;
  for (r = 0; r < v->nr; r++, x += v->xs, w += v->ws) {
    if (v->row) {
      if (nc == 4) dot4x(x, w, k, v->len, p->in_off, acc);
      else acc[0] += dot1x(x, w, v->len, p->in_off);
      continue;
    }
    for (kx = v->kx0; kx < v->kx1; kx++) {
      const int8_t *xt = x + (size_t)kx * p->dw * p->ic, *wt = w + (size_t)kx * p->kc;
      if (nc == 4) dot4x(xt, wt, k, p->kc, p->in_off, acc);
      else acc[0] += dot1x(xt, wt, p->kc, p->in_off);
    }
  }
}

void qs_conv_lean_eval(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int ocg = p->oc / p->groups;
  window_t v;
  int b, oy, ox, g, c, j;
  v.row = p->dw == 1 && p->groups == 1;
  v.xs = p->dh * p->iw * p->ic, v.ws = p->kw * p->kc;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      const int iy0 = oy * p->sh - p->pad_h;
      int ky0, ky1;
      valid_taps(iy0, p->dh, p->kh, p->ih, &ky0, &ky1);
      v.nr = ky1 - ky0;
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        const int ix0 = ox * p->sw - p->pad_w;
        valid_taps(ix0, p->dw, p->kw, p->iw, &v.kx0, &v.kx1);
        v.len = (v.kx1 - v.kx0) * p->kc;
        v.wo = ky0 * v.ws + (v.row ? v.kx0 * p->kc : 0);
        for (g = 0; g < p->groups; g++) {
          const int c1 = (g + 1) * ocg;
          v.x = inb + ((size_t)(iy0 + ky0 * p->dh) * p->iw + (size_t)ix0) * p->ic + (size_t)g * p->kc +
                (v.row ? (size_t)v.kx0 * p->ic : 0);
          for (c = g * ocg; c + 4 <= c1; c += 4) {
            uint32_t acc[4];
            for (j = 0; j < 4; j++) acc[j] = p->bias ? (uint32_t)p->bias[c + j] : 0u;
            dots(p, &v, c, 4, acc);
            for (j = 0; j < 4; j++)
              out[c + j] = qs_requant((int32_t)acc[j], p->mult[c + j], p->shift[c + j], p->out_zp, p->act_min, p->act_max);
          }
          for (; c < c1; c++) {
            uint32_t a = p->bias ? (uint32_t)p->bias[c] : 0u;
            dots(p, &v, c, 1, &a);
            out[c] = qs_requant((int32_t)a, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}
