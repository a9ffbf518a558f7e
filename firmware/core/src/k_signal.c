/*
 * TFLite Micro's signal library, part 1 (signal/micro/kernels and signal/src at 90b983c2): the
 * custom op names, their options, and the element-wise front-end stages.
 * - SignalWindow: out = clamp_int16((in * window) >> shift), the window repeated over the input.
 * - SignalFftAutoScale: shift = max(0, 15 - msb(max |x|)) (MaxAbs16 keeps its int16 arithmetic:
 *   -(-32768) stored as int16 is -32768), out = x * 2^shift (wrapping to int16), shift as int32.
 * - SignalEnergy: out[i] = re^2 + im^2 (uint32) for i in [start_index, end_index). TFLM leaves the
 *   other bins as the arena held them; the core writes 0 there (a fresh TFLM arena, as the goldens).
 * Option keys are read by name (TFLM reads the map's values by their sorted key order: the same
 * values for the maps its converter writes).
 */
#include <string.h>

#include "k_signal.h"

static const struct {
  const char *name;
  int32_t code;
} k_names[] = {
    {"SignalWindow", OP_SIGNAL_WINDOW},
    {"SignalFftAutoScale", OP_SIGNAL_FFT_AUTO_SCALE},
    {"SignalRfft", OP_SIGNAL_RFFT},
    {"SignalEnergy", OP_SIGNAL_ENERGY},
    {"SignalFilterBank", OP_SIGNAL_FILTER_BANK},
    {"SignalFilterBankSquareRoot", OP_SIGNAL_FILTER_BANK_SQUARE_ROOT},
    {"SignalFilterBankSpectralSubtraction", OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION},
    {"SignalFilterBankLog", OP_SIGNAL_FILTER_BANK_LOG},
    {"SignalPCAN", OP_SIGNAL_PCAN},
    {"SignalFramer", OP_SIGNAL_FRAMER},
    {"SignalDelay", OP_SIGNAL_DELAY},
    {"SignalStacker", OP_SIGNAL_STACKER},
    {"SignalOverlapAdd", OP_SIGNAL_OVERLAP_ADD},
    {"SignalIrfft", OP_SIGNAL_IRFFT},
};

int32_t qs_signal_code(const uint8_t *name, uint32_t n) {
  size_t i;
  for (i = 0; i < sizeof(k_names) / sizeof(k_names[0]); i++)
    if (strlen(k_names[i].name) == n && memcmp(k_names[i].name, name, n) == 0) return k_names[i].code;
  return 0;
}

#if !QS_WITH_SIGNAL
qs_status_t qs_prep_no_signal(qs_model_t *m, int oi, qs_op_t *op) {
  (void)op;
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                 "TFLite Micro signal-library op: this image is built without the signal ops (QS_WITH_SIGNAL=0)");
}
#else
qs_status_t qs_sig_opts(qs_model_t *m, int oi, const qs_op_t *op, fx_t *fx, fx_ref_t *root) {
  const fb_vec_t *raw = (const fb_vec_t *)op->params;
  if (!raw || raw->n == 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options missing (a FlexBuffers map)");
  *root = fx_root(fx, m->model + raw->pos, raw->n);
  if (fx->err) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not a valid FlexBuffers map");
  return QS_OK;
}

qs_status_t qs_sig_int(qs_model_t *m, int oi, fx_t *fx, const fx_ref_t *root, const char *key, int64_t lo, int64_t hi,
                       int32_t *v, const char *range_msg) {
  fx_ref_t r = fx_map_get(fx, root, key);
  int64_t x = fx_int(fx, &r);
  if (fx->err) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not a valid FlexBuffers map of numbers");
  if (x < lo || x > hi) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, range_msg);
  *v = (int32_t)x;
  return QS_OK;
}

qs_status_t qs_sig_need(qs_model_t *m, int oi, int ti, const qs_tensor_t *t, uint8_t dt, int nd, const char *msg) {
  if (!t || t->dtype != dt || (nd >= 0 ? t->ndims != nd : t->ndims < 1)) return qs_fail(m, QS_ERR_TYPE, oi, ti, msg);
  return QS_OK;
}

qs_status_t qs_sig_arity(qs_model_t *m, int oi, const qs_op_t *op, int n_in, int n_out, const char *msg) {
  int i;
  if (op->n_in != n_in || op->n_out != n_out) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, msg);
  for (i = 0; i < n_in; i++)
    if (op->in[i] < 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, msg);
  return QS_OK;
}

/* int32 to int16 modulo 2^16, as the reference's implicit narrowing stores do */
static int16_t wrap16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }

/* ---- SignalWindow ---- */

