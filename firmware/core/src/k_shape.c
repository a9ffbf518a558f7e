/*
 * Data-movement ops (any element type; bytes are moved without rescaling, as TFLite Micro
 * does): PAD / PADV2, CONCATENATION, PACK, TRANSPOSE, SHAPE,
 * RESIZE_NEAREST_NEIGHBOR, and ARG_MAX. Shape parameters (paddings, perm, axis, size) must be
 * constant tensors so everything is checked at prepare time.
 */
#include <string.h>

#include "ops.h"

#define MAXD QS_MAX_DIMS

typedef struct {
  int nd, esize, n_in;
  int32_t in_dims[MAXD], out_dims[MAXD], aux[MAXD]; /* PAD: before; TRANSPOSE: input strides in output order */
  uint32_t outer, inner[QS_MAX_IO];                  /* CONCAT/PACK: bytes per outer step per input */
  int32_t pad_value;
  int align_corners, half_pixel;
} shape_params_t;

static uint32_t esize_of(uint8_t dt) {
  return dt == QS_DT_FLOAT32 || dt == QS_DT_INT32 ? 4 : dt == QS_DT_INT64 ? 8 : dt == QS_DT_INT16 ? 2 : 1;
}

/* Read a small constant int32/int64 tensor into v (at most max values); -1 if unusable. */
static int const_ints(const qs_tensor_t *t, int32_t *v, int max) {
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

/* TFLite Micro moves the bytes of these ops without rescaling (differing quantization
 * parameters are copied through as is), so only the element type must agree. */
static qs_status_t same_quant(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *a, const qs_tensor_t *b) {
  if (a->dtype != b->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "element types differ");
  return QS_OK;
}

/* ---- PAD / PADV2: fill with the pad value, then copy input rows into place ---- */
static void pad_eval(qs_model_t *m, const qs_op_t *op) {
  const shape_params_t *p = (const shape_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[MAXD] = {0, 0, 0, 0, 0, 0};
  uint32_t total = m->slots[op->out].bytes, row, rows = 1, i;
  int d, last = p->nd - 1, k;
  for (i = 0; i < total; i += (uint32_t)p->esize)
    for (k = 0; k < p->esize; k++) out[i + (uint32_t)k] = (uint8_t)(p->pad_value >> (8 * k));
  if (p->nd == 0) {
    memcpy(out, in, (size_t)p->esize);
    return;
  }
  for (d = 0; d < last; d++) rows *= (uint32_t)p->in_dims[d];
  row = (uint32_t)p->in_dims[last] * (uint32_t)p->esize;
  for (i = 0; i < rows && row > 0; i++, in += row) {
    uint32_t o = 0;
    for (d = 0; d < p->nd; d++) o = o * (uint32_t)p->out_dims[d] + (uint32_t)(idx[d] + p->aux[d]);
    memcpy(out + o * (uint32_t)p->esize, in, row);
    for (d = last - 1; d >= 0; d--) {
      if (++idx[d] < p->in_dims[d]) break;
      idx[d] = 0;
    }
  }
}

qs_status_t qs_prep_pad(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *pads = qs_in(m, op, 1), *cv = qs_in(m, op, 2), *out = qs_out(m);
  shape_params_t *p;
  int32_t pv[2 * MAXD];
  qs_status_t s;
  int d;
  if (op->n_in < 2 || op->n_in > 3 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "PAD needs 2 or 3 inputs");
  if ((s = same_quant(m, oi, op, in, out))) return s;
  if (const_ints(pads, pv, 2 * MAXD) != 2 * in->ndims || out->ndims != in->ndims)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "paddings must be a constant [rank, 2] tensor");
  if (!(p = (shape_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = in->ndims;
  p->esize = (int)esize_of(in->dtype);
  for (d = 0; d < p->nd; d++) {
    if (pv[2 * d] < 0 || pv[2 * d + 1] < 0 || out->dims[d] != in->dims[d] + pv[2 * d] + pv[2 * d + 1])
      return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input plus paddings");
    p->in_dims[d] = in->dims[d], p->out_dims[d] = out->dims[d], p->aux[d] = pv[2 * d];
  }
  p->pad_value = in->quantized ? out->zp : 0;
  if (cv) { /* PADV2 constant value, same type (and quantization) as the input */
    if ((s = same_quant(m, oi, op, cv, out))) return s;
    if (!cv->data || cv->bytes != (uint32_t)p->esize || p->esize > 4)
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[2], "pad value must be a constant scalar");
    p->pad_value = 0;
    for (d = 0; d < p->esize; d++) p->pad_value |= (int32_t)((uint32_t)cv->data[d] << (8 * d));
  }
  if (p->esize > 4) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "PAD of 64-bit elements");
  op->params = p;
  op->eval = pad_eval;
  return QS_OK;
}

/* ---- CONCATENATION / PACK: per outer index, each input contributes one contiguous block ---- */
static void concat_eval(qs_model_t *m, const qs_op_t *op) {
  const shape_params_t *p = (const shape_params_t *)op->params;
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t o;
  int i;
  for (o = 0; o < p->outer; o++)
    for (i = 0; i < p->n_in; i++) {
      memcpy(out, qs_tdata(m, op->in[i]) + (size_t)o * p->inner[i], p->inner[i]);
      out += p->inner[i];
    }
}

/* The element types TFLite Micro's concatenation.cc and pack.cc accept. */
static qs_status_t concat_types(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *first, int is_pack) {
  static const uint8_t concat_ok[] = {QS_DT_FLOAT32, QS_DT_INT8, QS_DT_INT16, QS_DT_INT32, QS_DT_INT64, QS_DT_BOOL, 255};
  static const uint8_t pack_ok[] = {QS_DT_FLOAT32, QS_DT_INT8, QS_DT_INT16, QS_DT_INT32, QS_DT_INT64, 255};
  if (qs_dtype_in(first->dtype, is_pack ? pack_ok : concat_ok)) return QS_OK;
  if (first->dtype == QS_DT_UINT8)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0],
                   is_pack ? "PACK of uint8 tensors: TFLite Micro has no uint8 PACK kernel"
                           : "CONCATENATION of uint8 tensors: TFLite Micro has no uint8 CONCATENATION kernel");
  return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: float32, int8, int16, int32, int64 or bool)");
}

