/* float32 CONV_2D (and FULLY_CONNECTED), MAX_POOL_2D, AVERAGE_POOL_2D. */
#include "sim-kernels.h"

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

/* Channels oc..oc+3 of one or (`two`) two pixels: out rows get (float)(dot + bias), clamped;
 * n = valid channels. Always inlined and called with a constant `two`, so one pixel costs one. */
static inline __attribute__((always_inline)) void dot4_f64(const FParams *p, const double *w, const double *a,
                                                           const double *b, int32_t oc, int32_t n, float *outA,
                                                           float *outB, const int32_t two) {
  const int32_t kPad = p->kPad;
  const double *w0 = w + oc * kPad, *w1 = w0 + kPad, *w2 = w1 + kPad, *w3 = w2 + kPad;
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (int32_t k = 0; k < kPad; k += 2) {
    v128_t va = wasm_v128_load(a + k), vb = two ? wasm_v128_load(b + k) : va;
    v128_t f = wasm_v128_load(w0 + k);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(va, f));
    if (two) b0 = wasm_f64x2_add(b0, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w1 + k);
    a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(va, f));
    if (two) b1 = wasm_f64x2_add(b1, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w2 + k);
    a2 = wasm_f64x2_add(a2, wasm_f64x2_mul(va, f));
    if (two) b2 = wasm_f64x2_add(b2, wasm_f64x2_mul(vb, f));
    f = wasm_v128_load(w3 + k);
    a3 = wasm_f64x2_add(a3, wasm_f64x2_mul(va, f));
    if (two) b3 = wasm_f64x2_add(b3, wasm_f64x2_mul(vb, f));
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
    if (two) outB[oc + i] = clampf((float)rb[i], p->actMin, p->actMax);
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
        if (two) dot4_f64(p, w, pa, pb, oc, n, ob + pix * outC, ob + (pix + 1) * outC, 1);
        else dot4_f64(p, w, pa, pa, oc, n, ob + pix * outC, 0, 0);
      }
    }
  }
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
