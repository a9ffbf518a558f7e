/*
 * TRANSPOSE_CONV for int8, int16x8 and float32, bit-exact with TFLite Micro's reference kernels
 * (reference_integer_ops::TransposeConv, reference_ops::TransposeConv), and the per-channel
 * requantization the int16x8 convolutions share (qs_conv_wide_channels).
 *
 * Inputs: 0 output_shape (ignored: TFLM takes the output tensor's static shape, and so do we),
 * 1 filter [oc, kh, kw, ic], 2 input [n, ih, iw, ic], 3 bias (optional). Padding: TFLM's
 * ComputePaddingHeightWidth with the OUTPUT size as the forward convolution's input size.
 *
 * The reference scatters every input pixel through the kernel into an accumulator the size of
 * the output, then requantizes. We gather instead: output pixel (oy, ox) receives input pixel
 * (iy, ix) through tap (oy + pad_h - iy*sh, ox + pad_w - ix*sw) when that tap is inside the
 * kernel, so no output-sized scratch is needed. Integer sums do not depend on the order (int8:
 * uint32 wraps modulo 2^32 like the reference's int32; int16: int64). Float sums do: for one
 * output element the reference adds terms in (iy, ix, ic) order from 0.0f, and so does the gather
 * below (iy, ix outer, ic innermost), then adds the bias and clamps.
 */
#include "k_params.h"

#if QS_WITH_FLOAT
#include <math.h>
#endif

enum { OPT_TRANSPOSE_CONV = 49 };

typedef struct {
  int n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, pad_h, pad_w;
  int32_t in_off, out_zp, act_min, act_max;
  const int8_t *w;
  const int64_t *bias64; /* int8: the int32 bias widened; NULL if absent */
  int32_t *mult;
  int8_t *shift;
#if QS_WITH_FLOAT
  const float *wf, *bf;
  float lo, hi;
#endif
} tconv_params_t;

/* Input rows (or columns) that reach output row o: iy*s + f == o + pad with f in [0, k). */
static void reach(int o, int pad, int k, int s, int n, int *lo, int *hi) {
  int t = o + pad, a = t - k + 1;
  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  *hi = t < 0 ? -1 : t / s;
  if (*hi > n - 1) *hi = n - 1;
}

/* One output pixel of batch b: acc[oc] += x(iy, ix, ic) * w(oc, fy, fx, ic) over every input
 * pixel that reaches it. T_IN/T_ACC: element and accumulator types; OFF: added to each input. */
#define TCONV_PIXEL(T_IN, T_ACC, OFF)                                                            \
  do {                                                                                           \
    int iy, ix, iy0, iy1, ix0, ix1, k_, i_;                                                        \
    reach(oy, p->pad_h, p->kh, p->sh, p->ih, &iy0, &iy1);                                        \
    reach(ox, p->pad_w, p->kw, p->sw, p->iw, &ix0, &ix1);                                        \
    for (k_ = 0; k_ < p->oc; k_++) acc[k_] = 0;                                                      \
    for (iy = iy0; iy <= iy1; iy++) {                                                            \
      int fy = oy + p->pad_h - iy * p->sh;                                                       \
      for (ix = ix0; ix <= ix1; ix++) {                                                          \
        int fx = ox + p->pad_w - ix * p->sw;                                                     \
        const T_IN *x = inb + ((size_t)iy * p->iw + ix) * p->ic;                                 \
        for (k_ = 0; k_ < p->oc; k_++) {                                                          \
          const int8_t *wc = p->w + (((size_t)k_ * p->kh + fy) * p->kw + fx) * p->ic;             \
          T_ACC a_ = acc[k_];                                                                      \
          for (i_ = 0; i_ < p->ic; i_++) a_ += (T_ACC)(((int32_t)x[i_] + (OFF)) * wc[i_]);             \
          acc[k_] = a_;                                                                            \
        }                                                                                        \
      }                                                                                          \
    }                                                                                            \
  } while (0)

static void tconv8_eval(qs_model_t *m, const qs_op_t *op) {
  const tconv_params_t *p = (const tconv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[2]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t *acc = (uint32_t *)(void *)m->scratch;
  int b, oy, ox, c;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++)
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        TCONV_PIXEL(int8_t, uint32_t, p->in_off);
        for (c = 0; c < p->oc; c++) {
          uint32_t a = acc[c] + (p->bias64 ? (uint32_t)p->bias64[c] : 0u);
          out[c] = qs_requant((int32_t)a, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
        }
      }
  }
}

#if QS_WITH_INT16
static void tconv16_eval(qs_model_t *m, const qs_op_t *op) {
  const tconv_params_t *p = (const tconv_params_t *)op->params;
  const int16_t *in = (const int16_t *)(const void *)qs_tdata(m, op->in[2]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int64_t *acc = (int64_t *)(void *)m->scratch;
  int b, oy, ox, c;
  for (b = 0; b < p->n; b++) {
    const int16_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++)
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        TCONV_PIXEL(int16_t, int64_t, 0);
        for (c = 0; c < p->oc; c++) {
          int64_t a = p->bias64 ? (int64_t)((uint64_t)acc[c] + (uint64_t)p->bias64[c]) : acc[c];
          int32_t v = qs_mbqm64(a, p->mult[c], p->shift[c]);
          v = v < p->act_min ? p->act_min : v;
          out[c] = (int16_t)(v > p->act_max ? p->act_max : v);
        }
      }
  }
}
#endif

