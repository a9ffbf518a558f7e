/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM float32 (the checks and the layout are k_lstm.c's), as TFLite
 * Micro's EvalLstm<float>: per step and batch row, gates forget, input, cell, output
 *   gate = act(FC(x) + FC(h))      FC(v)[r] = clamp(sum_k v[k] * w[r][k] + bias[r])
 * summed from k = 0 in float32 (reference_ops::FullyConnected; the recurrent FC adds a 0 bias),
 * clamp = ActivationFunctionWithMinMax to [-FLT_MAX, FLT_MAX] (no fused activation); sigmoid is
 * reference_ops::Logistic (1 above 16.619047, exp(x) below -9, else 1 / (1 + exp(-x))), the cell
 * gate tanhf. Then c = clamp(f * c) + clamp(i * g), clipped to +/-cell_clip when cell_clip > 0 (with
 * std::min/std::max's argument order, so a NaN cell becomes cell_clip), h = clamp(tanh(c) * o).
 */
#include "k_lstm.h"

#if QS_WITH_FLOAT
#include <float.h>
#include <math.h>
#include <string.h>

/* min(max(x, lo), hi) as std::max / std::min: max(a, b) = a < b ? b : a, min(a, b) = b < a ? b : a */
static float clampf(float x) {
  float y = x < -FLT_MAX ? -FLT_MAX : x;
  return FLT_MAX < y ? FLT_MAX : y;
}

static float sigmoidf(float v) {
  if (v > 16.619047164916992188f) return 1.0f;
  if (v < -9.0f) return expf(v);
  return 1.0f / (1.0f + expf(-v));
}

static float fc_rowf(const lstm_fc_t *f, int r, const float *v, int depth) {
  const float *w = (const float *)f->w + (size_t)r * depth;
  float total = 0.0f;
  int k;
  for (k = 0; k < depth; k++) total += v[k] * w[k];
  return clampf(total + (f->bias ? ((const float *)f->bias)[r] : 0.0f));
}

static void lstmf_eval(qs_model_t *m, const qs_op_t *op) {
  const lstm_params_t *p = (const lstm_params_t *)op->params;
  const float *x0 = (const float *)(const void *)qs_tdata(m, op->in[LSTM_IN]);
  float *h0 = (float *)(void *)qs_tdata(m, op->in[LSTM_H]), *out = (float *)(void *)qs_tdata(m, op->out);
  float *c0 = (float *)(void *)qs_tdata(m, op->in[LSTM_C]), *g = (float *)(void *)m->scratch;
  const int n = p->n_cell;
  int b, t, gi, r;
  for (b = 0; b < p->batch; b++) {
    float *h = h0 + (size_t)b * n, *c = c0 + (size_t)b * n;
    for (t = 0; t < p->steps; t++) {
      size_t row = p->time_major ? (size_t)t * p->batch + b : (size_t)b * p->steps + t;
      const float *x = x0 + row * p->n_in;
      for (gi = 0; gi < 4; gi++)
        for (r = 0; r < n; r++) {
          float v = fc_rowf(&p->fc[gi][0], r, x, p->n_in) + fc_rowf(&p->fc[gi][1], r, h, n);
          g[gi * n + r] = gi == G_CELL ? tanhf(v) : sigmoidf(v);
        }
      for (r = 0; r < n; r++) {
        float v = clampf(g[G_FORGET * n + r] * c[r]) + clampf(g[G_INPUT * n + r] * g[G_CELL * n + r]);
        if (p->clip_f > 0.0f) {
          v = v < p->clip_f ? v : p->clip_f;   /* std::min(clip, v) */
          v = v < -p->clip_f ? -p->clip_f : v; /* std::max(v, -clip) */
        }
        c[r] = v;
        h[r] = clampf(tanhf(v) * g[G_OUTPUT * n + r]);
      }
      if (m->gate_hook) m->gate_hook(m->gate_ctx, (int)(op - m->ops), t, b, g, c, n, QS_DT_FLOAT32);
      memcpy(out + row * n, h, sizeof(float) * (size_t)n);
    }
  }
}

/* Constant float32 data, aligned (an arena copy when the model stores it misaligned). */
static const float *const_f32(qs_model_t *m, const qs_tensor_t *t) {
  float *copy;
  if (((uintptr_t)t->data & 3u) == 0) return (const float *)(const void *)t->data;
  if (!(copy = (float *)qs_alloc(m, t->bytes))) return NULL;
  memcpy(copy, t->data, t->bytes);
  return copy;
}

qs_status_t qs_lstm_prep_f32(qs_model_t *m, int oi, qs_op_t *op, const qs_tensor_t *const *T, lstm_params_t *p) {
  int gi, i;
  if (T[LSTM_W_X + 1]->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_W_X + 1],
                   "hybrid LSTM (float32 activations, integer weights): TFLite Micro does not run hybrid models "
                   "\xe2\x80\x94 quantize the activations too (full-integer int8) or keep float32 weights");
  if (T[LSTM_C]->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_C], "float32 LSTM with a cell state that is not float32");
  if (T[LSTM_BIAS + 1]->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[LSTM_BIAS + 1], "float32 LSTM with biases that are not float32");
  for (gi = 0; gi < 4; gi++) {
    int slot = LSTM_GATE_SLOT(gi);
    for (i = 0; i < 2; i++)
      if (!(p->fc[gi][i].w = const_f32(m, T[(i ? LSTM_W_H : LSTM_W_X) + slot]))) return QS_ERR_ARENA;
    if (!(p->fc[gi][0].bias = const_f32(m, T[LSTM_BIAS + slot]))) return QS_ERR_ARENA;
  }
  qs_scratch(m, 4 * sizeof(float) * (size_t)p->n_cell);
  op->eval = lstmf_eval;
  return QS_OK;
}
#endif
