/*
 * QuantScope host simulator: int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED hot loops in
 * C99 for wasm32 + SIMD128. Same arithmetic as TFLite Micro's reference integer kernels:
 * acc = sum(filter * (input + input_offset)) + bias in int32, then
 * MultiplyByQuantizedMultiplier (double rounding, TFLITE_SINGLE_ROUNDING off), + output_offset,
 * clamp. Built by scripts/build-sim-wasm.sh; memory layout is owned by the TS side (wasm/arena.ts).
 *
 * Why int16: (input + offset) is in [-255, 255] and filters in [-127, 127] (TFLM rejects -128
 * nowhere, so allow it: |product| <= 255 * 128 = 32640), so i32x4.dot_i16x8_s sums two products
 * per lane without overflow, and the int32 lane sums wrap exactly like the reference's int32
 * accumulator would (it never overflows for valid models).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef struct {
  int32_t inH, inW, inC, outH, outW, outC;
  int32_t filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
  int32_t inputOffset, outputOffset, actMin, actMax, batches;
  /* k rounded up to a multiple of 8 (conv) or channels rounded up to 8 (depthwise) */
  int32_t kPad;
  /* byte offsets into linear memory */
  int32_t filter, rq, chPad, depthMultiplier, input, output, x16, patch, acc;
} Params;

/* Per-channel requantization block at p->rq, each array chPad long (chPad a multiple of 8,
 * padding channels are never stored): int32 bias, multiplier, 2^left (as a wrapping int32
 * factor), half = 2^(right-1) (0 if right = 0), corr = 1 if right > 0 else 0; then double
 * inv = 2^-right. */
enum { RQ_BIAS, RQ_MULT, RQ_LEFT, RQ_HALF, RQ_CORR, RQ_I32_ARRAYS };

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

/* accA[oc] / accB[oc] = dot(filter row oc, a / b) for oc < outC rounded up to 4; filter rows
 * are kPad int16 (zero padded) and there are chPad of them (rows past outC are zero). Four
 * channels x two pixels per pass: each load feeds several multiplies. */
static void dot_rows2(const int16_t *w, int32_t kPad, int32_t outC, const int16_t *a,
                      const int16_t *b, int32_t *accA, int32_t *accB) {
  for (int32_t oc = 0; oc < outC; oc += 4) {
    const int16_t *w0 = w + oc * kPad, *w1 = w0 + kPad, *w2 = w1 + kPad, *w3 = w2 + kPad;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (int32_t k = 0; k < kPad; k += 8) {
      v128_t va = wasm_v128_load(a + k), vb = wasm_v128_load(b + k);
      v128_t f = wasm_v128_load(w0 + k);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(va, f));
      b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w1 + k);
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(va, f));
      b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w2 + k);
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(va, f));
      b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(vb, f));
      f = wasm_v128_load(w3 + k);
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(va, f));
      b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(vb, f));
    }
    wasm_v128_store(accA + oc, reduce4(a0, a1, a2, a3));
    wasm_v128_store(accB + oc, reduce4(b0, b1, b2, b3));
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
      dot_rows2(w, kPad, outC, pa, pb, accA, accB);
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

/* ---- float32 CONV_2D / FULLY_CONNECTED ----------------------------------------------------
 * Same semantics as the TS float kernels: products of two float32 values are exact in double,
 * summed in double, + bias, rounded to float32 once, clamped. Only the summation order differs
 * (two lanes), which moves the double sum by a few ulp of double, far below float32 rounding. */
typedef struct {
  int32_t inH, inW, inC, outH, outW, outC;
  int32_t filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
  int32_t unused0, unused1;
  float actMin, actMax;
  int32_t batches, kPad;
  /* filter: double [chPad][kPad]; bias: double [chPad] (zeros when absent) */
  int32_t filter, bias, chPad, filterT, input, output, x64, patch, acc;
} FParams;

