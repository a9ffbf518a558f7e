/*
 * SVDF (builtin 27), bit-exact with TFLite Micro's reference (svdf_common.cc at 90b983c2).
 *
 * Inputs: x [batch, input], weights_feature [filters, input], weights_time [filters, memory],
 * bias [units] (optional; units = filters / rank), activation state [batch, filters * memory]
 * (a variable tensor: it keeps its bytes between invocations). Each invoke:
 *   1. the whole state shifts left by one element (the oldest column drops out; the element that
 *      moves into each filter's last slot is overwritten in step 2);
 *   2. state[b][f][memory-1] = feature(x_b, weights_feature_f);
 *   3. t[b][f] = sum_j weights_time[f][j] * state[b][f][j];
 *   4. out[b][u] = bias[u] + sum_{r < rank} t[b][u*rank + r].
 * int8: step 2 is sum(w * (x - x_zp)) rescaled by scale_1 = x*weights_feature/state (in float,
 * as TFLM computes it), clamped to the state type's range, then the state zero point is added
 * and the sum narrowed to the state type (it wraps there, as TFLM's store does); step 3 subtracts
 * the state zero point; the output is rescaled by scale_2 = state*weights_time/output, plus the
 * output zero point, clamped to int8. TFLM's integer path applies no fused activation.
 * float32 (QS_WITH_FLOAT): the same steps in TFLM's summation order, then the fused activation.
 */
#include <string.h>

#include "ops.h"

enum { OPT_SVDF = 6 };

typedef struct {
  int batch, input, filters, units, memory, rank, state16;
  int32_t in_zp, state_zp, out_zp, m1, m2, s1, s2;
  const int8_t *wf;
  const uint8_t *wt; /* int8 or int16 (state16), read little-endian */
  const int32_t *bias;
#if QS_WITH_FLOAT
  const float *wff, *wtf, *biasf;
  int act;
#endif
} svdf_params_t;

static int32_t wt_at(const svdf_params_t *p, size_t i) {
  if (!p->state16) return (int8_t)p->wt[i];
  return (int16_t)(uint16_t)(p->wt[2 * i] | (p->wt[2 * i + 1] << 8));
}

