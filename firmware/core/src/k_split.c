/*
 * SPLIT, SPLIT_V and UNPACK: one input, several outputs (TFLite Micro's split.cc, split_v.cc,
 * unpack.cc). Each walks the input once in row-major order: per index of the dimensions before
 * the axis, output i takes the next block of its own size (its extent along the axis times the
 * elements after the axis). Bytes are moved without rescaling, as TFLite Micro does.
 */
#include <string.h>

#include "ops.h"

typedef struct {
  uint32_t outer; /* product of the dimensions before the axis */
  uint8_t n;
  uint32_t *chunk; /* bytes output i takes per outer step */
} split_params_t;

static void split_eval(qs_model_t *m, const qs_op_t *op) {
  const split_params_t *p = (const split_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[op->code == OP_SPLIT ? 1 : 0]);
  uint32_t o;
  int i;
  for (o = 0; o < p->outer; o++)
    for (i = 0; i < p->n; i++) {
      memcpy(qs_tdata(m, op->outs[i]) + (size_t)o * p->chunk[i], in, p->chunk[i]);
      in += p->chunk[i];
    }
}

int qs_const_ints(const qs_tensor_t *t, int32_t *v, int max) {
  uint32_t n, i, es;
  if (!t || !t->data || (t->dtype != QS_DT_INT32 && t->dtype != QS_DT_INT64)) return -1;
  es = t->dtype == QS_DT_INT32 ? 4 : 8;
  n = t->bytes / es;
  if (n > (uint32_t)max) return -1;
  for (i = 0; i < n; i++) {
    uint32_t lo = fb_load_u32(t->data + es * i);
    int32_t hi = es == 8 ? (int32_t)fb_load_u32(t->data + es * i + 4) : ((int32_t)lo < 0 ? -1 : 0);
    if (hi != ((int32_t)lo < 0 ? -1 : 0)) return -1; /* int64 outside int32 */
    v[i] = (int32_t)lo;
  }
  return (int)n;
}

/* SPLIT (axis, input; num_splits), SPLIT_V (input, size_splits, axis), UNPACK (input; num, axis). */
qs_status_t qs_prep_split(qs_model_t *m, int oi, qs_op_t *op) {
  static const uint8_t types[] = {QS_DT_FLOAT32, QS_DT_INT8, QS_DT_INT16, QS_DT_INT32, 255};
  int is_split = op->code == OP_SPLIT, is_unpack = op->code == OP_UNPACK;
  int in_at = is_split ? 1 : 0, need_in = is_split ? 2 : is_unpack ? 1 : 3;
  const qs_tensor_t *in = qs_in(m, op, in_at);
  split_params_t *p;
  int32_t axis, sizes[QS_MAX_OP_OUTPUTS];
  uint32_t es, inner = 1;
  uint64_t along = 0; /* 64-bit: the extents of up to QS_MAX_OP_OUTPUTS outputs must not wrap */
  int d, i, n_sizes = 0;
  qs_status_t s;
  if (op->n_in != need_in || !in)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1,
                   is_split ? "SPLIT needs 2 inputs (axis, input)"
                            : is_unpack ? "UNPACK needs 1 input" : "SPLIT_V needs 3 inputs (input, size_splits, axis)");
  if (!qs_dtype_in(in->dtype, types))
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[in_at], "input type not supported (TFLite Micro: float32, int8, int16 or int32)");
  if (is_unpack) {
    axis = fb_i32(&m->fb, &op->opts, 1, 0);
    if (fb_i32(&m->fb, &op->opts, 0, op->n_out) != op->n_out)
      return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "UNPACK's num differs from its output count");
  } else {
    const qs_tensor_t *ax = qs_in(m, op, is_split ? 0 : 2);
    /* TFLite Micro: "Non constant >axis< tensor is not supported" */
    if (!ax || !ax->data || ax->dtype != QS_DT_INT32 || qs_elems(ax) != 1)
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[is_split ? 0 : 2], "axis must be a constant int32 scalar");
    axis = (int32_t)fb_load_u32(ax->data);
    if (is_split && fb_i32(&m->fb, &op->opts, 0, op->n_out) != op->n_out)
      return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SPLIT's num_splits differs from its output count");
    if (!is_split) {
      n_sizes = qs_const_ints(qs_in(m, op, 1), sizes, QS_MAX_OP_OUTPUTS);
      if (n_sizes >= 0 && n_sizes != op->n_out)
        return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "size_splits has not one entry per output");
    }
  }
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (axis < 0) axis += in->ndims;
  if (axis < 0 || axis >= in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, -1, "axis out of range");
  if (!(p = (split_params_t *)qs_alloc(m, sizeof(*p))) || !(p->chunk = (uint32_t *)qs_alloc(m, 4u * op->n_out)))
    return QS_ERR_ARENA;
  es = qs_esize(in->dtype);
  p->n = op->n_out;
  p->outer = 1;
  for (d = 0; d < axis; d++) p->outer *= (uint32_t)in->dims[d];
  for (d = axis + 1; d < in->ndims; d++) inner *= (uint32_t)in->dims[d];
  for (i = 0; i < op->n_out; i++) {
    qs_tensor_t t;
    int32_t ext;
    if ((s = qs_out_k(m, op, i, &t)) != QS_OK) return s;
    if (t.dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->outs[i], "output type differs from the input's");
    /* every output is the input with its own extent along the axis (UNPACK: the axis removed) */
    if (t.ndims != (is_unpack ? in->ndims - 1 : in->ndims))
      return qs_fail(m, QS_ERR_SHAPE, oi, op->outs[i], "output rank does not match the input");
    for (d = 0; d < t.ndims; d++) {
      int id = is_unpack && d >= axis ? d + 1 : d;
      if (id != axis && t.dims[d] != in->dims[id])
        return qs_fail(m, QS_ERR_SHAPE, oi, op->outs[i], "output shape differs from the input off the axis");
    }
    ext = is_unpack ? 1 : t.dims[axis];
    if (is_split && (int64_t)ext * op->n_out != in->dims[axis])
      return qs_fail(m, QS_ERR_SHAPE, oi, op->outs[i], "the axis does not divide into num_splits equal parts");
    if (n_sizes > 0 && sizes[i] != -1 && sizes[i] != ext)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->outs[i], "output extent differs from its size_splits entry");
    p->chunk[i] = (uint32_t)ext * inner * es;
    along += (uint64_t)ext;
  }
  if (along != (uint64_t)in->dims[axis])
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "the outputs' extents along the axis do not add up to the input's");
  op->params = p;
  op->eval = split_eval;
  return QS_OK;
}
