/*
 * int16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (int16 activations, int8 weights, int64
 * bias), bit-exact with TFLite Micro's reference_integer_ops::ConvPerChannel /
 * DepthwiseConvPerChannel / FullyConnected(PerChannel) for int16 input. CONV and DEPTHWISE:
 * no input or output offset (16x8 tensors are symmetric: zero points are checked to be 0), products
 * summed in an int64 accumulator, the bias added, then MultiplyByQuantizedMultiplier's int64 form
 * (qs_mbqm64: the multiplier rounded to 15 bits, one rounding shift) and the activation clamp.
 * CONV_2D and FULLY_CONNECTED with an int32 bias (or none and quantized_bias_type INT32) take TFLM's
 * other path: an int32 accumulator and the int32 double-rounding requantization (qs_mbqm_pos).
 * FULLY_CONNECTED keeps the input offset and the output zero point (TFLM's FC template does).
 *
 * The shapes, padding and activation range come from the int8 prepares (k_conv.c, k_dwconv.c, k_fc.c),
 * which hand over here when input 0 is int16.
 */
#include "k_params.h"

#if QS_WITH_INT16

/* Patch of output pixel (oy, ox), group g: kh*kw*kc input values, 0 where padded (the reference
 * skips those taps; a zero adds nothing). */
static void gather16(const conv_params_t *p, const int16_t *in, int oy, int ox, int g, int16_t *dst) {
  int ky, kx, c, iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w;
  for (ky = 0; ky < p->kh; ky++) {
    int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, dst += p->kc) {
      int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) {
        for (c = 0; c < p->kc; c++) dst[c] = 0;
      } else {
        const int16_t *src = in + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * p->kc;
        for (c = 0; c < p->kc; c++) dst[c] = src[c];
      }
    }
  }
}

static inline int16_t clamp16(int32_t v, int32_t lo, int32_t hi) {
  v = v < lo ? lo : v;
  return (int16_t)(v > hi ? hi : v);
}

