/*
 * ARG_MAX / ARG_MIN (int8/uint8/int32/float32 input, int32/int64 output; ties keep the first
 * index, as the reference's strict '>' / '<' does) and RESIZE_NEAREST_NEIGHBOR (TFLite's GetNearestNeighbor:
 * float scale, floor or round with align_corners, optional half-pixel centers).
 */
#include <string.h>

#include "ops.h"

typedef struct {
  uint32_t outer, axis, inner;
  uint8_t in_type, out_size, is_min;
} argmax_params_t;

typedef struct {
  int n, ih, iw, oh, ow, esize_c; /* esize_c: bytes per pixel (channels * element size) */
  int16_t *map_y, *map_x;
} resize_params_t;

static int32_t elem(const uint8_t *p, uint8_t type, uint32_t i, float *f) {
  uint32_t u;
  switch (type) {
    case QS_DT_INT8: return (int8_t)p[i];
    case QS_DT_UINT8: return p[i];
    case QS_DT_INT32: return (int32_t)fb_load_u32(p + 4 * i);
    default: /* float32: compared through *f */
      u = fb_load_u32(p + 4 * i);
      memcpy(f, &u, 4);
      return 0;
  }
}

static int greater(const uint8_t *p, uint8_t type, uint32_t a, uint32_t b) {
  float fa = 0.0f, fb = 0.0f;
  int32_t ia = elem(p, type, a, &fa), ib = elem(p, type, b, &fb);
  return type == QS_DT_FLOAT32 ? fa > fb : ia > ib;
}

static void argmax_eval(qs_model_t *m, const qs_op_t *op) {
  const argmax_params_t *p = (const argmax_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t o, i, j;
  for (o = 0; o < p->outer; o++)
    for (i = 0; i < p->inner; i++) {
      uint32_t base = o * p->axis * p->inner + i, best = 0;
      for (j = 1; j < p->axis; j++)
        if (p->is_min ? greater(in, p->in_type, base + best * p->inner, base + j * p->inner)
                      : greater(in, p->in_type, base + j * p->inner, base + best * p->inner))
          best = j;
      memset(out, 0, p->out_size);
      out[0] = (uint8_t)best, out[1] = (uint8_t)(best >> 8), out[2] = (uint8_t)(best >> 16), out[3] = (uint8_t)(best >> 24);
      out += p->out_size;
    }
}

qs_status_t qs_prep_argmax(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *ax = qs_in(m, op, 1), *out = qs_out(m);
  argmax_params_t *p;
  int32_t axis;
  int d;
  if (op->n_in != 2 || !in || !ax) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ARG_MAX / ARG_MIN needs 2 inputs");
  if (in->dtype != QS_DT_INT8 && in->dtype != QS_DT_UINT8 && in->dtype != QS_DT_INT32 && in->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (float32, int8, uint8 or int32)");
  if (out->dtype != QS_DT_INT32 && out->dtype != QS_DT_INT64) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output must be int32 or int64");
  if (!ax->data || (ax->dtype != QS_DT_INT32 && ax->dtype != QS_DT_INT64) || qs_elems(ax) != 1)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "axis must be a constant scalar");
  axis = (int32_t)fb_load_u32(ax->data);
  if (axis < 0) axis += in->ndims;
  if (axis < 0 || axis >= in->ndims || in->dims[axis] < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "axis out of range");
  if (qs_elems(out) * (uint64_t)in->dims[axis] != qs_elems(in)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the input without the axis");
  if (!(p = (argmax_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->outer = p->inner = 1;
  for (d = 0; d < axis; d++) p->outer *= (uint32_t)in->dims[d];
  for (d = axis + 1; d < in->ndims; d++) p->inner *= (uint32_t)in->dims[d];
  p->axis = (uint32_t)in->dims[axis];
  p->in_type = in->dtype;
  p->out_size = out->dtype == QS_DT_INT32 ? 4 : 8;
  p->is_min = op->code == OP_ARG_MIN;
  op->params = p;
  op->eval = argmax_eval;
  return QS_OK;
}

static void resize_eval(qs_model_t *m, const qs_op_t *op) {
  const resize_params_t *p = (const resize_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int b, y, x;
  for (b = 0; b < p->n; b++)
    for (y = 0; y < p->oh; y++)
      for (x = 0; x < p->ow; x++, out += p->esize_c)
        memcpy(out, in + (((size_t)b * p->ih + p->map_y[y]) * p->iw + p->map_x[x]) * p->esize_c, (size_t)p->esize_c);
}

/* GetNearestNeighbor, evaluated once per output row/column at prepare time. */
static int16_t nearest(int v, int in_size, int out_size, int align, int half) {
  float scale = (align && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1) : (float)in_size / (float)out_size;
  float pos = ((float)v + (half ? 0.5f : 0.0f)) * scale;
  int32_t r = align ? (int32_t)qs_roundf(pos) : (int32_t)pos; /* pos >= 0: truncation is floor */
  if (r > in_size - 1) r = in_size - 1;
  if (r < 0) r = 0;
  return (int16_t)r;
}

qs_status_t qs_prep_resize_nn(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *size = qs_in(m, op, 1), *out = qs_out(m);
  resize_params_t *p;
  int align, half, i;
  if (op->n_in != 2 || !in || !size) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "RESIZE_NEAREST_NEIGHBOR needs 2 inputs");
  if (in->dtype != out->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from input");
  if (in->dtype != QS_DT_FLOAT32 && in->dtype != QS_DT_INT8 && in->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "RESIZE_NEAREST_NEIGHBOR takes float32, int8 or int16 (as TFLite Micro)");
  if (in->ndims != 4 || out->ndims != 4 || !size->data || size->dtype != QS_DT_INT32 || size->bytes != 8)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "needs a 4-D input and a constant int32 size [2]");
  if ((int32_t)fb_load_u32(size->data) != out->dims[1] || (int32_t)fb_load_u32(size->data + 4) != out->dims[2] ||
      out->dims[0] != in->dims[0] || out->dims[3] != in->dims[3] || in->dims[1] < 1 || in->dims[2] < 1 ||
      out->dims[1] > 32767 || out->dims[2] > 32767 || in->dims[1] > 32767 || in->dims[2] > 32767)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the size tensor");
  align = fb_u8(&m->fb, &op->opts, 0, 0);
  half = fb_u8(&m->fb, &op->opts, 1, 0);
  if (!(p = (resize_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->oh = out->dims[1], p->ow = out->dims[2];
  p->esize_c = (int)(in->bytes / (qs_elems(in) ? qs_elems(in) : 1)) * in->dims[3];
  p->map_y = (int16_t *)qs_alloc(m, 2u * (size_t)p->oh);
  p->map_x = (int16_t *)qs_alloc(m, 2u * (size_t)p->ow);
  if (!p->map_y || !p->map_x) return QS_ERR_ARENA;
  for (i = 0; i < p->oh; i++) p->map_y[i] = nearest(i, p->ih, p->oh, align, half);
  for (i = 0; i < p->ow; i++) p->map_x[i] = nearest(i, p->iw, p->ow, align, half);
  op->params = p;
  op->eval = resize_eval;
  return QS_OK;
}
