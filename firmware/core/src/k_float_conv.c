/*
 * float32 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (TFLite reference semantics: padded
 * taps add nothing, bias, fused activation clamp).
 *
 * Numerics, the same bits as QuantScope's earlier TypeScript simulator: each product of two
 * float32 values is exact in double; the products are summed in double in a fixed order and
 * rounded to float32 once, then clamped.
 * - CONV_2D: sum over the receptive field (ky, kx, channel) from 0, with 0.0 for padded taps,
 *   then + bias;
 * - DEPTHWISE_CONV_2D: start at the bias, add the in-image taps (ky, kx);
 * - FULLY_CONNECTED: sum over the input from 0, then + bias.
 * Needs IEEE double arithmetic without contraction into fused multiply-adds (-std=c99 or
 * -ffp-contract=off with gcc; clang is told below).
 */
#include "k_params.h"

#if QS_WITH_FLOAT
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

static float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Patch of output pixel (oy, ox), group g: kh*kw*kc inputs, 0.0 where padded. */
static void gather(const fconv_params_t *p, const float *in, int oy, int ox, int g, float *dst) {
  int ky, kx, c, iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w;
  for (ky = 0; ky < p->kh; ky++) {
    int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, dst += p->kc) {
      int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) {
        for (c = 0; c < p->kc; c++) dst[c] = 0.0f;
      } else {
        const float *src = in + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * p->kc;
        for (c = 0; c < p->kc; c++) dst[c] = src[c];
      }
    }
  }
}

/* Rows w[0..n) (k values each) against x, each summed in order from 0 in double; four rows
 * per pass share every x load (each row keeps its own accumulator and order). */
static void dot_rows(const float *w, int k, int n, const float *x, double *acc) {
  int r = 0, i;
  for (; r + 4 <= n; r += 4, w += 4 * (size_t)k) {
    const float *w1 = w + k, *w2 = w1 + k, *w3 = w2 + k;
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (i = 0; i < k; i++) {
      double v = x[i];
      a0 += (double)w[i] * v;
      a1 += (double)w1[i] * v;
      a2 += (double)w2[i] * v;
      a3 += (double)w3[i] * v;
    }
    acc[r] = a0, acc[r + 1] = a1, acc[r + 2] = a2, acc[r + 3] = a3;
  }
  for (; r < n; r++, w += k) {
    double a = 0.0;
    for (i = 0; i < k; i++) a += (double)w[i] * (double)x[i];
    acc[r] = a;
  }
}

static void conv_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const fconv_params_t *p = (const fconv_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  const float *bias = p->has_bias ? qs_f32_in(m, op, 2, p->b) : NULL;
  float *out = (float *)(void *)qs_tdata(m, op->out);
  const int k = p->kh * p->kw * p->kc, ocg = p->oc / p->groups;
  double *acc = (double *)(void *)m->scratch;         /* ocg sums */
  float *patch = (float *)(void *)(acc + ocg);         /* k inputs */
  int b, oy, ox, g, c;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++)
      for (ox = 0; ox < p->ow; ox++, out += p->oc)
        for (g = 0; g < p->groups; g++) {
          gather(p, inb, oy, ox, g, patch);
          dot_rows(p->w + (size_t)g * ocg * k, k, ocg, patch, acc);
          for (c = 0; c < ocg; c++) {
            int oc = g * ocg + c;
            double v = bias ? acc[c] + (double)bias[oc] : acc[c];
            out[oc] = clampf((float)v, p->lo, p->hi);
          }
        }
  }
}

static void dwconv_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const fconv_params_t *p = (const fconv_params_t *)op->params;
  const float *in = qs_f32_in(m, op, 0, p->x);
  const float *bias = p->has_bias ? qs_f32_in(m, op, 2, p->b) : NULL;
  float *out = (float *)(void *)qs_tdata(m, op->out);
  double *acc = (double *)(void *)m->scratch;
  const int C = p->oc;
  int b, oy, ox, ky, kx, c, ic, d;
  for (b = 0; b < p->n; b++) {
    const float *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        int ix0 = ox * p->sw - p->pad_w;
        for (c = 0; c < C; c++) acc[c] = bias ? (double)bias[c] : 0.0;
        for (ky = 0; ky < p->kh; ky++) {
          int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            int ix = ix0 + kx * p->dw;
            const float *x, *w;
            if (ix < 0 || ix >= p->iw) continue;
            x = inb + ((size_t)iy * p->iw + ix) * p->ic;
            w = p->w + ((size_t)ky * p->kw + kx) * C;
            /* output channel ic*dm + d reads input channel ic */
            for (ic = 0, c = 0; ic < p->ic; ic++) {
              double xv = x[ic];
              for (d = 0; d < p->dm; d++, c++) acc[c] += (double)w[c] * xv;
            }
          }
        }
        for (c = 0; c < C; c++) out[c] = clampf((float)acc[c], p->lo, p->hi);
      }
    }
  }
}