static void conv16_eval(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int16_t *in = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int16_t *patch = (int16_t *)(void *)m->scratch;
  const int k = p->kh * p->kw * p->kc, ocg = p->oc / p->groups;
  int b, oy, ox, g, c, i;
  for (b = 0; b < p->n; b++) {
    const int16_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        for (g = 0; g < p->groups; g++) {
          gather16(p, inb, oy, ox, g, patch);
          for (c = g * ocg; c < (g + 1) * ocg; c++) {
            const int8_t *w = p->w + (size_t)c * k;
            int32_t v;
            if (p->acc32) {
              /* int32 accumulator: wraps modulo 2^32 like the reference's (uint32 here, no UB) */
              uint32_t a = p->bias64 ? (uint32_t)p->bias64[c] : 0u;
              for (i = 0; i < k; i++) a += (uint32_t)((int32_t)patch[i] * w[i]);
              v = qs_mbqm_pos((int32_t)a, p->mult[c], p->shift[c]);
            } else {
              int64_t a = 0;
              for (i = 0; i < k; i++) a += (int32_t)patch[i] * w[i];
              if (p->bias64) a = (int64_t)((uint64_t)a + (uint64_t)p->bias64[c]);
              v = qs_mbqm64(a, p->mult[c], p->shift[c]);
            }
            out[c] = clamp16(v, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

static void dw16_eval(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int16_t *in = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int64_t *acc = (int64_t *)(void *)m->scratch;
  const int C = p->oc;
  int b, oy, ox, ky, kx, c;
  for (b = 0; b < p->n; b++) {
    const int16_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        int ix0 = ox * p->sw - p->pad_w;
        for (c = 0; c < C; c++) acc[c] = 0;
        for (ky = 0; ky < p->kh; ky++) {
          int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            int ix = ix0 + kx * p->dw;
            const int16_t *x;
            const int8_t *w;
            if (ix < 0 || ix >= p->iw) continue;
            x = inb + ((size_t)iy * p->iw + ix) * p->ic;
            w = p->w + ((size_t)ky * p->kw + kx) * C;
            /* output channel c reads input channel c / dm */
            for (c = 0; c < C; c++) acc[c] += (int32_t)x[c / p->dm] * w[c];
          }
        }
        for (c = 0; c < C; c++) {
          int64_t a = p->bias64 ? (int64_t)((uint64_t)acc[c] + (uint64_t)p->bias64[c]) : acc[c];
          out[c] = clamp16(qs_mbqm64(a, p->mult[c], p->shift[c]), p->act_min, p->act_max);
        }
      }
    }
  }
}

static void fc16_eval(qs_model_t *m, const qs_op_t *op) {
  const fc_params_t *p = (const fc_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  const int k = p->k;
  int b, c, i;
  for (b = 0; b < p->batches; b++, x += k, out += p->oc) {
    for (c = 0; c < p->oc; c++) {
      const int8_t *w = p->w + (size_t)c * k;
      int32_t v;
      if (p->acc32) {
        uint32_t a = 0;
        for (i = 0; i < k; i++) a += (uint32_t)((x[i] + p->x_off) * w[i]);
        if (p->bias64) a += (uint32_t)p->bias64[c];
        v = qs_mbqm_pos((int32_t)a, p->mult[c], p->shift[c]);
      } else {
        int64_t a = 0;
        for (i = 0; i < k; i++) a += (x[i] + p->x_off) * w[i];
        if (p->bias64) a = (int64_t)((uint64_t)a + (uint64_t)p->bias64[c]);
        v = qs_mbqm64(a, p->mult[c], p->shift[c]);
      }
      out[c] = clamp16(v + p->out_zp, p->act_min, p->act_max);
    }
  }
}

qs_status_t qs_fc16_finish(qs_model_t *m, int oi, qs_op_t *op, fc_params_t *p) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_status_t s;
  int acc32;
  int32_t lo, hi;
  if ((s = qs_conv_wide_channels(m, oi, op, 0, 2, p->oc, 1, 4, &p->mult, &p->shift, &p->bias64, &acc32))) return s;
  p->acc32 = (uint8_t)acc32;
  p->per_channel = 1; /* one multiplier per row (equal ones when the weights are per-tensor) */
  p->x_off = -in->zp;
  p->out_zp = out->zp;
  p->w = (const int8_t *)qs_in(m, op, 1)->data;
  if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), out, &lo, &hi))) return s;
  p->act_min = (int16_t)lo, p->act_max = (int16_t)hi; /* within the int16 output's range */
  op->params = p;
  op->macs = (uint64_t)p->batches * p->oc * p->k;
  op->eval = fc16_eval;
  return QS_OK;
}

qs_status_t qs_conv16_finish(qs_model_t *m, int oi, qs_op_t *op, conv_params_t *p) {
  qs_status_t s;
  int acc32 = 0;
  if ((s = qs_conv_wide_channels(m, oi, op, 0, 2, p->oc, 1, 6, &p->mult, &p->shift, &p->bias64, &acc32))) return s;
  p->acc32 = (int16_t)acc32;
  p->bias = NULL;
  qs_scratch(m, 2u * (size_t)p->kh * p->kw * p->kc);
  op->params = p;
  op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw * p->kc;
  op->eval = conv16_eval;
  return QS_OK;
}

qs_status_t qs_dwconv16_finish(qs_model_t *m, int oi, qs_op_t *op, dw_params_t *p) {
  qs_status_t s;
  int acc32;
  if ((s = qs_conv_wide_channels(m, oi, op, 0, 2, p->oc, 0, -1, &p->mult, &p->shift, &p->bias64, &acc32))) return s;
  p->bias = NULL;
  qs_scratch(m, 8u * (size_t)p->oc);
  op->params = p;
  op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw;
  op->eval = dw16_eval;
  return QS_OK;
}
#endif
