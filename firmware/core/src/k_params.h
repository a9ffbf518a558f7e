/*
 * Prepared parameters of the kernels that have optimized variants, shared by the portable
 * kernels (k_conv.c, k_dwconv.c, k_fc.c, k_pool.c, k_quant.c, k_add.c, k_float_*.c) and
 * their WebAssembly SIMD variants (k_*_wasm.c), which the portable prepare hands over to
 * when QS_WASM_SIMD is set.
 */
#ifndef QS_K_PARAMS_H
#define QS_K_PARAMS_H

#include "ops.h"
#include "wasm_simd.h"
#include "arm_dsp.h"

/* One per CONV_2D op in the arena: the geometry in 16 bits (qs_prep_conv refuses larger shapes by
 * name), 72 bytes on a 32-bit core with int16 on. */
typedef struct {
  int16_t n, ih, iw, ic, oh, ow, oc, kh, kw, kc, groups, sh, sw, dh, dw, pad_h, pad_w;
#if QS_WITH_INT16
  int16_t acc32; /* int16x8 with an int32 bias: TFLM's int32 accumulator and requantization */
#endif
  int32_t in_off, out_zp, act_min, act_max;
  const int8_t *w;
  const int32_t *bias; /* NULL if absent */
  int32_t *mult;
  int8_t *shift;
#if QS_WITH_INT16
  const int64_t *bias64; /* int16x8: the bias widened to int64 (NULL if absent) */
#endif
#if QS_WASM_SIMD
  const int16_t *w16; /* filter as int16 rows of kpad (k rounded up to 8, zero tail), oc + 3 rows;
                       * or, when pairs, in the channel-pair layout of k_conv_wasm.c */
  int kpad, direct;   /* direct: 1x1, stride 1, no padding, one group, k == kpad */
  int pairs;
  qs_wrq_t rq;
#endif
} conv_params_t;

typedef struct {
  int n, ih, iw, ic, oh, ow, oc, kh, kw, dm, sh, sw, dh, dw, pad_h, pad_w;
  int32_t in_off, out_zp, act_min, act_max;
  const int8_t *w;
  const int32_t *bias;
  int32_t *mult;
  int8_t *shift;
#if QS_WITH_INT16
  const int64_t *bias64; /* int16x8: the int64 bias (NULL if absent) */
#endif
#if QS_WASM_SIMD
  const int16_t *w16; /* filter as int16 rows of cpad (channels rounded up to 8, zero tail), one per tap */
  const int32_t *taps; /* every tap's input offset from the window's corner, then its w16 row offset */
  const int16_t *w16p; /* one input channel: the filter in horizontal tap pairs (k_dwconv_wasm.c) */
  int cpad;
  qs_wrq_t rq;
#endif
} dw_params_t;

/* Packed (56 bytes on a 32-bit core with int16 on): one per FULLY_CONNECTED op in the arena. */
typedef struct {
  int batches, k, oc;
  int32_t x_off, out_zp; /* int16 tensors may have any zero point: 32 bits */
  const int8_t *w;
#if QS_WASM_SIMD
  int32_t *bias_eff; /* bias + x_off*sum(w) + k*w_off*x_off */
#else
  const int32_t *bias; /* the model's int32 bias (NULL if absent): x_off is added to x in the loop */
#endif
  int32_t *mult;
  int8_t *shift;
  int32_t mult1; /* per-tensor case: mult/shift point here (no separate allocations) */
#if QS_WITH_INT16
  const int64_t *bias64; /* int16x8: the bias widened to int64 (NULL if absent) */
#endif
  int16_t act_min, act_max; /* int8 or int16 outputs: the range fits 16 bits */
  int16_t w_off;            /* int8 weights: -zp in [-127, 128] */
  int8_t shift1;
  uint8_t per_channel;
#if QS_WITH_INT16
  uint8_t acc32; /* int16x8 with an int32 bias: TFLM's int32 accumulator and requantization */
#endif
#if QS_WASM_SIMD
  const int16_t *w16; /* weights as int16 rows of kpad (k rounded up to 8, zero tail), oc + 3 rows */
  int kpad;
  qs_wrq_t rq; /* bias = bias_eff */
#endif
} fc_params_t;

typedef struct {
  int n, ih, iw, c, oh, ow, fh, fw, sh, sw, pad_h, pad_w, is_max;
  int32_t act_min, act_max;
} pool_params_t;

typedef struct {
  int32_t in1_off, in2_off, out_zp, m1, m2, mo, act_min, act_max;
  int s1, s2, so, is_sub, is_mul, same_shape, left_shift;
  uint32_t n;
  int32_t dims[QS_MAX_DIMS], st1[QS_MAX_DIMS], st2[QS_MAX_DIMS]; /* output dims, input strides (0 = broadcast) */
  int32_t *t1, *t2; /* ADD/SUB on large tensors: each input's rescaled value per int8 code */
#if QS_WASM_SIMD
  int8_t *t64; /* large same-shape inputs: the output for every pair of int8 inputs */
#endif
} add_params_t;

