/*
 * MEAN, SUM, REDUCE_MAX and REDUCE_MIN over any set of constant axes, keep_dims or not, as
 * TFLite Micro's reduce kernels (micro/kernels/reduce_common.cc, reference/reduce.h):
 * - int8 / int16 MEAN and SUM (QuantizedMeanOrSum): each output's inputs summed in int32
 *   (wrapping), minus in_zp * count, then MultiplyByQuantizedMultiplier with the multiplier of
 *   in_scale / out_scale; for MEAN the 1/count is folded into that multiplier first (shifted up
 *   by up to floor(log2(count)) bits, at most 32 and at most 31 + shift, then integer-divided by
 *   count); plus the output zero point, clamped to the type. One path for every axis set (the
 *   spatial pair of a 4-D input is no special case in this arithmetic).
 * - int8 REDUCE_MAX / REDUCE_MIN: input and output quantization must be equal (TFLM refuses
 *   otherwise); start from -128 / 127, keep `in > cur` / `in < cur`.
 * - float32: SUM and MEAN add in float32 in input (row-major) order from 0, MEAN then divides by
 *   the count as float32; REDUCE_MAX / MIN start from -FLT_MAX / FLT_MAX (a NaN input is never
 *   kept).
 * TFLM has no int16 REDUCE_MAX / MIN and no other types: refused by name.
 */
#include "ops.h"

typedef struct {
  qs_reduce_t r;
  int32_t mult, shift, in_zp, out_zp, lo, hi;
  uint8_t kind; /* RK_* */
} reduce_params_t;

enum { RK_MEAN, RK_SUM, RK_MAX, RK_MIN };

/* The input is walked in rows of its last dimension (row-major order, as the reference's walk):
 * within a row, output index o + k * step (step 0 when the last axis is reduced, else 1); the next
 * row's first output advances like qs_reduce_next over the other dimensions. */
typedef struct {
  uint32_t rows, len, step;
} rows_t;

static rows_t rows_of(const qs_reduce_t *r) {
  rows_t w;
  w.len = r->nd ? (uint32_t)r->dims[r->nd - 1] : 1u;
  w.step = r->nd ? (uint32_t)r->ostride[r->nd - 1] : 0u;
  w.rows = w.len ? r->n_in / w.len : 0u;
  return w;
}

static uint32_t next_row(const qs_reduce_t *r, int32_t *idx, uint32_t o) {
  int d;
  for (d = r->nd - 2; d >= 0; d--) {
    o += (uint32_t)r->ostride[d];
    if (++idx[d] < r->dims[d]) break;
    o -= (uint32_t)r->ostride[d] * (uint32_t)r->dims[d];
    idx[d] = 0;
  }
  return o;
}

static uint8_t kind_of(int32_t code) {
  return code == OP_MEAN ? RK_MEAN : code == OP_SUM ? RK_SUM : code == OP_REDUCE_MAX ? RK_MAX : RK_MIN;
}

/* int8 / int16 MEAN and SUM; 16 says the element size. */
static void mean_sum_eval(const reduce_params_t *p, const void *in_v, void *out_v, int32_t *sum, int is16) {
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, k, o = 0, *acc = (uint32_t *)sum; /* uint32: wraps, as TFLM's int32 accumulator */
  rows_t w = rows_of(&p->r);
  for (i = 0; i < p->r.n_out; i++) acc[i] = 0;
  for (i = 0; i < w.rows; i++, o = next_row(&p->r, idx, o)) {
    if (is16) {
      const int16_t *x = (const int16_t *)in_v + (size_t)i * w.len;
      if (w.step == 0) {
        uint32_t t = acc[o];
        for (k = 0; k < w.len; k++) t += (uint32_t)(int32_t)x[k];
        acc[o] = t;
      } else {
        for (k = 0; k < w.len; k++) acc[o + k] += (uint32_t)(int32_t)x[k];
      }
    } else {
      const int8_t *x = (const int8_t *)in_v + (size_t)i * w.len;
      if (w.step == 0) {
        uint32_t t = acc[o];
        for (k = 0; k < w.len; k++) t += (uint32_t)(int32_t)x[k];
        acc[o] = t;
      } else {
        for (k = 0; k < w.len; k++) acc[o + k] += (uint32_t)(int32_t)x[k];
      }
    }
  }
  for (i = 0; i < p->r.n_out; i++) {
    /* sum - in_zp * count in int64, then narrowed to int32 (TFLM's static_cast<int32_t>) */
    int64_t shifted = (int64_t)sum[i] - (int64_t)p->in_zp * (int64_t)p->r.count;
    int32_t v = qs_mbqm((int32_t)(uint32_t)(uint64_t)shifted, p->mult, (int)p->shift) + p->out_zp;
    v = v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
    if (is16) ((int16_t *)out_v)[i] = (int16_t)v;
    else ((int8_t *)out_v)[i] = (int8_t)v;
  }
}

static void reduce_q_eval(qs_model_t *m, const qs_op_t *op) {
  const reduce_params_t *p = (const reduce_params_t *)op->params;
  const void *in = qs_tdata(m, op->in[0]);
  void *out = qs_tdata(m, op->out);
  if (p->kind == RK_MEAN || p->kind == RK_SUM) {
    mean_sum_eval(p, in, out, (int32_t *)(void *)m->scratch, p->hi > 127);
  } else {
    const int8_t *x = (const int8_t *)in;
    int8_t *y = (int8_t *)out;
    int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
    uint32_t i, k, o = 0;
    rows_t w = rows_of(&p->r);
    int is_max = p->kind == RK_MAX;
    for (i = 0; i < p->r.n_out; i++) y[i] = (int8_t)(is_max ? -128 : 127);
    for (i = 0; i < w.rows; i++, o = next_row(&p->r, idx, o), x += w.len)
      for (k = 0; k < w.len; k++) {
        int8_t *t = &y[o + k * w.step];
        if (is_max ? x[k] > *t : x[k] < *t) *t = x[k];
      }
  }
}

