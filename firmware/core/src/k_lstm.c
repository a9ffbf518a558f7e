/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, bit-exact with TFLite Micro's reference kernel
 * (unidirectional_sequence_lstm.cc, lstm_eval.h/.cc, lstm_eval_common.cc at 90b983c2).
 *
 * What TFLM runs: the standard LSTM with all eight gate weights and four biases; no peephole,
 * projection, layer norm or coupled input-forget gate (ValidateTensorStatus refuses them, and so
 * does this prepare, each with its own message). Types: int8 activations with int8 weights, int32
 * biases and an int16 cell state; int16 activations with int8 weights and int64 biases (16x8);
 * float32 throughout (k_lstm_float.c). The hidden and cell states are variable tensors (inputs 18
 * and 19), updated in place and kept from one invocation to the next.
 *
 * One step, per batch row (time-major runs the batch rows of a step together in TFLM; the rows are
 * independent, so the order does not change a bit), gates forget, input, cell, output:
 *   gate = act(sat16(FC(x) + FC(h)))     FC(v) = clamp16(MBQM(sum((w + w_off)(v + v_off)) + bias))
 * with the FC output scale 2^-12 (Q3.12), act the int16 sigmoid (k_act16.c's loop, multiplier 3)
 * or, for the cell gate, the int16 tanh; the recurrent FC has no bias. Then
 *   c = sat16(MUL(f, c) + MUL(i, g)), clipped to +/-cell_clip/scale when cell_clip > 0
 *   h = MUL(tanh(c), o) + h_zp, clamped to the hidden type; the output row is a copy of h.
 * MUL is MulElementwise: MBQM(a * b) with the multiplier of scale_a * scale_b / scale_out (gate
 * outputs have scale 2^-15). tanh(c) rescales by the cell scale's power of two p (scale = 2^p):
 * left shift 15 + p - 3, or multiplier 3 and right shift 3 - 15 - p when that is negative.
 * Accumulation: the int8 path sums in int32 (wrapping, modulo 2^32 like TFLM's), the 16x8 path in
 * int64; the terms without the activation are folded into one constant per row at prepare.
 */
#include "k_lstm.h"

#include <string.h>

#if QS_WITH_INT16
static int16_t sat16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v); }

/* clamp16(MBQM(acc)) of one int8 FC row: acc = row constant + sum(w*v) + w_off*sum(v). */
static int16_t fc_row8(const lstm_fc_t *f, int r, const int8_t *v, int depth, int32_t vsum) {
  const int8_t *w = (const int8_t *)f->w + (size_t)r * depth;
  uint32_t acc = (uint32_t)((const int32_t *)f->bias)[r] + (uint32_t)f->w_off * (uint32_t)vsum;
  int k;
  for (k = 0; k < depth; k++) acc += (uint32_t)((int32_t)w[k] * v[k]);
  return sat16(qs_mbqm_pos((int32_t)acc, f->mult, f->shift));
}

static int16_t fc_row16(const lstm_fc_t *f, int r, const int16_t *v, int depth, int64_t vsum) {
  const int8_t *w = (const int8_t *)f->w + (size_t)r * depth;
  /* uint64: a hostile bias wraps (as the reference's unsanitized int64) instead of being undefined */
  uint64_t acc = (uint64_t)((const int64_t *)f->bias)[r] + (uint64_t)((int64_t)f->w_off * vsum);
  int k;
  for (k = 0; k < depth; k++) acc += (uint64_t)(int64_t)((int32_t)w[k] * v[k]);
  return sat16(qs_mbqm64((int64_t)acc, f->mult, f->shift));
}

/* Cell and hidden update of one batch row from the four gate vectors in g (each n_cell long;
 * tanh(c) goes to a fifth, so the gates stay for the gate hook); h is written as int8 or int16. */