/* Shallow layers (k = fh * fw * inC <= 32, e.g. the first conv on a 1-channel image): few MACs
 * per output, so vectorize over output channels instead: filterT is double [k][chPad8] (chPad8 =
 * outC rounded up to 8, zero columns), eight channels per pass, products added in tap order
 * from 0 and the bias last — the TS kernel's exact order, so the double sums are identical. */
static void conv_f32_shallow(const FParams *p, const double *patch, float *out) {
  const int32_t k = p->filterH * p->filterW * p->inC, outC = p->outC, cp8 = (outC + 7) & ~7;
  const double *wT = (const double *)p->filterT;
  const double *bias = (const double *)p->bias;
  const v128_t lo = wasm_f32x4_splat(p->actMin), hi = wasm_f32x4_splat(p->actMax);
  for (int32_t c = 0; c < outC; c += 8) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    for (int32_t t = 0; t < k; t++) {
      const v128_t xv = wasm_f64x2_splat(patch[t]);
      const double *w = wT + t * cp8 + c;
      a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(xv, wasm_v128_load(w)));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(xv, wasm_v128_load(w + 2)));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_mul(xv, wasm_v128_load(w + 4)));
      a3 = wasm_f64x2_add(a3, wasm_f64x2_mul(xv, wasm_v128_load(w + 6)));
    }
    a0 = wasm_f64x2_add(a0, wasm_v128_load(bias + c));
    a1 = wasm_f64x2_add(a1, wasm_v128_load(bias + c + 2));
    a2 = wasm_f64x2_add(a2, wasm_v128_load(bias + c + 4));
    a3 = wasm_f64x2_add(a3, wasm_v128_load(bias + c + 6));
    v128_t r0 = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a0), wasm_f32x4_demote_f64x2_zero(a1), 0, 1, 4, 5);
    v128_t r1 = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a2), wasm_f32x4_demote_f64x2_zero(a3), 0, 1, 4, 5);
    r0 = wasm_v128_bitselect(lo, r0, wasm_f32x4_lt(r0, lo));
    r0 = wasm_v128_bitselect(hi, r0, wasm_f32x4_gt(r0, hi));
    r1 = wasm_v128_bitselect(lo, r1, wasm_f32x4_lt(r1, lo));
    r1 = wasm_v128_bitselect(hi, r1, wasm_f32x4_gt(r1, hi));
    if (c + 8 <= outC) {
      wasm_v128_store(out + c, r0);
      wasm_v128_store(out + c + 4, r1);
    } else {
      float tmp[8];
      wasm_v128_store(tmp, r0);
      wasm_v128_store(tmp + 4, r1);
      for (int32_t i = 0; c + i < outC; i++) out[c + i] = tmp[i];
    }
  }
}

