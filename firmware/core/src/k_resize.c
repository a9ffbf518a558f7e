/*
 * RESIZE_BILINEAR as TFLite Micro (micro/kernels/resize_bilinear.cc, reference/resize_bilinear.h):
 * - int8: ResizeBilinearInteger, no floating point. Scales in 10-bit fixed point,
 *   round((in << 10) / out) (align_corners: (in - 1) / (out - 1)); source position
 *   v * scale (half_pixel_centers: v * scale + scale / 2 - 512); y0 = max(pos / 1024, 0) with C's
 *   truncating division, y1 = min(ceil(pos / 1024), in - 1); weights pos - 1024 * y0 (negative
 *   near the top edge with half-pixel centers, as the reference); the four products summed in
 *   64 bits and divided by 2^20 rounding half away from zero (TFLite's default double rounding).
 *   The output's quantization is not used (the values are interpolated as they are).
 * - float32: ResizeBilinear<float>: float32 scale in / out, position (v + 0.5) * scale - 0.5 with
 *   half-pixel centers, y0 = max(floor, 0), y1 = min(ceil, in - 1), and the four terms
 *   a * (1 - dy) * (1 - dx) + ... summed left to right in float32, plus 0.0f.
 * TFLM has no int16 or other RESIZE_BILINEAR; half_pixel_centers with align_corners is refused
 * as TFLM does. Row and column positions are worked out once at prepare. A source index is kept
 * inside the image even where the reference's rounded scale would step past its last row.
 */
#include <string.h>

#include "ops.h"

typedef struct {
  int32_t i0, i1, w; /* source rows (or columns) and the 10-bit weight of i1 */
} lerp_t;

typedef struct {
  int n, ih, iw, oh, ow, c, small; /* small: every 10-bit weight in [-512, 1536] (int32 sums) */
  lerp_t *ys, *xs;
#if QS_WITH_FLOAT
  float *fy, *fx; /* float32: per row / column the source position minus i0 (dy, dx) */
#endif
} bilinear_params_t;

