/*
 * DEPTHWISE_CONV_2D, int8 per-channel, bit-exact with TFLite Micro
 * reference_integer_ops::DepthwiseConvPerChannel (stride, dilation, SAME/VALID, multiplier).
 *
 * Speed: each output pixel accumulates all its channels tap by tap in a scratch row, so input
 * and filter are read contiguously and out-of-image taps are skipped once per tap rather
 * than tested per MAC (any depth multiplier). uint32 accumulators wrap instead of overflowing.
 */
#include "k_params.h"

/* Depth multiplier 1 or a multiple of 4: per output pixel, list the in-image taps once
 * (input and filter offsets), then run four output channels at a time with the accumulators
 * in registers (with a multiple of 4 the four channels share one input value). */
static void dw_eval_taps(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t *taps = (int32_t *)(void *)m->scratch; /* pairs: input offset, filter offset */
  const int C = p->oc;
  const int32_t off = p->in_off;
  int b, oy, ox, ky, kx, c, t, nt;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        int ix0 = ox * p->sw - p->pad_w;
        nt = 0;
        for (ky = 0; ky < p->kh; ky++) {
          int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            int ix = ix0 + kx * p->dw;
            if (ix < 0 || ix >= p->iw) continue;
            taps[2 * nt] = (iy * p->iw + ix) * p->ic;
            taps[2 * nt + 1] = (ky * p->kw + kx) * C;
            nt++;
          }
        }
        for (c = 0; c + 4 <= C; c += 4) {
          uint32_t a0, a1, a2, a3;
          const int32_t *tp = taps;
          a0 = p->bias ? (uint32_t)p->bias[c] : 0u;
          a1 = p->bias ? (uint32_t)p->bias[c + 1] : 0u;
          a2 = p->bias ? (uint32_t)p->bias[c + 2] : 0u;
          a3 = p->bias ? (uint32_t)p->bias[c + 3] : 0u;
          if (p->dm == 1) {
            for (t = 0; t < nt; t++, tp += 2) {
              const int8_t *x = inb + tp[0] + c, *w = p->w + tp[1] + c;
              a0 += (uint32_t)((x[0] + off) * w[0]);
              a1 += (uint32_t)((x[1] + off) * w[1]);
              a2 += (uint32_t)((x[2] + off) * w[2]);
              a3 += (uint32_t)((x[3] + off) * w[3]);
            }
          } else {
            const int ic = c / p->dm;
            for (t = 0; t < nt; t++, tp += 2) {
              const int32_t xv = inb[tp[0] + ic] + off;
              const int8_t *w = p->w + tp[1] + c;
              a0 += (uint32_t)(xv * w[0]);
              a1 += (uint32_t)(xv * w[1]);
              a2 += (uint32_t)(xv * w[2]);
              a3 += (uint32_t)(xv * w[3]);
            }
          }
          out[c] = qs_requant((int32_t)a0, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
          out[c + 1] = qs_requant((int32_t)a1, p->mult[c + 1], p->shift[c + 1], p->out_zp, p->act_min, p->act_max);
          out[c + 2] = qs_requant((int32_t)a2, p->mult[c + 2], p->shift[c + 2], p->out_zp, p->act_min, p->act_max);
          out[c + 3] = qs_requant((int32_t)a3, p->mult[c + 3], p->shift[c + 3], p->out_zp, p->act_min, p->act_max);
        }
        for (; c < C; c++) {
          uint32_t a = p->bias ? (uint32_t)p->bias[c] : 0u;
          for (t = 0; t < nt; t++) a += (uint32_t)((inb[taps[2 * t] + c / p->dm] + off) * p->w[taps[2 * t + 1] + c]);
          out[c] = qs_requant((int32_t)a, p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
        }
      }
    }
  }
}