qs_status_t qs_prep_concat(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *out = qs_out(m), *first = qs_in(m, op, 0);
  shape_params_t *p;
  qs_status_t s;
  int axis, i, d, is_pack = op->code == OP_PACK, rank;
  uint32_t total = 0;
  if (op->n_in < 1 || !first) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "needs at least one input");
  if (!is_pack && (s = qs_opts(m, oi, op, OPT_CONCAT, 0))) return s;
  axis = fb_i32(&m->fb, &op->opts, is_pack ? 1 : 0, 0);
  if (!is_pack && fb_u8(&m->fb, &op->opts, 1, 0) != ACT_NONE)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation on CONCATENATION");
  if ((s = concat_types(m, oi, op, first, is_pack))) return s;
  rank = out->ndims;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank || first->ndims != (is_pack ? rank - 1 : rank))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "axis out of range or rank mismatch");
  if (!(p = (shape_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n_in = op->n_in;
  p->outer = 1;
  for (d = 0; d < axis; d++) p->outer *= (uint32_t)out->dims[d];
  for (i = 0; i < op->n_in; i++) {
    const qs_tensor_t *t = qs_in(m, op, i);
    uint32_t inner = esize_of(out->dtype);
    if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "missing input");
    if ((s = same_quant(m, oi, op, t, out))) return s;
    /* TFLite Micro: int8 inputs are not rescaled, so they must share the output's scale and zero
     * point; int16 ones have zero point 0 */
    if (!is_pack && t->dtype == QS_DT_INT8 && (t->scale != out->scale || t->zp != out->zp))
      return qs_fail(m, QS_ERR_QUANT, oi, op->in[i], "int8 input's scale or zero point differs from the output's (TFLite Micro does not rescale)");
    if (!is_pack && t->dtype == QS_DT_INT16 && (t->zp != 0 || out->zp != 0))
      return qs_fail(m, QS_ERR_QUANT, oi, op->in[i], "int16 tensor with a nonzero zero point");
    if (t->ndims != first->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[i], "inputs differ in rank");
    for (d = 0; d < t->ndims; d++) {
      int od = is_pack && d >= axis ? d + 1 : d;
      if (d >= axis) inner *= (uint32_t)t->dims[d];
      if (od != axis && t->dims[d] != out->dims[od]) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[i], "input shape does not match the output");
    }
    p->inner[i] = inner;
    total += inner;
  }
  if ((uint64_t)total * p->outer != m->slots[op->out].bytes)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output size is not the sum of the inputs");
  op->params = p;
  op->eval = concat_eval;
  return QS_OK;
}

