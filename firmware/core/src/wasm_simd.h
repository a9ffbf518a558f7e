/*
 * WebAssembly SIMD128 building blocks for the kernel variants in k_*_wasm.c: the host
 * simulator's build of the core (scripts/build-core-wasm.sh: clang -msimd128 defines
 * __wasm_simd128__). Every other build compiles none of this and keeps the portable kernels.
 *
 * The variants are bit-identical to the portable kernels (test/core/simulate/core-variants.test.ts
 * runs both builds on every golden model and on random one-op models):
 * - int8 products go through int16 lanes: input + offset lies in [-255, 255] (zero points are
 *   checked to be in [-128, 127] at load) and weights in [-128, 127], so |product| <= 32640 and
 *   i32x4.dot_i16x8_s adds two of them without overflow. The int32 lane sums then wrap modulo
 *   2^32 exactly like the portable uint32 accumulators, and modular addition does not depend on
 *   the order of the terms, so any split across lanes gives the same bits.
 * - qs_wrq4 is qs_requant (qs_mbqm_pos, + zero point, clamp) four channels at a time.
 */
#ifndef QS_WASM_SIMD_H
#define QS_WASM_SIMD_H

#include "ops.h"

#if defined(__wasm_simd128__)
#define QS_WASM_SIMD 1
#include <wasm_simd128.h>

/* Per-channel requantization data, each array padded by 8 channels (zeros past n) so vector
 * loads at any channel < n + 4 stay inside: bias (added to the accumulator; 0 without one),
 * the multiplier, inv = 2^-r for the rounding right shift r = max(-shift, 0), and lmul:
 * 2^(31 - r) when every channel shifts right (all_right), else 2^left as a wrapping int32
 * factor (left = max(shift, 0); all 1 unless has_left). */
typedef struct {
  int32_t *bias, *mult, *lmul;
  double *inv;
  int32_t zp, lo, hi, has_left, all_right;
} qs_wrq_t;

/* Fill rq for n channels; mult/shift have n entries, or one (per-tensor) when !per_channel.
 * bias may be NULL (zeros). */
qs_status_t qs_wrq_init(qs_model_t *m, qs_wrq_t *rq, int n, const int32_t *bias, const int32_t *mult,
                        const int8_t *shift, int per_channel, int32_t zp, int32_t lo, int32_t hi);

/* dst[i] = src[i] + off for i < n, as int16 (|src + off| <= 255). */
void qs_wwiden(const int8_t *src, int16_t *dst, size_t n, int32_t off);
/* n int16 copied or zeroed (the patch gathers of CONV_2D). */
void qs_wcopy16(int16_t *dst, const int16_t *src, int n);
void qs_wzero16(int16_t *dst, int n);
/* rows int8 rows of k values -> rows of kpad int16 (zero tail): the widened weights. */
void qs_wwiden_rows(const int8_t *w, int16_t *dst, int rows, int k, int kpad);

/* qs_requant of four int32 accumulators (channels c..c+3) with rq's data for those channels.
 * - x = acc + bias, then x << left as a wrapping multiply by 2^left (qs_mbqm_pos shifts in
 *   uint32, which wraps the same way);
 * - the high multiply h = (x * mult + 2^30) >> 31 on exact 64-bit lanes: |x * mult| < 2^62, so
 *   doubling p + 2^30 cannot overflow and h is the high 32-bit half of the doubled sum;
 * - qs_rdbpot(h, r) rounds h / 2^r half away from zero. There is no per-lane variable shift, so
 *   in double: y = h * 2^-r is exact, and so is y + copysign(0.5, y) (at most 33 significant
 *   bits); truncating that toward zero is rounding y half away from zero (for r = 0, y = h and
 *   the truncation gives h back);
 * - + zero point, clamp to [lo, hi]. */