#if QS_WITH_FLOAT
static void tconvf_eval(qs_model_t *m, const qs_op_t *op) {
  const tconv_params_t *p = (const tconv_params_t *)op->params;
  const float *in = (const float *)(const void *)qs_tdata(m, op->in[2]);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  float *acc = (float *)(void *)m->scratch;
  int b, oy, ox, c;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++)
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        int iy, ix, iy0, iy1, ix0, ix1, i;
        reach(oy, p->pad_h, p->kh, p->sh, p->ih, &iy0, &iy1);
        reach(ox, p->pad_w, p->kw, p->sw, p->iw, &ix0, &ix1);
        for (c = 0; c < p->oc; c++) acc[c] = 0.0f;
        for (iy = iy0; iy <= iy1; iy++) {
          int fy = oy + p->pad_h - iy * p->sh;
          for (ix = ix0; ix <= ix1; ix++) {
            int fx = ox + p->pad_w - ix * p->sw;
            const float *x = inb + ((size_t)iy * p->iw + ix) * p->ic;
            for (c = 0; c < p->oc; c++) {
              const float *wc = p->wf + (((size_t)c * p->kh + fy) * p->kw + fx) * p->ic;
              float a = acc[c];
              for (i = 0; i < p->ic; i++) a += x[i] * wc[i];
              acc[c] = a;
            }
          }
        }
        for (c = 0; c < p->oc; c++) {
          float v = acc[c];
          if (p->bf) v += p->bf[c];
          v = v < p->lo ? p->lo : v; /* ActivationFunctionWithMinMax: min(max(v, lo), hi) */
          out[c] = v > p->hi ? p->hi : v;
        }
      }
  }
}
#endif

qs_status_t qs_conv_wide_channels(qs_model_t *m, int oi, const qs_op_t *op, int xi, int bi, int oc,
                                  int allow_i32_bias, int bias_type_field, int32_t **mult, int8_t **shift,
                                  const int64_t **bias64, int *acc32) {
  const qs_tensor_t *in = qs_in(m, op, xi), *f = qs_in(m, op, 1), *bias = qs_in(m, op, bi), *out = qs_out(m);
  const int wi = op->in[1], i8 = in->dtype == QS_DT_INT8;
  int64_t *b64;
  int c;
  if (f->nscales != 1 && f->nscales != (uint32_t)oc)
    return qs_fail(m, QS_ERR_QUANT, oi, wi, "filter scale count is neither 1 nor the output channel count");
  if (f->zp != 0) return qs_fail(m, QS_ERR_QUANT, oi, wi, "int8 filter zero point must be 0");
  *bias64 = NULL;
  *acc32 = 0;
  if (bias) {
    uint32_t esz = bias->dtype == QS_DT_INT64 ? 8u : 4u;
    if (i8 && bias->dtype != QS_DT_INT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[bi], "bias must be int32");
    if (!i8 && bias->dtype != QS_DT_INT64 && !(allow_i32_bias && bias->dtype == QS_DT_INT32))
      return qs_fail(m, QS_ERR_TYPE, oi, op->in[bi],
                     allow_i32_bias ? "int16x8 bias must be int64 or int32" : "int16x8 bias must be int64");
    if (!bias->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[bi], "bias must be constant");
    if (bias->bytes != esz * (uint32_t)oc) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[bi], "bias length differs from output channels");
    if (!(b64 = (int64_t *)qs_alloc(m, 8u * (size_t)oc))) return QS_ERR_ARENA;
    for (c = 0; c < oc; c++) {
      /* little-endian in the model, possibly misaligned: widen into the arena */
      uint32_t lo = fb_load_u32(bias->data + esz * (uint32_t)c);
      b64[c] = esz == 8u ? (int64_t)(((uint64_t)fb_load_u32(bias->data + 8u * (uint32_t)c + 4u) << 32) | lo)
                         : (int64_t)(int32_t)lo;
    }
    *bias64 = b64;
    *acc32 = bias->dtype == QS_DT_INT32;
  } else if (allow_i32_bias && bias_type_field >= 0) {
    *acc32 = fb_u8(&m->fb, &op->opts, bias_type_field, 0) == QS_DT_INT32;
  }
  *mult = (int32_t *)qs_alloc(m, 4u * (size_t)oc);
  *shift = (int8_t *)qs_alloc(m, (size_t)oc);
  if (!*mult || !*shift) return QS_ERR_ARENA;
  for (c = 0; c < oc; c++) {
    /* PopulateConvolutionQuantizationParams: double(in) * double(filter[c]) / double(out) */
    double eff = (double)in->scale * (double)qs_scale_at(m, f, (uint32_t)c) / (double)out->scale;
    int32_t sh;
    qs_status_t s = qs_multiplier(m, oi, wi, eff, &(*mult)[c], &sh);
    if (s != QS_OK) return s;
    /* the int64 requantization shifts right by 15 - shift: shift must stay below 15 */
    if (!i8 && !*acc32 && sh > 14)
      return qs_fail(m, QS_ERR_QUANT, oi, wi, "rescale factor out of range for int16x8 (scale ratio above 2^14)");
    (*shift)[c] = (int8_t)sh;
  }
  return QS_OK;
}