/* ---- TRANSPOSE: odometer over the output, input offset from permuted strides ---- */
static void transpose_eval(qs_model_t *m, const qs_op_t *op) {
  const shape_params_t *p = (const shape_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[MAXD] = {0, 0, 0, 0, 0, 0};
  uint32_t n = m->slots[op->out].bytes / (uint32_t)p->esize, i, src = 0;
  int d;
  for (i = 0; i < n; i++, out += p->esize) {
    memcpy(out, in + (size_t)src * (uint32_t)p->esize, (size_t)p->esize);
    for (d = p->nd - 1; d >= 0; d--) {
      src += (uint32_t)p->aux[d];
      if (++idx[d] < p->out_dims[d]) break;
      src -= (uint32_t)p->aux[d] * (uint32_t)p->out_dims[d];
      idx[d] = 0;
    }
  }
}

qs_status_t qs_prep_transpose(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *perm = qs_in(m, op, 1), *out = qs_out(m);
  shape_params_t *p;
  int32_t pv[MAXD], stride[MAXD];
  qs_status_t s;
  int d, seen = 0;
  if (op->n_in != 2 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "TRANSPOSE needs 2 inputs");
  if ((s = same_quant(m, oi, op, in, out))) return s;
  if (in->dtype != QS_DT_FLOAT32 && in->dtype != QS_DT_INT8 && in->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: float32, int8 or int16)");
  if (const_ints(perm, pv, MAXD) != in->ndims || out->ndims != in->ndims)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "perm must be a constant vector of length rank");
  if (!(p = (shape_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = in->ndims;
  p->esize = (int)esize_of(in->dtype);
  for (d = p->nd - 1, stride[p->nd > 0 ? p->nd - 1 : 0] = 1; d > 0; d--) stride[d - 1] = stride[d] * in->dims[d];
  for (d = 0; d < p->nd; d++) {
    if (pv[d] < 0 || pv[d] >= p->nd || (seen & (1 << pv[d]))) return qs_fail(m, QS_ERR_SCHEMA, oi, op->in[1], "perm is not a permutation");
    seen |= 1 << pv[d];
    if (out->dims[d] != in->dims[pv[d]]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the permutation");
    p->out_dims[d] = out->dims[d];
    p->aux[d] = stride[pv[d]];
  }
  op->params = p;
  op->eval = transpose_eval;
  return QS_OK;
}

/* ---- SHAPE ---- */
static void shape_eval(qs_model_t *m, const qs_op_t *op) {
  const shape_params_t *p = (const shape_params_t *)op->params;
  uint8_t *out = qs_tdata(m, op->out);
  int d, k;
  for (d = 0; d < p->nd; d++)
    for (k = 0; k < p->esize; k++) out[d * p->esize + k] = k < 4 ? (uint8_t)((uint32_t)p->in_dims[d] >> (8 * k)) : 0;
}

qs_status_t qs_prep_shape(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  shape_params_t *p;
  int d;
  if (op->n_in != 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SHAPE needs 1 input");
  if ((out->dtype != QS_DT_INT32 && out->dtype != QS_DT_INT64) || qs_elems(out) != (uint32_t)in->ndims)
    return qs_fail(m, QS_ERR_TYPE, oi, op->out, "SHAPE output must be int32/int64 of length rank");
  if (!(p = (shape_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->nd = in->ndims;
  p->esize = (int)esize_of(out->dtype);
  for (d = 0; d < p->nd; d++) p->in_dims[d] = in->dims[d];
  op->params = p;
  op->eval = shape_eval;
  return QS_OK;
}
