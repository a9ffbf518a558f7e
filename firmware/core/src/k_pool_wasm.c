/*
 * AVERAGE_POOL_2D / MAX_POOL_2D int8, WebAssembly SIMD variant of k_pool.c (same bits).
 *
 * Sixteen (then eight) channels per pass over the clipped window, the rest one by one as the
 * portable kernel does. Max: i8x16.max_s from -128. Average: the window sum in int16 lanes
 * when it has at most 256 taps (|sum| <= 128 * 256 fits), else int32; then the portable
 * rounding division, (sum +- count/2) / count truncated, done in double: the quotient of two
 * integers below 2^31 and 2^22 is never rounded across an integer, so truncating it is exact.
 *
 * float32 pools (k_float_pool.c), four channels per pass with the portable arithmetic per
 * lane: max by f32x4.pmax from -inf (`e > acc` keeps the first of equal values and never
 * takes a NaN, as pmax does); average sums in double in (y, x) order, rounds the sum to
 * float32, divides by the tap count in double; the clamp in double, then rounding to float32.
 */
#include "k_params.h"

#if QS_WASM_SIMD
/* Rounded average of four int32 window sums, clamped: sum > 0 ? (sum + half) / count : (sum - half) / count. */
static v128_t average4(v128_t sum, v128_t half, v128_t count, v128_t lo, v128_t hi) {
  v128_t num = wasm_i32x4_add(sum, wasm_v128_bitselect(half, wasm_i32x4_neg(half), wasm_i32x4_gt(sum, wasm_i32x4_splat(0))));
  v128_t q0 = wasm_f64x2_div(wasm_f64x2_convert_low_i32x4(num), count);
  v128_t q1 = wasm_f64x2_div(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(num, num, 2, 3, 2, 3)), count);
  v128_t r = wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(q0), wasm_i32x4_trunc_sat_f64x2_zero(q1), 0, 1, 4, 5);
  return wasm_i32x4_min(wasm_i32x4_max(r, lo), hi);
}

/* Eight channels at x: window sum per channel, averaged; all lanes back as int8 (low 8 used). */
static v128_t average8(const int8_t *x, size_t row, size_t col, int ny, int nx, int count, int32_t lo, int32_t hi) {
  const v128_t vh = wasm_i32x4_splat(count / 2), vc = wasm_f64x2_splat((double)count);
  const v128_t vlo = wasm_i32x4_splat(lo), vhi = wasm_i32x4_splat(hi);
  v128_t s0 = wasm_i32x4_splat(0), s1 = s0, r0, r1;
  int y, xx;
  if (count <= 256) {
    v128_t s = wasm_i16x8_splat(0);
    for (y = 0; y < ny; y++)
      for (xx = 0; xx < nx; xx++) s = wasm_i16x8_add(s, wasm_i16x8_load8x8(x + y * row + xx * col));
    s0 = wasm_i32x4_extend_low_i16x8(s);
    s1 = wasm_i32x4_extend_high_i16x8(s);
  } else {
    for (y = 0; y < ny; y++)
      for (xx = 0; xx < nx; xx++) {
        v128_t v = wasm_i16x8_load8x8(x + y * row + xx * col);
        s0 = wasm_i32x4_add(s0, wasm_i32x4_extend_low_i16x8(v));
        s1 = wasm_i32x4_add(s1, wasm_i32x4_extend_high_i16x8(v));
      }
  }
  r0 = average4(s0, vh, vc, vlo, vhi);
  r1 = average4(s1, vh, vc, vlo, vhi);
  return wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1), wasm_i16x8_narrow_i32x4(r0, r1));
}

/* Window max of sixteen channels at x (eight when `eight`: loads stop at the 8th byte), clamped. */
static inline __attribute__((always_inline)) v128_t max16(const int8_t *x, size_t row, size_t col, int ny, int nx,
                                                         v128_t lo, v128_t hi, const int eight) {
  v128_t acc = wasm_i8x16_splat(-128);
  int y, xx;
  for (y = 0; y < ny; y++)
    for (xx = 0; xx < nx; xx++) {
      const int8_t *v = x + y * row + xx * col;
      acc = wasm_i8x16_max(acc, eight ? wasm_v128_load64_zero(v) : wasm_v128_load(v));
    }
  return wasm_i8x16_min(wasm_i8x16_max(acc, lo), hi);
}