/* Types, constant filter and bias (float32 of output-channel length) and the activation;
 * act_field is the fused_activation_function field of the options table. */
static qs_status_t conv_common(qs_model_t *m, int oi, qs_op_t *op, fconv_params_t *p, int act_field) {
  const qs_tensor_t *f = qs_in(m, op, 1), *bias = qs_in(m, op, 2);
  qs_status_t s;
  if ((s = qs_need_f32(m, oi, op, 1, "filter")) || (s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if (!f->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "filter must be constant");
  if (bias) {
    if ((s = qs_need_f32(m, oi, op, 2, "bias"))) return s;
    if (bias->bytes != 4u * (uint32_t)p->oc) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "bias length differs from output channels");
    p->has_bias = 1;
  }
  if ((s = qs_const_f32(m, op, 0, &p->x)) || (s = qs_const_f32(m, op, 1, &p->w)) || (s = qs_const_f32(m, op, 2, &p->b)))
    return s;
  return qs_act_range_f32(m, oi, fb_u8(&m->fb, &op->opts, act_field, 0), &p->lo, &p->hi);
}

/* Options (padding 0, stride_w 1, stride_h 2; dilations at dil_field, dil_field + 1) and the
 * input/output geometry; the filter dims are filled in by the caller first. */
static qs_status_t geometry(qs_model_t *m, int oi, qs_op_t *op, fconv_params_t *p, int dil_field) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  int pad = fb_u8(&m->fb, &op->opts, 0, 0);
  p->sw = fb_i32(&m->fb, &op->opts, 1, 0);
  p->sh = fb_i32(&m->fb, &op->opts, 2, 0);
  p->dw = fb_i32(&m->fb, &op->opts, dil_field, 1);
  p->dh = fb_i32(&m->fb, &op->opts, dil_field + 1, 1);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->sw < 1 || p->sh < 1 || p->dw < 1 || p->dh < 1 || p->sw > 64 || p->sh > 64 || p->dw > 64 || p->dh > 64 || pad > 1)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad stride, dilation or padding");
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->ic = in->dims[3];
  p->oh = qs_out_size(pad, p->ih, p->kh, p->sh, p->dh);
  p->ow = qs_out_size(pad, p->iw, p->kw, p->sw, p->dw);
  if (out->dims[0] != p->n || out->dims[1] != p->oh || out->dims[2] != p->ow || out->dims[3] != p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input, filter, stride and padding");
  p->pad_h = qs_padding(p->sh, p->dh, p->ih, p->kh, p->oh);
  p->pad_w = qs_padding(p->sw, p->dw, p->iw, p->kw, p->ow);
  return QS_OK;
}

