/* Shared prepare/eval helpers of the WebAssembly SIMD kernel variants (see wasm_simd.h). */
#include "wasm_simd.h"

#if QS_WASM_SIMD
qs_status_t qs_wrq_init(qs_model_t *m, qs_wrq_t *rq, int n, const int32_t *bias, const int32_t *mult,
                        const int8_t *shift, int per_channel, int32_t zp, int32_t lo, int32_t hi) {
  const size_t len = (size_t)n + 8;
  int c;
  /* one block: three int32 arrays, then the doubles at an 8-byte aligned offset */
  const size_t ints = (3 * len + 1) & ~(size_t)1;
  int32_t *b = (int32_t *)qs_alloc(m, ints * sizeof(int32_t) + len * sizeof(double));
  if (!b) return QS_ERR_ARENA;
  rq->bias = b, rq->mult = b + len, rq->lmul = b + 2 * len;
  rq->inv = (double *)(void *)(b + ints);
  rq->zp = zp, rq->lo = lo, rq->hi = hi, rq->has_left = 0, rq->all_right = 1;
  for (c = 0; c < n; c++) {
    const int s = shift[per_channel ? c : 0];
    if (s > 0) rq->has_left = 1;
    if (s > -1) rq->all_right = 0;
  }
  for (c = 0; c < (int)len; c++) {
    const int q = per_channel ? c : 0, s = c < n ? shift[q] : (rq->all_right ? -1 : 0);
    const int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
    rq->bias[c] = bias && c < n ? bias[c] : 0;
    rq->mult[c] = c < n ? mult[q] : 0;
    /* left <= 30 (qs_multiplier); with all_right, 1 <= right <= 31 */
    rq->lmul[c] = (int32_t)((uint32_t)1 << (rq->all_right ? 31 - right : left));
    rq->inv[c] = 1.0 / (double)((int64_t)1 << right); /* right <= 31: exact */
  }
  return QS_OK;
}

void qs_wwiden(const int8_t *src, int16_t *dst, size_t n, int32_t off) {
  const v128_t vo = wasm_i16x8_splat((int16_t)off);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t b = wasm_v128_load(src + i);
    wasm_v128_store(dst + i, wasm_i16x8_add(wasm_i16x8_extend_low_i8x16(b), vo));
    wasm_v128_store(dst + i + 8, wasm_i16x8_add(wasm_i16x8_extend_high_i8x16(b), vo));
  }
  for (; i < n; i++) dst[i] = (int16_t)(src[i] + off);
}

void qs_wcopy16(int16_t *dst, const int16_t *src, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

void qs_wzero16(int16_t *dst, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) wasm_v128_store(dst + i, wasm_i32x4_splat(0));
  for (; i < n; i++) dst[i] = 0;
}

void qs_wwiden_rows(const int8_t *w, int16_t *dst, int rows, int k, int kpad) {
  int r;
  for (r = 0; r < rows; r++) qs_wwiden(w + (size_t)r * k, dst + (size_t)r * kpad, (size_t)k, 0);
}
#endif
