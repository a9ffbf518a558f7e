/*
 * FULLY_CONNECTED int8, WebAssembly SIMD variant of k_fc.c (same bits; see wasm_simd.h).
 *
 * Same expansion as the portable kernel: acc = bias_eff + w_off * sum(x) + sum(w * x) over the
 * raw int8 values. The weights were widened at prepare to int16 rows of kpad (k rounded up to
 * 8, zero tail); each batch row is widened per invoke, and two rows share every weight load
 * (four output channels x two rows per pass of i32x4.dot_i16x8_s).
 */
#include "k_params.h"

#if QS_WASM_SIMD
/* Wrapping sum of n int8 values (the weight zero point's term). */
static uint32_t sum_i8(const int8_t *x, int n) {
  v128_t acc = wasm_i32x4_splat(0);
  uint32_t s;
  int i = 0;
  for (; i + 16 <= n; i += 16)
    acc = wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_extadd_pairwise_i8x16(wasm_v128_load(x + i))));
  s = (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
      (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
  for (; i < n; i++) s += (uint32_t)(int32_t)x[i];
  return s;
}

static void fc_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const fc_params_t *p = (const fc_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int k = p->k, kpad = p->kpad, oc = p->oc;
  int16_t *xa = (int16_t *)(void *)m->scratch, *xb = xa + kpad;
  int b, c;
  qs_wzero16(xa + k, kpad - k);
  qs_wzero16(xb + k, kpad - k);
  for (b = 0; b < p->batches; b += 2) {
    const int two = b + 1 < p->batches;
    const int8_t *x = in + (size_t)b * k;
    int8_t *oa = out + (size_t)b * oc, *o2 = oa + oc;
    v128_t ta = wasm_i32x4_splat(0), tb = ta;
    qs_wwiden(x, xa, (size_t)k, 0);
    if (two) qs_wwiden(x + k, xb, (size_t)k, 0);
    if (p->w_off != 0) {
      ta = wasm_i32x4_splat((int32_t)((uint32_t)p->w_off * sum_i8(x, k)));
      if (two) tb = wasm_i32x4_splat((int32_t)((uint32_t)p->w_off * sum_i8(x + k, k)));
    }
    for (c = 0; c < oc; c += 4) {
      const int16_t *w = p->w16 + (size_t)c * kpad;
      const int n = oc - c < 4 ? oc - c : 4;
      v128_t ra, rb;
      if (two) {
        qs_wdot4(w, kpad, xa, xb, &ra, &rb, 1);
        qs_wstore4(oa + c, qs_wrq4(&p->rq, c, wasm_i32x4_add(ra, ta)), n);
        qs_wstore4(o2 + c, qs_wrq4(&p->rq, c, wasm_i32x4_add(rb, tb)), n);
      } else {
        qs_wdot4(w, kpad, xa, xa, &ra, &ra, 0);
        qs_wstore4(oa + c, qs_wrq4(&p->rq, c, wasm_i32x4_add(ra, ta)), n);
      }
    }
  }
}

qs_status_t qs_fc_wasm_prepare(qs_model_t *m, qs_op_t *op, fc_params_t *p) {
  int16_t *w16;
  qs_status_t s;
  p->kpad = (p->k + 7) & ~7;
  if (!(w16 = (int16_t *)qs_alloc(m, 2u * ((size_t)p->oc + 3) * (size_t)p->kpad))) return QS_ERR_ARENA;
  qs_wwiden_rows(p->w, w16, p->oc, p->k, p->kpad);
  p->w16 = w16;
  if ((s = qs_wrq_init(m, &p->rq, p->oc, p->bias_eff, p->mult, p->shift, p->per_channel, p->out_zp, p->act_min,
                       p->act_max)))
    return s;
  qs_scratch(m, 4u * (size_t)p->kpad);
  op->eval = fc_eval_wasm;
  return QS_OK;
}
#endif
