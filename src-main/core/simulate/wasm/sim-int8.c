/* int8 CONV_2D, DEPTHWISE_CONV_2D (and FULLY_CONNECTED as a 1x1 conv), binary-op tables. */
#include "sim-kernels.h"


/*
 * Four channels of MultiplyByQuantizedMultiplier(acc + bias) + offset, clamped, in SIMD:
 * - x * 2^left as a wrapping int32 multiply (the C++ code shifts in int32);
 * - SaturatingRoundingDoublingHighMul(x, m) = (p + nudge) / 2^31 truncated, p = (int64)x * m,
 *   nudge 2^30 (p >= 0) or 1 - 2^30 (p < 0). For p < 0 the numerator is negative, trunc = ceil,
 *   and ceil((p + 1 - 2^30) / 2^31) = floor((p + 2^30) / 2^31): both cases are one arithmetic
 *   shift of p + 2^30. Its only saturating case, x = m = INT32_MIN, cannot occur: m > 0
 *   (QuantizeMultiplier gives [2^30, 2^31); checked at prepare);
 * - RoundingDivideByPOT(h, r) = floor((h + 2^(r-1) - [h < 0]) / 2^r) for r > 0 (= h for r = 0,
 *   where half = corr = 0 and inv = 1), evaluated in double: every term is an integer below
 *   2^33, the power-of-two scale is exact, so floor gives the exact integer result.
 */
static inline v128_t requant4(const int32_t *rq, int32_t cp, const double *inv, int32_t c, v128_t acc,
                              v128_t off, v128_t lo, v128_t hi) {
  v128_t x = wasm_i32x4_add(acc, wasm_v128_load(rq + RQ_BIAS * cp + c));
  x = wasm_i32x4_mul(x, wasm_v128_load(rq + RQ_LEFT * cp + c));
  v128_t m = wasm_v128_load(rq + RQ_MULT * cp + c);
  v128_t nudge = wasm_i64x2_splat((int64_t)1 << 30);
  v128_t p0 = wasm_i64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge), 31);
  v128_t p1 = wasm_i64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge), 31);
  v128_t h = wasm_i32x4_shuffle(p0, p1, 0, 2, 4, 6);
  v128_t neg = wasm_i32x4_shr(h, 31);
  v128_t adj = wasm_i32x4_sub(wasm_v128_load(rq + RQ_HALF * cp + c),
                              wasm_v128_and(wasm_v128_load(rq + RQ_CORR * cp + c), neg));
  v128_t t0 = wasm_f64x2_add(wasm_f64x2_convert_low_i32x4(h), wasm_f64x2_convert_low_i32x4(adj));
  v128_t t1 = wasm_f64x2_add(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(h, h, 2, 3, 0, 1)),
                             wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(adj, adj, 2, 3, 0, 1)));
  t0 = wasm_f64x2_floor(wasm_f64x2_mul(t0, wasm_v128_load(inv + c)));
  t1 = wasm_f64x2_floor(wasm_f64x2_mul(t1, wasm_v128_load(inv + c + 2)));
  v128_t r = wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(t0), wasm_i32x4_trunc_sat_f64x2_zero(t1),
                                0, 1, 4, 5);
  r = wasm_i32x4_add(r, off);
  return wasm_i32x4_min(wasm_i32x4_max(r, lo), hi);
}

/* Requantize n channels of acc into out. Writes whole groups of 4 bytes: up to 3 bytes past n,
 * which land in the next pixel's row (written after this one) or in the output's 16-byte slack. */
static void requantize_row(const Params *p, const int32_t *acc, int32_t n, int8_t *out) {
  const int32_t *rq = (const int32_t *)p->rq;
  const int32_t cp = p->chPad;
  const double *inv = (const double *)(rq + RQ_I32_ARRAYS * cp);
  const v128_t off = wasm_i32x4_splat(p->outputOffset);
  const v128_t lo = wasm_i32x4_splat(p->actMin), hi = wasm_i32x4_splat(p->actMax);
  for (int32_t c = 0; c < n; c += 4) {
    v128_t r = requant4(rq, cp, inv, c, wasm_v128_load(acc + c), off, lo, hi);
    v128_t b = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r, r), r);
    wasm_v128_store32_lane(out + c, b, 0);
  }
}

/* Input + offset widened to int16; 8 trailing zeros so SIMD loads past the end read zeros. */
static void widen_input(const Params *p, int32_t count) {
  const int8_t *in = (const int8_t *)p->input;
  int16_t *x = (int16_t *)p->x16;
  const int16_t off = (int16_t)p->inputOffset;
  int32_t i = 0;
  v128_t vo = wasm_i16x8_splat(off);
  for (; i + 8 <= count; i += 8) {
    v128_t b = wasm_v128_load64_zero(in + i);
    wasm_v128_store(x + i, wasm_i16x8_add(wasm_i16x8_extend_low_i8x16(b), vo));
  }
  for (; i < count; i++) x[i] = (int16_t)(in[i] + off);
  for (int32_t j = 0; j < 8; j++) x[count + j] = 0;
}