static void update_cell(const lstm_params_t *p, int16_t *g, int16_t *c, void *h, int h16) {
  const int n = p->n_cell;
  int16_t *f = g, *in = g + n, *cg = g + 2 * n, *o = g + 3 * n, *t = g + 4 * n;
  int r;
  for (r = 0; r < n; r++) {
    int32_t fc = sat16(qs_mbqm_pos((int32_t)f[r] * c[r], p->fc_mult, p->fc_shift));
    int32_t ic = sat16(qs_mbqm_pos((int32_t)in[r] * cg[r], p->ic_mult, p->ic_shift));
    int32_t v = sat16(fc + ic);
    if (p->clip) v = v > p->clip ? p->clip : v < -p->clip ? -p->clip : v;
    c[r] = (int16_t)v;
  }
  qs_tanh16(p->table, p->tanh_mult, p->tanh_shift, c, t, (uint32_t)n);
  for (r = 0; r < n; r++) {
    int64_t v = (int64_t)p->h_zp + qs_mbqm_pos((int32_t)t[r] * o[r], p->oh_mult, p->oh_shift);
    v = v < p->h_min ? p->h_min : v > p->h_max ? p->h_max : v;
    if (h16) ((int16_t *)h)[r] = (int16_t)v;
    else ((int8_t *)h)[r] = (int8_t)v;
  }
}

/* Row offsets of step t of batch b in the input and output (time-major: [T, B, .]). */
static size_t row_of(const lstm_params_t *p, int b, int t) {
  return p->time_major ? (size_t)t * p->batch + b : (size_t)b * p->steps + t;
}

static void gates_act(const lstm_params_t *p, int16_t *g) {
  const uint32_t n = (uint32_t)p->n_cell;
  qs_logistic16(p->table, 3, 0, g, g, 2 * n); /* forget, input: Q3.12 -> sigmoid */
  qs_tanh16(p->table, 3, 0, g + 2 * n, g + 2 * n, n); /* cell gate */
  qs_logistic16(p->table, 3, 0, g + 3 * n, g + 3 * n, n);
}

static void lstm8_eval(qs_model_t *m, const qs_op_t *op) {
  const lstm_params_t *p = (const lstm_params_t *)op->params;
  const int8_t *x0 = (const int8_t *)qs_tdata(m, op->in[LSTM_IN]);
  int8_t *h0 = (int8_t *)qs_tdata(m, op->in[LSTM_H]), *out = (int8_t *)qs_tdata(m, op->out);
  int16_t *c0 = (int16_t *)(void *)qs_tdata(m, op->in[LSTM_C]), *g = (int16_t *)(void *)m->scratch;
  const int n = p->n_cell;
  int b, t, gi, r, k;
  for (b = 0; b < p->batch; b++) {
    int8_t *h = h0 + (size_t)b * n;
    for (t = 0; t < p->steps; t++) {
      const int8_t *x = x0 + row_of(p, b, t) * p->n_in;
      int32_t xs = 0, hs = 0;
      for (k = 0; k < p->n_in; k++) xs += x[k];
      for (k = 0; k < n; k++) hs += h[k];
      for (gi = 0; gi < 4; gi++)
        for (r = 0; r < n; r++)
          g[gi * n + r] = sat16((int32_t)fc_row8(&p->fc[gi][0], r, x, p->n_in, xs) + fc_row8(&p->fc[gi][1], r, h, n, hs));
      gates_act(p, g);
      update_cell(p, g, c0 + (size_t)b * n, h, 0);
      if (m->gate_hook) m->gate_hook(m->gate_ctx, (int)(op - m->ops), t, b, g, c0 + (size_t)b * n, n, QS_DT_INT16);
      memcpy(out + row_of(p, b, t) * n, h, (size_t)n);
    }
  }
}

