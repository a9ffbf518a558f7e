/*
 * AVERAGE_POOL_2D and MAX_POOL_2D int8 and int16, bit-exact with TFLite Micro reference_integer_ops
 * pooling: the window is clipped to the image, the average divides by the number of
 * in-image taps with rounding half away from zero, then the fused activation clamps.
 */
#include "k_params.h"

/* One window loop for both widths (TFLM's int16 pooling is the int8 arithmetic on int16 values,
 * int32 window sum): NAME(m, op) pools T elements, LOWEST starting the max. */
#define QS_POOL_EVAL(NAME, T, LOWEST)                                                                  \
  static void NAME(qs_model_t *m, const qs_op_t *op) {                                               \
    const pool_params_t *p = (const pool_params_t *)op->params;                                      \
    const T *in = (const T *)(const void *)qs_tdata(m, op->in[0]);                                   \
    T *out = (T *)(void *)qs_tdata(m, op->out);                                                      \
    int b, oy, ox, ch, y, x;                                                                         \
    for (b = 0; b < p->n; b++) {                                                                     \
      const T *inb = in + (size_t)b * p->ih * p->iw * p->c;                                          \
      for (oy = 0; oy < p->oh; oy++) {                                                               \
        int y0 = oy * p->sh - p->pad_h;                                                              \
        int ys = y0 < 0 ? -y0 : 0, ye = p->ih - y0 < p->fh ? p->ih - y0 : p->fh;                     \
        for (ox = 0; ox < p->ow; ox++, out += p->c) {                                                \
          int x0 = ox * p->sw - p->pad_w;                                                            \
          int xs = x0 < 0 ? -x0 : 0, xe = p->iw - x0 < p->fw ? p->iw - x0 : p->fw;                   \
          int count = (ye - ys) * (xe - xs);                                                         \
          for (ch = 0; ch < p->c; ch++) {                                                            \
            int32_t acc = p->is_max ? (LOWEST) : 0;                                                  \
            for (y = ys; y < ye; y++) {                                                              \
              const T *row = inb + ((size_t)(y0 + y) * p->iw + x0) * p->c + ch;                      \
              for (x = xs; x < xe; x++) {                                                            \
                int32_t v = row[(size_t)x * p->c];                                                   \
                if (p->is_max) acc = v > acc ? v : acc;                                              \
                else acc += v;                                                                       \
              }                                                                                      \
            }                                                                                        \
            if (!p->is_max) {                                                                        \
              if (count <= 0) acc = 0; /* unreachable for validated shapes */                        \
              else acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;            \
            }                                                                                        \
            acc = acc < p->act_min ? p->act_min : acc;                                               \
            out[ch] = (T)(acc > p->act_max ? p->act_max : acc);                                      \
          }                                                                                          \
        }                                                                                            \
      }                                                                                              \
    }                                                                                                \
  }

QS_POOL_EVAL(pool_eval, int8_t, -128)
#if QS_WITH_INT16
QS_POOL_EVAL(pool16_eval, int16_t, -32768)
#endif

qs_status_t qs_prep_pool(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  pool_params_t *p;
  qs_status_t s;
  int pad;
  const int i16 = QS_WITH_INT16 && in && in->dtype == QS_DT_INT16;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "pooling needs 1 input");
  if ((s = qs_opts(m, oi, op, OPT_POOL2D, 1)) != QS_OK) return s;
  if (i16 ? ((s = qs_need_q16(m, oi, op, 0, "input", 0)) || (s = qs_need_q16(m, oi, op, QS_OUT, "output", 0)))
          : ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))))
    return s;
  if (in->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "pooling tensors must be 4-D");
  /* Like TFLite Micro, pool the raw int8 values; input and output quantization are assumed
   * equal (converters emit them so) and not rescaled. */
  if (!(p = (pool_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  pad = fb_u8(&m->fb, &op->opts, 0, 0);
  p->sw = fb_i32(&m->fb, &op->opts, 1, 0);
  p->sh = fb_i32(&m->fb, &op->opts, 2, 0);
  p->fw = fb_i32(&m->fb, &op->opts, 3, 0);
  p->fh = fb_i32(&m->fb, &op->opts, 4, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->sw < 1 || p->sh < 1 || p->fw < 1 || p->fh < 1 || pad > 1 || p->sw > 4096 || p->sh > 4096 ||
      p->fw > 4096 || p->fh > 4096 || p->fw * p->fh > (1 << 22)) /* sum of window fits int32 */
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad pool stride, filter or padding");
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->c = in->dims[3];
  p->oh = qs_out_size(pad, p->ih, p->fh, p->sh, 1);
  p->ow = qs_out_size(pad, p->iw, p->fw, p->sw, 1);
  if (p->oh < 1 || p->ow < 1 || out->dims[0] != p->n || out->dims[1] != p->oh || out->dims[2] != p->ow || out->dims[3] != p->c)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input, filter, stride and padding");
  p->pad_h = qs_padding(p->sh, 1, p->ih, p->fh, p->oh);
  p->pad_w = qs_padding(p->sw, 1, p->iw, p->fw, p->ow);
  p->is_max = op->code == OP_MAX_POOL_2D;
  if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 5, 0), out, &p->act_min, &p->act_max))) return s;
  op->params = p;
#if QS_WITH_INT16
  if (i16) {
    /* the int32 window sum of int16 values: at most 65535 taps */
    if (!p->is_max && p->fw * p->fh > 65535)
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "int16 average pool window over 65535 taps (its sum would overflow int32)");
    op->eval = pool16_eval;
    return QS_OK;
  }
#endif
  op->eval = pool_eval;
#if QS_WASM_SIMD
  qs_pool_wasm_prepare(op, p);
#endif
  return QS_OK;
}
