/*
 * Element-wise int8 activations, matching TFLite Micro: RELU (requantizing, activations.cc),
 * RELU6 (clamp in the input's quantization, output parameters unused, as micro does), LEAKY_RELU
 * (two multipliers: identity for x >= 0, alpha for x < 0), TANH (gemmlowp fixed point,
 * output scale 1/128, zero point 0) and HARD_SWISH (TFLite's int16 "reluish" pipeline,
 * evaluated once per possible input into a 256-entry table at prepare time).
 */
#include "ops.h"
#include "wasm_simd.h"

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

static int8_t tanh_one(const act_params_t *p, int8_t in) {
  int32_t x = in - p->in_zp, v;
  if (x <= -p->radius) return -128;
  if (x >= p->radius) return 127;
  v = qs_rdbpot(qs_fp_tanh(qs_mbqm(x, p->mult, p->shift), 4), 24); /* Q0.31 -> 1/128 steps */
  return (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
}

static void tanh_eval(qs_model_t *m, const qs_op_t *op) {
  const act_params_t *p = (const act_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) out[i] = tanh_one(p, in[i]);
}

static void lut_eval(qs_model_t *m, const qs_op_t *op) {
  const act_params_t *p = (const act_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  const int8_t *lut = (const int8_t *)(const void *)(p + 1);
  uint32_t i;
  for (i = 0; i < p->n; i++) out[i] = lut[in[i] + 128];
}

/* int16 fixed point as in TFLite's HardSwish. */
static int16_t srdhm16(int16_t a, int16_t b) {
  int32_t ab = (int32_t)a * b;
  if (a == b && a == INT16_MIN) return INT16_MAX;
  return (int16_t)((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}
static int16_t sdhm16(int16_t a, int16_t b) { /* no rounding nudge: cancels srdhm16's bias */
  if (a == b && a == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}
static int16_t sat_shl16(int16_t v, int amount) {
  int32_t r = (int32_t)v * (1 << amount);
  return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}
static int16_t to_int16_multiplier(int32_t m32) { /* DownScaleInt32ToInt16Multiplier */
  if (m32 >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((m32 + (1 << 15)) >> 16);
}

static qs_status_t hard_swish_lut(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *in, const qs_tensor_t *out, int8_t *lut) {
  /* float32 arithmetic for the scales, exactly as the reference prepare */
  const float hires_scale = (1.0f / 128.0f) * in->scale, reluish_scale = 3.0f / 32768.0f;
  int32_t om32, rm32, oexp, rexp;
  int16_t om, rm;
  int q;
  qs_status_t s;
  if ((s = qs_multiplier(m, oi, op->out, (double)(hires_scale / out->scale), &om32, &oexp))) return s;
  if ((s = qs_multiplier(m, oi, op->out, (double)(hires_scale / reluish_scale), &rm32, &rexp))) return s;
  if (oexp > 0 || rexp > 15 || rexp < -15) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "HARD_SWISH scales out of range");
  om = to_int16_multiplier(om32);
  rm = to_int16_multiplier(rm32);
  for (q = -128; q < 128; q++) {
    int16_t hires = (int16_t)((q - in->zp) * 128);
    int16_t pre_out = srdhm16(hires, om), reluish = hires, v;
    int32_t r;
    if (rexp > 0) reluish = sat_shl16(reluish, rexp - 1);
    reluish = srdhm16(reluish, rm);
    if (rexp > 0) reluish = sat_shl16(reluish, 1);
    if (rexp < 0) reluish = (int16_t)qs_rdbpot(reluish, -rexp);
    reluish = (int16_t)((reluish + (1 << 15)) >> 1); /* [-1, 1] -> [0, 1] */
    v = sdhm16(reluish, pre_out);
    r = qs_rdbpot(v, -oexp) + out->zp;
    lut[q + 128] = (int8_t)(r > 127 ? 127 : (r < -128 ? -128 : r));
  }
  return QS_OK;
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
#if QS_WITH_INT16
  if (op->code == OP_TANH && in && in->dtype == QS_DT_INT16) return qs_prep_sigmoid16(m, oi, op);
#endif
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  /* HARD_SWISH (and TANH in the host build) keep a 256-entry table after the params */
  if (!(p = (act_params_t *)qs_alloc(m, sizeof(*p) + (op->code == OP_HARD_SWISH || (QS_WASM_SIMD && op->code == OP_TANH) ? 256u : 0u))))
    return QS_ERR_ARENA;
  p->n = qs_elems(in);
  p->in_zp = in->zp;
  p->out_zp = out->zp;
  p->lo = -128;
  p->hi = 127;
  op->params = p;
  op->eval = relu_eval;
  if (op->code == OP_HARD_SWISH) {
    op->eval = lut_eval;
    return hard_swish_lut(m, oi, op, in, out, (int8_t *)(void *)(p + 1));
  }
  if (op->code == OP_TANH) {
    double q;
    int e;
    int64_t qf;
    /* TFLite Micro's int8 TANH checks nothing of the output: it always writes tanh in Q0.7
     * (scale 1/128, zero point 0), whatever the tensor says. So do we. */
    /* input scale in Q4.27 via frexp + round, as TFLite Micro's tanh prepare */
    q = qs_frexp((double)in->scale * (double)(1 << 27), &e);
    qf = (int64_t)qs_round(q * 2147483648.0);
    if (qf > INT32_MAX || e > 30 || e < 0) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "tanh input scale out of range");
    p->mult = (int32_t)qf;
    p->shift = (int8_t)e;
    p->radius = qs_input_radius(4, e, 31);
    op->eval = tanh_eval;
#if QS_WASM_SIMD
    { /* host build: the fixed-point pipeline once per possible input, a lookup at eval */
      int8_t *lut = (int8_t *)(void *)(p + 1);
      int v;
      for (v = -128; v < 128; v++) lut[v + 128] = tanh_one(p, (int8_t)v);
      op->eval = lut_eval;
    }
#endif
    return QS_OK;
  }
  if (op->code == OP_RELU6) {
    /* TFLite Micro's Relu6Quantized clamps the raw input to [zp, zp + round(6 / scale)] in
     * the input's quantization and copies it; the output's parameters are not used */
    int32_t six = quantize_bound(in, 6.0f);
    p->in_zp = p->out_zp = 0;
    p->mult = p->mult_neg = 1 << 30; /* 0.5 * 2^1: exact identity */
    p->shift = p->shift_neg = 1;
    p->lo = in->zp > -128 ? in->zp : -128;
    p->hi = six < 127 ? six : 127;
    return QS_OK;
  }
  if (op->code == OP_LEAKY_RELU) {
    /* both multipliers from float32 arithmetic, widened afterwards, as the reference */
    if ((s = qs_multiplier(m, oi, op->out, (double)(in->scale / out->scale), &p->mult, &sh))) return s;
  } else if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &p->mult, &sh))) {
    return s;
  }
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
  }
  return QS_OK;
}