/* [sum(a), sum(b), sum(c), sum(d)] of four i32x4 accumulators. */
static inline v128_t reduce4(v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

/* accA[oc] (and accB[oc] when `two`) = dot(filter row oc, a / b) for oc < outC rounded up to 4;
 * filter rows are kPad int16 (zero padded) and there are chPad of them (rows past outC are zero).
 * Four channels x two pixels per pass: each load feeds several multiplies. Always inlined and
 * called with a constant `two`, so the one-pixel case (a fully connected layer with one batch row,
 * the last of an odd pixel count) compiles without the second pixel's work. */
static inline __attribute__((always_inline)) void dot_rows(const int16_t *w, int32_t kPad, int32_t outC,
                                                           const int16_t *a, const int16_t *b, int32_t *accA,
                                                           int32_t *accB, const int32_t two) {
  for (int32_t oc = 0; oc < outC; oc += 4) {
    const int16_t *w0 = w + oc * kPad, *w1 = w0 + kPad, *w2 = w1 + kPad, *w3 = w2 + kPad;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (int32_t k = 0; k < kPad; k += 8) {
      v128_t va = wasm_v128_load(a + k), vb = two ? wasm_v128_load(b + k) : va;
      v128_t f = wasm_v128_load(w0 + k);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(va, f));
      if (two) b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w1 + k);
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(va, f));
      if (two) b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w2 + k);
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(va, f));
      if (two) b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w3 + k);
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(va, f));
      if (two) b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(vb, f));
    }
    wasm_v128_store(accA + oc, reduce4(a0, a1, a2, a3));
    if (two) wasm_v128_store(accB + oc, reduce4(b0, b1, b2, b3));
  }
}

/* Receptive field of output pixel (oy, ox) as int16 (padding taps 0: the reference skips them,
 * and 0 * w adds nothing), k values then zeros up to kPad (the tail is zeroed once by the caller). */
static void gather(const Params *p, const int16_t *x, int32_t oy, int32_t ox, int16_t *patch) {
  const int32_t inC = p->inC;
  const int32_t iy0 = oy * p->strideH - p->padTop, ix0 = ox * p->strideW - p->padLeft;
  int32_t pi = 0;
  for (int32_t fy = 0; fy < p->filterH; fy++) {
    const int32_t iy = iy0 + fy * p->dilationH;
    for (int32_t fx = 0; fx < p->filterW; fx++) {
      const int32_t ix = ix0 + fx * p->dilationW;
      if (iy < 0 || iy >= p->inH || ix < 0 || ix >= p->inW) {
        for (int32_t c = 0; c < inC; c++) patch[pi + c] = 0;
      } else {
        const int16_t *src = x + (iy * p->inW + ix) * inC;
        for (int32_t c = 0; c < inC; c++) patch[pi + c] = src[c];
      }
      pi += inC;
    }
  }
}

/* CONV_2D (and FULLY_CONNECTED as a 1x1 conv over `inW` pixels). Filter: [outC][kPad] int16. */
void conv_int8(const Params *p) {
  const int32_t inCount = p->batches * p->inH * p->inW * p->inC;
  widen_input(p, inCount);
  const int16_t *x = (const int16_t *)p->x16;
  const int16_t *w = (const int16_t *)p->filter;
  const int32_t k = p->filterH * p->filterW * p->inC, kPad = p->kPad, outC = p->outC;
  int16_t *patchA = (int16_t *)p->patch, *patchB = patchA + kPad;
  int32_t *accA = (int32_t *)p->acc, *accB = accA + p->chPad;
  int8_t *out = (int8_t *)p->output;
  for (int32_t i = k; i < kPad; i++) patchA[i] = patchB[i] = 0;
  /* 1x1, stride 1, no padding, depth a multiple of 8: the input rows are the patches. */
  const int32_t direct = p->filterH == 1 && p->filterW == 1 && p->strideH == 1 &&
                         p->strideW == 1 && p->padTop == 0 && p->padLeft == 0 && k == kPad;
  const int32_t npix = p->outH * p->outW;
  for (int32_t b = 0; b < p->batches; b++) {
    const int16_t *xb = x + b * p->inH * p->inW * p->inC;
    int8_t *ob = out + b * npix * outC;
    for (int32_t pix = 0; pix < npix; pix += 2) {
      const int32_t two = pix + 1 < npix;
      const int16_t *pa, *pb;
      if (direct) {
        pa = xb + pix * k;
        pb = two ? pa + k : pa;
      } else {
        gather(p, xb, pix / p->outW, pix % p->outW, patchA);
        if (two) gather(p, xb, (pix + 1) / p->outW, (pix + 1) % p->outW, patchB);
        pa = patchA;
        pb = two ? patchB : patchA;
      }
      if (two) dot_rows(w, kPad, outC, pa, pb, accA, accB, 1);
      else dot_rows(w, kPad, outC, pa, pa, accA, accA, 0);
      requantize_row(p, accA, outC, ob + pix * outC);
      if (two) requantize_row(p, accB, outC, ob + (pix + 1) * outC);
    }
  }
}