static void svdf_eval_q(qs_model_t *m, const qs_op_t *op) {
  const svdf_params_t *p = (const svdf_params_t *)op->params;
  const int8_t *x = (const int8_t *)qs_tdata(m, op->in[0]);
  uint8_t *sb = qs_tdata(m, op->in[4]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t *t = (int32_t *)(void *)m->scratch; /* [batch][filters] */
  const size_t n = (size_t)p->batch * p->filters * p->memory, es = p->state16 ? 2u : 1u;
  const int32_t lo = p->state16 ? -32768 : -128, hi = p->state16 ? 32767 : 127;
  int b, f, j;
  memmove(sb, sb + es, (n - 1) * es); /* 1. */
  for (b = 0; b < p->batch; b++) { /* 2. */
    const int8_t *xb = x + (size_t)b * p->input;
    for (f = 0; f < p->filters; f++) {
      const int8_t *w = p->wf + (size_t)f * p->input;
      size_t at = ((size_t)b * p->filters + f) * p->memory + p->memory - 1;
      uint32_t acc = 0; /* wraps modulo 2^32 like the reference's int32 sum */
      int32_t v;
      for (j = 0; j < p->input; j++) acc += (uint32_t)(w[j] * (xb[j] - p->in_zp));
      v = qs_mbqm((int32_t)acc, p->m1, p->s1);
      v = v < lo ? lo : v > hi ? hi : v;
      v += p->state_zp; /* after the clamp: may leave the range, and wraps when stored */
      if (p->state16) {
        sb[2 * at] = (uint8_t)v;
        sb[2 * at + 1] = (uint8_t)((uint32_t)v >> 8);
      } else {
        sb[at] = (uint8_t)v;
      }
    }
  }
  for (b = 0; b < p->batch; b++) /* 3. */
    for (f = 0; f < p->filters; f++) {
      size_t s0 = ((size_t)b * p->filters + f) * p->memory;
      uint32_t acc = 0;
      for (j = 0; j < p->memory; j++) {
        int32_t sv = p->state16 ? (int16_t)(uint16_t)(sb[2 * (s0 + j)] | (sb[2 * (s0 + j) + 1] << 8))
                                : (int8_t)sb[s0 + j];
        /* int16 * int16 range can pass 2^31: multiply modulo 2^32, as the wrapping sum does */
        acc += (uint32_t)wt_at(p, (size_t)f * p->memory + j) * (uint32_t)(sv - p->state_zp);
      }
      t[b * p->filters + f] = (int32_t)acc;
    }
  for (b = 0; b < p->batch; b++) /* 4. and the rescale */
    for (f = 0; f < p->units; f++) {
      uint32_t acc = p->bias ? (uint32_t)p->bias[f] : 0u;
      int32_t v;
      for (j = 0; j < p->rank; j++) acc += (uint32_t)t[b * p->filters + f * p->rank + j];
      v = qs_mbqm((int32_t)acc, p->m2, p->s2) + p->out_zp;
      out[b * p->units + f] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}

#if QS_WITH_FLOAT
/* TFLM's ActivationValFloat: TfLiteMax(lo, x) is std::max, (lo < x) ? x : lo, so -0.0 and NaN
 * become lo; TfLiteMin(x, hi) is (hi < x) ? hi : x. */
static float act_f32(int act, float a) {
  switch (act) {
    case ACT_RELU: return 0.0f < a ? a : 0.0f;
    case ACT_RELU_N1_TO_1: a = 1.0f < a ? 1.0f : a; return -1.0f < a ? a : -1.0f;
    case ACT_RELU6: a = 6.0f < a ? 6.0f : a; return 0.0f < a ? a : 0.0f;
    default: return a;
  }
}

static void svdf_eval_f32(qs_model_t *m, const qs_op_t *op) {
  const svdf_params_t *p = (const svdf_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, NULL);
  float *st = (float *)(void *)qs_tdata(m, op->in[4]);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  float *t = (float *)(void *)m->scratch;
  const size_t n = (size_t)p->batch * p->filters * p->memory;
  int b, f, j;
  memmove(st, st + 1, (n - 1) * sizeof(float));
  for (b = 0; b < p->batch; b++)
    for (f = 0; f < p->filters; f++) {
      const float *w = p->wff + (size_t)f * p->input, *xb = x + (size_t)b * p->input;
      float acc = 0.0f;
      for (j = 0; j < p->input; j++) acc += w[j] * xb[j];
      st[((size_t)b * p->filters + f) * p->memory + p->memory - 1] = acc;
    }
  for (b = 0; b < p->batch; b++)
    for (f = 0; f < p->filters; f++) {
      const float *w = p->wtf + (size_t)f * p->memory, *s = st + ((size_t)b * p->filters + f) * p->memory;
      float acc = 0.0f;
      for (j = 0; j < p->memory; j++) acc += w[j] * s[j];
      t[b * p->filters + f] = acc;
    }
  for (b = 0; b < p->batch; b++)
    for (f = 0; f < p->units; f++) {
      float acc = p->biasf ? p->biasf[f] : 0.0f;
      for (j = 0; j < p->rank; j++) acc += t[b * p->filters + f * p->rank + j];
      out[b * p->units + f] = act_f32(p->act, acc);
    }
}
#endif

static int is_2d(const qs_tensor_t *t) { return t && t->ndims == 2; }

/* Shapes and the state tensor, in PrepareSvdf's order. */
static qs_status_t svdf_shapes(qs_model_t *m, int oi, const qs_op_t *op, svdf_params_t *p) {
  const qs_tensor_t *x = qs_in(m, op, 0), *wf = qs_in(m, op, 1), *wt = qs_in(m, op, 2), *bias = qs_in(m, op, 3);
  const qs_tensor_t *st = qs_in(m, op, 4), *out = qs_out(m);
  if (op->n_in != 5) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SVDF needs 5 inputs (input, weights_feature, weights_time, bias, state)");
  if (!x || !wf || !wt || !st) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SVDF input, weights or activation state missing");
  if (!is_2d(x) || !is_2d(wf) || !is_2d(wt)) return qs_fail(m, QS_ERR_SHAPE, oi, !is_2d(x) ? op->in[0] : !is_2d(wf) ? op->in[1] : op->in[2], "SVDF input and weights must be 2-D");
  p->batch = x->dims[0], p->input = x->dims[1], p->filters = wf->dims[0], p->memory = wt->dims[1];
  p->rank = fb_i32(&m->fb, &op->opts, 0, 0);
  if (p->rank < 1 || p->filters % p->rank != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "SVDF rank must be positive and divide the number of filters");
  p->units = p->filters / p->rank;
  if (x->dtype != QS_DT_INT8 && x->dtype != QS_DT_FLOAT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "SVDF input must be int8 or float32");
  if (!is_2d(out) || out->dims[0] != p->batch || out->dims[1] != p->units) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SVDF output must be [batch, filters / rank]");
  if (wf->dims[1] != p->input) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "SVDF weights_feature must be [filters, input size]");
  if (wt->dims[0] != p->filters || p->memory < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "SVDF weights_time must be [filters, memory]");
  if (bias && (bias->ndims < 1 || bias->dims[0] != p->units)) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[3], "SVDF bias must have filters / rank elements");
  if (!is_2d(st) || st->dims[0] != p->batch || (int64_t)st->dims[1] != (int64_t)p->memory * p->filters)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[4], "SVDF activation state must be [batch, memory * filters]");
  if (!st->is_variable) return qs_fail(m, QS_ERR_SCHEMA, oi, op->in[4], "SVDF activation state must be a variable tensor");
  if (!wf->data || !wt->data || (bias && !bias->data)) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, !wf->data ? op->in[1] : !wt->data ? op->in[2] : op->in[3], "SVDF weights and bias must be constant");
  if (p->batch < 1 || p->input < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "SVDF input has a zero dimension");
  return QS_OK;
}