typedef struct {
  uint32_t n;
  float scale;
  int32_t in_zp, out_zp, mult, shift;
  float *lut; /* dequantize: one float per int8 value */
  uint8_t in_u8, out_u8; /* uint8 input / output (QUANTIZE, DEQUANTIZE with uint8 model I/O) */
  uint8_t in_i16, out_i16; /* int16 input / output (QUANTIZE, DEQUANTIZE of 16x8 models) */
  uint8_t out_i32;         /* QUANTIZE int16 -> int32 (TFLM Requantize; keyword_scrambled's output) */
  double dscale;           /* DEQUANTIZE int16: the input scale (the reference multiplies in double) */
} quant_params_t;

#if QS_WITH_FLOAT
typedef struct {
  int n, ih, iw, ic, oh, ow, oc, kh, kw, kc, groups, dm, sh, sw, dh, dw, pad_h, pad_w, has_bias;
  float lo, hi;
  const float *x, *w, *b; /* constants (aligned); NULL: an activation, read at eval */
#if QS_WASM_SIMD
  const double *wd;   /* CONV: filter transposed, [k][ocp]; DEPTHWISE: [tap][ocp] (ocp: oc rounded up to 8) */
  const double *bd;   /* bias as double, ocp long (zeros without one) */
  const int32_t *taps; /* DEPTHWISE: every tap's input offset from the window's corner, then its wd row */
  int ocp;
#endif
} fconv_params_t;

typedef struct {
  int batches, k, oc, has_bias;
  float lo, hi;
  const float *x, *w, *b;
#if QS_WASM_SIMD
  const double *wd, *bd; /* weights transposed, [k][ocp]; bias as double (as in fconv_params_t) */
  int ocp;
#endif
} ffc_params_t;

typedef struct {
  int n, ih, iw, c, oh, ow, fh, fw, sh, sw, pad_h, pad_w, is_max;
  double lo, hi;
  const float *x; /* constant input, else NULL */
} fpool_params_t;
#endif

/* Per-channel requantization of a convolution whose input is op input `xi`, filter input 1 and
 * bias input `bi` (k_tconv.c), for the int16x8 kernels and TRANSPOSE_CONV: filter scale count and
 * zero point checked (a zero scale is allowed: multiplier 0), the bias widened to int64 (NULL if
 * absent). int8 input: the bias must be int32. int16 input: int64, or int32 if `allow_i32_bias`
 * (then *acc32 = 1: TFLM's int32 accumulator and requantization; with no bias, also when the options
 * field `bias_type_field` (quantized_bias_type; -1: none) says INT32); the int64 requantization
 * needs shifts below 15. */
QS_COLD qs_status_t qs_conv_wide_channels(qs_model_t *m, int oi, const qs_op_t *op, int xi, int bi, int oc,
                                          int allow_i32_bias, int bias_type_field, int32_t **mult, int8_t **shift,
                                          const int64_t **bias64, int *acc32);
#if QS_WITH_INT16
/* int16x8 (k_conv16.c): called by the int8 prepares once shapes, padding and the activation range
 * are set, when the input is int16: requantization, scratch and the int16 eval. */
QS_COLD qs_status_t qs_conv16_finish(qs_model_t *m, int oi, qs_op_t *op, conv_params_t *p);
QS_COLD qs_status_t qs_dwconv16_finish(qs_model_t *m, int oi, qs_op_t *op, dw_params_t *p);
QS_COLD qs_status_t qs_fc16_finish(qs_model_t *m, int oi, qs_op_t *op, fc_params_t *p);
#endif

/* CONV_2D int8 without the im2col patch (k_conv_lean.c): the eval of an op qs_plan made lean */
void qs_conv_lean_eval(qs_model_t *m, const qs_op_t *op);

#if QS_WASM_SIMD
/* Called at the end of the portable prepare: widen the weights into the arena, record the
 * scratch the SIMD eval needs and point op->eval at it (or keep the portable eval). */
qs_status_t qs_conv_wasm_prepare(qs_model_t *m, qs_op_t *op, conv_params_t *p);
qs_status_t qs_dwconv_wasm_prepare(qs_model_t *m, qs_op_t *op, dw_params_t *p);
qs_status_t qs_fc_wasm_prepare(qs_model_t *m, qs_op_t *op, fc_params_t *p);
/* These need no prepared data: they only pick the SIMD eval. */
void qs_pool_wasm_prepare(qs_op_t *op, const pool_params_t *p);
void qs_quantize_wasm_prepare(qs_op_t *op, const quant_params_t *p);
qs_status_t qs_add_wasm_prepare(qs_model_t *m, qs_op_t *op, add_params_t *p);
#if QS_WITH_FLOAT
qs_status_t qs_conv_f32_wasm_prepare(qs_model_t *m, qs_op_t *op, fconv_params_t *p, int depthwise);
qs_status_t qs_fc_f32_wasm_prepare(qs_model_t *m, qs_op_t *op, ffc_params_t *p);
void qs_pool_f32_wasm_prepare(qs_op_t *op, const fpool_params_t *p);
#endif
#endif
#if QS_ARM_DSP
/* Arm DSP variants (k_*_dsp.c), picked at the end of the portable int8 prepare: they read the
 * portable prepared data and scratch, so they only point op->eval at themselves. */
void qs_conv_dsp_prepare(qs_model_t *m, qs_op_t *op, const conv_params_t *p);
void qs_fc_dsp_prepare(qs_op_t *op);
void qs_dwconv_dsp_prepare(qs_model_t *m, qs_op_t *op, const dw_params_t *p);
#endif
#endif