static void gather_f64(const FParams *p, const double *x, int32_t oy, int32_t ox, double *patch) {
  const int32_t inC = p->inC;
  const int32_t iy0 = oy * p->strideH - p->padTop, ix0 = ox * p->strideW - p->padLeft;
  int32_t pi = 0;
  for (int32_t fy = 0; fy < p->filterH; fy++) {
    const int32_t iy = iy0 + fy * p->dilationH;
    for (int32_t fx = 0; fx < p->filterW; fx++) {
      const int32_t ix = ix0 + fx * p->dilationW;
      if (iy < 0 || iy >= p->inH || ix < 0 || ix >= p->inW) {
        for (int32_t c = 0; c < inC; c++) patch[pi + c] = 0.0;
      } else {
        const double *src = x + (iy * p->inW + ix) * inC;
        for (int32_t c = 0; c < inC; c++) patch[pi + c] = src[c];
      }
      pi += inC;
    }
  }
}

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Channels oc..oc+3 of two pixels: out rows get (float)(dot + bias), clamped; n = valid channels. */
static void dot4x2_f64(const FParams *p, const double *w, const double *a, const double *b,
                       int32_t oc, int32_t n, float *outA, float *outB) {
  const int32_t kPad = p->kPad;
  const double *w0 = w + oc * kPad, *w1 = w0 + kPad, *w2 = w1 + kPad, *w3 = w2 + kPad;
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (int32_t k = 0; k < kPad; k += 2) {
    v128_t va = wasm_v128_load(a + k), vb = wasm_v128_load(b + k);
    v128_t f = wasm_v128_load(w0 + k);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(va, f));
    b0 = wasm_f64x2_add(b0, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w1 + k);
    a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(va, f));
    b1 = wasm_f64x2_add(b1, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w2 + k);
    a2 = wasm_f64x2_add(a2, wasm_f64x2_mul(va, f));
    b2 = wasm_f64x2_add(b2, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w3 + k);
    a3 = wasm_f64x2_add(a3, wasm_f64x2_mul(va, f));
    b3 = wasm_f64x2_add(b3, wasm_f64x2_mul(vb, f));
  }
  const double *bias = (const double *)p->bias + oc;
  double ra[4], rb[4];
  v128_t accs[8] = {a0, a1, a2, a3, b0, b1, b2, b3};
  for (int32_t i = 0; i < 4; i++) {
    ra[i] = wasm_f64x2_extract_lane(accs[i], 0) + wasm_f64x2_extract_lane(accs[i], 1) + bias[i];
    rb[i] = wasm_f64x2_extract_lane(accs[4 + i], 0) + wasm_f64x2_extract_lane(accs[4 + i], 1) + bias[i];
  }
  for (int32_t i = 0; i < n; i++) {
    outA[oc + i] = clampf((float)ra[i], p->actMin, p->actMax);
    if (outB) outB[oc + i] = clampf((float)rb[i], p->actMin, p->actMax);
  }
}

