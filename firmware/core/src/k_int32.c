/*
 * int32 ADD, SUB and MUL, as TFLite Micro's reference kernels compute them (add.cc, sub.cc,
 * mul_common.cc at 90b983c2): raw integers, no quantization, with numpy broadcasting.
 * - The arithmetic wraps modulo 2^32 (the reference's int32 + - * overflow; MUL is WrappingMul).
 * - SUB and MUL clamp to their fused activation's range (CalculateActivationRange<int32_t>: RELU
 *   from 0, RELU6 to [0, 6], RELU_N1_TO_1 to [-1, 1]); ADD ignores it (TFLM sets the whole int32
 *   range for int32 ADD).
 * The signal-library front ends (micro_speech's audio preprocessor) scale their int16 features
 * with these before the final CAST.
 */
#include <string.h>

#include "ops.h"

typedef struct {
  int32_t code, lo, hi;
  uint32_t n;
  int32_t dims[QS_MAX_DIMS], st1[QS_MAX_DIMS], st2[QS_MAX_DIMS]; /* output dims; strides, 0 where broadcast */
} i32_params_t;

static int32_t at(const uint8_t *p, uint32_t i) {
  int32_t v;
  memcpy(&v, p + 4 * (size_t)i, 4);
  return v;
}

static void i32_eval(qs_model_t *m, const qs_op_t *op) {
  const i32_params_t *p = (const i32_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]), *y = qs_tdata(m, op->in[1]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o1 = 0, o2 = 0;
  int d;
  for (i = 0; i < p->n; i++) {
    uint32_t a = (uint32_t)at(x, o1), b = (uint32_t)at(y, o2);
    int32_t v = (int32_t)(p->code == OP_ADD ? a + b : p->code == OP_SUB ? a - b : a * b);
    v = v < p->lo ? p->lo : v > p->hi ? p->hi : v;
    memcpy(out + 4 * (size_t)i, &v, 4);
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) { /* odometer over the output index */
      o1 += (uint32_t)p->st1[d], o2 += (uint32_t)p->st2[d];
      if (++idx[d] < p->dims[d]) break;
      o1 -= (uint32_t)p->st1[d] * (uint32_t)p->dims[d], o2 -= (uint32_t)p->st2[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}

/* Strides of t over the (right-aligned) output dims; 0 if t does not broadcast to them. */
static int strides(const qs_tensor_t *t, const int32_t *dims, int32_t *st) {
  int32_t s = 1;
  int d, off = QS_MAX_DIMS - t->ndims;
  if (off < 0) return 0;
  for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
    int32_t v = d < off ? 1 : t->dims[d - off];
    if (v != 1 && v != dims[d]) return 0;
    st[d] = v == 1 ? 0 : s;
    s *= v;
  }
  return 1;
}

qs_status_t qs_prep_arith_i32(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *a = qs_in(m, op, 0), *b = qs_in(m, op, 1), *out = qs_out(m);
  i32_params_t *p;
  qs_status_t s;
  int d, off, act;
  if (op->n_in != 2 || !a || !b) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ADD/SUB/MUL needs 2 inputs");
  if ((s = qs_opts(m, oi, op, op->code == OP_SUB ? OPT_SUB : (op->code == OP_MUL ? OPT_MUL : OPT_ADD), 0))) return s;
  if (b->dtype != QS_DT_INT32 || out->dtype != QS_DT_INT32)
    return qs_fail(m, QS_ERR_TYPE, oi, b->dtype != QS_DT_INT32 ? op->in[1] : op->out, "int32 ADD/SUB/MUL needs int32 inputs and output");
  act = op->opts.pos ? fb_u8(&m->fb, &op->opts, 0, 0) : ACT_NONE;
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (!(p = (i32_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->code = op->code;
  p->lo = INT32_MIN, p->hi = INT32_MAX;
  if (op->code != OP_ADD) {
    if (act > ACT_RELU6) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
    if (act != ACT_NONE) p->lo = act == ACT_RELU_N1_TO_1 ? -1 : 0;
    if (act == ACT_RELU6 || act == ACT_RELU_N1_TO_1) p->hi = act == ACT_RELU6 ? 6 : 1;
  }
  off = QS_MAX_DIMS - out->ndims;
  for (d = 0; d < QS_MAX_DIMS; d++) p->dims[d] = d < off ? 1 : out->dims[d - off];
  if (!strides(a, p->dims, p->st1) || !strides(b, p->dims, p->st2))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "input shapes do not broadcast to the output shape");
  p->n = qs_elems(out);
  op->params = p;
  op->eval = i32_eval;
  return QS_OK;
}