static qs_status_t svdf_prep_q(qs_model_t *m, int oi, const qs_op_t *op, svdf_params_t *p) {
  const qs_tensor_t *x = qs_in(m, op, 0), *wf = qs_in(m, op, 1), *wt = qs_in(m, op, 2), *bias = qs_in(m, op, 3);
  const qs_tensor_t *st = qs_in(m, op, 4), *out = qs_out(m);
  double r1, r2, d;
  qs_status_t s;
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_w8(m, oi, op, 1, "weights_feature"))) return s;
  if (wt->dtype != QS_DT_INT8 && wt->dtype != QS_DT_INT16) return qs_fail(m, QS_ERR_TYPE, oi, op->in[2], "SVDF weights_time must be int8 or int16");
  if (st->dtype != wt->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->in[4], "SVDF activation state must have the type of weights_time (TFLite Micro reads both as one type)");
  if (!wt->quantized || !st->quantized || !(st->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, !wt->quantized ? op->in[2] : op->in[4], "SVDF weights_time and activation state must be quantized");
  if (!bias) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "int8 SVDF without a bias (TFLite Micro reads the bias scale unconditionally)");
  if (bias->dtype != QS_DT_INT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[3], "SVDF bias must be int32");
  if ((s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  /* TFLM: static_cast<double>(float * float / float), the products in single precision */
  r1 = (double)(x->scale * wf->scale / st->scale);
  r2 = (double)(st->scale * wt->scale / out->scale);
  d = (double)bias->scale - (double)(st->scale * wt->scale);
  if (!(d < 1e-5 && d > -1e-5)) return qs_fail(m, QS_ERR_QUANT, oi, op->in[3], "SVDF bias scale is not activation_state scale * weights_time scale");
  if ((s = qs_multiplier(m, oi, op->in[1], r1, &p->m1, &p->s1)) || (s = qs_multiplier(m, oi, op->in[2], r2, &p->m2, &p->s2))) return s;
  if (!(p->bias = qs_const_i32(m, bias))) return QS_ERR_ARENA;
  p->state16 = wt->dtype == QS_DT_INT16;
  p->in_zp = x->zp, p->state_zp = st->zp, p->out_zp = out->zp;
  p->wf = (const int8_t *)wf->data;
  p->wt = wt->data;
  qs_scratch(m, 4u * (size_t)p->batch * (size_t)p->filters);
  return QS_OK;
}

#if QS_WITH_FLOAT
static qs_status_t svdf_prep_f32(qs_model_t *m, int oi, const qs_op_t *op, svdf_params_t *p) {
  const qs_tensor_t *bias = qs_in(m, op, 3);
  qs_status_t s;
  int i;
  for (i = 1; i <= 4; i++) {
    const qs_tensor_t *t = qs_in(m, op, i);
    if (t && t->dtype != QS_DT_FLOAT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[i], "float32 SVDF needs float32 weights, bias and activation state");
  }
  if ((s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  p->act = fb_u8(&m->fb, &op->opts, 1, 0);
  if (p->act > ACT_RELU6) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "float32 SVDF with a fused TANH, SIGN_BIT or SIGMOID activation");
  if ((s = qs_const_f32(m, op, 1, &p->wff)) || (s = qs_const_f32(m, op, 2, &p->wtf))) return s;
  if (bias && (s = qs_const_f32(m, op, 3, &p->biasf))) return s;
  qs_scratch(m, 4u * (size_t)p->batch * (size_t)p->filters);
  return QS_OK;
}
#endif

qs_status_t qs_prep_svdf(qs_model_t *m, int oi, qs_op_t *op) {
  svdf_params_t *p;
  qs_status_t s;
  int is_float;
  if ((s = qs_opts(m, oi, op, OPT_SVDF, 1)) != QS_OK) return s;
  if (!(p = (svdf_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if ((s = svdf_shapes(m, oi, op, p)) != QS_OK) return s;
  is_float = qs_in(m, op, 0)->dtype == QS_DT_FLOAT32;
  if (is_float) {
#if QS_WITH_FLOAT
    if ((s = svdf_prep_f32(m, oi, op, p)) != QS_OK) return s;
    op->eval = svdf_eval_f32;
#else
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
#endif
  } else {
    if ((s = svdf_prep_q(m, oi, op, p)) != QS_OK) return s;
    op->eval = svdf_eval_q;
  }
  op->params = p;
  op->macs = (uint64_t)p->batch * (uint64_t)p->filters * ((uint64_t)p->input + (uint64_t)p->memory);
  return QS_OK;
}
