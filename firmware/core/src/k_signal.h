/*
 * TFLite Micro's signal library (tflite-micro/signal at 90b983c2: the audio front end as custom
 * ops) in the core: the custom op names, their FlexBuffers options, and the prepare functions of
 * k_signal.c (window, FFT auto scale, energy), k_signal_bank.c (filter bank, square root, spectral
 * subtraction), k_signal_feature.c (filter bank log, PCAN), k_signal_fft.c (RFFT, IRFFT: kiss_fft's
 * 16-bit fixed point) and k_signal_stream.c (framer, delay, stacker, overlap-add: state across
 * invocations).
 * All integer arithmetic (the FFT twiddles are computed once at prepare with the C library's cos and
 * sin, as kiss_fft does), so the ops are in every build.
 */
#ifndef QS_K_SIGNAL_H
#define QS_K_SIGNAL_H

#include <string.h>

#include "flexbuf.h"
#include "ops.h"

/* QS_WITH_SIGNAL=0 leaves the signal library out of an image (k_signal*.c keep only the op names):
 * a model using one of its ops is refused naming the build. The registry keeps the entries, their
 * families declared but not built (the high nibble), so a board's HELLO says what it lacks. */
#ifndef QS_WITH_SIGNAL
#define QS_WITH_SIGNAL 1
#endif
#if QS_WITH_SIGNAL
#define QS_SIG_ENTRY(fn, dt) fn F32(NULL), dt
#else
QS_COLD qs_status_t qs_prep_no_signal(qs_model_t *m, int oi, qs_op_t *op);
#define QS_SIG_ENTRY(fn, dt) qs_prep_no_signal F32(NULL), (uint8_t)((((dt) | ((dt) >> 4)) & 0x0Fu) << 4)
#endif

/* The core's code for a signal-library custom op name (n bytes, no NUL), or 0 for another name. */
int32_t qs_signal_code(const uint8_t *name, uint32_t n);

/* During prepare: the op's FlexBuffers options map (qs_custom_op keeps the bytes in op->params). */
QS_COLD qs_status_t qs_sig_opts(qs_model_t *m, int oi, const qs_op_t *op, fx_t *fx, fx_ref_t *root);
/* Integer option `key` (absent: 0) into *v; QS_ERR_SCHEMA with range_msg (which names the key) when
 * it is not in [lo, hi]. */
QS_COLD qs_status_t qs_sig_int(qs_model_t *m, int oi, fx_t *fx, const fx_ref_t *root, const char *key, int64_t lo,
                               int64_t hi, int32_t *v, const char *range_msg);
/* Tensor t (tensor index ti) must be of type dt with nd dimensions (nd < 0: at least one). */
QS_COLD qs_status_t qs_sig_need(qs_model_t *m, int oi, int ti, const qs_tensor_t *t, uint8_t dt, int nd,
                                const char *msg);
/* The op must have n_in inputs (all present) and n_out outputs. */
QS_COLD qs_status_t qs_sig_arity(qs_model_t *m, int oi, const qs_op_t *op, int n_in, int n_out, const char *msg);
/* The last dimension of t (1 for a scalar). */
static inline int32_t qs_sig_inner(const qs_tensor_t *t) { return t->ndims ? t->dims[t->ndims - 1] : 1; }

/* MostSignificantBit32 as TFLM's x86 build computes it: bits up to the highest set one (32 for 0). */
static inline uint32_t qs_msb32(uint32_t x) {
  uint32_t n = 0;
  if (!x) return 32;
  while (x) x >>= 1, n++;
  return n;
}

/* Element i of an int16 / uint32 tensor's bytes, at any alignment. */
static inline int16_t qs_sig_i16(const uint8_t *p, uint32_t i) {
  int16_t v;
  memcpy(&v, p + 2 * (size_t)i, 2);
  return v;
}
static inline uint32_t qs_sig_u32(const uint8_t *p, uint32_t i) {
  uint32_t v;
  memcpy(&v, p + 4 * (size_t)i, 4);
  return v;
}

/* What prepare works out for the one-pass ops of k_signal.c and k_signal_feature.c. */
typedef struct {
  uint32_t n, a, b; /* element count; two op-specific integers */
  int32_t shift, scale;
} qs_sig_params_t;

/* A qs_sig_params_t in the arena, set as the op's params (NULL when the arena is full). */
static inline qs_sig_params_t *qs_sig_new_params(qs_model_t *m, qs_op_t *op) {
  qs_sig_params_t *p = (qs_sig_params_t *)qs_alloc(m, sizeof(*p));
  if (p) op->params = p;
  return p;
}

QS_COLD qs_status_t qs_prep_sig_window(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_fft_auto_scale(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_energy(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_log(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_pcan(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_filter_bank(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_sqrt(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_spectral_sub(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_rfft(qs_model_t *m, int oi, qs_op_t *op); /* RFFT and IRFFT */
QS_COLD qs_status_t qs_prep_sig_framer(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_delay(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_stacker(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_sig_overlap_add(qs_model_t *m, int oi, qs_op_t *op);
#endif
