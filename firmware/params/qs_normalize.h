/*
 * Sample-wise input normalization from the model's parameters (docs/normalization.md), bit-identical
 * to src-main/core/normalize/ on the host. Portable C99, no malloc; needs sqrt (-lm).
 *
 * Definition (for n raw samples x[0..n) of one input tensor):
 *   x_i  = the sample as float32 (exact for int8/uint8/int16/uint16; float32 NaN/Inf rejected)
 *   y_i  = float32(x_i * rescale) when samplewise_norm.rescale != 0, else x_i (inf -> rejected)
 *   with samplewise_norm.mean_and_std:
 *     mean = (sum of y_i in double, index order) / n
 *     var  = (sum of (y_i - mean)^2 in double, index order) / n        (population variance)
 *     z_i  = float32((y_i - mean) / (sqrt(var) + 1e-6))                 (all in double)
 *   otherwise z_i = y_i.
 *   float32 input tensor: z_i.  int8 input tensor: clamp(round_half_away(float32(z_i / scale)) + zp).
 * The 1e-6 is the training-side guard (Keras/MLTK divide by std + 1e-6): the board then feeds the
 * model exactly what it was trained on, and a constant sample gives 0 instead of 0/0 = NaN.
 * Build with -ffp-contract=off (no fused multiply-add) so every operation rounds as written.
 */
#ifndef QS_NORMALIZE_H
#define QS_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "qs_params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Raw sample types: the TFLite TensorType codes. Samples are little-endian, any alignment. */
typedef enum {
  QS_RAW_FLOAT32 = 0,
  QS_RAW_UINT8 = 3,
  QS_RAW_INT16 = 7,
  QS_RAW_INT8 = 9,
  QS_RAW_UINT16 = 12
} qs_raw_dtype_t;

typedef enum {
  QS_NORM_OK = 0,
  QS_NORM_ERR_ARG = 1,       /* NULL pointer, n == 0, unknown raw dtype */
  QS_NORM_ERR_NO_PARAMS = 2, /* neither samplewise_norm.rescale nor .mean_and_std is set */
  QS_NORM_ERR_PARAMS = 3,    /* a samplewise_norm parameter has a bad type or value */
  QS_NORM_ERR_TARGET = 4,    /* input tensor not float32/int8, or int8 without a positive scale */
  QS_NORM_ERR_VALUE = 5      /* a raw float32 sample is NaN/Inf, or rescaling overflows float32 */
} qs_norm_status_t;

typedef struct {
  float rescale;    /* samplewise_norm.rescale (0 = off) */
  int mean_and_std; /* samplewise_norm.mean_and_std */
} qs_norm_t;

/* The model's input tensor: dtype QS_RAW_FLOAT32 (0) or QS_RAW_INT8 (9), with its quantization. */
typedef struct {
  int dtype;
  float scale;
  int32_t zero_point;
} qs_norm_target_t;

/* Reads samplewise_norm.rescale (any numeric type) and samplewise_norm.mean_and_std (bool, or an
 * integer 0/1). QS_NORM_ERR_NO_PARAMS when both are absent/off. */
qs_norm_status_t qs_norm_from_params(const qs_params_t *p, qs_norm_t *out);

/* Bytes per raw sample (0 for an unknown dtype). */
size_t qs_raw_size(int dtype);

/* raw: n samples of `dtype`; out: n float32 or int8 values. raw and out must not overlap.
 * On error `out` may be partly written. index (optional) names the offending sample. */
qs_norm_status_t qs_normalize(const qs_norm_t *norm, const uint8_t *raw, int dtype, size_t n,
                              const qs_norm_target_t *target, void *out, size_t *index);

const char *qs_norm_status_str(qs_norm_status_t s);

#ifdef __cplusplus
}
#endif
#endif