/* Depthwise input + offset widened to int16 with each input channel repeated depthMultiplier
 * times (output channel c reads input channel c / m), so the kernel sees one input channel per
 * output channel; 16 trailing zeros. */
static void widen_expand(const Params *p, int32_t pixels, int32_t inC, int32_t m) {
  const int8_t *in = (const int8_t *)p->input;
  int16_t *x = (int16_t *)p->x16;
  const int16_t off = (int16_t)p->inputOffset;
  for (int32_t i = 0; i < pixels * inC; i++) {
    const int16_t v = (int16_t)(in[i] + off);
    for (int32_t j = 0; j < m; j++) *x++ = v;
  }
  for (int32_t j = 0; j < 16; j++) x[j] = 0;
}

/* DEPTHWISE_CONV_2D (inC = outC / depthMultiplier).
 * Filter: [taps][kPad] int16, channels zero padded to kPad (a multiple of 8). Eight channels per
 * SIMD pass, int16 x int16 -> int32 widening multiplies. */
void depthwise_int8(const Params *p) {
  const int32_t C = p->outC, CP = p->kPad, m = p->depthMultiplier;
  const int32_t pixels = p->batches * p->inH * p->inW;
  if (m == 1) widen_input(p, pixels * C);
  else widen_expand(p, pixels, C / m, m);
  const int16_t *x = (const int16_t *)p->x16;
  const int16_t *w = (const int16_t *)p->filter;
  int32_t *acc = (int32_t *)p->acc;
  int8_t *out = (int8_t *)p->output;
  for (int32_t b = 0; b < p->batches; b++) {
    const int16_t *xb = x + b * p->inH * p->inW * C;
    for (int32_t oy = 0; oy < p->outH; oy++) {
      const int32_t iy0 = oy * p->strideH - p->padTop;
      for (int32_t ox = 0; ox < p->outW; ox++) {
        const int32_t ix0 = ox * p->strideW - p->padLeft;
        for (int32_t c = 0; c < CP; c += 8) {
          v128_t lo = wasm_i32x4_splat(0), hi = lo;
          for (int32_t fy = 0; fy < p->filterH; fy++) {
            const int32_t iy = iy0 + fy * p->dilationH;
            if (iy < 0 || iy >= p->inH) continue;
            for (int32_t fx = 0; fx < p->filterW; fx++) {
              const int32_t ix = ix0 + fx * p->dilationW;
              if (ix < 0 || ix >= p->inW) continue;
              v128_t xv = wasm_v128_load(xb + (iy * p->inW + ix) * C + c);
              v128_t wv = wasm_v128_load(w + (fy * p->filterW + fx) * CP + c);
              lo = wasm_i32x4_add(lo, wasm_i32x4_extmul_low_i16x8(xv, wv));
              hi = wasm_i32x4_add(hi, wasm_i32x4_extmul_high_i16x8(xv, wv));
            }
          }
          wasm_v128_store(acc + c, lo);
          wasm_v128_store(acc + c + 4, hi);
        }
        requantize_row(p, acc, C, out + ((b * p->outH + oy) * p->outW + ox) * C);
      }
    }
  }
}

/* ---- int8 binary ops (ADD / SUB / MUL) through their 64 KiB result table ------------------
 * The TS side builds table[(a + 128) * 256 + (b + 128)] with the exact reference kernel at
 * prepare; here it is only looked up, elementwise (no broadcasting). */
typedef struct {
  int32_t table, a, b, output, count;
} TableParams;

void table2_int8(const TableParams *p) {
  const uint8_t *a = (const uint8_t *)p->a, *b = (const uint8_t *)p->b;
  const int8_t *t = (const int8_t *)p->table;
  int8_t *out = (int8_t *)p->output;
  for (int32_t i = 0; i < p->count; i++) out[i] = t[((uint32_t)(a[i] ^ 0x80) << 8) | (uint32_t)(b[i] ^ 0x80)];
}