static void bilinear_i8_eval(qs_model_t *m, const qs_op_t *op) {
  const bilinear_params_t *p = (const bilinear_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int b, y, x, ch;
  for (b = 0; b < p->n; b++) {
    const int8_t *img = in + (size_t)b * p->ih * p->iw * p->c;
    for (y = 0; y < p->oh; y++) {
      const lerp_t *ly = &p->ys[y];
      const int8_t *r0 = img + (size_t)ly->i0 * p->iw * p->c, *r1 = img + (size_t)ly->i1 * p->iw * p->c;
      int64_t wy1 = ly->w, wy0 = 1024 - ly->w;
      for (x = 0; x < p->ow; x++, out += p->c) {
        const lerp_t *lx = &p->xs[x];
        int64_t wx1 = lx->w, wx0 = 1024 - lx->w;
        const int8_t *a = r0 + (size_t)lx->i0 * p->c, *bb = r1 + (size_t)lx->i0 * p->c;
        const int8_t *cc = r0 + (size_t)lx->i1 * p->c, *d = r1 + (size_t)lx->i1 * p->c;
        if (p->small) {
          /* every weight in [-512, 1536]: the four products and their sum fit in int32
           * (|sum| <= 128 * 4 * 1536^2 < 2^31), the same value as the reference's int64 */
          int32_t w00 = (int32_t)(wy0 * wx0), w10 = (int32_t)(wy1 * wx0), w01 = (int32_t)(wy0 * wx1), w11 = (int32_t)(wy1 * wx1);
          for (ch = 0; ch < p->c; ch++) {
            int32_t o = a[ch] * w00 + bb[ch] * w10 + cc[ch] * w01 + d[ch] * w11;
            out[ch] = (int8_t)((o + (o > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
          }
          continue;
        }
        for (ch = 0; ch < p->c; ch++) {
          int64_t o = a[ch] * wy0 * wx0 + bb[ch] * wy1 * wx0 + cc[ch] * wy0 * wx1 + d[ch] * wy1 * wx1;
          /* (o + sign(o) * 2^19) / 2^20, C division truncating toward zero */
          out[ch] = (int8_t)((o + (o > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
        }
      }
    }
  }
}

/* ComputeInterpolationValuesInteger for one output row or column. */
static lerp_t lerp_int(int32_t v, int32_t scale10, int half, int32_t in_size) {
  lerp_t l;
  int32_t pos = half ? v * scale10 + scale10 / 2 - (1 << 9) : v * scale10;
  int32_t lo = pos / (1 << 10), hi = (pos + (1 << 10) - 1) / (1 << 10);
  l.i0 = lo > 0 ? lo : 0;
  l.i1 = hi < in_size - 1 ? hi : in_size - 1;
  l.w = pos - (1 << 10) * l.i0;
  if (l.i0 > in_size - 1) l.i0 = in_size - 1; /* memory safety only: see the header */
  if (l.i1 < 0) l.i1 = 0;
  return l;
}

static int32_t scale10(int32_t in, int32_t out, int align) {
  if (align && out > 1) return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

#if QS_WITH_FLOAT
#include <math.h>

static void bilinear_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const bilinear_params_t *p = (const bilinear_params_t *)op->params;
  const float *in = (const float *)(const void *)qs_tdata(m, op->in[0]);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  int b, y, x, ch;
  for (b = 0; b < p->n; b++) {
    const float *img = in + (size_t)b * p->ih * p->iw * p->c;
    for (y = 0; y < p->oh; y++) {
      const lerp_t *ly = &p->ys[y];
      const float *r0 = img + (size_t)ly->i0 * p->iw * p->c, *r1 = img + (size_t)ly->i1 * p->iw * p->c;
      float dy = p->fy[y], ey = 1.0f - dy;
      for (x = 0; x < p->ow; x++, out += p->c) {
        const lerp_t *lx = &p->xs[x];
        float dx = p->fx[x], ex = 1.0f - dx;
        const float *a = r0 + (size_t)lx->i0 * p->c, *bb = r1 + (size_t)lx->i0 * p->c;
        const float *cc = r0 + (size_t)lx->i1 * p->c, *d = r1 + (size_t)lx->i1 * p->c;
        for (ch = 0; ch < p->c; ch++) {
          /* the reference's expression, term by term in float32 */
          float t0 = a[ch] * ey * ex, t1 = bb[ch] * dy * ex, t2 = cc[ch] * ey * dx, t3 = d[ch] * dy * dx;
          out[ch] = t0 + t1 + t2 + t3 + 0.0f;
        }
      }
    }
  }
}

/* ComputeInterpolationValues (float) for one output row or column; *d = pos - i0. */
static lerp_t lerp_float(int v, float scale, int half, int32_t in_size, float *d) {
  lerp_t l;
  float pos = half ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
  int32_t lo = (int32_t)floorf(pos), hi = (int32_t)ceilf(pos);
  l.i0 = lo > 0 ? lo : 0;
  l.i1 = hi < in_size - 1 ? hi : in_size - 1;
  l.w = 0;
  *d = pos - (float)l.i0;
  if (l.i0 > in_size - 1) l.i0 = in_size - 1;
  if (l.i1 < 0) l.i1 = 0;
  return l;
}
#endif

qs_status_t qs_prep_resize_bilinear(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *size = qs_in(m, op, 1), *out = qs_out(m);
  bilinear_params_t *p;
  int align, half, i;
  if (op->n_in != 2 || !in || !size) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "RESIZE_BILINEAR needs 2 inputs (image, size)");
  if (in->dtype == QS_DT_FLOAT32 && !QS_WITH_FLOAT)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  if (in->dtype != QS_DT_INT8 && in->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "RESIZE_BILINEAR takes float32 or int8 (as TFLite Micro)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the input's");
  if (in->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "RESIZE_BILINEAR needs a 4-D input and output");
  if (!size->data || size->dtype != QS_DT_INT32 || size->ndims != 1 || size->bytes != 8)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "size must be a constant int32 vector [height, width]");
  if ((int32_t)fb_load_u32(size->data) != out->dims[1] || (int32_t)fb_load_u32(size->data + 4) != out->dims[2] ||
      out->dims[0] != in->dims[0] || out->dims[3] != in->dims[3] || in->dims[1] < 1 || in->dims[2] < 1 ||
      out->dims[1] < 1 || out->dims[2] < 1 || out->dims[1] > 32767 || out->dims[2] > 32767 || in->dims[1] > 32767 ||
      in->dims[2] > 32767)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match the input and the size tensor");
  if (qs_opts(m, oi, op, OPT_RESIZE_BILINEAR, 0) != QS_OK) return m->err->status;
  align = fb_u8(&m->fb, &op->opts, 2, 0);
  half = fb_u8(&m->fb, &op->opts, 3, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (align && half) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "half_pixel_centers needs align_corners false (as TFLite Micro)");
  if (!(p = (bilinear_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->oh = out->dims[1], p->ow = out->dims[2], p->c = in->dims[3];
  p->ys = (lerp_t *)qs_alloc(m, sizeof(lerp_t) * (size_t)p->oh);
  p->xs = (lerp_t *)qs_alloc(m, sizeof(lerp_t) * (size_t)p->ow);
  if (!p->ys || !p->xs) return QS_ERR_ARENA;
  op->params = p;
#if QS_WITH_FLOAT
  if (in->dtype == QS_DT_FLOAT32) {
    float hs = (float)p->ih / (float)p->oh, ws = (float)p->iw / (float)p->ow;
    if (align && p->oh > 1) hs = (float)(p->ih - 1) / (float)(p->oh - 1);
    if (align && p->ow > 1) ws = (float)(p->iw - 1) / (float)(p->ow - 1);
    p->fy = (float *)qs_alloc(m, sizeof(float) * (size_t)p->oh);
    p->fx = (float *)qs_alloc(m, sizeof(float) * (size_t)p->ow);
    if (!p->fy || !p->fx) return QS_ERR_ARENA;
    for (i = 0; i < p->oh; i++) p->ys[i] = lerp_float(i, hs, half, p->ih, &p->fy[i]);
    for (i = 0; i < p->ow; i++) p->xs[i] = lerp_float(i, ws, half, p->iw, &p->fx[i]);
    op->eval = bilinear_f32_eval;
    return QS_OK;
  }
#endif
  {
    int32_t hs = scale10(p->ih, p->oh, align), ws = scale10(p->iw, p->ow, align);
    p->small = 1;
    for (i = 0; i < p->oh; i++) {
      p->ys[i] = lerp_int(i, hs, half, p->ih);
      if (p->ys[i].w < -512 || p->ys[i].w > 1536) p->small = 0;
    }
    for (i = 0; i < p->ow; i++) {
      p->xs[i] = lerp_int(i, ws, half, p->iw);
      if (p->xs[i].w < -512 || p->xs[i].w > 1536) p->small = 0;
    }
  }
  op->eval = bilinear_i8_eval;
  return QS_OK;
}