static void lstm16_eval(qs_model_t *m, const qs_op_t *op) {
  const lstm_params_t *p = (const lstm_params_t *)op->params;
  const int16_t *x0 = (const int16_t *)(const void *)qs_tdata(m, op->in[LSTM_IN]);
  int16_t *h0 = (int16_t *)(void *)qs_tdata(m, op->in[LSTM_H]), *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int16_t *c0 = (int16_t *)(void *)qs_tdata(m, op->in[LSTM_C]), *g = (int16_t *)(void *)m->scratch;
  const int n = p->n_cell;
  int b, t, gi, r, k;
  for (b = 0; b < p->batch; b++) {
    int16_t *h = h0 + (size_t)b * n;
    for (t = 0; t < p->steps; t++) {
      const int16_t *x = x0 + row_of(p, b, t) * p->n_in;
      int64_t xs = 0, hs = 0;
      for (k = 0; k < p->n_in; k++) xs += x[k];
      for (k = 0; k < n; k++) hs += h[k];
      for (gi = 0; gi < 4; gi++)
        for (r = 0; r < n; r++)
          g[gi * n + r] = sat16((int32_t)fc_row16(&p->fc[gi][0], r, x, p->n_in, xs) + fc_row16(&p->fc[gi][1], r, h, n, hs));
      gates_act(p, g);
      update_cell(p, g, c0 + (size_t)b * n, h, 1);
      if (m->gate_hook) m->gate_hook(m->gate_ctx, (int)(op - m->ops), t, b, g, c0 + (size_t)b * n, n, QS_DT_INT16);
      memcpy(out + row_of(p, b, t) * n, h, sizeof(int16_t) * (size_t)n);
    }
  }
}

/* One FC of a gate: weights wi over activations vi (scale vs, zero point vz), bias bi (-1: none):
 * multiplier of vs * ws / 2^-12 (the FC output is Q3.12) and the per-row constants. */
static qs_status_t prep_fc(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *const *T, int wi, int bi,
                           const qs_tensor_t *v, int i16, lstm_fc_t *f) {
  const qs_tensor_t *w = T[wi], *bias = bi >= 0 ? T[bi] : NULL;
  const int rows = w->dims[0], depth = w->dims[1];
  int32_t sh;
  int r, k;
  qs_status_t s;
  if (w->nscales != 1)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[wi],
                   "per-channel LSTM weights: TFLite Micro's LSTM takes one scale per weight tensor (its gate "
                   "parameters ignore per-channel multipliers)");
  if ((s = qs_multiplier(m, oi, op->in[wi], (double)v->scale * (double)w->scale / (1.0 / 4096.0), &f->mult, &sh)))
    return s;
  if (i16 && sh > 14)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[wi], "LSTM gate rescale factor too large for the 16x8 kernel (above 2^14)");
  f->shift = sh;
  f->w = w->data;
  f->w_off = -w->zp;
  if (i16) {
    int64_t *c = (int64_t *)qs_alloc(m, sizeof(int64_t) * (size_t)rows);
    if (!c) return QS_ERR_ARENA;
    for (r = 0; r < rows; r++) {
      int64_t sum = 0, bv = 0;
      for (k = 0; k < depth; k++) sum += (int64_t)((const int8_t *)w->data)[(size_t)r * depth + k] + f->w_off;
      if (bias) memcpy(&bv, bias->data + 8 * (size_t)r, 8); /* little-endian host, as the core assumes */
      c[r] = (int64_t)((uint64_t)bv + (uint64_t)((int64_t)(-v->zp) * sum)); /* wraps, as the eval */
    }
    f->bias = c;
  } else {
    int32_t *c = (int32_t *)qs_alloc(m, sizeof(int32_t) * (size_t)rows);
    if (!c) return QS_ERR_ARENA;
    for (r = 0; r < rows; r++) {
      uint32_t sum = 0, bv = bias ? fb_load_u32(bias->data + 4 * (size_t)r) : 0;
      for (k = 0; k < depth; k++) sum += (uint32_t)((int32_t)((const int8_t *)w->data)[(size_t)r * depth + k] + f->w_off);
      c[r] = (int32_t)(bv + (uint32_t)(-v->zp) * sum);
    }
    f->bias = c;
  }
  return QS_OK;
}

