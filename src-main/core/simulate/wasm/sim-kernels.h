/*
 * QuantScope host simulator: int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED hot loops in
 * C99 for wasm32 + SIMD128. Same arithmetic as TFLite Micro's reference integer kernels:
 * acc = sum(filter * (input + input_offset)) + bias in int32, then
 * MultiplyByQuantizedMultiplier (double rounding, TFLITE_SINGLE_ROUNDING off), + output_offset,
 * clamp. sim-int8.c and sim-float.c hold the kernels. Built by scripts/build-sim-wasm.sh; memory layout is owned by the TS side (wasm/arena.ts).
 *
 * Why int16: (input + offset) is in [-255, 255] and filters in [-127, 127] (TFLM rejects -128
 * nowhere, so allow it: |product| <= 255 * 128 = 32640), so i32x4.dot_i16x8_s sums two products
 * per lane without overflow, and the int32 lane sums wrap exactly like the reference's int32
 * accumulator would (it never overflows for valid models).
 */
#ifndef QS_SIM_KERNELS_H
#define QS_SIM_KERNELS_H
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

#endif
