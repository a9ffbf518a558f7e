/*
 * Tensors made from a value or a shape: FILL (a scalar, float32 / int32 / int8), ZEROS_LIKE
 * (int64 / int32 / int8 / float32) and BROADCAST_TO (any type, up to 5-D), as TFLite Micro's
 * fill.cc, zeros_like.cc and broadcast_to.cc. The output shape is the model's; the shape inputs
 * must be constant and agree with it.
 */
#include <string.h>

#include "ops.h"

#define BCAST_MAX_DIMS 5 /* TFLite Micro's BROADCAST_TO limit */

typedef struct {
  int nd, esize;
  int32_t dims[BCAST_MAX_DIMS], stride[BCAST_MAX_DIMS]; /* output dims; input stride (0: broadcast) */
} fill_params_t;

static void fill_eval(qs_model_t *m, const qs_op_t *op) {
  const fill_params_t *p = (const fill_params_t *)op->params;
  const uint8_t *v = qs_tdata(m, op->in[1]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t n = m->slots[op->out].bytes, i;
  for (i = 0; i + (uint32_t)p->esize <= n; i += (uint32_t)p->esize) memcpy(out + i, v, (size_t)p->esize);
}

static void zeros_eval(qs_model_t *m, const qs_op_t *op) { memset(qs_tdata(m, op->out), 0, m->slots[op->out].bytes); }

/* Odometer over the output; the input offset advances by its stride (0 on broadcast axes). */
static void broadcast_eval(qs_model_t *m, const qs_op_t *op) {
  const fill_params_t *p = (const fill_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[BCAST_MAX_DIMS] = {0, 0, 0, 0, 0};
  uint32_t n = m->slots[op->out].bytes / (uint32_t)p->esize, i, src = 0;
  int d;
  for (i = 0; i < n; i++, out += p->esize) {
    memcpy(out, in + (size_t)src * (uint32_t)p->esize, (size_t)p->esize);
    for (d = p->nd - 1; d >= 0; d--) {
      src += (uint32_t)p->stride[d];
      if (++idx[d] < p->dims[d]) break;
      src -= (uint32_t)p->stride[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}

/* dims (a constant integer vector) must equal the output shape. */
static int shape_matches(const qs_tensor_t *shape, const qs_tensor_t *out) {
  int32_t v[QS_MAX_DIMS];
  int n, d;
  if (shape->ndims != 1 || (n = qs_const_ints(shape, v, QS_MAX_DIMS)) != out->ndims) return 0;
  for (d = 0; d < n; d++)
    if (v[d] != out->dims[d]) return 0;
  return 1;
}

qs_status_t qs_prep_fill(qs_model_t *m, int oi, qs_op_t *op) {
  static const uint8_t fill_types[] = {QS_DT_FLOAT32, QS_DT_INT32, QS_DT_INT8, 255};
  static const uint8_t zeros_types[] = {QS_DT_INT64, QS_DT_INT32, QS_DT_INT8, QS_DT_FLOAT32, 255};
  const qs_tensor_t *out = qs_out(m);
  fill_params_t *p;
  if (op->code == OP_ZEROS_LIKE) {
    const qs_tensor_t *in = qs_in(m, op, 0);
    if (op->n_in != 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ZEROS_LIKE needs 1 input");
    if (!qs_dtype_in(in->dtype, zeros_types))
      return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: int64, int32, int8 or float32)");
    if (out->dtype != in->dtype || out->bytes != in->bytes)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output type or size differs from the input's");
    op->eval = zeros_eval;
    return QS_OK;
  }
  {
    const qs_tensor_t *dims = qs_in(m, op, 0), *val = qs_in(m, op, 1);
    if (op->n_in != 2 || !dims || !val) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "FILL needs 2 inputs (dims, value)");
    if (val->ndims != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "the value must be a scalar");
    if (!qs_dtype_in(val->dtype, fill_types))
      return qs_fail(m, QS_ERR_TYPE, oi, op->in[1], "value type not supported (TFLite Micro: float32, int32 or int8)");
    if (out->dtype != val->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the value's");
    if (!dims->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "dims must be constant (as in TFLite Micro)");
    if (!shape_matches(dims, out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "dims differ from the output shape");
    if (!(p = (fill_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
    p->esize = (int)qs_esize(val->dtype);
    op->params = p;
    op->eval = fill_eval;
    return QS_OK;
  }
}

qs_status_t qs_prep_broadcast_to(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *shape = qs_in(m, op, 1), *out = qs_out(m);
  fill_params_t *p;
  int32_t st = 1;
  int d, lead;
  if (op->n_in != 2 || !in || !shape) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "BROADCAST_TO needs 2 inputs (input, shape)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the input's");
  if (out->ndims > BCAST_MAX_DIMS) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output rank above 5 (TFLite Micro's limit)");
  if (in->ndims > out->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "input rank above the output rank");
  if (!shape->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "shape must be constant (as in TFLite Micro)");
  if (!shape_matches(shape, out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "shape differs from the output shape");
  if (!(p = (fill_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = out->ndims;
  p->esize = (int)qs_esize(in->dtype);
  lead = out->ndims - in->ndims;
  for (d = out->ndims - 1; d >= 0; d--) {
    int32_t id = d >= lead ? in->dims[d - lead] : 1;
    if (id != 1 && id != out->dims[d])
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "an input dimension is neither 1 nor the output's");
    p->dims[d] = out->dims[d];
    p->stride[d] = id == 1 ? 0 : st;
    st *= id;
  }
  op->params = p;
  op->eval = broadcast_eval;
  return QS_OK;
}