static qs_status_t conv_like_f32(qs_model_t *m, int oi, qs_op_t *op, int depthwise) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *out = qs_out(m);
  fconv_params_t *p;
  qs_status_t s;
  if (op->n_in < 2 || op->n_in > 3 || !f)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, depthwise ? "DEPTHWISE_CONV_2D needs 2 or 3 inputs" : "CONV_2D needs 2 or 3 inputs");
  if ((s = qs_opts(m, oi, op, depthwise ? OPT_DEPTHWISE : OPT_CONV2D, 1)) != QS_OK) return s;
  if (in->ndims != 4 || f->ndims != 4 || out->ndims != 4)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, depthwise ? "DEPTHWISE_CONV_2D tensors must be 4-D" : "CONV_2D tensors must be 4-D");
  if (!(p = (fconv_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->kh = f->dims[1], p->kw = f->dims[2];
  if (p->kh < 1 || p->kw < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "empty filter");
  if (depthwise) {
    /* [1, H, W, C*M]; the option's depth_multiplier is advisory in TFLite: the shapes decide */
    p->oc = f->dims[3];
    if (f->dims[0] != 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter must be [1, H, W, C*M]");
    if (in->dims[3] < 1 || p->oc % in->dims[3] != 0)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter channels are not a multiple of input channels");
    p->dm = p->oc / in->dims[3];
    p->kc = 1;
    p->groups = 1;
  } else {
    p->oc = f->dims[0], p->kc = f->dims[3];
    if (p->kc < 1 || in->dims[3] < 1 || in->dims[3] % p->kc != 0)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter depth does not divide input depth");
    p->groups = in->dims[3] / p->kc;
    if (p->oc < 1 || p->oc % p->groups != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "groups do not divide output channels");
  }
  if ((s = geometry(m, oi, op, p, depthwise ? 5 : 4)) || (s = conv_common(m, oi, op, p, depthwise ? 4 : 3))) return s;
  op->params = p;
  if (depthwise) {
    qs_scratch(m, 8u * (size_t)p->oc);
    op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw;
    op->eval = dwconv_f32_eval;
  } else {
    qs_scratch(m, 8u * (size_t)(p->oc / p->groups) + 4u * (size_t)p->kh * p->kw * p->kc);
    op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw * p->kc;
    op->eval = conv_f32_eval;
  }
#if QS_WASM_SIMD
  return qs_conv_f32_wasm_prepare(m, op, p, depthwise);
#else
  return QS_OK;
#endif
}

qs_status_t qs_prep_conv_f32(qs_model_t *m, int oi, qs_op_t *op) { return conv_like_f32(m, oi, op, 0); }
qs_status_t qs_prep_dwconv_f32(qs_model_t *m, int oi, qs_op_t *op) { return conv_like_f32(m, oi, op, 1); }

static void fc_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const ffc_params_t *p = (const ffc_params_t *)op->params;
  const float *x = qs_f32_in(m, op, 0, p->x);
  const float *w = qs_f32_in(m, op, 1, p->w);
  const float *bias = p->has_bias ? qs_f32_in(m, op, 2, p->b) : NULL;
  float *out = (float *)(void *)qs_tdata(m, op->out);
  double *acc = (double *)(void *)m->scratch;
  int b, c;
  for (b = 0; b < p->batches; b++, x += p->k, out += p->oc) {
    dot_rows(w, p->k, p->oc, x, acc);
    for (c = 0; c < p->oc; c++) {
      double v = bias ? acc[c] + (double)bias[c] : acc[c];
      out[c] = clampf((float)v, p->lo, p->hi);
    }
  }
}

qs_status_t qs_prep_fc_f32(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *bias = qs_in(m, op, 2), *out = qs_out(m);
  ffc_params_t *p;
  qs_status_t s;
  uint32_t ne;
  if (op->n_in < 2 || op->n_in > 3) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "FULLY_CONNECTED needs 2 or 3 inputs");
  if ((s = qs_opts(m, oi, op, OPT_FC, 0)) != QS_OK) return s;
  if ((s = qs_need_f32(m, oi, op, 1, "weights")) || (s = qs_need_f32(m, oi, op, QS_OUT, "output"))) return s;
  if (fb_u8(&m->fb, &op->opts, 1, 0) != 0) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "shuffled weights format");
  if (f->ndims != 2) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "weights must be a 2-D tensor");
  if (!(p = (ffc_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->oc = f->dims[0];
  p->k = f->dims[1];
  ne = qs_elems(in);
  if (p->k < 1 || p->oc < 1 || ne % (uint32_t)p->k != 0)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "input size is not a multiple of the weights depth");
  p->batches = (int)(ne / (uint32_t)p->k);
  if (out->ndims < 1 || out->dims[out->ndims - 1] != p->oc || qs_elems(out) != (uint32_t)p->batches * (uint32_t)p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not [batches, units]");
  if (bias) {
    if ((s = qs_need_f32(m, oi, op, 2, "bias"))) return s;
    if (bias->bytes != 4u * (uint32_t)p->oc) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "bias length differs from units");
    p->has_bias = 1;
  }
  if ((s = qs_const_f32(m, op, 0, &p->x)) || (s = qs_const_f32(m, op, 1, &p->w)) || (s = qs_const_f32(m, op, 2, &p->b)))
    return s;
  if ((s = qs_act_range_f32(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), &p->lo, &p->hi))) return s;
  qs_scratch(m, 8u * (size_t)p->oc);
  op->params = p;
  op->macs = (uint64_t)p->batches * p->oc * p->k;
  op->eval = fc_f32_eval;
#if QS_WASM_SIMD
  return qs_fc_f32_wasm_prepare(m, op, p);
#else
  return QS_OK;
#endif
}
#endif
