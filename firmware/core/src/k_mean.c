/*
 * MEAN int8 over any set of constant axes, as TFLite Micro's reduce: int32 sums, then
 * - same input/output quantization: C integer division (truncation toward zero);
 * - otherwise QuantizedMeanOrSum: float32 mean, times float32 (in_scale / out_scale), plus
 *   float32 (-in_zp * scale), rounded half away from zero, plus the output zero point.
 * float32 MEAN is in k_float_pool.c.
 */
#include "ops.h"

typedef struct {
  int nd, same_quant;
  int32_t dims[QS_MAX_DIMS], ostride[QS_MAX_DIMS]; /* ostride 0 on reduced axes */
  uint32_t n_in, n_out, count;
  int32_t out_zp;
  float scale, bias;
} mean_params_t;

static void mean_eval(qs_model_t *m, const qs_op_t *op) {
  const mean_params_t *p = (const mean_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t *sum = (int32_t *)(void *)m->scratch;
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o = 0;
  int d;
  for (i = 0; i < p->n_out; i++) sum[i] = 0;
  for (i = 0; i < p->n_in; i++) {
    sum[o] += in[i]; /* |sum| <= 128 * 2^28: count is bounded at prepare */
    for (d = p->nd - 1; d >= 0; d--) {
      o += (uint32_t)p->ostride[d];
      if (++idx[d] < p->dims[d]) break;
      o -= (uint32_t)p->ostride[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
  for (i = 0; i < p->n_out; i++) {
    int32_t v;
    if (p->same_quant) {
      v = sum[i] / (int32_t)p->count;
    } else {
      float mean = (float)sum[i] / (float)p->count;
      float r = qs_roundf(mean * p->scale + p->bias);
      v = r > 1.0e6f ? 1000000 : (r > -1.0e6f ? (int32_t)r : -1000000); /* NaN-safe */
      v += p->out_zp;
    }
    out[i] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
  }
}

qs_status_t qs_prep_mean(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *ax = qs_in(m, op, 1), *out = qs_out(m);
  mean_params_t *p;
  qs_status_t s;
  int reduced[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, n;
  int d;
  int32_t st = 1;
  if (op->n_in != 2 || !ax) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "MEAN needs 2 inputs");
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if (!ax->data || ax->dtype != QS_DT_INT32 || ax->bytes > 4u * QS_MAX_DIMS)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "axis must be a constant int32 vector");
  if (!(p = (mean_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  n = ax->bytes / 4;
  for (i = 0; i < n; i++) {
    int32_t a = (int32_t)fb_load_u32(ax->data + 4 * i);
    if (a < 0) a += in->ndims;
    if (a < 0 || a >= in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "axis out of range");
    reduced[a] = 1;
  }
  p->nd = in->ndims;
  p->n_in = qs_elems(in);
  p->n_out = 1;
  p->count = 1;
  for (d = p->nd - 1; d >= 0; d--) {
    p->dims[d] = in->dims[d];
    p->ostride[d] = reduced[d] ? 0 : st;
    if (reduced[d]) p->count *= (uint32_t)in->dims[d];
    else st *= in->dims[d], p->n_out *= (uint32_t)in->dims[d];
  }
  if (p->n_out != qs_elems(out) || p->count == 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the reduction");
  if (p->count > (1u << 23)) return qs_fail(m, QS_ERR_LIMIT, oi, op->in[0], "MEAN over more than 2^23 elements");
  p->same_quant = in->scale == out->scale && in->zp == out->zp;
  p->scale = in->scale / out->scale;
  p->bias = (float)(-in->zp) * p->scale;
  if (!(p->scale < 1.0e20f)) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "MEAN rescale factor out of range");
  p->out_zp = out->zp;
  qs_scratch(m, 4u * p->n_out);
  op->params = p;
  op->eval = mean_eval;
  return QS_OK;
}