qs_status_t qs_prep_transpose_conv(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 2), *f = qs_in(m, op, 1), *out = qs_out(m);
  tconv_params_t *p;
  qs_status_t s;
  int pad, act, acc32, dt;
  if (op->n_in < 3 || op->n_in > 4 || !in || !f) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "TRANSPOSE_CONV needs 3 or 4 inputs");
  if ((s = qs_opts(m, oi, op, OPT_TRANSPOSE_CONV, 1)) != QS_OK) return s;
  dt = in->dtype;
  if (dt == QS_DT_INT8) {
    if ((s = qs_need_q8(m, oi, op, 2, "input")) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
        (s = qs_need_q8(m, oi, op, QS_OUT, "output")))
      return s;
#if QS_WITH_INT16
  } else if (dt == QS_DT_INT16) {
    if ((s = qs_need_q16(m, oi, op, 2, "input", 1)) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
        (s = qs_need_q16(m, oi, op, QS_OUT, "output", 1)))
      return s;
#endif
#if QS_WITH_FLOAT
  } else if (dt == QS_DT_FLOAT32) {
    if ((s = qs_need_f32(m, oi, op, 1, "filter")) || (s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
    if (op->n_in > 3 && op->in[3] >= 0 && (s = qs_need_f32(m, oi, op, 3, "bias"))) return s;
#endif
  } else {
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[2],
                   dt == QS_DT_FLOAT32 ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)"
                   : dt == QS_DT_INT16 ? "int16 kernels are not in this build (QS_WITH_INT16=0)"
                                       : "TRANSPOSE_CONV input must be int8, int16 or float32");
  }
  if (!f->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "filter must be constant");
  if (in->ndims != 4 || f->ndims != 4 || out->ndims != 4)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "TRANSPOSE_CONV input, filter and output must be 4-D");
  if (!(p = (tconv_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  pad = fb_u8(&m->fb, &op->opts, 0, 0);
  p->sw = fb_i32(&m->fb, &op->opts, 1, 0);
  p->sh = fb_i32(&m->fb, &op->opts, 2, 0);
  act = fb_u8(&m->fb, &op->opts, 3, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->sw < 1 || p->sh < 1 || p->sw > 64 || p->sh > 64 || pad > 1)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad stride or padding");
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->ic = in->dims[3];
  p->oc = f->dims[0], p->kh = f->dims[1], p->kw = f->dims[2];
  p->oh = out->dims[1], p->ow = out->dims[2];
  if (p->kh < 1 || p->kw < 1 || p->oc < 1 || p->ic < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "empty filter or input");
  if (f->dims[3] != p->ic) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter depth differs from input depth");
  if (out->dims[0] != p->n || out->dims[3] != p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output batch or depth differs from the input batch or filter count");
  /* ComputePaddingHeightWidth(stride, dilation 1, output size as the image, filter) */
  p->pad_h = qs_padding(p->sh, 1, p->oh, p->kh, qs_out_size(pad, p->oh, p->kh, p->sh, 1));
  p->pad_w = qs_padding(p->sw, 1, p->ow, p->kw, qs_out_size(pad, p->ow, p->kw, p->sw, 1));
  op->params = p;
  op->macs = (uint64_t)p->n * p->ih * p->iw * p->ic * p->kh * p->kw * p->oc;
  qs_scratch(m, 8u * (size_t)p->oc);
#if QS_WITH_FLOAT
  if (dt == QS_DT_FLOAT32) {
    if ((s = qs_act_range_f32(m, oi, act, &p->lo, &p->hi)) || (s = qs_const_f32(m, op, 1, &p->wf)) ||
        (s = qs_const_f32(m, op, 3, &p->bf)))
      return s;
    if (op->n_in > 3 && op->in[3] >= 0) {
      const qs_tensor_t *bias = qs_in(m, op, 3);
      if (!p->bf) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[3], "bias must be constant");
      if (bias->bytes != 4u * (uint32_t)p->oc) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[3], "bias length differs from output channels");
    }
    op->eval = tconvf_eval;
    return QS_OK;
  }
#endif
  p->in_off = -in->zp;
  p->out_zp = out->zp;
  p->w = (const int8_t *)f->data;
  if ((s = qs_act_range(m, oi, act, out, &p->act_min, &p->act_max))) return s;
  if ((s = qs_conv_wide_channels(m, oi, op, 2, 3, p->oc, 0, -1, &p->mult, &p->shift, &p->bias64, &acc32))) return s;
#if QS_WITH_INT16
  if (dt == QS_DT_INT16) {
    op->eval = tconv16_eval;
    return QS_OK;
  }
#endif
  op->eval = tconv8_eval;
  return QS_OK;
}
