/*
 * Element-wise int8 activations, matching TFLite Micro: RELU (requantizing, activations.cc),
 * RELU6 (clamp in the input's quantization, which must equal the output's), LEAKY_RELU
 * (two multipliers: identity for x >= 0, alpha for x < 0) and TANH (gemmlowp fixed point,
 * output scale 1/128, zero point 0).
 */
#include "ops.h"

typedef struct {
  uint32_t n;
  int32_t in_zp, out_zp, lo, hi;
  int32_t mult, mult_neg, radius;
  int8_t shift, shift_neg;
} act_params_t;

static void relu_eval(qs_model_t *m, const qs_op_t *op) {
  const act_params_t *p = (const act_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t x = in[i] - p->in_zp, v;
    if (x >= 0) v = p->out_zp + qs_mbqm(x, p->mult, p->shift);
    else v = p->out_zp + qs_mbqm(x, p->mult_neg, p->shift_neg);
    v = v < p->lo ? p->lo : v;
    out[i] = (int8_t)(v > p->hi ? p->hi : v);
  }
}

static void tanh_eval(qs_model_t *m, const qs_op_t *op) {
  const act_params_t *p = (const act_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t x = in[i] - p->in_zp, v;
    if (x <= -p->radius) v = -128;
    else if (x >= p->radius) v = 127;
    else {
      v = qs_rdbpot(qs_fp_tanh(qs_mbqm(x, p->mult, p->shift), 4), 24); /* Q0.31 -> 1/128 steps */
      v = v > 127 ? 127 : (v < -128 ? -128 : v);
    }
    out[i] = (int8_t)v;
  }
}

static int32_t quantize_bound(const qs_tensor_t *out, float f) {
  float q = qs_roundf(f / out->scale);
  if (q > 1.0e6f) return 1000000;
  if (q < -1.0e6f) return -1000000;
  return out->zp + (int32_t)q;
}

qs_status_t qs_prep_act(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  act_params_t *p;
  qs_status_t s;
  int32_t sh;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "activation needs 1 input");
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(p = (act_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = qs_elems(in);
  p->in_zp = in->zp;
  p->out_zp = out->zp;
  p->lo = -128;
  p->hi = 127;
  op->params = p;
  op->eval = relu_eval;
  if (op->code == OP_TANH) {
    double q;
    int e;
    int64_t qf;
    if (out->zp != 0 || out->scale < 0.0078124f || out->scale > 0.0078126f)
      return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int8 TANH output must have scale 1/128 and zero point 0");
    /* input scale in Q4.27 via frexp + round, as TFLite Micro's tanh prepare */
    q = qs_frexp((double)in->scale * (double)(1 << 27), &e);
    qf = (int64_t)qs_round(q * 2147483648.0);
    if (qf > INT32_MAX || e > 30 || e < 0) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "tanh input scale out of range");
    p->mult = (int32_t)qf;
    p->shift = (int8_t)e;
    p->radius = qs_input_radius(4, e, 31);
    op->eval = tanh_eval;
    return QS_OK;
  }
  if (op->code == OP_RELU6) {
    /* TFLite Micro clamps RELU6 in the input's quantization without rescaling */
    if (in->scale != out->scale || in->zp != out->zp)
      return qs_fail(m, QS_ERR_QUANT, oi, op->out, "RELU6 output quantization differs from input");
  }
  if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &p->mult, &sh))) return s;
  p->shift = (int8_t)sh;
  p->mult_neg = p->mult;
  p->shift_neg = p->shift;
  if (op->code == OP_LEAKY_RELU) {
    /* alpha multiplier computed in float first, then widened, as the reference does */
    float alpha = fb_f32(&m->fb, &op->opts, 0, 0.0f);
    if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
    if (!(alpha >= -1.0e6f && alpha <= 1.0e6f)) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "leaky relu alpha out of range");
    if (alpha < 0.0f) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "negative leaky relu alpha");
    if ((s = qs_multiplier(m, oi, op->out, (double)(in->scale * alpha / out->scale), &p->mult_neg, &sh))) return s;
    p->shift_neg = (int8_t)sh;
  } else {
    int32_t z = quantize_bound(out, 0.0f);
    p->lo = z > -128 ? z : -128;
    if (op->code == OP_RELU6) {
      z = quantize_bound(out, 6.0f);
      p->hi = z < 127 ? z : 127;
    }
  }
  return QS_OK;
}
