/*
 * GATHER (axis, batch_dims) and GATHER_ND, float32 and int8 with int32 indices, as TFLite Micro's
 * gather.cc and gather_nd.cc. Indices may be activations, so they are checked at eval too: an
 * index outside its dimension (TFLite Micro: undefined for GATHER, an invoke error for GATHER_ND)
 * gives zero bytes here instead of reading outside the tensor; constant indices are checked at
 * prepare and refused.
 */
#include <string.h>

#include "ops.h"

#define MAX_INDICES_ND 5 /* TFLite Micro's limit on GATHER_ND's innermost index length */

typedef struct {
  uint32_t batch, outer, coords, axis, inner; /* GATHER: inner in bytes */
  uint32_t n_slices, nd, slice, flat;         /* GATHER_ND: slice in elements, flat: params elements */
  uint32_t count[MAX_INDICES_ND];             /* GATHER_ND: elements per step of index j */
  uint8_t esize;
} gather_params_t;

static int32_t index_at(const uint8_t *idx, uint32_t i) { return (int32_t)fb_load_u32(idx + 4u * i); }

static void gather_eval(qs_model_t *m, const qs_op_t *op) {
  const gather_params_t *p = (const gather_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]), *idx = qs_tdata(m, op->in[1]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t b, o, c;
  for (b = 0; b < p->batch; b++)
    for (o = 0; o < p->outer; o++)
      for (c = 0; c < p->coords; c++, out += p->inner) {
        int32_t k = index_at(idx, b * p->coords + c);
        if (k < 0 || (uint32_t)k >= p->axis) memset(out, 0, p->inner);
        else memcpy(out, in + (((size_t)b * p->outer + o) * p->axis + (uint32_t)k) * p->inner, p->inner);
      }
}

static void gather_nd_eval(qs_model_t *m, const qs_op_t *op) {
  const gather_params_t *p = (const gather_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]), *idx = qs_tdata(m, op->in[1]);
  uint8_t *out = qs_tdata(m, op->out);
  size_t bytes = (size_t)p->slice * p->esize;
  uint32_t i, j;
  for (i = 0; i < p->n_slices; i++, out += bytes) {
    int64_t from = 0;
    for (j = 0; j < p->nd; j++) from += (int64_t)index_at(idx, i * p->nd + j) * p->count[j];
    if (from < 0 || from + p->slice > p->flat) memset(out, 0, bytes);
    else memcpy(out, in + (size_t)from * p->esize, bytes);
  }
}

static qs_status_t check_types(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *in, const qs_tensor_t *idx) {
  const qs_tensor_t *out = qs_out(m);
  if (in->dtype != QS_DT_FLOAT32 && in->dtype != QS_DT_INT8)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: float32 or int8)");
  if (idx->dtype != QS_DT_INT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[1], "indices must be int32 (as in TFLite Micro)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the input's");
  return QS_OK;
}

qs_status_t qs_prep_gather(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *idx = qs_in(m, op, 1), *out = qs_out(m);
  gather_params_t *p;
  int32_t axis, bd;
  int d, od = 0;
  uint32_t i;
  qs_status_t s;
  if (op->n_in != 2 || !in || !idx) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "GATHER needs 2 inputs (params, indices)");
  if ((s = check_types(m, oi, op, in, idx))) return s;
  axis = fb_i32(&m->fb, &op->opts, 0, 0);
  bd = fb_i32(&m->fb, &op->opts, 1, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (axis < 0) axis += in->ndims;
  if (bd < 0) bd += idx->ndims;
  if (axis < 0 || axis >= in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, -1, "axis out of range");
  if (bd < 0 || bd > axis || bd >= in->ndims || bd > idx->ndims)
    return qs_fail(m, QS_ERR_SHAPE, oi, -1, "batch_dims out of range (0 <= batch_dims <= axis, below both ranks)");
  for (d = 0; d < bd; d++)
    if (in->dims[d] != idx->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "batch dimensions of params and indices differ");
  /* output shape: params[:axis] + indices[batch_dims:] + params[axis+1:] */
  if (out->ndims != in->ndims + idx->ndims - 1 - bd) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output rank is not the gathered rank");
  for (d = 0; d < axis; d++)
    if (out->dims[od++] != in->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the gathered shape");
  for (d = bd; d < idx->ndims; d++)
    if (out->dims[od++] != idx->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the gathered shape");
  for (d = axis + 1; d < in->ndims; d++)
    if (out->dims[od++] != in->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the gathered shape");
  if (!(p = (gather_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->batch = p->outer = p->coords = 1;
  p->inner = qs_esize(in->dtype);
  for (d = 0; d < bd; d++) p->batch *= (uint32_t)in->dims[d];
  for (d = bd; d < axis; d++) p->outer *= (uint32_t)in->dims[d];
  for (d = axis + 1; d < in->ndims; d++) p->inner *= (uint32_t)in->dims[d];
  for (d = bd; d < idx->ndims; d++) p->coords *= (uint32_t)idx->dims[d];
  p->axis = (uint32_t)in->dims[axis];
  if (idx->data) /* constant indices: refuse one outside the axis now rather than at eval */
    for (i = 0; i < qs_elems(idx); i++)
      if (index_at(idx->data, i) < 0 || (uint32_t)index_at(idx->data, i) >= p->axis)
        return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "an index is outside the gathered axis");
  op->params = p;
  op->eval = gather_eval;
  return QS_OK;
}

qs_status_t qs_prep_gather_nd(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *idx = qs_in(m, op, 1), *out = qs_out(m);
  gather_params_t *p;
  int d, od = 0, nd;
  uint32_t i, rest;
  qs_status_t s;
  if (op->n_in != 2 || !in || !idx) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "GATHER_ND needs 2 inputs (params, indices)");
  if ((s = check_types(m, oi, op, in, idx))) return s;
  if (in->ndims < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "params must be at least a vector");
  if (idx->ndims < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "indices must be at least a vector");
  nd = idx->dims[idx->ndims - 1];
  if (nd > in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "index innermost dimension longer than the params rank");
  if (nd > MAX_INDICES_ND) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "index innermost dimension longer than 5 (TFLite Micro's limit)");
  /* output shape: indices[:-1] + params[nd:] */
  if (out->ndims != idx->ndims - 1 + in->ndims - nd) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output rank is not the gathered rank");
  for (d = 0; d < idx->ndims - 1; d++)
    if (out->dims[od++] != idx->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the gathered shape");
  for (d = nd; d < in->ndims; d++)
    if (out->dims[od++] != in->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the gathered shape");
  if (!(p = (gather_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->esize = (uint8_t)qs_esize(in->dtype);
  p->nd = (uint32_t)nd;
  p->n_slices = p->slice = 1;
  for (d = 0; d < idx->ndims - 1; d++) p->n_slices *= (uint32_t)idx->dims[d];
  for (d = nd; d < in->ndims; d++) p->slice *= (uint32_t)in->dims[d];
  p->flat = rest = qs_elems(in);
  for (d = 0; d < nd; d++) p->count[d] = rest = in->dims[d] ? rest / (uint32_t)in->dims[d] : 0;
  if (idx->data) /* constant indices: refuse a slice outside params now (TFLite Micro fails the invoke) */
    for (i = 0; i < p->n_slices; i++) {
      int64_t from = 0;
      for (d = 0; d < nd; d++) from += (int64_t)index_at(idx->data, i * p->nd + (uint32_t)d) * p->count[d];
      if (from < 0 || from + p->slice > p->flat) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "an index points outside params");
    }
  op->params = p;
  op->eval = gather_nd_eval;
  return QS_OK;
}