/* A quantized tensor (activation or, act == 0, weights): scale > 0 (weights: any scale >= 0). */
static qs_status_t need_q(qs_model_t *m, int oi, int ti, const qs_tensor_t *t, int act) {
  if (!t->quantized || (act && !(t->scale > 0.0f)))
    return qs_fail(m, QS_ERR_QUANT, oi, ti, act ? "LSTM activation without a positive scale" : "LSTM weights without quantization parameters");
  return QS_OK;
}

/* QuantizeMultiplier(scale_a * scale_b / scale_out) of a MulElementwise. */
static qs_status_t mul_params(qs_model_t *m, int oi, int ti, double sa, double sb, double so, int32_t *mult, int *shift) {
  int32_t sh;
  qs_status_t s = qs_multiplier(m, oi, ti, sa * sb / so, mult, &sh);
  *shift = sh;
  return s;
}

/* int8 / int16 activations: types, quantization, the gate parameters of PrepareGateParametersInteger. */
static qs_status_t prep_int(qs_model_t *m, int oi, qs_op_t *op, lstm_params_t *p, const qs_tensor_t *const *T,
                            float cell_clip) {
  const qs_tensor_t *in = T[LSTM_IN], *h = T[LSTM_H], *c = T[LSTM_C];
  const int i16 = in->dtype == QS_DT_INT16;
  const double gate_out = 1.0 / 32768.0; /* sigmoid / tanh outputs: Q0.15 */
  int gi, wi, pw, k;
  qs_status_t s;
  if (c->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_C],
                   "quantized LSTM cell state must be int16 (TFLite Micro's integer LSTM keeps an int16 cell state)");
  if (!c->quantized || !(c->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, op->in[LSTM_C], "int16 cell state without a positive scale");
  if ((s = need_q(m, oi, op->in[LSTM_IN], in, 1)) || (s = need_q(m, oi, op->in[LSTM_H], h, 1))) return s;
  for (wi = LSTM_W_X; wi < LSTM_PEEP; wi++) {
    if (T[wi]->dtype != QS_DT_INT8) return qs_fail(m, QS_ERR_TYPE, oi, op->in[wi], "quantized LSTM weights must be int8");
    if ((s = need_q(m, oi, op->in[wi], T[wi], 0))) return s;
  }
  for (wi = LSTM_BIAS; wi < LSTM_BIAS + 4; wi++)
    if (T[wi]->dtype != (i16 ? QS_DT_INT64 : QS_DT_INT32))
      return qs_fail(m, QS_ERR_TYPE, oi, op->in[wi],
                     i16 ? "16x8 LSTM biases must be int64 (TFLite Micro reads them as int64)"
                         : "int8 LSTM biases must be int32 (TFLite Micro reads them as int32)");
  for (gi = 0; gi < 4; gi++) {
    int slot = LSTM_GATE_SLOT(gi);
    if ((s = prep_fc(m, oi, op, T, LSTM_W_X + slot, LSTM_BIAS + slot, in, i16, &p->fc[gi][0])) ||
        (s = prep_fc(m, oi, op, T, LSTM_W_H + slot, -1, h, i16, &p->fc[gi][1])))
      return s;
  }
  if ((s = mul_params(m, oi, op->in[LSTM_C], gate_out, c->scale, c->scale, &p->fc_mult, &p->fc_shift)) ||
      (s = mul_params(m, oi, op->in[LSTM_C], gate_out, gate_out, c->scale, &p->ic_mult, &p->ic_shift)) ||
      (s = mul_params(m, oi, op->in[LSTM_H], gate_out, gate_out, h->scale, &p->oh_mult, &p->oh_shift)))
    return s;
  p->h_zp = h->zp;
  p->h_min = i16 ? -32768 : -128;
  p->h_max = i16 ? 32767 : 127;
  if (cell_clip > 0.0f) {
    double q = (double)cell_clip / (double)c->scale;
    p->clip = (int16_t)(q > 32767.0 ? 32767.0 : q); /* truncated, as the reference's static_cast */
  }
  /* CheckedLog2 of the cell scale, rounded: scale = f * 2^e with f in [0.5, 1) */
  pw = qs_frexp((double)c->scale, &k) >= 0.70710678118654752 ? k : k - 1;
  k = 15 + pw - 3;
  if (k > 14) /* int16 x (3 << k) must fit int32 */
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[LSTM_C],
                   "LSTM cell state scale of 8 or more: the int16 tanh rescale would overflow (TFLM's too)");
  p->tanh_mult = k < 0 ? 3 : 3 << k;
  p->tanh_shift = k < 0 ? -k : 0;
  if (!(p->table = (uint16_t *)qs_alloc(m, 256 * sizeof(uint16_t)))) return QS_ERR_ARENA;
  qs_sigmoid_table_u16(p->table);
  qs_scratch(m, 5 * sizeof(int16_t) * (size_t)p->n_cell); /* four gates, tanh(c) */
  op->eval = i16 ? lstm16_eval : lstm8_eval;
  return QS_OK;
}
#endif

