/*
 * float32 AVERAGE_POOL_2D and MAX_POOL_2D, the same bits as QuantScope's earlier
 * TypeScript simulator:
 * - pools clip the window to the image; max keeps the first of equal values and never takes a
 *   NaN (`v > max`, starting at -inf); average sums the window in double in (y, x) order,
 *   rounds the sum to float32, divides by the in-image tap count in double; the fused
 *   activation clamps that double, and it is rounded to float32 on the store.
 * float32 MEAN is in k_reduce.c (TFLite Micro's float32 sums).
 */
#include "k_params.h"

#if QS_WITH_FLOAT
#include <math.h>

static void pool_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const fpool_params_t *p = (const fpool_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  int b, oy, ox, ch, y, x;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * p->iw * p->c;
    for (oy = 0; oy < p->oh; oy++) {
      int y0 = oy * p->sh - p->pad_h;
      int ys = y0 < 0 ? -y0 : 0, ye = p->ih - y0 < p->fh ? p->ih - y0 : p->fh;
      for (ox = 0; ox < p->ow; ox++, out += p->c) {
        int x0 = ox * p->sw - p->pad_w;
        int xs = x0 < 0 ? -x0 : 0, xe = p->iw - x0 < p->fw ? p->iw - x0 : p->fw;
        double count = (double)((ye - ys) * (xe - xs));
        for (ch = 0; ch < p->c; ch++) {
          double acc = p->is_max ? -INFINITY : 0.0, v;
          for (y = ys; y < ye; y++) {
            const float *row = inb + ((size_t)(y0 + y) * p->iw + x0) * p->c + ch;
            for (x = xs; x < xe; x++) {
              double e = row[(size_t)x * p->c];
              if (!p->is_max) acc += e;
              else if (e > acc) acc = e;
            }
          }
          v = p->is_max ? acc : (double)(float)acc / count;
          v = v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
          out[ch] = (float)v;
        }
      }
    }
  }
}

qs_status_t qs_prep_pool_f32(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  fpool_params_t *p;
  qs_status_t s;
  float lo, hi;
  int pad;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "pooling needs 1 input");
  if ((s = qs_opts(m, oi, op, OPT_POOL2D, 1)) != QS_OK) return s;
  if ((s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if (in->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "pooling tensors must be 4-D");
  if (!(p = (fpool_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  pad = fb_u8(&m->fb, &op->opts, 0, 0);
  p->sw = fb_i32(&m->fb, &op->opts, 1, 0);
  p->sh = fb_i32(&m->fb, &op->opts, 2, 0);
  p->fw = fb_i32(&m->fb, &op->opts, 3, 0);
  p->fh = fb_i32(&m->fb, &op->opts, 4, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->sw < 1 || p->sh < 1 || p->fw < 1 || p->fh < 1 || pad > 1 || p->sw > 4096 || p->sh > 4096 ||
      p->fw > 4096 || p->fh > 4096)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad pool stride, filter or padding");
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->c = in->dims[3];
  p->oh = qs_out_size(pad, p->ih, p->fh, p->sh, 1);
  p->ow = qs_out_size(pad, p->iw, p->fw, p->sw, 1);
  if (p->oh < 1 || p->ow < 1 || out->dims[0] != p->n || out->dims[1] != p->oh || out->dims[2] != p->ow || out->dims[3] != p->c)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input, filter, stride and padding");
  p->pad_h = qs_padding(p->sh, 1, p->ih, p->fh, p->oh);
  p->pad_w = qs_padding(p->sw, 1, p->iw, p->fw, p->ow);
  p->is_max = op->code == OP_MAX_POOL_2D;
  if ((s = qs_act_range_f32(m, oi, fb_u8(&m->fb, &op->opts, 5, 0), &lo, &hi))) return s;
  p->lo = lo, p->hi = hi;
  if ((s = qs_const_f32(m, op, 0, &p->x))) return s;
  op->params = p;
  op->eval = pool_f32_eval;
#if QS_WASM_SIMD
  qs_pool_f32_wasm_prepare(op, p);
#endif
  return QS_OK;
}

#endif
