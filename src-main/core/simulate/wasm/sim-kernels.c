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
  int32_t filter, bias, mult, shift, input, output, x16, patch, acc;
} Params;

/* gemmlowp SaturatingRoundingDoublingHighMul + RoundingDivideByPOT, i.e. TFLite
 * MultiplyByQuantizedMultiplier(x, m, shift). The left shift wraps in int32 like the C++ code's
 * multiply; the 64-bit division truncates toward zero as the C++ does. */
static inline int32_t mbqm(int32_t x, int32_t m, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  int32_t a = (int32_t)((uint32_t)x << left);
  int32_t high;
  if (a == INT32_MIN && m == INT32_MIN) {
    high = INT32_MAX;
  } else {
    int64_t ab = (int64_t)a * (int64_t)m;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    high = (int32_t)((ab + nudge) / ((int64_t)1 << 31));
  }
  if (right == 0) return high;
  int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
  int32_t remainder = high & mask;
  int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

static inline void requantize_row(const Params *p, const int32_t *acc, int32_t n, int8_t *out) {
  const int32_t *bias = (const int32_t *)p->bias;
  const int32_t *mult = (const int32_t *)p->mult;
  const int32_t *shift = (const int32_t *)p->shift;
  const int32_t off = p->outputOffset, lo = p->actMin, hi = p->actMax;
  for (int32_t c = 0; c < n; c++) {
    int32_t x = (int32_t)((uint32_t)acc[c] + (uint32_t)bias[c]);
    int32_t v = mbqm(x, mult[c], shift[c]) + off;
    out[c] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
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

static inline int32_t hsum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) +
         wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}

/* acc[oc] = dot(filter row oc, a) for all oc; filter rows are kPad int16 (zero padded). Two
 * pixels (a, b) at once share each filter load. */
static void dot_rows2(const int16_t *w, int32_t kPad, int32_t outC, const int16_t *a,
                      const int16_t *b, int32_t *accA, int32_t *accB) {
  int32_t oc = 0;
  for (; oc + 2 <= outC; oc += 2) {
    const int16_t *w0 = w + oc * kPad, *w1 = w0 + kPad;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0, b0 = a0, b1 = a0;
    for (int32_t k = 0; k < kPad; k += 8) {
      v128_t va = wasm_v128_load(a + k), vb = wasm_v128_load(b + k);
      v128_t f0 = wasm_v128_load(w0 + k), f1 = wasm_v128_load(w1 + k);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(va, f0));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(va, f1));
      b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(vb, f0));
      b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(vb, f1));
    }
    accA[oc] = hsum(a0); accA[oc + 1] = hsum(a1);
    accB[oc] = hsum(b0); accB[oc + 1] = hsum(b1);
  }
  for (; oc < outC; oc++) {
    const int16_t *w0 = w + oc * kPad;
    v128_t a0 = wasm_i32x4_splat(0), b0 = a0;
    for (int32_t k = 0; k < kPad; k += 8) {
      v128_t f0 = wasm_v128_load(w0 + k);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_load(a + k), f0));
      b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(wasm_v128_load(b + k), f0));
    }
    accA[oc] = hsum(a0);
    accB[oc] = hsum(b0);
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
  int32_t *accA = (int32_t *)p->acc, *accB = accA + outC;
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

/* DEPTHWISE_CONV_2D with depth multiplier 1 (the TS side expands the input for m > 1).
 * Filter: [taps][kPad] int16, channels zero padded to kPad (a multiple of 8). Eight channels per
 * SIMD pass, int16 x int16 -> int32 widening multiplies. */
void depthwise_int8(const Params *p) {
  const int32_t C = p->outC, CP = p->kPad;
  const int32_t inCount = p->batches * p->inH * p->inW * C;
  widen_input(p, inCount);
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