qs_status_t qs_reduce_plan(qs_model_t *m, int oi, const qs_op_t *op, qs_reduce_t *r) {
  const qs_tensor_t *in = qs_in(m, op, 0), *ax = qs_in(m, op, 1), *out = qs_out(m);
  int reduced[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, n;
  int d;
  int32_t st = 1;
  if (op->n_in != 2 || !in || !ax) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "a reduction needs 2 inputs (data, axes)");
  if (!ax->data || ax->dtype != QS_DT_INT32 || ax->bytes > 4u * 4u * QS_MAX_DIMS)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "axis must be a constant int32 vector");
  n = ax->bytes / 4;
  for (i = 0; i < n; i++) {
    int32_t a = (int32_t)fb_load_u32(ax->data + 4 * i);
    if (a < 0) a += in->ndims;
    if (a < 0 || a >= in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "axis out of range");
    reduced[a] = 1; /* duplicates count once, as TFLM's ResolveAxis */
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
  if (r->count == 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "reduces over an axis of size 0");
  if (r->n_out != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the reduction");
  return QS_OK;
}

static int is_q(const qs_tensor_t *t, uint8_t dtype) { return t->dtype == dtype && t->quantized && t->scale > 0.0f; }

qs_status_t qs_prep_reduce(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  reduce_params_t *p;
  qs_status_t s;
  uint8_t kind = kind_of(op->code);
  int is16;
  if (op->n_in != 2 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "a reduction needs 2 inputs (data, axes)");
  if (in->dtype == QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  is16 = in->dtype == QS_DT_INT16;
#if defined(QS_WITH_INT16) && !QS_WITH_INT16
  if (is16) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "int16 kernels are not in this build (QS_WITH_INT16=0)");
#endif
  if (in->dtype != QS_DT_INT8 && !(is16 && (kind == RK_MEAN || kind == RK_SUM)))
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0],
                   kind == RK_MAX || kind == RK_MIN ? "REDUCE_MAX / REDUCE_MIN take float32 or int8 (as TFLite Micro)"
                                                    : "MEAN / SUM take float32, int8 or int16 (as TFLite Micro)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the input's");
  if (!is_q(in, in->dtype)) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "quantized input without a positive scale");
  if (!is_q(out, out->dtype)) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "quantized output without a positive scale");
  if ((s = qs_opts(m, oi, op, OPT_REDUCER, 0)) != QS_OK) return s;
  if (!(p = (reduce_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if ((s = qs_reduce_plan(m, oi, op, &p->r))) return s;
  p->kind = kind;
  p->in_zp = in->zp;
  p->out_zp = out->zp;
  p->lo = is16 ? -32768 : -128;
  p->hi = is16 ? 32767 : 127;
  if (kind == RK_MAX || kind == RK_MIN) {
    /* TFLM: TF_LITE_ENSURE_EQ on the scales (as doubles) and on the zero points */
    if (in->scale != out->scale || in->zp != out->zp)
      return qs_fail(m, QS_ERR_QUANT, oi, op->out, "REDUCE_MAX / REDUCE_MIN int8 need the same scale and zero point on input and output");
  } else {
    if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &p->mult, &p->shift))) return s;
    if (kind == RK_MEAN) {
      uint32_t c = p->r.count;
      int sh = 0;
      while (c > 1) c >>= 1, sh++; /* floor(log2(count)) */
      if (sh > 32) sh = 32;
      if (sh > 31 + (int)p->shift) sh = 31 + (int)p->shift;
      p->mult = (int32_t)(((int64_t)p->mult << sh) / (int64_t)p->r.count);
      p->shift -= sh;
    }
    qs_scratch(m, 4u * p->r.n_out);
  }
  op->params = p;
  op->eval = reduce_q_eval;
  return QS_OK;
}

#if QS_WITH_FLOAT
#include <float.h>

static void reduce_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const reduce_params_t *p = (const reduce_params_t *)op->params;
  const float *x = (const float *)(const void *)qs_tdata(m, op->in[0]);
  float *y = (float *)(void *)qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, k, o = 0;
  rows_t w = rows_of(&p->r);
  float init = p->kind == RK_MAX ? -FLT_MAX : (p->kind == RK_MIN ? FLT_MAX : 0.0f);
  for (i = 0; i < p->r.n_out; i++) y[i] = init;
  for (i = 0; i < w.rows; i++, o = next_row(&p->r, idx, o), x += w.len)
    for (k = 0; k < w.len; k++) {
      float v = x[k], *t = &y[o + k * w.step];
      switch (p->kind) {
        case RK_MAX: if (v > *t) *t = v; break;
        case RK_MIN: if (v < *t) *t = v; break;
        default: *t = v + *t; break; /* float32 adds, in input order */
      }
    }
  if (p->kind == RK_MEAN)
    for (i = 0; i < p->r.n_out; i++) y[i] = y[i] / (float)p->r.count;
}

qs_status_t qs_prep_reduce_f32(qs_model_t *m, int oi, qs_op_t *op) {
  reduce_params_t *p;
  qs_status_t s;
  if (op->n_in != 2) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "a reduction needs 2 inputs (data, axes)");
  if ((s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if ((s = qs_opts(m, oi, op, OPT_REDUCER, 0)) != QS_OK) return s;
  if (!(p = (reduce_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if ((s = qs_reduce_plan(m, oi, op, &p->r))) return s;
  p->kind = kind_of(op->code);
  op->params = p;
  op->eval = reduce_f32_eval;
  return QS_OK;
}
#endif