/* Any depth multiplier: all channels of a pixel accumulated tap by tap in a scratch row. */
static void dw_eval(qs_model_t *m, const qs_op_t *op) {
  const dw_params_t *p = (const dw_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t *acc = (uint32_t *)(void *)m->scratch;
  const int C = p->oc;
  const int32_t off = p->in_off;
  int b, oy, ox, ky, kx, c;
  for (b = 0; b < p->n; b++) {
    const int8_t *inb = in + (size_t)b * p->ih * p->iw * p->ic;
    for (oy = 0; oy < p->oh; oy++) {
      int iy0 = oy * p->sh - p->pad_h;
      for (ox = 0; ox < p->ow; ox++, out += C) {
        int ix0 = ox * p->sw - p->pad_w;
        for (c = 0; c < C; c++) acc[c] = p->bias ? (uint32_t)p->bias[c] : 0u;
        for (ky = 0; ky < p->kh; ky++) {
          int iy = iy0 + ky * p->dh;
          if (iy < 0 || iy >= p->ih) continue;
          for (kx = 0; kx < p->kw; kx++) {
            int ix = ix0 + kx * p->dw;
            const int8_t *x, *w;
            if (ix < 0 || ix >= p->iw) continue;
            x = inb + ((size_t)iy * p->iw + ix) * p->ic;
            w = p->w + ((size_t)ky * p->kw + kx) * C;
            if (p->dm == 1) {
              for (c = 0; c < C; c++) acc[c] += (uint32_t)((x[c] + off) * w[c]);
            } else { /* output channel ic*dm + d reads input channel ic */
              int ic, d, oc = 0;
              for (ic = 0; ic < p->ic; ic++) {
                int32_t xv = x[ic] + off;
                for (d = 0; d < p->dm; d++, oc++) acc[oc] += (uint32_t)(xv * w[oc]);
              }
            }
          }
        }
        for (c = 0; c < C; c++)
          out[c] = qs_requant((int32_t)acc[c], p->mult[c], p->shift[c], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}

static int taps_ok(const dw_params_t *p) { return p->dm == 1 || p->dm % 4 == 0; }

qs_status_t qs_prep_dwconv(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *out = qs_out(m);
  dw_params_t *p;
  qs_status_t s;
  /* int16x8 (k_conv16.c): same shapes and options, its own requantization and eval */
  const int i16 = QS_WITH_INT16 && in && in->dtype == QS_DT_INT16;
  int pad;
  if (op->n_in < 2 || op->n_in > 3) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "DEPTHWISE_CONV_2D needs 2 or 3 inputs");
  if ((s = qs_opts(m, oi, op, OPT_DEPTHWISE, 1)) != QS_OK) return s;
  if (i16 ? ((s = qs_need_q16(m, oi, op, 0, "input", 1)) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
             (s = qs_need_q16(m, oi, op, QS_OUT, "output", 1)))
          : ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_w8(m, oi, op, 1, "filter")) ||
             (s = qs_need_q8(m, oi, op, QS_OUT, "output"))))
    return s;
  if (!f->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "filter must be constant");
  if (in->ndims != 4 || f->ndims != 4 || out->ndims != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "DEPTHWISE_CONV_2D tensors must be 4-D");
  if (!(p = (dw_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  pad = fb_u8(&m->fb, &op->opts, 0, 0);
  p->sw = fb_i32(&m->fb, &op->opts, 1, 0);
  p->sh = fb_i32(&m->fb, &op->opts, 2, 0);
  p->dw = fb_i32(&m->fb, &op->opts, 5, 1);
  p->dh = fb_i32(&m->fb, &op->opts, 6, 1);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (p->sw < 1 || p->sh < 1 || p->dw < 1 || p->dh < 1 || p->sw > 64 || p->sh > 64 || p->dw > 64 || p->dh > 64 || pad > 1)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "bad stride, dilation or padding");
  p->n = in->dims[0], p->ih = in->dims[1], p->iw = in->dims[2], p->ic = in->dims[3];
  p->kh = f->dims[1], p->kw = f->dims[2], p->oc = f->dims[3];
  if (f->dims[0] != 1 || p->kh < 1 || p->kw < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter must be [1, H, W, C*M]");
  if (p->ic < 1 || p->oc % p->ic != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "filter channels are not a multiple of input channels");
  /* The option's depth_multiplier is advisory in TFLite; the shapes decide. */
  p->dm = p->oc / p->ic;
  p->oh = qs_out_size(pad, p->ih, p->kh, p->sh, p->dh);
  p->ow = qs_out_size(pad, p->iw, p->kw, p->sw, p->dw);
  if (out->dims[0] != p->n || out->dims[1] != p->oh || out->dims[2] != p->ow || out->dims[3] != p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape does not match input, filter, stride and padding");
  p->pad_h = qs_padding(p->sh, p->dh, p->ih, p->kh, p->oh);
  p->pad_w = qs_padding(p->sw, p->dw, p->iw, p->kw, p->ow);
  p->in_off = -in->zp;
  p->out_zp = out->zp;
  if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 4, 0), out, &p->act_min, &p->act_max))) return s;
  p->w = (const int8_t *)f->data;
#if QS_WITH_INT16
  if (i16) return qs_dwconv16_finish(m, oi, op, p);
#endif
  if ((s = qs_conv_channels(m, oi, op, p->oc, &p->mult, &p->shift, &p->bias))) return s;
  qs_scratch(m, taps_ok(p) ? 8u * (size_t)p->kh * p->kw : 4u * (size_t)p->oc);
  op->params = p;
  op->macs = (uint64_t)p->n * p->oh * p->ow * p->oc * p->kh * p->kw;
  op->eval = taps_ok(p) ? dw_eval_taps : dw_eval;
#if QS_WASM_SIMD
  return qs_dwconv_wasm_prepare(m, op, p);
#else
#if QS_ARM_DSP
  qs_dwconv_dsp_prepare(m, op, p);
#endif
  return QS_OK;
#endif
}
