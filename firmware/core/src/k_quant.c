/*
 * QUANTIZE (float32 -> int8/int16, int8/uint8/int16 -> int8/uint8/int16), DEQUANTIZE
 * (int8/uint8/int16 -> float32)
 * and the copy ops RESHAPE / SQUEEZE / EXPAND_DIMS, matching TFLite Micro's reference arithmetic
 * (AffineQuantize, Requantize, Dequantize). uint8 appears at model inputs and outputs (e.g.
 * uint8-in / int8-inside models); the int8 paths keep their own loops.
 */
#include <string.h>

#include "k_params.h"

static void quantize_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    float v, r;
    int32_t q;
    memcpy(&v, in + 4 * i, 4);
    /* AffineQuantize: round(val / scale) in float, add zero point, clamp. The clamp on the
     * float first keeps the int conversion defined for huge values and NaN. */
    r = qs_roundf(v / p->scale);
    if (!(r > -1.0e6f)) q = -1000000;
    else if (r > 1.0e6f) q = 1000000;
    else q = (int32_t)r;
    q += p->out_zp;
    out[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
}

static void requantize_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t q = qs_mbqm(in[i] - p->in_zp, p->mult, p->shift) + p->out_zp;
    out[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
}

/* Either side uint8: value - input zero point, rescaled, plus output zero point, clamped to the
 * output type (TFLM Requantize; with equal scales the multiplier is exactly 1). */
static void quantize_u8_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  const int32_t lo = p->out_u8 ? 0 : -128, hi = p->out_u8 ? 255 : 127;
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t x = p->in_u8 ? (int32_t)in[i] : (int32_t)(int8_t)in[i];
    int32_t q = qs_mbqm_pos(x - p->in_zp, p->mult, p->shift) + p->out_zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    out[i] = (uint8_t)q; /* the low byte: the code for either type */
  }
}

#if QS_WITH_INT16
/* float32 -> int16: AffineQuantize as quantize_f32_eval, clamped to int16. */
static void quantize_f32_i16_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    float v, r;
    int32_t q;
    memcpy(&v, in + 4 * i, 4);
    r = qs_roundf(v / p->scale);
    if (!(r > -1.0e6f)) q = -1000000;
    else if (r > 1.0e6f) q = 1000000;
    else q = (int32_t)r;
    q += p->out_zp;
    out[i] = (int16_t)(q < -32768 ? -32768 : (q > 32767 ? 32767 : q));
  }
}

/* int16 -> int8/int16 and int8 -> int16: TFLM Requantize (value - input zero point, the
 * double-rounding multiply, + output zero point, clamped to the output type). */
static void requantize16_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  const int32_t lo = p->out_i16 ? -32768 : -128, hi = p->out_i16 ? 32767 : 127;
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t x = p->in_i16 ? ((const int16_t *)(const void *)in)[i] : (int32_t)((const int8_t *)in)[i];
    int32_t q = qs_mbqm(x - p->in_zp, p->mult, p->shift);
    if (p->out_i32) { /* int32: nothing to clamp; the zero point added modulo 2^32 */
      uint32_t u = (uint32_t)q + (uint32_t)p->out_zp;
      memcpy(out + 4 * i, &u, 4);
      continue;
    }
    q += p->out_zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    if (p->out_i16) ((int16_t *)(void *)out)[i] = (int16_t)q;
    else ((int8_t *)out)[i] = (int8_t)q;
  }
}

/* int16 -> float32: reference Dequantize, (float)(double scale * (value - zero point)); no
 * table (65536 entries would not fit a board's arena). */
static void dequantize16_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const int16_t *in = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    float f = (float)(p->dscale * (double)(in[i] - p->in_zp));
    memcpy(out + 4 * i, &f, 4);
  }
}
#endif

/* int8 and uint8 alike: the table is indexed by the code's byte. */
static void dequantize_eval(qs_model_t *m, const qs_op_t *op) {
  const quant_params_t *p = (const quant_params_t *)op->params;
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) memcpy(out + 4 * i, &p->lut[in[i]], 4);
}

/* A uint8 tensor with a positive scale (int8 ones go through qs_need_q8). */
static qs_status_t need_qu8(qs_model_t *m, int oi, int ti, const qs_tensor_t *t) {
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "uint8 tensor without a positive scale");
  return QS_OK;
}

static qs_status_t same_count(qs_model_t *m, int oi, const qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0);
  if (op->n_in < 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "missing input");
  if (qs_elems(in) != qs_elems(qs_out(m)))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output element count differs from input");
  return QS_OK;
}

