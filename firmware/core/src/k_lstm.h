/* UNIDIRECTIONAL_SEQUENCE_LSTM: prepared parameters shared by the integer kernels (k_lstm.c) and
 * the float32 kernel (k_lstm_float.c). */
#ifndef QS_K_LSTM_H
#define QS_K_LSTM_H

#include "ops.h"

/* TFLite's 24-input layout (lstm_shared.h). */
enum {
  LSTM_IN = 0, LSTM_W_X = 1 /* 1..4: input-to-{input, forget, cell, output} weights */,
  LSTM_W_H = 5 /* 5..8: recurrent-to-{input, forget, cell, output} */,
  LSTM_PEEP = 9 /* 9..11: cell-to-gate (peephole) weights */, LSTM_BIAS = 12 /* 12..15 */,
  LSTM_PROJ_W = 16, LSTM_PROJ_B = 17, LSTM_H = 18, LSTM_C = 19, LSTM_NORM = 20 /* 20..23 */,
  LSTM_N_IN = 24
};
/* Gates in the order TFLite Micro computes them (LstmStep): forget, input, cell, output; the index
 * of gate g's weights is LSTM_W_X + k_gate_in[g] (and LSTM_W_H + ..., LSTM_BIAS + ...). */
enum { G_FORGET = 0, G_INPUT = 1, G_CELL = 2, G_OUTPUT = 3 };
#define LSTM_GATE_SLOT(g) ((g) == G_FORGET ? 1 : (g) == G_INPUT ? 0 : (g)) /* TFLite's slot order: i, f, c, o */

/* One of the two fully connected products of a gate (input x or recurrent h). */
typedef struct {
  const void *w;    /* [n_cell][depth]: int8, or float32 */
  const void *bias; /* int paths: per-row constant bias + x_off * sum(w + w_off), int32 (int8
                     * activations) or int64 (int16); float32: the bias or NULL (recurrent) */
  int32_t w_off, mult;
  int shift;
} lstm_fc_t;

typedef struct {
  int batch, steps, n_in, n_cell, time_major;
  lstm_fc_t fc[4][2]; /* gate (G_*) x (0: input FC, 1: recurrent FC) */
  /* integer paths */
  int32_t fc_mult, ic_mult, oh_mult; /* forget x cell -> cell, input x cell gate -> cell, tanh(cell) x output -> hidden */
  int fc_shift, ic_shift, oh_shift;
  int32_t h_zp, h_min, h_max;
  int16_t clip; /* quantized cell clip (0: none) */
  int32_t tanh_mult, tanh_shift; /* tanh of the cell state: the int16 tanh's effective rescale */
  uint16_t *table;               /* TFLM's sigmoid_table_uint16 */
  /* float path */
  float clip_f;
} lstm_params_t;

#if QS_WITH_FLOAT
/* Float32 part of the prepare (after the shared checks): weights, biases, eval. */
QS_COLD qs_status_t qs_lstm_prep_f32(qs_model_t *m, int oi, qs_op_t *op, const qs_tensor_t *const *T, lstm_params_t *p);
#endif
#endif
