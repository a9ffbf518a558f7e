/* Shared helpers for per-op prepare functions (validation + precompute). */
#ifndef QS_OPS_H
#define QS_OPS_H

#include "internal.h"
#include "qmath.h"


/* BuiltinOptions union type ids (schema.fbs). */
enum {
  OPT_CONV2D = 1, OPT_DEPTHWISE = 2, OPT_POOL2D = 5, OPT_FC = 8, OPT_SOFTMAX = 9,
  OPT_CONCAT = 10, OPT_ADD = 11, OPT_RESHAPE = 17, OPT_MUL = 21, OPT_REDUCER = 27, OPT_SUB = 28
};
enum { PAD_SAME = 0, PAD_VALID = 1 };

typedef qs_status_t (*qs_prepare_fn)(qs_model_t *m, int oi, qs_op_t *op);

/* Bytes per element of a tensor type (0 for a type the loader refuses). */
static inline uint32_t qs_esize(uint8_t dt) {
  return dt == QS_DT_FLOAT32 || dt == QS_DT_INT32 || dt == QS_DT_UINT32 ? 4
         : dt == QS_DT_INT64 || dt == QS_DT_UINT64                    ? 8
         : dt == QS_DT_INT16                                           ? 2
                                                                       : 1;
}
/* Is dtype one of the (up to 6) types listed in `ok` (terminated by 255)? */
static inline int qs_dtype_in(uint8_t dt, const uint8_t *ok) {
  for (; *ok != 255; ok++)
    if (*ok == dt) return 1;
  return 0;
}

/* During prepare: input i (NULL if omitted or absent) and the output, decoded. */
const qs_tensor_t *qs_in(qs_model_t *m, const qs_op_t *op, int i);
/* Input i of any index (past the QS_MAX_IO cached by qs_in too) into *t; 0 when omitted (-1). */
QS_COLD int qs_in_k(qs_model_t *m, const qs_op_t *op, int i, qs_tensor_t *t);
const qs_tensor_t *qs_out(qs_model_t *m);
/* Output k (k < op->n_out) of a multi-output op, decoded into *t. */
QS_COLD qs_status_t qs_out_k(qs_model_t *m, const qs_op_t *op, int k, qs_tensor_t *t);
/* int32 constant data as an aligned pointer (into the model, or an arena copy). */
const int32_t *qs_const_i32(qs_model_t *m, const qs_tensor_t *t);
/* Options table of the expected type; QS_ERR_SCHEMA if another type is attached. */
QS_COLD qs_status_t qs_opts(qs_model_t *m, int oi, const qs_op_t *op, uint8_t type, int required);
/* CalculateActivationRangeQuantized for an int8 output (already checked by qs_need_q8). */
QS_COLD qs_status_t qs_act_range(qs_model_t *m, int oi, int act, const qs_tensor_t *out, int32_t *mn, int32_t *mx);
/* Input `which` (or QS_OUT) must be int8 with a positive scale; `what` names it if missing. */
#define QS_OUT (-1)
QS_COLD qs_status_t qs_need_q8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what);
/* Input `which` (or QS_OUT) must be int16 with a positive scale (and zero point 0 if symmetric). */
QS_COLD qs_status_t qs_need_q16(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what, int symmetric);
/* Weights (input `which`) must be quantized int8; a scale of 0 is allowed (that channel outputs the
 * output zero point, as in TFLite Micro). */
QS_COLD qs_status_t qs_need_w8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what);
/* QuantizeMultiplier plus a range check: kernels shift by at most 30 left / 31 right. */
QS_COLD qs_status_t qs_multiplier(qs_model_t *m, int oi, int ti, double real, int32_t *mult, int32_t *shift);
/* ComputePaddingHeightWidth helpers. */
int qs_out_size(int padding, int in, int filter, int stride, int dilation);
int qs_padding(int stride, int dilation, int in, int filter, int out);

/* CONV/DEPTHWISE: per-channel multipliers/shifts (allocated) and the bias as aligned int32. */
QS_COLD qs_status_t qs_conv_channels(qs_model_t *m, int oi, const qs_op_t *op, int oc, int32_t **mult, int8_t **shift,
                             const int32_t **bias);

/* MEAN / SUM / REDUCE_MAX / REDUCE_MIN over constant axes (k_reduce.c): the output walk over the
 * input in row-major order. */
typedef struct {
  int nd;
  int32_t dims[QS_MAX_DIMS], ostride[QS_MAX_DIMS]; /* ostride 0 on reduced axes */
  uint32_t n_in, n_out, count;
} qs_reduce_t;
/* Validates a reduction's two inputs, its axis vector (constant int32, each axis in range) and that the
 * output has the reduced element count; fills r. */
QS_COLD qs_status_t qs_reduce_plan(qs_model_t *m, int oi, const qs_op_t *op, qs_reduce_t *r);
/* Output index of the input element after the one at (idx, o): advance idx row-major. */
static inline uint32_t qs_reduce_next(const qs_reduce_t *r, int32_t *idx, uint32_t o) {
  int d;
  for (d = r->nd - 1; d >= 0; d--) {
    o += (uint32_t)r->ostride[d];
    if (++idx[d] < r->dims[d]) break;
    o -= (uint32_t)r->ostride[d] * (uint32_t)r->dims[d];
    idx[d] = 0;
  }
  return o;
}

