/*
 * FULLY_CONNECTED int8 (per-tensor or per-channel), bit-exact with TFLite Micro
 * reference_integer_ops::FullyConnected: acc = bias + sum((w + w_off) * (x + x_off)).
 * The sum is expanded into sum(w*(x+x_off)) + w_off*sum(x+x_off), the second term once per
 * batch (weights are symmetric in practice: w_off = 0); two rows share every input load, so
 * adding x_off costs one add per two MACs and the arena keeps no per-row table (the bias is read
 * from the model). uint32 accumulators wrap instead of overflowing (the reference's int32
 * result is the same value modulo 2^32). The WASM build folds x_off*sum(w) into a per-row
 * bias_eff at prepare (k_fc_wasm.c's vector loop wants raw x).
 */
#include "k_params.h"

static void fc_eval(qs_model_t *m, const qs_op_t *op) {
  const fc_params_t *p = (const fc_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int8_t *x = in;
  const int k = p->k;
  const int32_t xo = p->x_off;
  int b, c, i;
  for (b = 0; b < p->batches; b++, x += k, out += p->oc) {
    uint32_t wterm = 0;
    if (p->w_off != 0) {
      uint32_t s = (uint32_t)k * (uint32_t)xo;
      for (i = 0; i < k; i++) s += (uint32_t)(int32_t)x[i];
      wterm = (uint32_t)p->w_off * s;
    }
    for (c = 0; c < p->oc; c += 2) {
      int c2 = c + 1 < p->oc ? c + 1 : c; /* odd count: last row computed twice */
      const int8_t *w0 = p->w + (size_t)c * k, *w1 = p->w + (size_t)c2 * k;
      uint32_t a0 = wterm, a1 = wterm;
      int q0 = p->per_channel ? c : 0, q1 = p->per_channel ? c2 : 0;
#if QS_WASM_SIMD
      a0 += (uint32_t)p->bias_eff[c], a1 += (uint32_t)p->bias_eff[c2];
#define FC_X(v) (v)
#else
      if (p->bias) a0 += (uint32_t)p->bias[c], a1 += (uint32_t)p->bias[c2];
#define FC_X(v) ((v) + xo)
#endif
      for (i = 0; i + 2 <= k; i += 2) {
        int32_t x0 = FC_X(x[i]), x1 = FC_X(x[i + 1]);
        a0 += (uint32_t)(x0 * w0[i]);
        a1 += (uint32_t)(x0 * w1[i]);
        a0 += (uint32_t)(x1 * w0[i + 1]);
        a1 += (uint32_t)(x1 * w1[i + 1]);
      }
      if (i < k) {
        a0 += (uint32_t)(FC_X(x[i]) * w0[i]);
        a1 += (uint32_t)(FC_X(x[i]) * w1[i]);
      }
#undef FC_X
      out[c] = qs_requant((int32_t)a0, p->mult[q0], p->shift[q0], p->out_zp, p->act_min, p->act_max);
      out[c2] = qs_requant((int32_t)a1, p->mult[q1], p->shift[q1], p->out_zp, p->act_min, p->act_max);
    }
  }
}

qs_status_t qs_prep_fc(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *f = qs_in(m, op, 1), *bias = qs_in(m, op, 2), *out = qs_out(m);
  fc_params_t *p;
  qs_status_t s;
  int c, nq;
  uint32_t ne;
  /* int16x8 (k_conv16.c): same shapes, TFLM's int16 FullyConnected arithmetic */
  const int i16 = QS_WITH_INT16 && in && in->dtype == QS_DT_INT16;
  if (op->n_in < 2 || op->n_in > 3) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "FULLY_CONNECTED needs 2 or 3 inputs");
  if ((s = qs_opts(m, oi, op, OPT_FC, 0)) != QS_OK) return s;
  if (i16 ? ((s = qs_need_q16(m, oi, op, 0, "input", 0)) || (s = qs_need_w8(m, oi, op, 1, "weights")) ||
             (s = qs_need_q16(m, oi, op, QS_OUT, "output", 0)))
          : ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_w8(m, oi, op, 1, "weights")) ||
             (s = qs_need_q8(m, oi, op, QS_OUT, "output"))))
    return s;
  if (fb_u8(&m->fb, &op->opts, 1, 0) != 0) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "shuffled weights format");
  if (!f->data || f->ndims != 2) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[1], "weights must be a constant 2-D tensor");
  if (!(p = (fc_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->oc = f->dims[0];
  p->k = f->dims[1];
  ne = qs_elems(in);
  if (p->k < 1 || p->oc < 1 || ne % (uint32_t)p->k != 0) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "input size is not a multiple of the weights depth");
  p->batches = (int)(ne / (uint32_t)p->k);
  if (out->ndims < 1 || out->dims[out->ndims - 1] != p->oc || qs_elems(out) != (uint32_t)p->batches * (uint32_t)p->oc)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not [batches, units]");
#if QS_WITH_INT16
  if (i16) return qs_fc16_finish(m, oi, op, p);
#endif
  if (bias && (bias->dtype != QS_DT_INT32 || !bias->data || bias->bytes != 4u * (uint32_t)p->oc))
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[2], "bias must be constant int32 of length units");
  if (f->nscales != 1 && f->nscales != (uint32_t)p->oc)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[1], "weights scale count is neither 1 nor units");
  p->per_channel = f->nscales > 1;
  nq = p->per_channel ? p->oc : 1;
  p->x_off = -in->zp;
  p->w_off = (int16_t)-f->zp;
  p->out_zp = out->zp;
  {
    int32_t lo, hi;
    if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), out, &lo, &hi))) return s;
    p->act_min = (int16_t)lo, p->act_max = (int16_t)hi; /* within the int8 output's range */
  }
  p->w = (const int8_t *)f->data;
  p->mult = nq == 1 ? &p->mult1 : (int32_t *)qs_alloc(m, 4u * (size_t)nq);
  p->shift = nq == 1 ? &p->shift1 : (int8_t *)qs_alloc(m, (size_t)nq);
  if (!p->mult || !p->shift) return QS_ERR_ARENA;
  for (c = 0; c < nq; c++) {
    double real = (double)in->scale * (double)qs_scale_at(m, f, (uint32_t)c) / (double)out->scale;
    int32_t sh;
    if ((s = qs_multiplier(m, oi, op->in[1], real, &p->mult[c], &sh))) return s;
    p->shift[c] = (int8_t)sh;
  }
#if !QS_WASM_SIMD
  if (bias && !(p->bias = qs_const_i32(m, bias))) return QS_ERR_ARENA;
#else
  if (!(p->bias_eff = (int32_t *)qs_alloc(m, 4u * (size_t)p->oc))) return QS_ERR_ARENA;
  for (c = 0; c < p->oc; c++) {
    int i;
    uint32_t wsum = 0, xo = (uint32_t)p->x_off, bv = bias ? fb_load_u32(bias->data + 4 * c) : 0;
    for (i = 0; i < p->k; i++) wsum += (uint32_t)(int32_t)p->w[(size_t)c * p->k + i];
    p->bias_eff[c] = (int32_t)(bv + xo * wsum + (uint32_t)p->k * (uint32_t)p->w_off * xo);
  }
#endif
  op->params = p;
  op->macs = (uint64_t)p->batches * p->oc * p->k;
  op->eval = fc_eval;
#if QS_WASM_SIMD
  return qs_fc_wasm_prepare(m, op, p);
#else
#if QS_ARM_DSP
  qs_fc_dsp_prepare(op);
#endif
  return QS_OK;
#endif
}