#if QS_WITH_INT16
/* QUANTIZE with int16 on either side: float32 -> int16, int16 -> int16, int16 <-> int8. */
static qs_status_t prep_quantize16(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  quant_params_t *p;
  qs_status_t s;
  if (out->dtype == QS_DT_INT32) {
    /* TFLM requantizes int16 -> int32 (quantize_common.cc); int8 -> int32 is not wired here */
    if (in->dtype != QS_DT_INT16) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "QUANTIZE to int32 takes an int16 input");
    if (!out->quantized || !(out->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int32 tensor without a positive scale");
  } else if (out->dtype == QS_DT_INT16 ? (s = qs_need_q16(m, oi, op, QS_OUT, "output", 0)) : (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) {
    return s;
  }
  if (!(p = (quant_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = qs_elems(out);
  p->out_zp = out->zp;
  p->scale = out->scale;
  p->out_i16 = out->dtype == QS_DT_INT16;
  p->out_i32 = out->dtype == QS_DT_INT32;
  op->params = p;
  if (in->dtype == QS_DT_FLOAT32 && p->out_i16) {
    op->eval = quantize_f32_i16_eval;
    return QS_OK;
  }
  if (in->dtype == QS_DT_INT16 ? (s = qs_need_q16(m, oi, op, 0, "input", 0))
                               : in->dtype == QS_DT_INT8 ? (s = qs_need_q8(m, oi, op, 0, "input"))
                                                         : (s = qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0],
                                                                        "QUANTIZE to int16 takes float32, int8 or int16")))
    return s;
  p->in_i16 = in->dtype == QS_DT_INT16;
  p->in_zp = in->zp;
  /* PrepareQuantizeReference: QuantizeMultiplier(double(in) / double(out)) */
  if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &p->mult, &p->shift))) return s;
  op->eval = requantize16_eval;
  return QS_OK;
}
#endif

qs_status_t qs_prep_quantize(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  quant_params_t *p;
  qs_status_t s;
  int out_u8;
  if ((s = same_count(m, oi, op))) return s;
  out_u8 = out->dtype == QS_DT_UINT8;
#if QS_WITH_INT16
  if (out->dtype == QS_DT_INT16 || in->dtype == QS_DT_INT16) return prep_quantize16(m, oi, op);
#endif
  if (out_u8) {
    if ((s = need_qu8(m, oi, op->out, out))) return s;
  } else if ((s = qs_need_q8(m, oi, op, QS_OUT, "output"))) {
    return s;
  }
  if (!(p = (quant_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = qs_elems(out);
  p->out_zp = out->zp;
  p->scale = out->scale;
  p->out_u8 = (uint8_t)out_u8;
  if (in->dtype == QS_DT_FLOAT32) {
    if (out_u8) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->out, "QUANTIZE float32 -> uint8 is not supported (float32 -> int8 is)");
    op->eval = quantize_f32_eval;
#if QS_WASM_SIMD
    qs_quantize_wasm_prepare(op, p);
#endif
  } else if (in->dtype == QS_DT_INT8 || in->dtype == QS_DT_UINT8) {
    p->in_u8 = in->dtype == QS_DT_UINT8;
    if (p->in_u8) {
      if ((s = need_qu8(m, oi, op->in[0], in))) return s;
    } else if ((s = qs_need_q8(m, oi, op, 0, "input"))) {
      return s;
    }
    if (p->in_u8 && out_u8) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->out, "QUANTIZE uint8 -> uint8 is not in TFLite Micro");
    p->in_zp = in->zp;
    if ((s = qs_multiplier(m, oi, op->out, (double)in->scale / (double)out->scale, &p->mult, &p->shift))) return s;
    op->eval = p->in_u8 || out_u8 ? quantize_u8_eval : requantize_eval;
  } else {
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "QUANTIZE input must be float32, int8 or uint8");
  }
  op->params = p;
  return QS_OK;
}

qs_status_t qs_prep_dequantize(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  quant_params_t *p;
  qs_status_t s;
  int v, u8;
  if ((s = same_count(m, oi, op))) return s;
  u8 = in->dtype == QS_DT_UINT8;
#if QS_WITH_INT16
  if (in->dtype == QS_DT_INT16) {
    if ((s = qs_need_q16(m, oi, op, 0, "input", 0))) return s;
    if (out->dtype != QS_DT_FLOAT32) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->out, "DEQUANTIZE output must be float32");
    if (!(p = (quant_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
    p->n = qs_elems(in);
    p->in_zp = in->zp;
    p->dscale = (double)in->scale;
    op->params = p;
    op->eval = dequantize16_eval;
    return QS_OK;
  }
#endif
  if (u8) {
    if ((s = need_qu8(m, oi, op->in[0], in))) return s;
  } else if ((s = qs_need_q8(m, oi, op, 0, "input"))) {
    return s;
  }
  if (out->dtype != QS_DT_FLOAT32) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->out, "DEQUANTIZE output must be float32");
  if (!(p = (quant_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if (!(p->lut = (float *)qs_alloc(m, 256 * sizeof(float)))) return QS_ERR_ARENA;
  p->n = qs_elems(in);
  /* reference Dequantize: (float)(double scale * (val - zero_point)); index = the code's byte */
  for (v = 0; v < 256; v++) {
    int code = u8 ? v : (int)(int8_t)(uint8_t)v;
    p->lut[v] = (float)((double)in->scale * (double)(code - in->zp));
  }
  op->params = p;
  op->eval = dequantize_eval;
  return QS_OK;
}

static void copy_eval(qs_model_t *m, const qs_op_t *op) {
  const uint8_t *in = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  if (in != out) memmove(out, in, m->slots[op->out].bytes);
}

qs_status_t qs_prep_reshape(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_status_t s;
  if ((s = same_count(m, oi, op))) return s;
  if (in->dtype != out->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from input");
  op->eval = copy_eval;
  return QS_OK;
}
