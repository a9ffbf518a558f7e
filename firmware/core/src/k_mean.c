/*
 * MEAN int8 over any set of constant axes, as TFLite Micro's reduce: int32 sums, then
 * - 4-D input, keep_dims and axes exactly {1, 2} (the spatial pair: TFLM's special case, checked
 *   first): reference_integer_ops::Mean, one fixed-point multiplier for in/out scale and 1/count;
 * - same input/output quantization: C integer division (truncation toward zero);
 * - otherwise QuantizedMeanOrSum: float32 mean, times float32 (in_scale / out_scale), plus
 *   float32 (-in_zp * scale), rounded half away from zero, plus the output zero point.
 * float32 MEAN is in k_float_pool.c.
 */
#include "ops.h"

typedef struct {
  qs_reduce_t r;
  int same_quant;
  int special; /* 4-D, keep_dims, axes exactly {1, 2}: reference_integer_ops::Mean */
  int32_t mult, shift, in_zp;
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
  for (i = 0; i < p->r.n_out; i++) sum[i] = 0;
  for (i = 0; i < p->r.n_in; i++) {
    sum[o] += in[i]; /* |sum| <= 128 * 2^28: count is bounded at prepare */
    o = qs_reduce_next(&p->r, idx, o);
  }
  for (i = 0; i < p->r.n_out; i++) {
    int32_t v;
    if (p->special) {
      /* sum of (x - in_zp) times in_scale / (count * out_scale) as one fixed-point multiplier */
      v = qs_mbqm(sum[i] - p->in_zp * (int32_t)p->r.count, p->mult, p->shift) + p->out_zp;
    } else if (p->same_quant) {
      v = sum[i] / (int32_t)p->r.count;
    } else {
      float mean = (float)sum[i] / (float)p->r.count;
      float r = qs_roundf(mean * p->scale + p->bias);
      v = r > 1.0e6f ? 1000000 : (r > -1.0e6f ? (int32_t)r : -1000000); /* NaN-safe */
      v += p->out_zp;
    }
    out[i] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
  }
}

qs_status_t qs_reduce_plan(qs_model_t *m, int oi, const qs_op_t *op, qs_reduce_t *r) {
  const qs_tensor_t *in = qs_in(m, op, 0), *ax = qs_in(m, op, 1), *out = qs_out(m);
  int reduced[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, n;
  int d;
  int32_t st = 1;
  if (op->n_in != 2 || !in || !ax) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "MEAN needs 2 inputs");
  if (!ax->data || ax->dtype != QS_DT_INT32 || ax->bytes > 4u * QS_MAX_DIMS)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "axis must be a constant int32 vector");
  n = ax->bytes / 4;
  for (i = 0; i < n; i++) {
    int32_t a = (int32_t)fb_load_u32(ax->data + 4 * i);
    if (a < 0) a += in->ndims;
    if (a < 0 || a >= in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "axis out of range");
    reduced[a] = 1;
  }
  r->nd = in->ndims;
  r->n_in = qs_elems(in);
  r->n_out = 1;
  r->count = 1;
  for (d = r->nd - 1; d >= 0; d--) {
    r->dims[d] = in->dims[d];
    r->ostride[d] = reduced[d] ? 0 : st;
    if (reduced[d]) r->count *= (uint32_t)in->dims[d];
    else st *= in->dims[d], r->n_out *= (uint32_t)in->dims[d];
  }
  if (r->n_out != qs_elems(out) || r->count == 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the reduction");
  return QS_OK;
}

qs_status_t qs_prep_mean(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  mean_params_t *p;
  qs_status_t s;
  if (op->n_in != 2) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "MEAN needs 2 inputs");
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if (!(p = (mean_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if ((s = qs_reduce_plan(m, oi, op, &p->r))) return s;
  if (p->r.count > (1u << 23)) return qs_fail(m, QS_ERR_LIMIT, oi, op->in[0], "MEAN over more than 2^23 elements");
  p->same_quant = in->scale == out->scale && in->zp == out->zp;
  p->scale = in->scale / out->scale;
  p->bias = (float)(-in->zp) * p->scale;
  if (!(p->scale < 1.0e20f)) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "MEAN rescale factor out of range");
  p->out_zp = out->zp;
  p->in_zp = in->zp;
  if ((s = qs_opts(m, oi, op, OPT_REDUCER, 0)) != QS_OK) return s;
  if (in->ndims == 4 && fb_u8(&m->fb, &op->opts, 0, 0) && qs_in(m, op, 1)->bytes == 8) {
    const uint8_t *ax = qs_in(m, op, 1)->data;
    int32_t a0 = (int32_t)fb_load_u32(ax), a1 = (int32_t)fb_load_u32(ax + 4);
    p->special = (a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1);
  }
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->special) {
    /* TFLite Micro: QuantizeMultiplier(in_scale / out_scale), then the 1/count folded into the
     * multiplier with up to 32 extra bits (fewer if the shift would pass -31). */
    int32_t mult;
    int shift, sh = 0;
    uint32_t c = p->r.count;
    if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &mult, &p->shift))) return s;
    shift = (int)p->shift;
    while (c > 1) c >>= 1, sh++; /* floor(log2(count)) */
    if (sh > 32) sh = 32;
    if (sh > 31 + shift) sh = 31 + shift;
    p->mult = (int32_t)(((int64_t)mult << sh) / (int64_t)p->r.count);
    p->shift = shift - sh;
  }
  qs_scratch(m, 4u * p->r.n_out);
  op->params = p;
  op->eval = mean_eval;
  return QS_OK;
}
