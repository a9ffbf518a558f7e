/*
 * Moving pixels between space, depth and batch (float32 and int8, as TFLite Micro's
 * depth_to_space.cc, space_to_depth.cc, space_to_batch_nd.cc, batch_to_space_nd.cc and the
 * reference kernels they call). NHWC; SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND also take a 3-D
 * input (NHC, read as NH1C). Each copies runs of whole pixels (depth elements).
 */
#include <string.h>

#include "ops.h"

typedef struct {
  int32_t b, ih, iw, oh, ow, bh, bw, pt, pl; /* pt/pl: padding (S2B) or crops (B2S), top/left */
  uint32_t run;                              /* bytes per copied run */
  uint32_t in_depth, out_depth;              /* bytes per input / output pixel */
  uint8_t pad;                               /* SPACE_TO_BATCH_ND: the byte padding is filled with */
} space_params_t;

/* DEPTH_TO_SPACE: output (h, w) reads input (h / bs, w / bs) at depth ((h % bs) * bs + w % bs) * out_depth. */
static void d2s_eval(qs_model_t *m, const qs_op_t *op) {
  const space_params_t *p = (const space_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t b, h, w;
  for (b = 0; b < p->b; b++)
    for (h = 0; h < p->oh; h++)
      for (w = 0; w < p->ow; w++, out += p->run) {
        size_t pix = ((size_t)b * p->ih + (size_t)(h / p->bh)) * (size_t)p->iw + (size_t)(w / p->bh);
        memcpy(out, in + pix * p->in_depth + (size_t)((h % p->bh) * p->bh + w % p->bh) * p->run, p->run);
      }
}

/* SPACE_TO_DEPTH: input (h, w) lands in output (h / bs, w / bs) at depth ((h % bs) * bs + w % bs) * in_depth. */
static void s2d_eval(qs_model_t *m, const qs_op_t *op) {
  const space_params_t *p = (const space_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t b, h, w;
  for (b = 0; b < p->b; b++)
    for (h = 0; h < p->ih; h++)
      for (w = 0; w < p->iw; w++, in += p->run) {
        size_t pix = ((size_t)b * p->oh + (size_t)(h / p->bh)) * (size_t)p->ow + (size_t)(w / p->bh);
        memcpy(out + pix * p->out_depth + (size_t)((h % p->bh) * p->bh + w % p->bh) * p->run, in, p->run);
      }
}

/* SPACE_TO_BATCH_ND: output batch ob = (sh * bw + sw) * in_batch + ib reads input row
 * oh * bh + sh - pad_top, column ow * bw + sw - pad_left, or the pad byte outside the input. */
static void s2b_eval(qs_model_t *m, const qs_op_t *op) {
  const space_params_t *p = (const space_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t ob, h, w, n_out = p->b * p->bh * p->bw;
  for (ob = 0; ob < n_out; ob++) {
    int32_t ib = ob % p->b, sw = (ob / p->b) % p->bw, sh = (ob / p->b) / p->bw;
    for (h = 0; h < p->oh; h++)
      for (w = 0; w < p->ow; w++, out += p->run) {
        int32_t y = h * p->bh + sh - p->pt, x = w * p->bw + sw - p->pl;
        if (y < 0 || y >= p->ih || x < 0 || x >= p->iw) memset(out, p->pad, p->run);
        else memcpy(out, in + (((size_t)ib * p->ih + (size_t)y) * p->iw + (size_t)x) * p->run, p->run);
      }
  }
}

/* BATCH_TO_SPACE_ND: input batch ib = k * out_batch + ob goes to output row ih * bh + k / bw - crop_top,
 * column iw * bw + k % bw - crop_left; rows and columns cropped away are skipped. */
static void b2s_eval(qs_model_t *m, const qs_op_t *op) {
  const space_params_t *p = (const space_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t ib, h, w, n_in = p->b * p->bh * p->bw;
  for (ib = 0; ib < n_in; ib++) {
    int32_t ob = ib % p->b, k = ib / p->b;
    for (h = 0; h < p->ih; h++) {
      int32_t y = h * p->bh + k / p->bw - p->pt;
      if (y < 0 || y >= p->oh) continue;
      for (w = 0; w < p->iw; w++) {
        int32_t x = w * p->bw + k % p->bw - p->pl;
        if (x < 0 || x >= p->ow) continue;
        memcpy(out + (((size_t)ob * p->oh + (size_t)y) * p->ow + (size_t)x) * p->run,
               in + (((size_t)ib * p->ih + (size_t)h) * p->iw + (size_t)w) * p->run, p->run);
      }
    }
  }
}

static qs_status_t f32_or_i8(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *in, const qs_tensor_t *out) {
  if (in->dtype != QS_DT_FLOAT32 && in->dtype != QS_DT_INT8)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported (TFLite Micro: float32 or int8)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the input's");
  return QS_OK;
}

qs_status_t qs_prep_depth_space(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  int d2s = op->code == OP_DEPTH_TO_SPACE;
  space_params_t *p;
  int32_t bs, es;
  qs_status_t s;
  if (op->n_in != 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "needs 1 input");
  if ((s = f32_or_i8(m, oi, op, in, out))) return s;
  if (in->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "input and output must be 4-D (NHWC)");
  bs = fb_i32(&m->fb, &op->opts, 0, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (bs < 1 || bs > 4096) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "block_size must be positive");
  {
    const qs_tensor_t *sp = d2s ? out : in, *dp = d2s ? in : out; /* the spatial side and the deep side */
    if (dp->dims[3] % (bs * bs) || (int64_t)sp->dims[1] != (int64_t)dp->dims[1] * bs ||
        (int64_t)sp->dims[2] != (int64_t)dp->dims[2] * bs || (int64_t)sp->dims[3] * bs * bs != dp->dims[3] ||
        in->dims[0] != out->dims[0])
      return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match block_size");
  }
  if (!(p = (space_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  es = (int32_t)qs_esize(in->dtype);
  p->b = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->oh = out->dims[1], p->ow = out->dims[2];
  p->bh = bs;
  p->in_depth = (uint32_t)(in->dims[3] * es);
  p->out_depth = (uint32_t)(out->dims[3] * es);
  p->run = d2s ? p->out_depth : p->in_depth; /* the shallow side's pixel */
  op->params = p;
  op->eval = d2s ? d2s_eval : s2d_eval;
  return QS_OK;
}

/* SPACE_TO_BATCH_ND (input, block_shape, paddings) and BATCH_TO_SPACE_ND (input, block_shape, crops). */
qs_status_t qs_prep_space_batch(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  int s2b = op->code == OP_SPACE_TO_BATCH_ND, four, nb, i;
  space_params_t *p;
  int32_t block[2] = {1, 1}, pads[4] = {0, 0, 0, 0}, ih, iw, oh, ow;
  qs_status_t s;
  if (op->n_in != 3 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "needs 3 inputs");
  if ((s = f32_or_i8(m, oi, op, in, out))) return s;
  if ((in->ndims != 3 && in->ndims != 4) || out->ndims != in->ndims)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "input and output must both be 3-D or both 4-D");
  four = in->ndims == 4;
  nb = four ? 2 : 1;
  if (qs_const_ints(qs_in(m, op, 1), block, 2) != nb)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "block_shape must be a constant vector of one entry per spatial dimension");
  if (qs_const_ints(qs_in(m, op, 2), pads, 4) != 2 * nb)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[2],
                   s2b ? "paddings must be a constant [spatial dims, 2] tensor" : "crops must be a constant [spatial dims, 2] tensor");
  for (i = 0; i < nb; i++) {
    if (block[i] < 1 || block[i] > 4096) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "block_shape entries must be positive");
    if (pads[2 * i] < 0 || pads[2 * i + 1] < 0 || pads[2 * i] > 0x1000000 || pads[2 * i + 1] > 0x1000000)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], s2b ? "paddings must not be negative" : "crops must not be negative");
  }
  if (!four) block[1] = 1;
  ih = in->dims[1], iw = four ? in->dims[2] : 1, oh = out->dims[1], ow = four ? out->dims[2] : 1;
  /* 64-bit: products of hostile dimensions and blocks must not wrap into a match */
  if ((s2b ? ((int64_t)out->dims[0] != (int64_t)in->dims[0] * block[0] * block[1] ||
             (int64_t)oh * block[0] != (int64_t)ih + pads[0] + pads[1] ||
             (four && (int64_t)ow * block[1] != (int64_t)iw + pads[2] + pads[3]))
          : ((int64_t)in->dims[0] != (int64_t)out->dims[0] * block[0] * block[1] ||
             (int64_t)oh != (int64_t)ih * block[0] - pads[0] - pads[1] ||
             (four && (int64_t)ow != (int64_t)iw * block[1] - pads[2] - pads[3]))) ||
      out->dims[in->ndims - 1] != in->dims[in->ndims - 1])
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, s2b ? "output shape does not match block_shape and paddings"
                                                      : "output shape does not match block_shape and crops");
  if (!(p = (space_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->b = s2b ? in->dims[0] : out->dims[0];
  p->ih = ih, p->iw = iw, p->oh = oh, p->ow = ow;
  p->bh = block[0], p->bw = block[1], p->pt = pads[0], p->pl = four ? pads[2] : 0;
  p->run = (uint32_t)in->dims[in->ndims - 1] * qs_esize(in->dtype);
  /* The reference pads with memset(params.output_offset), a field TFLite Micro's kernel never
   * sets (zero in practice): padding is byte 0 for int8 too, whatever the zero point. Kept. */
  p->pad = 0;
  op->params = p;
  op->eval = s2b ? s2b_eval : b2s_eval;
  return QS_OK;
}
