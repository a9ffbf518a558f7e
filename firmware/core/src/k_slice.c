/*
 * STRIDED_SLICE (any element type, no requantization), with TFLite's begin/end masks,
 * negative indices, negative strides and shrink_axis_mask (strided_slice_logic.h
 * StartForAxis / StopForAxis clamping). ellipsis_mask, new_axis_mask and offset are ignored, as
 * TFLite Micro's BuildStridedSliceParams ignores them (a new axis then fails the output shape
 * check there and here).
 * SLICE (float32, int32, int8, int16, bool; slice.cc): begin and size (-1: to the end), stride 1.
 */
#include <string.h>

#include "ops.h"

typedef struct {
  int nd, esize;
  int32_t start[QS_MAX_DIMS], stride[QS_MAX_DIMS], count[QS_MAX_DIMS], in_stride[QS_MAX_DIMS];
} slice_params_t;

static void slice_eval(qs_model_t *m, const qs_op_t *op) {
  const slice_params_t *p = (const slice_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  int64_t src = 0;
  uint32_t n = 1, i;
  int d;
  for (d = 0; d < p->nd; d++) {
    n *= (uint32_t)p->count[d];
    src += (int64_t)p->start[d] * p->in_stride[d];
  }
  for (i = 0; i < n; i++, out += p->esize) {
    memcpy(out, in + src * p->esize, (size_t)p->esize);
    for (d = p->nd - 1; d >= 0; d--) {
      src += (int64_t)p->stride[d] * p->in_stride[d];
      if (++idx[d] < p->count[d]) break;
      src -= (int64_t)p->stride[d] * p->in_stride[d] * p->count[d];
      idx[d] = 0;
    }
  }
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

static int read_vec(const qs_tensor_t *t, int32_t *v, int n) {
  int i;
  if (!t || !t->data || t->dtype != QS_DT_INT32 || t->bytes != 4u * (uint32_t)n) return 0;
  for (i = 0; i < n; i++) v[i] = (int32_t)fb_load_u32(t->data + 4 * i);
  return 1;
}

qs_status_t qs_prep_strided_slice(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  slice_params_t *p;
  int32_t b[QS_MAX_DIMS], e[QS_MAX_DIMS], s[QS_MAX_DIMS], st = 1;
  int32_t begin_mask, end_mask, shrink, d, nd, od = 0;
  uint32_t total = 1;
  if (op->n_in != 4 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "STRIDED_SLICE needs 4 inputs");
  nd = in->ndims;
  if (nd > 4) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "input rank above 4 (TFLite Micro's STRIDED_SLICE limit)");
  if (!read_vec(qs_in(m, op, 1), b, nd) || !read_vec(qs_in(m, op, 2), e, nd) || !read_vec(qs_in(m, op, 3), s, nd))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "begin/end/strides must be constant int32 vectors of length rank");
  if (in->dtype != out->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from input");
  begin_mask = fb_i32(&m->fb, &op->opts, 0, 0);
  end_mask = fb_i32(&m->fb, &op->opts, 1, 0);
  shrink = fb_i32(&m->fb, &op->opts, 4, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (!(p = (slice_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = nd;
  p->esize = (int)(in->bytes / (qs_elems(in) ? qs_elems(in) : 1));
  for (d = nd - 1; d >= 0; d--) p->in_stride[d] = st, st *= in->dims[d];
  for (d = 0; d < nd; d++) {
    int64_t size = in->dims[d], start, stop, cnt;
    if (s[d] == 0) return qs_fail(m, QS_ERR_SCHEMA, oi, op->in[3], "stride 0");
    start = (begin_mask >> d & 1) ? (s[d] > 0 ? INT32_MIN : INT32_MAX) : b[d];
    if (start < 0) start += size;
    start = s[d] > 0 ? clamp64(start, 0, size) : clamp64(start, -1, size - 1);
    if (shrink >> d & 1) {
      stop = start + 1;
      if (start < 0 || start >= size) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "shrink axis index out of range");
    } else {
      stop = (end_mask >> d & 1) ? (s[d] > 0 ? INT32_MAX : INT32_MIN) : e[d];
      if (stop < 0) stop += size;
      stop = s[d] > 0 ? clamp64(stop, 0, size) : clamp64(stop, -1, size - 1);
    }
    {
      int64_t sd = s[d]; /* 64-bit: -INT32_MIN must not overflow */
      cnt = sd > 0 ? (stop - start + sd - 1) / sd : (start - stop - sd - 1) / -sd;
    }
    if ((shrink >> d & 1)) s[d] = 1, cnt = 1;
    if (cnt < 0) cnt = 0;
    p->start[d] = (int32_t)start;
    p->stride[d] = s[d];
    p->count[d] = (int32_t)cnt;
    total *= (uint32_t)cnt;
    if (!(shrink >> d & 1)) {
      if (od >= out->ndims || out->dims[od] != cnt) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the slice");
      od++;
    }
  }
  if (od != out->ndims || total != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the slice");
  op->params = p;
  op->eval = slice_eval;
  return QS_OK;
}

qs_status_t qs_prep_slice(qs_model_t *m, int oi, qs_op_t *op) {
  static const uint8_t types[] = {QS_DT_FLOAT32, QS_DT_INT32, QS_DT_INT8, QS_DT_INT16, QS_DT_BOOL, 255};
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  slice_params_t *p;
  int32_t b[QS_MAX_DIMS], sz[QS_MAX_DIMS], st = 1;
  int d, nd;
  if (op->n_in != 3 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SLICE needs 3 inputs (input, begin, size)");
  if (!qs_dtype_in(in->dtype, types))
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: float32, int32, int8, int16 or bool)");
  if (in->dtype != out->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from input");
  nd = in->ndims;
  if (nd > 5) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "input rank above 5 (TFLite Micro's SLICE limit)");
  if (qs_const_ints(qs_in(m, op, 1), b, QS_MAX_DIMS) != nd || qs_const_ints(qs_in(m, op, 2), sz, QS_MAX_DIMS) != nd)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "begin and size must be constant int32/int64 vectors of length rank");
  if (out->ndims != nd) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output rank differs from the input's");
  if (!(p = (slice_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = nd;
  p->esize = (int)qs_esize(in->dtype);
  for (d = nd - 1; d >= 0; d--) p->in_stride[d] = st, st *= in->dims[d];
  for (d = 0; d < nd; d++) {
    int32_t cnt = sz[d] == -1 ? in->dims[d] - b[d] : sz[d];
    if (b[d] < 0 || b[d] > in->dims[d] || cnt < 0 || cnt > in->dims[d] - b[d])
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "begin + size reaches outside the input");
    if (out->dims[d] != cnt) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match size");
    p->start[d] = b[d], p->stride[d] = 1, p->count[d] = cnt;
  }
  op->params = p;
  op->eval = slice_eval;
  return QS_OK;
}