void conv_f32(const FParams *p) {
  const int32_t inCount = p->batches * p->inH * p->inW * p->inC;
  const float *in = (const float *)p->input;
  double *x = (double *)p->x64;
  for (int32_t i = 0; i < inCount; i++) x[i] = (double)in[i];
  for (int32_t i = 0; i < 2; i++) x[inCount + i] = 0.0;
  const double *w = (const double *)p->filter;
  const int32_t k = p->filterH * p->filterW * p->inC, kPad = p->kPad, outC = p->outC;
  double *patchA = (double *)p->patch, *patchB = patchA + kPad;
  for (int32_t i = k; i < kPad; i++) patchA[i] = patchB[i] = 0.0;
  const int32_t direct = p->filterH == 1 && p->filterW == 1 && p->strideH == 1 &&
                         p->strideW == 1 && p->padTop == 0 && p->padLeft == 0 && k == kPad;
  const int32_t npix = p->outH * p->outW;
  float *out = (float *)p->output;
  for (int32_t b = 0; b < p->batches; b++) {
    const double *xb = x + b * p->inH * p->inW * p->inC;
    float *ob = out + b * npix * outC;
    for (int32_t pix = 0; pix < npix; pix += 2) {
      const int32_t two = pix + 1 < npix;
      const double *pa, *pb;
      if (p->filterT) {
        gather_f64(p, xb, pix / p->outW, pix % p->outW, patchA);
        conv_f32_shallow(p, patchA, ob + pix * outC);
        if (two) {
          gather_f64(p, xb, (pix + 1) / p->outW, (pix + 1) % p->outW, patchA);
          conv_f32_shallow(p, patchA, ob + (pix + 1) * outC);
        }
        continue;
      }
      if (direct) {
        pa = xb + pix * k;
        pb = two ? pa + k : pa;
      } else {
        gather_f64(p, xb, pix / p->outW, pix % p->outW, patchA);
        if (two) gather_f64(p, xb, (pix + 1) / p->outW, (pix + 1) % p->outW, patchB);
        pa = patchA;
        pb = two ? patchB : patchA;
      }
      for (int32_t oc = 0; oc < outC; oc += 4) {
        const int32_t n = outC - oc < 4 ? outC - oc : 4;
        dot4x2_f64(p, w, pa, pb, oc, n, ob + pix * outC, two ? ob + (pix + 1) * outC : 0);
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

/* ---- float32 MAX_POOL_2D / AVERAGE_POOL_2D -------------------------------------------------
 * Same arithmetic as the TS float pools, four channels per SIMD pass: max with pmax (a NaN
 * input never replaces the running max, like `if (v > acc)`); average sums the clipped window
 * in double in the same (fy, fx) order, rounds the sum to float32, divides by the count in
 * double and rounds again; then the activation clamp. Channels are padded to 4 in scratch. */
typedef struct {
  int32_t inH, inW, C, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft, batches;
  int32_t isMax;
  float actMin, actMax;
  int32_t input, output, x, y;
} PoolParams;

void pool_f32(const PoolParams *p) {
  const int32_t C = p->C, CP = (C + 3) & ~3;
  const float *in = (const float *)p->input;
  float *x = (float *)p->x, *y = (float *)p->y, *out = (float *)p->output;
  const int32_t pixels = p->batches * p->inH * p->inW;
  for (int32_t i = 0; i < pixels; i++)
    for (int32_t c = 0; c < CP; c++) x[i * CP + c] = c < C ? in[i * C + c] : 0.0f;
  const v128_t lo = wasm_f32x4_splat(p->actMin), hi = wasm_f32x4_splat(p->actMax);
  float *yo = y;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *xb = x + b * p->inH * p->inW * CP;
    for (int32_t oy = 0; oy < p->outH; oy++) {
      const int32_t iy0 = oy * p->strideH - p->padTop;
      const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
      const int32_t fy1 = p->filterH < p->inH - iy0 ? p->filterH : p->inH - iy0;
      for (int32_t ox = 0; ox < p->outW; ox++, yo += CP) {
        const int32_t ix0 = ox * p->strideW - p->padLeft;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fx1 = p->filterW < p->inW - ix0 ? p->filterW : p->inW - ix0;
        const double count = (double)((fy1 - fy0) * (fx1 - fx0));
        for (int32_t c = 0; c < CP; c += 4) {
          v128_t r;
          if (p->isMax) {
            r = wasm_f32x4_splat(-__builtin_inff());
            for (int32_t fy = fy0; fy < fy1; fy++)
              for (int32_t fx = fx0; fx < fx1; fx++)
                r = wasm_f32x4_pmax(r, wasm_v128_load(xb + ((iy0 + fy) * p->inW + ix0 + fx) * CP + c));
          } else {
            v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0;
            for (int32_t fy = fy0; fy < fy1; fy++)
              for (int32_t fx = fx0; fx < fx1; fx++) {
                v128_t v = wasm_v128_load(xb + ((iy0 + fy) * p->inW + ix0 + fx) * CP + c);
                s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(v));
                s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
              }
            const v128_t n = wasm_f64x2_splat(count);
            /* round the sums to float32, divide in double, round again */
            s0 = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(s0)), n);
            s1 = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(s1)), n);
            r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s0), wasm_f32x4_demote_f64x2_zero(s1), 0, 1, 4, 5);
          }
          /* clamp like `v < min ? min : v > max ? max : v` (NaN passes through) */
          r = wasm_v128_bitselect(lo, r, wasm_f32x4_lt(r, lo));
          r = wasm_v128_bitselect(hi, r, wasm_f32x4_gt(r, hi));
          wasm_v128_store(yo + c, r);
        }
      }
    }
  }
  const int32_t outPixels = p->batches * p->outH * p->outW;
  for (int32_t i = 0; i < outPixels; i++)
    for (int32_t c = 0; c < C; c++) out[i * C + c] = y[i * CP + c];
}
