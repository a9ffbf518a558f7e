/*
 * CONV_2D, int8 with per-channel (or per-tensor) requantization, bit-exact with TFLite Micro
 * reference_integer_ops::ConvPerChannel (incl. stride, dilation, SAME/VALID, groups).
 *
 * Speed: the reference tests padding per tap and adds the input offset per MAC. We gather the
 * receptive field of one output pixel once into an int16 patch holding x + in_off, with 0 for
 * padded taps (exactly the reference's skipped terms), then run plain dot products over it for
 * every output channel: four channels per pass share each patch load. Accumulators are uint32
 * so hostile weights wrap instead of overflowing (same machine code; the reference's int32
 * result is the same value modulo 2^32).
 */
#include "k_params.h"

/* Four output channels per pass: each patch value is loaded once for four MACs. Written with
 * walking pointers so the compiler emits post-increment loads (Cortex-M3: ~2.5 instr/MAC). */
static void dot4(const int16_t *x, const int8_t *w0, int k, int n, uint32_t *acc) {
  const int8_t *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
  const int16_t *end = x + n;
  uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  while (x < end) {
    int32_t v = *x++;
    a0 += (uint32_t)(v * *w0++);
    a1 += (uint32_t)(v * *w1++);
    a2 += (uint32_t)(v * *w2++);
    a3 += (uint32_t)(v * *w3++);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static uint32_t dot1(const int16_t *x, const int8_t *w, int n) {
  const int16_t *end = x + n;
  uint32_t a = 0;
  while (x < end) a += (uint32_t)(*x++ * *w++);
  return a;
}

/* Patch of output pixel (oy, ox), group g: kh*kw*kc values of x + in_off, 0 where padded. */
static void gather(const conv_params_t *p, const int8_t *in, int oy, int ox, int g, int16_t *dst) {
  int ky, kx, c, iy0 = oy * p->sh - p->pad_h, ix0 = ox * p->sw - p->pad_w;
  const int16_t off = (int16_t)p->in_off;
  for (ky = 0; ky < p->kh; ky++) {
    int iy = iy0 + ky * p->dh;
    for (kx = 0; kx < p->kw; kx++, dst += p->kc) {
      int ix = ix0 + kx * p->dw;
      if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) {
        for (c = 0; c < p->kc; c++) dst[c] = 0;
      } else {
        const int8_t *src = in + ((size_t)iy * p->iw + ix) * p->ic + (size_t)g * p->kc;
        for (c = 0; c < p->kc; c++) dst[c] = (int16_t)(src[c] + off);
      }
    }
  }
}

static void conv_eval(qs_model_t *m, const qs_op_t *op) {
  const conv_params_t *p = (const conv_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int16_t *patch = (int16_t *)(void *)m->scratch;
  const int k = p->kh * p->kw * p->kc, ocg = p->oc / p->groups;
  int b, oy, ox, g, c;
  if (op->lean) {
    qs_conv_lean_eval(m, op);
    return;
  }
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      for (ox = 0; ox < p->ow; ox++, out += p->oc) {
        for (g = 0; g < p->groups; g++) {
          int c1 = (g + 1) * ocg;
          gather(p, inb, oy, ox, g, patch);
          for (c = g * ocg; c + 4 <= c1; c += 4) {
            uint32_t acc[4];
            int j;
            for (j = 0; j < 4; j++) acc[j] = p->bias ? (uint32_t)p->bias[c + j] : 0u;
            dot4(patch, p->w + (size_t)c * k, k, k, acc);
            for (j = 0; j < 4; j++)
              out[c + j] = qs_requant((int32_t)acc[j], p->mult[c + j], p->shift[c + j], p->out_zp, p->act_min, p->act_max);
          }
          for (; c < c1; c++) {
            uint32_t a = (p->bias ? (uint32_t)p->bias[c] : 0u) + dot1(patch, p->w + (size_t)c * k, k);
            out[c] = qs_requant((int32_t)a, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

qs_status_t qs_conv_channels(qs_model_t *m, int oi, const qs_op_t *op, int oc, int32_t **mult, int8_t **shift,
                             const int32_t **bias_out) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *bias = qs_in(m, op, 2), *out = qs_out(m);
  int c;
  if (f->nscales != 1 && f->nscales != (uint32_t)oc)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[1], "filter scale count is neither 1 nor the output channel count");
  if (f->zp != 0) return qs_fail(m, QS_ERR_QUANT, oi, op->in[1], "int8 filter zero point must be 0");
  *bias_out = NULL;
  if (bias) {
    if (bias->dtype != QS_DT_INT32) return qs_fail(m, QS_ERR_TYPE, oi, op->in[2], "bias must be int32");
    if (!bias->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[2], "bias must be constant");
    if (bias->bytes != 4u * (uint32_t)oc) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "bias length differs from output channels");
    if (!(*bias_out = qs_const_i32(m, bias))) return QS_ERR_ARENA;
  }
  *mult = (int32_t *)qs_alloc(m, 4u * (size_t)oc);
  *shift = (int8_t *)qs_alloc(m, (size_t)oc);
  if (!*mult || !*shift) return QS_ERR_ARENA;
  for (c = 0; c < oc; c++) {
    /* PopulateConvolutionQuantizationParams: double(in) * double(filter[c]) / double(out) */
    double eff = (double)in->scale * (double)qs_scale_at(m, f, (uint32_t)c) / (double)out->scale;
    int32_t sh;
    qs_status_t s = qs_multiplier(m, oi, op->in[1], eff, &(*mult)[c], &sh);
    if (s != QS_OK) return s;
    (*shift)[c] = (int8_t)sh;
  }
  return QS_OK;
}

qs_status_t qs_prep_conv(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *out = qs_out(m);
  conv_params_t *p;
  qs_status_t s;
  /* int16x8 (k_conv16.c): same shapes and options, its own requantization and eval */
  const int i16 = QS_WITH_INT16 && in && in->dtype == QS_DT_INT16;
  int pad, dil_w, dil_h, i, oh, ow, pad_h, pad_w;
  if (op->n_in < 2 || op->n_in > 3) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "CONV_2D needs 2 or 3 inputs");
  if ((s = qs_opts(m, oi, op, OPT_CONV2D, 1)) != QS_OK) return s;
  if (i16 ? ((s = qs_need_q16(m, oi, op, 0, "input", 1)) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
             (s = qs_need_q16(m, oi, op, QS_OUT, "output", 1)))
          : ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
             (s = qs_need_q8(m, oi, op, QS_OUT, "output"))))
    return s;
  if (!f->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "filter must be constant");
  if (in->ndims != 4 || f->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "CONV_2D tensors must be 4-D");
  for (i = 0; i < 4; i++) /* the prepared geometry is 16-bit */
    if (in->dims[i] > 32767 || f->dims[i] > 32767 || out->dims[i] > 32767)
      return qs_fail(m, QS_ERR_LIMIT, oi, op->out, "CONV_2D dimension above 32767 (this core's limit)");
  if (!(p = (conv_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  pad = fb_u8(&m->fb, &op->opts, 0, 0);
  {
    const int32_t sw = fb_i32(&m->fb, &op->opts, 1, 0), sh = fb_i32(&m->fb, &op->opts, 2, 0);
    dil_w = fb_i32(&m->fb, &op->opts, 4, 1);
    dil_h = fb_i32(&m->fb, &op->opts, 5, 1);
    if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
    if (sw < 1 || sh < 1 || dil_w < 1 || dil_h < 1 || sw > 64 || sh > 64 || dil_w > 64 || dil_h > 64 || pad > 1)
      return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad stride, dilation or padding");
    p->sw = (int16_t)sw, p->sh = (int16_t)sh;
  }
  p->dw = (int16_t)dil_w;
  p->dh = (int16_t)dil_h;
  p->n = (int16_t)in->dims[0], p->ih = (int16_t)in->dims[1], p->iw = (int16_t)in->dims[2], p->ic = (int16_t)in->dims[3];
  p->oc = (int16_t)f->dims[0], p->kh = (int16_t)f->dims[1], p->kw = (int16_t)f->dims[2], p->kc = (int16_t)f->dims[3];
  if (p->kc < 1 || p->ic < 1 || p->ic % p->kc != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter depth does not divide input depth");
  p->groups = (int16_t)(p->ic / p->kc);
  if (p->oc < 1 || p->oc % p->groups != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "groups do not divide output channels");
  if (p->kh < 1 || p->kw < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "empty filter");
  oh = qs_out_size(pad, p->ih, p->kh, p->sh, p->dh);
  ow = qs_out_size(pad, p->iw, p->kw, p->sw, p->dw);
  if (out->dims[0] != p->n || out->dims[1] != oh || out->dims[2] != ow || out->dims[3] != p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input, filter, stride and padding");
  pad_h = qs_padding(p->sh, p->dh, p->ih, p->kh, oh);
  pad_w = qs_padding(p->sw, p->dw, p->iw, p->kw, ow);
  if (pad_h > 32767 || pad_w > 32767) return qs_fail(m, QS_ERR_LIMIT, oi, op->out, "CONV_2D padding above 32767 (this core's limit)");
  p->oh = (int16_t)oh, p->ow = (int16_t)ow, p->pad_h = (int16_t)pad_h, p->pad_w = (int16_t)pad_w;
  p->in_off = -in->zp;
  p->out_zp = out->zp;
  if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 3, 0), out, &p->act_min, &p->act_max))) return s;
  p->w = (const int8_t *)f->data;
#if QS_WITH_INT16
  if (i16) return qs_conv16_finish(m, oi, op, p);
#endif
  if ((s = qs_conv_channels(m, oi, op, p->oc, &p->mult, &p->shift, &p->bias))) return s;
  qs_scratch(m, 2u * (size_t)p->kh * p->kw * p->kc);
  op->params = p;
  op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw * p->kc;
  op->eval = conv_eval;
#if QS_WASM_SIMD
  return qs_conv_wasm_prepare(m, op, p);
#else
  qs_scratch_lean(op); /* k_conv_lean.c: the window read in place, no patch */
#if QS_ARM_DSP
  qs_conv_dsp_prepare(m, op, p);
#endif
  return QS_OK;
#endif
}