/* Shared checks, in TFLM's order (ValidateTensorStatus, CreateLstmSizeInfo, ValidateTensorSize). */
static qs_status_t validate(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *const *T, lstm_params_t *p) {
  const qs_tensor_t *in = T[LSTM_IN], *h = T[LSTM_H], *c = T[LSTM_C], *out = qs_out(m);
  const qs_tensor_t *w;
  int i;
  uint32_t state;
  if (!in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "LSTM input (input 0) missing");
  if (!h || !h->is_variable)
    return qs_fail(m, QS_ERR_SCHEMA, oi, h ? op->in[LSTM_H] : -1, "LSTM hidden state (input 18) must be a variable tensor");
  if (h->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_H], "LSTM hidden state type differs from the input's");
  if (!c || !c->is_variable)
    return qs_fail(m, QS_ERR_SCHEMA, oi, c ? op->in[LSTM_C] : -1, "LSTM cell state (input 19) must be a variable tensor");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "LSTM output type differs from the input's");
  if (!T[LSTM_W_X] || !T[LSTM_W_H])
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                   "LSTM without input gate weights (coupled input-forget gate, CIFG): TFLite Micro's LSTM needs all "
                   "eight gate weights");
  for (i = LSTM_W_X; i < LSTM_PEEP; i++) {
    if (!(w = T[i])) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "LSTM gate weights missing");
    if (w->dtype != T[LSTM_W_X + 1]->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->in[i], "LSTM gate weights of mixed types");
  }
  for (i = LSTM_BIAS; i < LSTM_BIAS + 4; i++) {
    if (!(w = T[i])) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "LSTM gate bias missing (TFLite Micro needs all four)");
    if (w->dtype != T[LSTM_BIAS + 1]->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->in[i], "LSTM gate biases of mixed types");
  }
  for (i = LSTM_PEEP; i < LSTM_BIAS; i++)
    if (T[i])
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i],
                     "LSTM with peephole (cell-to-gate) weights: TFLite Micro's LSTM has no peephole connections");
  for (i = LSTM_PROJ_W; i < LSTM_H; i++)
    if (T[i])
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i], "LSTM with a projection layer: TFLite Micro's LSTM has no projection");
  for (i = LSTM_NORM; i < LSTM_N_IN; i++)
    if (T[i])
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i],
                     "layer-norm LSTM (layer norm coefficients): TFLite Micro's LSTM has no layer normalization");
  if (in->ndims != 3) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[LSTM_IN], "LSTM input must be 3-D ([batch, time, features] or time-major)");
  if (h->ndims < 2) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[LSTM_H], "LSTM hidden state must be [batch, units]");
  p->time_major = fb_u8(&m->fb, &op->opts, 3, 0) != 0;
  p->batch = in->dims[p->time_major ? 1 : 0];
  p->steps = in->dims[p->time_major ? 0 : 1];
  p->n_in = in->dims[2];
  p->n_cell = h->dims[1];
  if (p->batch < 1 || p->steps < 1 || p->n_in < 1 || p->n_cell < 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[LSTM_IN], "LSTM with an empty dimension");
  for (i = LSTM_W_X; i < LSTM_PEEP; i++) {
    w = T[i];
    if (w->ndims != 2 || w->dims[0] != p->n_cell || w->dims[1] != (i < LSTM_W_H ? p->n_in : p->n_cell))
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[i], "LSTM weights are not [units, input depth] / [units, units]");
    if (!w->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i], "LSTM weights must be constant");
  }
  for (i = LSTM_BIAS; i < LSTM_BIAS + 4; i++) {
    w = T[i];
    if (w->ndims != 1 || w->dims[0] != p->n_cell) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[i], "LSTM bias is not [units]");
    if (!w->data) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i], "LSTM biases must be constant");
  }
  state = (uint32_t)p->batch * (uint32_t)p->n_cell;
  if (qs_elems(h) != state || qs_elems(c) != state)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[qs_elems(h) != state ? LSTM_H : LSTM_C], "LSTM state size is not batch x units");
  if (out->ndims != 3 || out->dims[0] != in->dims[0] || out->dims[1] != in->dims[1] || out->dims[2] != p->n_cell)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "LSTM output shape is not the input's with units features");
  return QS_OK;
}

