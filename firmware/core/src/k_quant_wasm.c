/*
 * QUANTIZE float32 -> int8, WebAssembly SIMD variant of k_quant.c's quantize_f32_eval (same
 * bits): the same float32 operations four values at a time. v / scale is one IEEE division
 * either way; qs_roundf(r) is trunc(|r|) plus one when |r| - trunc(|r|) >= 0.5 (exact in
 * float), with r's sign; values at or beyond 2^23 are integers and stay as they are; a NaN
 * becomes -1e6 like the portable `!(r > -1e6)` test, so it ends at -128 after the clamp.
 */
#include "k_params.h"

#if QS_WASM_SIMD
#include <string.h>

static v128_t quantize4(v128_t v, v128_t scale, v128_t zp) {
  const v128_t sign = wasm_i32x4_splat(INT32_MIN), half = wasm_f32x4_splat(0.5f), one = wasm_f32x4_splat(1.0f);
  const v128_t lo = wasm_f32x4_splat(-1.0e6f), hi = wasm_f32x4_splat(1.0e6f);
  v128_t r = wasm_f32x4_div(v, scale);
  v128_t a = wasm_f32x4_abs(r), t = wasm_f32x4_trunc(a);
  t = wasm_f32x4_add(t, wasm_v128_and(one, wasm_f32x4_ge(wasm_f32x4_sub(a, t), half)));
  r = wasm_v128_or(t, wasm_v128_and(r, sign));            /* NaN stays NaN */
  r = wasm_v128_bitselect(r, lo, wasm_f32x4_gt(r, lo));  /* NaN and below -> -1e6 */
  r = wasm_v128_bitselect(hi, r, wasm_f32x4_gt(r, hi));
  return wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(r), zp);
}

static void quantize_f32_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const v128_t scale = wasm_f32x4_splat(p->scale), zp = wasm_i32x4_splat(p->out_zp);
  uint32_t i = 0;
  for (; i + 16 <= p->n; i += 16) {
    v128_t a = quantize4(wasm_v128_load(in + 4 * i), scale, zp), b = quantize4(wasm_v128_load(in + 4 * i + 16), scale, zp);
    v128_t c = quantize4(wasm_v128_load(in + 4 * i + 32), scale, zp), d = quantize4(wasm_v128_load(in + 4 * i + 48), scale, zp);
    /* saturating narrows clamp to [-128, 127] */
    wasm_v128_store(out + i, wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a, b), wasm_i16x8_narrow_i32x4(c, d)));
  }
  for (; i < p->n; i++) {
    float f[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(f, in + 4 * i, 4);
    out[i] = (int8_t)wasm_i8x16_extract_lane(
        wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(quantize4(wasm_v128_load(f), scale, zp), zp), zp), 0);
  }
}

void qs_quantize_wasm_prepare(qs_op_t *op, const quant_params_t *p) {
  (void)p;
  op->eval = quantize_f32_eval_wasm;
}
#endif
