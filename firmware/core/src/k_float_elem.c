/*
 * float32 element-wise ops, the same bits as QuantScope's earlier TypeScript simulator (which
 * computed in double and rounded to float32 on every store):
 * - ADD / SUB / MUL with numpy broadcasting: the double result of two float32 values rounded to
 *   float32 (the same as the float32 operation), then the fused activation clamp;
 * - RELU (x > 0 ? x : 0, so NaN and -0 give +0), RELU6 as min(6, max(0, x)) with JavaScript's
 *   Math.min/max (NaN propagates, -0 gives +0), LEAKY_RELU (x > 0 ? x : alpha * x), TANH and
 *   LOGISTIC (double tanh / 1 / (1 + exp(-x))), HARD_SWISH (x * min(6, max(0, x + 3)) / 6 in
 *   double);
 * - SOFTMAX over the last dimension: e = exp((x - max) * beta) in double, stored (rounded) and
 *   summed unrounded in double, then each stored value / sum.
 * The transcendentals are the C library's double exp/tanh: they may differ from another
 * library in the last bit of the double, which the rounding to float32 almost always hides.
 */
#include "ops.h"

#if QS_WITH_FLOAT
#include <math.h>

typedef struct {
  int32_t code;
  uint32_t n;
  int same_shape;
  float lo, hi;
  int32_t dims[QS_MAX_DIMS], st1[QS_MAX_DIMS], st2[QS_MAX_DIMS]; /* output dims, input strides (0 = broadcast) */
  const float *a, *b; /* constant inputs, else NULL */
} fbin_params_t;

typedef struct {
  int32_t code;
  uint32_t n, outer, depth;
  double alpha_or_beta; /* LEAKY_RELU alpha, SOFTMAX beta */
  const float *x;
} funary_params_t;

static float binop(int32_t code, float u, float v) {
  double r = code == OP_ADD ? (double)u + (double)v : (code == OP_SUB ? (double)u - (double)v : (double)u * (double)v);
  return (float)r;
}

static void binary_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const fbin_params_t *p = (const fbin_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, p->a), *y = qs_f32_in(m, op, 1, p->b);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o1 = 0, o2 = 0;
  int d;
  for (i = 0; i < p->n; i++) {
    float r = p->same_shape ? binop(p->code, x[i], y[i]) : binop(p->code, x[o1], y[o2]);
    out[i] = r < p->lo ? p->lo : (r > p->hi ? p->hi : r);
    if (p->same_shape) continue;
    /* odometer over the output index, innermost dimension last */
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
      o1 += (uint32_t)p->st1[d];
      o2 += (uint32_t)p->st2[d];
      if (++idx[d] < p->dims[d]) break;
      o1 -= (uint32_t)p->st1[d] * (uint32_t)p->dims[d];
      o2 -= (uint32_t)p->st2[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}

/* Right-align t's shape to QS_MAX_DIMS and compute element strides, 0 where broadcast. */
static void strides(const qs_tensor_t *t, int32_t *dims, int32_t *st) {
  int d, off = QS_MAX_DIMS - t->ndims;
  int32_t s = 1;
  for (d = 0; d < QS_MAX_DIMS; d++) dims[d] = d < off ? 1 : t->dims[d - off];
  for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
    st[d] = dims[d] == 1 ? 0 : s;
    s *= dims[d];
  }
}