static inline v128_t qs_wrq4(const qs_wrq_t *rq, int c, v128_t acc) {
  const v128_t nudge = wasm_i64x2_splat((int64_t)1 << 30), sign = wasm_i64x2_splat(INT64_MIN);
  const v128_t half = wasm_f64x2_splat(0.5);
  v128_t x = wasm_i32x4_add(acc, wasm_v128_load(rq->bias + c));
  v128_t m = wasm_v128_load(rq->mult + c), p0, p1, h, y0, y1, r;
  if (rq->has_left) x = wasm_i32x4_mul(x, wasm_v128_load(rq->lmul + c));
  p0 = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge);
  p1 = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge);
  h = wasm_i32x4_shuffle(wasm_i64x2_add(p0, p0), wasm_i64x2_add(p1, p1), 1, 3, 5, 7);
  if (rq->all_right) {
    /* r >= 1 everywhere: floor((h + 2^(r-1) - (h < 0)) / 2^r) scaled by F = 2^(31-r) is
     * floor(((h - (h < 0)) * F + 2^30) / 2^31), the high word again (h > -2^31 as mult <
     * 2^31, so h - 1 cannot wrap; |(h - 1) * F| <= 2^61) */
    const v128_t f = wasm_v128_load(rq->lmul + c);
    h = wasm_i32x4_add(h, wasm_i32x4_shr(h, 31));
    p0 = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(h, f), nudge);
    p1 = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(h, f), nudge);
    r = wasm_i32x4_shuffle(wasm_i64x2_add(p0, p0), wasm_i64x2_add(p1, p1), 1, 3, 5, 7);
  } else {
    y0 = wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(h), wasm_v128_load(rq->inv + c));
    y1 = wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(h, h, 2, 3, 2, 3)),
                        wasm_v128_load(rq->inv + c + 2));
    y0 = wasm_f64x2_add(y0, wasm_v128_or(half, wasm_v128_and(y0, sign)));
    y1 = wasm_f64x2_add(y1, wasm_v128_or(half, wasm_v128_and(y1, sign)));
    r = wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(y0), wasm_i32x4_trunc_sat_f64x2_zero(y1), 0, 1, 4, 5);
  }
  r = wasm_i32x4_add(r, wasm_i32x4_splat(rq->zp));
  return wasm_i32x4_min(wasm_i32x4_max(r, wasm_i32x4_splat(rq->lo)), wasm_i32x4_splat(rq->hi));
}

/* qs_mbqm(x, mult, shift) on four lanes with one multiplier >= 0 and one shift for all (the
 * element-wise ops): the wrapping left shift, the high multiply as in qs_wrq4, then
 * qs_rdbpot's own integer steps, which need no per-lane shift here. */
static inline v128_t qs_wmbqm4(v128_t x, int32_t mult, int shift) {
  const v128_t nudge = wasm_i64x2_splat((int64_t)1 << 30), m = wasm_i32x4_splat(mult);
  const int right = shift > 0 ? 0 : -shift;
  const int32_t mask = (int32_t)(((uint32_t)1 << right) - 1u);
  v128_t p0, p1, h;
  if (shift > 0) x = wasm_i32x4_shl(x, (uint32_t)shift);
  p0 = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge);
  p1 = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge);
  h = wasm_i32x4_shuffle(wasm_i64x2_add(p0, p0), wasm_i64x2_add(p1, p1), 1, 3, 5, 7);
  /* (h >> r) + ((h & mask) > (mask >> 1) + (h < 0)); the compare gives -1 for true */
  return wasm_i32x4_sub(wasm_i32x4_shr(h, (uint32_t)right),
                        wasm_i32x4_gt(wasm_v128_and(h, wasm_i32x4_splat(mask)),
                                      wasm_i32x4_sub(wasm_i32x4_splat(mask >> 1), wasm_i32x4_shr(h, 31))));
}

/* Store the first n (1..4) lanes of r (already in int8 range) as int8; never writes past n:
 * the next bytes may belong to another live tensor in the arena. */
static inline void qs_wstore4(int8_t *dst, v128_t r, int n) {
  v128_t b = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r, r), r);
  if (n >= 4) {
    wasm_v128_store32_lane(dst, b, 0);
  } else {
    dst[0] = (int8_t)wasm_i8x16_extract_lane(b, 0);
    if (n > 1) dst[1] = (int8_t)wasm_i8x16_extract_lane(b, 1);
    if (n > 2) dst[2] = (int8_t)wasm_i8x16_extract_lane(b, 2);
  }
}

/* [sum(a), sum(b), sum(c), sum(d)] of four i32x4 accumulators. */
static inline v128_t qs_wsum4(v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

/* Dot products of four consecutive weight rows (kpad int16 each, kpad a multiple of 8) with
 * vector a, and with b when `two`: *ra = the four sums for a, *rb for b. Each loaded vector
 * feeds four (or eight) multiplies. Always inlined with a constant `two`, so the one-vector
 * case carries none of the second vector's work. */
static inline __attribute__((always_inline)) void qs_wdot4(const int16_t *w, int kpad, const int16_t *a,
                                                          const int16_t *b, v128_t *ra, v128_t *rb,
                                                          const int two) {
  const int16_t *w1 = w + kpad, *w2 = w1 + kpad, *w3 = w2 + kpad;
  v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int i;
  for (i = 0; i < kpad; i += 8) {
    v128_t va = wasm_v128_load(a + i), vb = two ? wasm_v128_load(b + i) : va, f;
    f = wasm_v128_load(w + i);
    a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(va, f));
    if (two) b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(vb, f));
    f = wasm_v128_load(w1 + i);
    a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(va, f));
    if (two) b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(vb, f));
    f = wasm_v128_load(w2 + i);
    a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(va, f));
    if (two) b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(vb, f));
    f = wasm_v128_load(w3 + i);
    a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(va, f));
    if (two) b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(vb, f));
  }
  *ra = qs_wsum4(a0, a1, a2, a3);
  if (two) *rb = qs_wsum4(b0, b1, b2, b3);
}

#else
#define QS_WASM_SIMD 0
#endif
#endif