static void window_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_sig_params_t *p = (const qs_sig_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]), *w = qs_tdata(m, op->in[1]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    int32_t raw = ((int32_t)qs_sig_i16(x, i) * qs_sig_i16(w, i % p->a)) >> p->shift;
    int16_t v = (int16_t)(raw < -32768 ? -32768 : raw > 32767 ? 32767 : raw);
    memcpy(out + 2 * (size_t)i, &v, 2);
  }
}

qs_status_t qs_prep_sig_window(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalWindow takes int16 input, 1-D int16 weights, an int16 output of the input's rank";
  const qs_tensor_t *in = qs_in(m, op, 0), *w = qs_in(m, op, 1), *out = qs_out(m);
  qs_sig_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t shift;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 2, 1, "SignalWindow needs 2 inputs (signal, window) and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, -1, msg)) || (s = qs_sig_need(m, oi, op->in[1], w, QS_DT_INT16, 1, msg)) ||
      (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, in->ndims, msg)))
    return s;
  if (w->dims[0] < 1 || qs_elems(in) % (uint32_t)w->dims[0] != 0 || qs_elems(out) != qs_elems(in))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "SignalWindow: the input is not a whole number of windows, or the output size differs");
  if ((s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "shift", 0, 31, &shift,
                      "custom option 'shift' out of range"))) return s;
  if (!(p = qs_sig_new_params(m, op))) return QS_ERR_ARENA;
  p->n = qs_elems(in), p->a = (uint32_t)w->dims[0], p->shift = shift;
  op->eval = window_eval;
  return QS_OK;
}

/* ---- SignalFftAutoScale ---- */

static void auto_scale_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_sig_params_t *p = (const qs_sig_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int16_t max = 0;
  int32_t bits;
  uint32_t i;
  for (i = 0; i < p->n; i++) { /* MaxAbs16: the running maximum is an int16 */
    int16_t v = qs_sig_i16(x, i);
    if (v > max) max = v;
    else if (-v > max) max = wrap16(-v);
  }
  bits = 16 - (int32_t)qs_msb32((uint32_t)(int32_t)max) - 1;
  if (bits < 0) bits = 0;
  for (i = 0; i < p->n; i++) {
    int16_t v = wrap16((int32_t)qs_sig_i16(x, i) * (1 << bits));
    memcpy(out + 2 * (size_t)i, &v, 2);
  }
  memcpy(qs_tdata(m, op->outs[1]), &bits, 4);
}

qs_status_t qs_prep_sig_fft_auto_scale(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFftAutoScale takes a 1-D int16 input; outputs 1-D int16 and a scalar int32 shift";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_tensor_t sc;
  qs_sig_params_t *p;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 2, "SignalFftAutoScale needs 1 input and 2 outputs")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, 1, msg)) ||
      (s = qs_out_k(m, op, 1, &sc)) || (s = qs_sig_need(m, oi, op->outs[1], &sc, QS_DT_INT32, 0, msg)))
    return s;
  if (out->dims[0] > in->dims[0]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFftAutoScale: output longer than its input");
  if (!(p = qs_sig_new_params(m, op))) return QS_ERR_ARENA;
  p->n = (uint32_t)out->dims[0]; /* TFLM scales the output's length */
  op->eval = auto_scale_eval;
  return QS_OK;
}

/* ---- SignalEnergy ---- */

static void energy_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_sig_params_t *p = (const qs_sig_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  memset(out, 0, 4 * (size_t)p->n);
  for (i = p->a; i < p->b; i++) {
    int32_t re = qs_sig_i16(x, 2 * i), im = qs_sig_i16(x, 2 * i + 1);
    uint32_t e = (uint32_t)(re * re) + (uint32_t)(im * im); /* 2 * 2^30 wraps as the int32 sum does */
    memcpy(out + 4 * (size_t)i, &e, 4);
  }
}

qs_status_t qs_prep_sig_energy(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalEnergy takes a 1-D int16 spectrum (re, im pairs) and outputs 1-D uint32";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_sig_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t lo, hi;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 1, "SignalEnergy needs 1 input and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_UINT32, 1, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "start_index", 0, INT32_MAX, &lo,
                      "custom option 'start_index' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "end_index", 0, INT32_MAX, &hi,
                      "custom option 'end_index' out of range")))
    return s;
  if (lo > hi || hi > out->dims[0] || hi > in->dims[0] / 2)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalEnergy: [start_index, end_index) outside the spectrum or the output");
  if (!(p = qs_sig_new_params(m, op))) return QS_ERR_ARENA;
  p->n = (uint32_t)out->dims[0], p->a = (uint32_t)lo, p->b = (uint32_t)hi;
  op->eval = energy_eval;
  return QS_OK;
}

#endif /* QS_WITH_SIGNAL */