static void pool_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const pool_params_t *p = (const pool_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int C = p->c;
  const size_t col = (size_t)C, row = (size_t)p->iw * C;
  const v128_t lo = wasm_i8x16_splat((int8_t)p->act_min), hi = wasm_i8x16_splat((int8_t)p->act_max);
  int b, oy, ox, ch, y, x;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * row;
    for (oy = 0; oy < p->oh; oy++) {
      const int y0 = oy * p->sh - p->pad_h;
      const int ys = y0 < 0 ? -y0 : 0, ye = p->ih - y0 < p->fh ? p->ih - y0 : p->fh;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int x0 = ox * p->sw - p->pad_w;
        const int xs = x0 < 0 ? -x0 : 0, xe = p->iw - x0 < p->fw ? p->iw - x0 : p->fw;
        const int ny = ye - ys, nx = xe - xs, count = ny * nx;
        const int8_t *win = inb + (size_t)(y0 + ys) * row + (size_t)(x0 + xs) * col;
        ch = 0;
        if (p->is_max) {
          for (; ch + 16 <= C; ch += 16) wasm_v128_store(out + ch, max16(win + ch, row, col, ny, nx, lo, hi, 0));
          if (ch + 8 <= C) wasm_v128_store64_lane(out + ch, max16(win + ch, row, col, ny, nx, lo, hi, 1), 0), ch += 8;
        } else if (count > 0) {
          for (; ch + 8 <= C; ch += 8)
            wasm_v128_store64_lane(out + ch, average8(win + ch, row, col, ny, nx, count, p->act_min, p->act_max), 0);
        }
        for (; ch < C; ch++) { /* the portable kernel, channel by channel */
          int32_t acc = p->is_max ? -128 : 0;
          for (y = ys; y < ye; y++) {
            const int8_t *r = inb + ((size_t)(y0 + y) * p->iw + x0) * C + ch;
            for (x = xs; x < xe; x++) {
              int32_t v = r[(size_t)x * C];
              if (p->is_max) acc = v > acc ? v : acc;
              else acc += v;
            }
          }
          if (!p->is_max) {
            if (count <= 0) acc = 0;
            else acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          acc = acc < p->act_min ? p->act_min : acc;
          out[ch] = (int8_t)(acc > p->act_max ? p->act_max : acc);
        }
      }
    }
  }
}

void qs_pool_wasm_prepare(qs_op_t *op, const pool_params_t *p) {
  (void)p;
  op->eval = pool_eval_wasm;
}

#if QS_WITH_FLOAT
/* Four channels at x over the ny x nx window, clamped to [lo, hi] in double, as float32. */
static v128_t pool4_f32(const fpool_params_t *p, const float *x, size_t row, size_t col, int ny, int nx, double count) {
  const v128_t lo = wasm_f64x2_splat(p->lo), hi = wasm_f64x2_splat(p->hi);
  v128_t r0, r1;
  int y, xx;
  if (p->is_max) {
    v128_t acc = wasm_f32x4_splat(-__builtin_inff());
    for (y = 0; y < ny; y++)
      for (xx = 0; xx < nx; xx++) acc = wasm_f32x4_pmax(acc, wasm_v128_load(x + y * row + xx * col));
    r0 = wasm_f64x2_promote_low_f32x4(acc);
    r1 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(acc, acc, 2, 3, 2, 3));
  } else {
    const v128_t n = wasm_f64x2_splat(count);
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0;
    for (y = 0; y < ny; y++)
      for (xx = 0; xx < nx; xx++) {
        const v128_t v = wasm_v128_load(x + y * row + xx * col);
        s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(v));
        s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
      }
    r0 = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(s0)), n);
    r1 = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(s1)), n);
  }
  /* v < lo ? lo : (v > hi ? hi : v), a NaN passes through */
  r0 = wasm_v128_bitselect(lo, r0, wasm_f64x2_lt(r0, lo));
  r0 = wasm_v128_bitselect(hi, r0, wasm_f64x2_gt(r0, hi));
  r1 = wasm_v128_bitselect(lo, r1, wasm_f64x2_lt(r1, lo));
  r1 = wasm_v128_bitselect(hi, r1, wasm_f64x2_gt(r1, hi));
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(r0), wasm_f32x4_demote_f64x2_zero(r1), 0, 1, 4, 5);
}

static void pool_f32_eval_wasm(qs_model_t *m, const qs_op_t *op) {
  const fpool_params_t *p = (const fpool_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  const int C = p->c;
  const size_t col = (size_t)C, row = (size_t)p->iw * C;
  int b, oy, ox, ch, y, x;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * row;
    for (oy = 0; oy < p->oh; oy++) {
      const int y0 = oy * p->sh - p->pad_h;
      const int ys = y0 < 0 ? -y0 : 0, ye = p->ih - y0 < p->fh ? p->ih - y0 : p->fh;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        const int x0 = ox * p->sw - p->pad_w;
        const int xs = x0 < 0 ? -x0 : 0, xe = p->iw - x0 < p->fw ? p->iw - x0 : p->fw;
        const double count = (double)((ye - ys) * (xe - xs));
        const float *win = inb + (size_t)(y0 + ys) * row + (size_t)(x0 + xs) * col;
        for (ch = 0; ch + 4 <= C; ch += 4) wasm_v128_store(out + ch, pool4_f32(p, win + ch, row, col, ye - ys, xe - xs, count));
        for (; ch < C; ch++) { /* the portable kernel, channel by channel */
          double acc = p->is_max ? -__builtin_inf() : 0.0, v;
          for (y = ys; y < ye; y++) {
            const float *r = inb + ((size_t)(y0 + y) * p->iw + x0) * C + ch;
            for (x = xs; x < xe; x++) {
              double e = r[(size_t)x * C];
              if (!p->is_max) acc += e;
              else if (e > acc) acc = e;
            }
          }
          v = p->is_max ? acc : (double)(float)acc / count;
          v = v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
          out[ch] = (float)v;
        }
      }
    }
  }
}

void qs_pool_f32_wasm_prepare(qs_op_t *op, const fpool_params_t *p) {
  (void)p;
  op->eval = pool_f32_eval_wasm;
}
#endif
#endif