qs_status_t qs_prep_add_f32(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *a = qs_in(m, op, 0), *b = qs_in(m, op, 1), *out = qs_out(m);
  fbin_params_t *p;
  qs_status_t s;
  int32_t da[QS_MAX_DIMS], db[QS_MAX_DIMS];
  int d, off, rank;
  if (op->n_in != 2) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ADD/SUB/MUL needs 2 inputs");
  if ((s = qs_opts(m, oi, op, op->code == OP_SUB ? OPT_SUB : (op->code == OP_MUL ? OPT_MUL : OPT_ADD), 0)) != QS_OK)
    return s;
  if ((s = qs_need_f32(m, oi, op, 1, "input 2")) || (s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if (!(p = (fbin_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  strides(a, da, p->st1);
  strides(b, db, p->st2);
  /* numpy broadcasting: each dimension equal or 1, and the output is exactly the broadcast shape */
  rank = a->ndims > b->ndims ? a->ndims : b->ndims;
  off = QS_MAX_DIMS - out->ndims;
  if (out->ndims != rank) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output rank is not the broadcast rank of the inputs");
  for (d = 0; d < QS_MAX_DIMS; d++) {
    p->dims[d] = d < off ? 1 : out->dims[d - off];
    if ((da[d] != db[d] && da[d] != 1 && db[d] != 1) || p->dims[d] != (da[d] > db[d] ? da[d] : db[d]))
      return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "input shapes do not broadcast to the output shape");
  }
  p->code = op->code;
  p->n = qs_elems(out);
  p->same_shape = qs_elems(a) == p->n && qs_elems(b) == p->n;
  if ((s = qs_act_range_f32(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), &p->lo, &p->hi))) return s;
  if ((s = qs_const_f32(m, op, 0, &p->a)) || (s = qs_const_f32(m, op, 1, &p->b))) return s;
  op->params = p;
  op->eval = binary_f32_eval;
  return QS_OK;
}

/* Math.max(0, v) and Math.min(6, v): NaN propagates; max(0, -0) is +0. */
static double js_max0(double v) { return v != v ? v : (v > 0.0 ? v : 0.0); }
static double js_min6(double v) { return v != v ? v : (v < 6.0 ? v : 6.0); }

static void unary_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const funary_params_t *p = (const funary_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  uint32_t i;
  switch (p->code) {
    case OP_RELU:
      for (i = 0; i < p->n; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case OP_RELU6:
      for (i = 0; i < p->n; i++) out[i] = (float)js_min6(js_max0(x[i]));
      break;
    case OP_LEAKY_RELU:
      for (i = 0; i < p->n; i++) out[i] = x[i] > 0.0f ? x[i] : (float)(p->alpha_or_beta * (double)x[i]);
      break;
    case OP_TANH:
      for (i = 0; i < p->n; i++) out[i] = (float)tanh((double)x[i]);
      break;
    case OP_LOGISTIC:
      for (i = 0; i < p->n; i++) out[i] = (float)(1.0 / (1.0 + exp(-(double)x[i])));
      break;
    default: /* OP_HARD_SWISH */
      for (i = 0; i < p->n; i++) {
        double v = x[i];
        out[i] = (float)(v * js_min6(js_max0(v + 3.0)) / 6.0);
      }
      break;
  }
}

static qs_status_t unary_common(qs_model_t *m, int oi, qs_op_t *op, funary_params_t **pp) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_status_t s;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "activation or SOFTMAX needs 1 input");
  if ((s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(*pp = (funary_params_t *)qs_alloc(m, sizeof(**pp)))) return QS_ERR_ARENA;
  (*pp)->code = op->code;
  (*pp)->n = qs_elems(in);
  op->params = *pp;
  return qs_const_f32(m, op, 0, &(*pp)->x);
}

qs_status_t qs_prep_unary_f32(qs_model_t *m, int oi, qs_op_t *op) {
  funary_params_t *p;
  qs_status_t s = unary_common(m, oi, op, &p);
  if (s != QS_OK) return s;
  if (op->code == OP_LEAKY_RELU) {
    /* float32 alpha, widened: alpha * x is exact in double, rounded once on the store */
    p->alpha_or_beta = (double)fb_f32(&m->fb, &op->opts, 0, 0.0f);
    if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  }
  op->eval = unary_f32_eval;
  return QS_OK;
}

static void softmax_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const funary_params_t *p = (const funary_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  uint32_t r, c;
  for (r = 0; r < p->outer; r++, x += p->depth, out += p->depth) {
    double max = -INFINITY, sum = 0.0;
    for (c = 0; c < p->depth; c++)
      if (x[c] > max) max = x[c];
    for (c = 0; c < p->depth; c++) {
      double e = exp(((double)x[c] - max) * p->alpha_or_beta);
      out[c] = (float)e;
      sum += e;
    }
    for (c = 0; c < p->depth; c++) out[c] = (float)((double)out[c] / sum);
  }
}

qs_status_t qs_prep_softmax_f32(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0);
  funary_params_t *p;
  qs_status_t s;
  if ((s = qs_opts(m, oi, op, OPT_SOFTMAX, 0)) || (s = unary_common(m, oi, op, &p))) return s;
  if (in->ndims < 1 || in->dims[in->ndims - 1] < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "SOFTMAX over an empty last dimension");
  p->depth = (uint32_t)in->dims[in->ndims - 1];
  p->outer = p->n / p->depth;
  /* beta is 1 without an options table, else the table's value (schema default 0) */
  p->alpha_or_beta = op->opts.pos ? (double)fb_f32(&m->fb, &op->opts, 0, 0.0f) : 1.0;
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  op->eval = softmax_f32_eval;
  return QS_OK;
}
#endif