qs_status_t qs_prep_lstm(qs_model_t *m, int oi, qs_op_t *op) {
  lstm_params_t *p;
  qs_tensor_t ts[LSTM_N_IN]; /* the 24 inputs decoded (qs_in has the first QS_MAX_IO only) */
  const qs_tensor_t *T[LSTM_N_IN], *in;
  qs_status_t s;
  float cell_clip;
  int act, i;
  if (op->n_in != LSTM_N_IN)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "UNIDIRECTIONAL_SEQUENCE_LSTM needs 24 inputs (TFLite's layout; absent ones -1)");
  for (i = 0; i < LSTM_N_IN; i++) T[i] = qs_in_k(m, op, i, &ts[i]) ? &ts[i] : NULL;
  in = T[LSTM_IN];
  if ((s = qs_opts(m, oi, op, 71 /* UnidirectionalSequenceLSTMOptions */, 0)) != QS_OK) return s;
  if (!(p = (lstm_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  memset(p, 0, sizeof(*p));
  if ((s = validate(m, oi, op, T, p)) != QS_OK) return s;
  act = fb_u8(&m->fb, &op->opts, 0, 0);
  cell_clip = fb_f32(&m->fb, &op->opts, 1, 0.0f);
  if (act != 4 /* TANH */)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                   "LSTM cell gate activation other than TANH: TFLite Micro's LSTM computes only sigmoid and tanh "
                   "gates (it asserts on others)");
  op->params = p;
  op->macs = (uint64_t)p->batch * p->steps * 4u * p->n_cell * (uint64_t)(p->n_in + p->n_cell);
  if (in->dtype == QS_DT_FLOAT32) {
#if QS_WITH_FLOAT
    p->clip_f = cell_clip;
    return qs_lstm_prep_f32(m, oi, op, T, p);
#else
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[LSTM_IN], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
#endif
  }
  if (in->dtype != QS_DT_INT8 && in->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_IN], "LSTM input type not supported (TFLite Micro: float32, int8 or int16)");
#if QS_WITH_INT16
  return prep_int(m, oi, op, p, T, cell_clip);
#else
  (void)cell_clip;
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[LSTM_IN],
                 "int16 kernels are not in this build (QS_WITH_INT16=0): the quantized LSTM keeps an int16 cell state");
#endif
}
