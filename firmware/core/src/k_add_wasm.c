/*
 * ADD, SUB and MUL int8 on inputs of the output's shape, WebAssembly SIMD variant of
 * k_add.c (same bits): sixteen elements per pass, the portable arithmetic on four int32
 * lanes at a time (every multiplier is positive and every rescale has one shift, so
 * qs_wmbqm4 is qs_mbqm). From 4096 elements on, that arithmetic fills a 64 KiB table of the
 * output for every pair of int8 inputs at prepare, and eval only looks it up. Broadcasting
 * keeps the portable kernel.
 */
#include "k_params.h"

#if QS_WASM_SIMD
/* Four elements (int32 lanes of the raw int8 values) through add_one's arithmetic. */
static v128_t add4(const add_params_t *p, v128_t x, v128_t y) {
  v128_t v;
  x = wasm_i32x4_add(x, wasm_i32x4_splat(p->in1_off));
  y = wasm_i32x4_add(y, wasm_i32x4_splat(p->in2_off));
  if (p->is_mul) {
    v = qs_wmbqm4(wasm_i32x4_mul(x, y), p->mo, p->so);
  } else {
    const v128_t a = qs_wmbqm4(wasm_i32x4_shl(x, 20), p->m1, p->s1), b = qs_wmbqm4(wasm_i32x4_shl(y, 20), p->m2, p->s2);
    v = qs_wmbqm4(p->is_sub ? wasm_i32x4_sub(a, b) : wasm_i32x4_add(a, b), p->mo, p->so);
  }
  v = wasm_i32x4_add(v, wasm_i32x4_splat(p->out_zp));
  return wasm_i32x4_min(wasm_i32x4_max(v, wasm_i32x4_splat(p->act_min)), wasm_i32x4_splat(p->act_max));
}

static v128_t add16(const add_params_t *p, v128_t x, v128_t y) {
  const v128_t xl = wasm_i16x8_extend_low_i8x16(x), xh = wasm_i16x8_extend_high_i8x16(x);
  const v128_t yl = wasm_i16x8_extend_low_i8x16(y), yh = wasm_i16x8_extend_high_i8x16(y);
  const v128_t r0 = add4(p, wasm_i32x4_extend_low_i16x8(xl), wasm_i32x4_extend_low_i16x8(yl));
  const v128_t r1 = add4(p, wasm_i32x4_extend_high_i16x8(xl), wasm_i32x4_extend_high_i16x8(yl));
  const v128_t r2 = add4(p, wasm_i32x4_extend_low_i16x8(xh), wasm_i32x4_extend_low_i16x8(yh));
  const v128_t r3 = add4(p, wasm_i32x4_extend_high_i16x8(xh), wasm_i32x4_extend_high_i16x8(yh));
  return wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1), wasm_i16x8_narrow_i32x4(r2, r3));
}

static void add_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const add_params_t *p = (const add_params_t *)op->params;
  const int8_t *x = (const int8_t *)qs_tdata(m, op->in[0]), *y = (const int8_t *)qs_tdata(m, op->in[1]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i = 0, j;
  for (; i + 16 <= p->n; i += 16) wasm_v128_store(out + i, add16(p, wasm_v128_load(x + i), wasm_v128_load(y + i)));
  if (i < p->n) { /* the tail through zero-padded copies (never reads or writes past n) */
    int8_t a[16] = {0}, b[16] = {0}, r[16];
    for (j = 0; i + j < p->n; j++) a[j] = x[i + j], b[j] = y[i + j];
    wasm_v128_store(r, add16(p, wasm_v128_load(a), wasm_v128_load(b)));
    for (j = 0; i + j < p->n; j++) out[i + j] = r[j];
  }
}

static void add_eval_table(qs_model_t *m, const qs_op_t *op) {
  const add_params_t *p = (const add_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]), *y = qs_tdata(m, op->in[1]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int8_t *t = p->t64;
  uint32_t i;
  for (i = 0; i < p->n; i++) out[i] = t[(uint32_t)x[i] << 8 | y[i]];
}

qs_status_t qs_add_wasm_prepare(qs_model_t *m, qs_op_t *op, add_params_t *p) {
  int8_t ys[16];
  int a, b, j;
  if (!p->same_shape) return QS_OK;
  op->eval = add_eval_wasm;
  if (p->n < 4096) return QS_OK;
  /* t64[byte(x) << 8 | byte(y)] for x, y in int8, sixteen y at a time */
  if (!(p->t64 = (int8_t *)qs_alloc(m, 65536))) return QS_ERR_ARENA;
  for (a = 0; a < 256; a++)
    for (b = 0; b < 256; b += 16) {
      for (j = 0; j < 16; j++) ys[j] = (int8_t)(b + j);
      wasm_v128_store(p->t64 + (a << 8) + b, add16(p, wasm_i8x16_splat((int8_t)a), wasm_v128_load(ys)));
    }
  op->eval = add_eval_table;
  return QS_OK;
}
#endif
