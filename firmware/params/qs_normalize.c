/* Sample-wise normalization (qs_normalize.h); the numerics mirror src-main/core/normalize/. */
#include "qs_normalize.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "qmath.h"

/* Training-side guard of MLTK/Keras samplewise_std_normalization: x / (std + 1e-6). */
#define QS_NORM_STD_EPS 1e-6

static int finite_f(float f) { return f <= FLT_MAX && f >= -FLT_MAX; }

size_t qs_raw_size(int dtype) {
  switch (dtype) {
    case QS_RAW_FLOAT32: return 4;
    case QS_RAW_UINT8:
    case QS_RAW_INT8: return 1;
    case QS_RAW_INT16:
    case QS_RAW_UINT16: return 2;
  }
  return 0;
}

/* Sample i as float32: exact for every integer dtype here (|x| < 2^24). */
static float sample(const uint8_t *raw, int dtype, size_t i) {
  const uint8_t *b;
  uint32_t u;
  float f;
  switch (dtype) {
    case QS_RAW_UINT8: return (float)raw[i];
    case QS_RAW_INT8: return (float)(int8_t)raw[i];
    case QS_RAW_UINT16: b = raw + 2 * i; return (float)(uint16_t)(b[0] | (b[1] << 8));
    case QS_RAW_INT16: b = raw + 2 * i; return (float)(int16_t)(uint16_t)(b[0] | (b[1] << 8));
    default:
      b = raw + 4 * i;
      u = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
      memcpy(&f, &u, 4);
      return f;
  }
}

/* y_i: an IEEE float32 multiply is correctly rounded, i.e. exactly fround(x * r) of the host
 * definition (the exact product rounded once); cheaper than going through double on soft-float. */
static float rescaled(const qs_norm_t *nm, const uint8_t *raw, int dtype, size_t i) {
  float x = sample(raw, dtype, i);
  return nm->rescale != 0.0f ? x * nm->rescale : x;
}

static void store(const qs_norm_target_t *t, void *out, size_t i, float z) {
  if (t->dtype == QS_RAW_FLOAT32) {
    memcpy((uint8_t *)out + 4 * i, &z, 4);
  } else {
    /* TFLite AffineQuantize: round half away from zero of the float32 quotient, then add the zero
     * point and clamp. The quotient is bounded to +-512 first so the float->int conversion is
     * always in range (|zero_point| <= 128, so the clamp result is the same). */
    float q = qs_roundf(z / t->scale);
    int32_t v;
    if (q > 512.0f) q = 512.0f;
    if (!(q >= -512.0f)) q = -512.0f;
    v = (int32_t)q + t->zero_point;
    ((int8_t *)out)[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

qs_norm_status_t qs_normalize(const qs_norm_t *nm, const uint8_t *raw, int dtype, size_t n,
                              const qs_norm_target_t *t, void *out, size_t *index) {
  size_t i;
  double mean = 0.0, var = 0.0, den;
  if (!nm || !raw || !t || !out || n == 0 || qs_raw_size(dtype) == 0) return QS_NORM_ERR_ARG;
  if (!nm->mean_and_std && nm->rescale == 0.0f) return QS_NORM_ERR_NO_PARAMS;
  if (!finite_f(nm->rescale)) return QS_NORM_ERR_PARAMS;
  if (t->dtype != QS_RAW_FLOAT32 &&
      (t->dtype != QS_RAW_INT8 || !(t->scale > 0.0f) || !finite_f(t->scale) ||
       t->zero_point < -128 || t->zero_point > 127))
    return QS_NORM_ERR_TARGET;
  for (i = 0; i < n; i++) {
    float y = rescaled(nm, raw, dtype, i);
    if (!finite_f(y)) {
      if (index) *index = i;
      return QS_NORM_ERR_VALUE;
    }
    if (nm->mean_and_std) mean += (double)y;
    else store(t, out, i, y); /* rescale only: one pass */
  }
  if (!nm->mean_and_std) return QS_NORM_OK;
  mean /= (double)n;
  for (i = 0; i < n; i++) {
    double d = (double)rescaled(nm, raw, dtype, i) - mean;
    var += d * d;
  }
  den = sqrt(var / (double)n) + QS_NORM_STD_EPS;
  for (i = 0; i < n; i++) {
    float y = rescaled(nm, raw, dtype, i);
    store(t, out, i, (float)(((double)y - mean) / den));
  }
  return QS_NORM_OK;
}

qs_norm_status_t qs_norm_from_params(const qs_params_t *p, qs_norm_t *out) {
  qs_param_t v;
  double r = 0.0;
  qs_params_status_t s;
  if (!p || !out) return QS_NORM_ERR_ARG;
  out->rescale = 0.0f;
  out->mean_and_std = 0;
  s = qs_params_get_double(p, "samplewise_norm.rescale", &r);
  if (s != QS_PARAMS_OK && s != QS_PARAMS_ERR_MISSING_KEY) return QS_NORM_ERR_PARAMS;
  if (r != r || r > FLT_MAX || r < -FLT_MAX) return QS_NORM_ERR_PARAMS;
  out->rescale = (float)r;
  s = qs_params_get(p, "samplewise_norm.mean_and_std", &v);
  if (s == QS_PARAMS_OK) {
    if (v.type == QS_PARAM_BOOL) out->mean_and_std = v.i != 0;
    else if (qs_params_get_int64(p, "samplewise_norm.mean_and_std", &v.i) == QS_PARAMS_OK &&
             (v.i == 0 || v.i == 1))
      out->mean_and_std = (int)v.i;
    else
      return QS_NORM_ERR_PARAMS;
  } else if (s != QS_PARAMS_ERR_MISSING_KEY)
    return QS_NORM_ERR_PARAMS;
  return out->mean_and_std || out->rescale != 0.0f ? QS_NORM_OK : QS_NORM_ERR_NO_PARAMS;
}

const char *qs_norm_status_str(qs_norm_status_t s) {
  switch (s) {
    case QS_NORM_OK: return "ok";
    case QS_NORM_ERR_ARG: return "bad argument (NULL, empty sample or unknown raw dtype)";
    case QS_NORM_ERR_NO_PARAMS: return "model has no samplewise_norm parameters";
    case QS_NORM_ERR_PARAMS: return "samplewise_norm parameter has a bad type or value";
    case QS_NORM_ERR_TARGET: return "input tensor must be float32, or int8 with a positive scale";
    case QS_NORM_ERR_VALUE: return "raw sample is NaN/Inf or overflows float32 when rescaled";
  }
  return "unknown status";
}