QS_COLD qs_status_t qs_prep_conv(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_dwconv(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_fc(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_pool(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_softmax(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_logistic(qs_model_t *m, int oi, qs_op_t *op);
#if QS_WITH_INT16
QS_COLD qs_status_t qs_prep_sigmoid16(qs_model_t *m, int oi, qs_op_t *op); /* int16 LOGISTIC, TANH */
QS_COLD qs_status_t qs_prep_softmax16(qs_model_t *m, int oi, qs_op_t *op); /* after SoftmaxOptions */
void qs_sigmoid_table_u16(uint16_t *t); /* TFLM's sigmoid_table_uint16, generated */
/* reference_integer_ops::Logistic / Tanh for int16 with the effective (multiplier, left shift) of
 * their eval (multiplier 0 already replaced by 3 << shift); in and out may be the same array. */
void qs_logistic16(const uint16_t *table, int32_t multiplier, int left_shift, const int16_t *in, int16_t *out, uint32_t n);
void qs_tanh16(const uint16_t *table, int32_t multiplier, int left_shift, const int16_t *in, int16_t *out, uint32_t n);
#endif
/* UNIDIRECTIONAL_SEQUENCE_LSTM (k_lstm.c; float32 in k_lstm_float.c) */
QS_COLD qs_status_t qs_prep_lstm(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_add(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_arith_i32(qs_model_t *m, int oi, qs_op_t *op); /* int32 ADD/SUB/MUL (k_int32.c) */
QS_COLD qs_status_t qs_prep_quantize(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_dequantize(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_reshape(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_act(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_pad(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_concat(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_transpose(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_shape(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_argmax(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_strided_slice(qs_model_t *m, int oi, qs_op_t *op);
/* MEAN, SUM, REDUCE_MAX, REDUCE_MIN (k_reduce.c) */
QS_COLD qs_status_t qs_prep_reduce(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_resize_bilinear(qs_model_t *m, int oi, qs_op_t *op); /* k_resize.c */
QS_COLD qs_status_t qs_prep_batch_matmul(qs_model_t *m, int oi, qs_op_t *op); /* k_batch_matmul.c */
QS_COLD qs_status_t qs_prep_detection(qs_model_t *m, int oi, qs_op_t *op); /* k_detect.c */
/* their BuiltinOptions union type ids */
enum { OPT_RESIZE_BILINEAR = 15, OPT_BATCH_MATMUL = 101 };
QS_COLD qs_status_t qs_prep_resize_nn(qs_model_t *m, int oi, qs_op_t *op);
/* Data movement (k_split.c, k_gather.c, k_space.c, k_fill.c, k_slice.c, k_select.c). */
/* A constant int32/int64 vector (at most max values, each within int32) into v: its length, or -1. */
QS_COLD int qs_const_ints(const qs_tensor_t *t, int32_t *v, int max);
QS_COLD qs_status_t qs_prep_split(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_gather(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_gather_nd(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_slice(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_depth_space(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_space_batch(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_fill(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_broadcast_to(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_transpose_conv(qs_model_t *m, int oi, qs_op_t *op); /* k_tconv.c */
QS_COLD qs_status_t qs_prep_svdf(qs_model_t *m, int oi, qs_op_t *op); /* k_svdf.c */
/* Resource variables and CALL_ONCE's init subgraph (k_var.c). */
QS_COLD qs_status_t qs_prep_var_handle(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_read_variable(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_assign_variable(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_call_once(qs_model_t *m, int oi, qs_op_t *op);
/* WHILE and IF over subgraphs (k_flow.c). */
QS_COLD qs_status_t qs_prep_while(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_if(qs_model_t *m, int oi, qs_op_t *op);

/* Element-wise and math ops, every dtype TFLite Micro accepts for each (float32 paths only with
 * QS_WITH_FLOAT). Binary with broadcasting (k_binary.c): SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, DIV,
 * PRELU, LESS/LESS_EQUAL/GREATER/GREATER_EQUAL/EQUAL/NOT_EQUAL, LOGICAL_AND/OR, SELECT_V2,
 * FLOOR_DIV, FLOOR_MOD. Unary
 * (k_unary.c): CAST, ABS, NEG, SQRT, RSQRT, EXP, LOG, SIN, COS, SQUARE, FLOOR, CEIL, ROUND, ELU,
 * LOGICAL_NOT. Over the last axis (k_rownorm.c): LOG_SOFTMAX, L2_NORMALIZATION. */
QS_COLD qs_status_t qs_prep_binary(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_unary(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_rownorm(qs_model_t *m, int oi, qs_op_t *op);

#if QS_WITH_FLOAT
/* float32 kernels (k_float_*.c), chosen by qs_prepare_op when input 0 is float32. */
QS_COLD qs_status_t qs_prep_conv_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_dwconv_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_fc_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_pool_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_reduce_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_add_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_unary_f32(qs_model_t *m, int oi, qs_op_t *op);
QS_COLD qs_status_t qs_prep_softmax_f32(qs_model_t *m, int oi, qs_op_t *op);

/* Input `which` (or QS_OUT) must be present and float32. */
QS_COLD qs_status_t qs_need_f32(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what);
/* Fused activation as float clamp bounds (NONE: -inf..inf). */
QS_COLD qs_status_t qs_act_range_f32(qs_model_t *m, int oi, int act, float *lo, float *hi);
/* Input i as aligned float32 data when it is a constant (into the model, or an arena copy when
 * the model stores it misaligned); *out = NULL for an activation (read it at eval). */
QS_COLD qs_status_t qs_const_f32(qs_model_t *m, const qs_op_t *op, int i, const float **out);
/* At eval: the constant resolved at prepare, else the activation's arena bytes. */
static inline const float *qs_f32_in(qs_model_t *m, const qs_op_t *op, int i, const float *cst) {
  return cst ? cst : (const float *)(const void *)qs_tdata(m, op->in[i]);
}
#endif
#endif
