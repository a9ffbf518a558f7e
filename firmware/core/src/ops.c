/* Op table (code -> name, prepare) and helpers shared by the prepare functions. */
#include "k_signal.h"
#include "ops.h"
#include <string.h> /* memset: the no-output ops' empty output record */

#if QS_WITH_FLOAT
#include <math.h>
#include <string.h>
#endif

typedef struct {
  int32_t code;
  const char *name;
  qs_prepare_fn prepare;
#if QS_WITH_FLOAT
  qs_prepare_fn prepare_f32; /* when input 0 is float32; NULL: `prepare` handles every type */
#endif
  /* Activation dtype families the op takes or makes (input 0 and output), DT_* below: what
   * docs/ops.md (npm run docs:ops), the board's HELLO and qs_prepare_op's build check read. The
   * last field, so an entry written without it reads 0: "not declared" (the docs test names it). */
  uint8_t dtypes;
} op_entry_t;

/* A family whose kernels this build leaves out (QS_WITH_FLOAT=0, QS_WITH_INT16=0) moves to the
 * high nibble: declared, not built. DT_I16/DT_F32 are arithmetic (compiled out with their
 * family); DT_MOVE is data movement or conversion, the same bytes in every build. */
#define DT_I8 QS_FAM_INT8
#define DT_I16 (QS_WITH_INT16 ? QS_FAM_INT16 : QS_FAM_INT16 << 4)
#define DT_F32 (QS_WITH_FLOAT ? QS_FAM_FLOAT32 : QS_FAM_FLOAT32 << 4)
#define DT_MOVE_I16 QS_FAM_INT16
#define DT_MOVE_F32 QS_FAM_FLOAT32
#define DT_MOVE (QS_FAM_INT8 | QS_FAM_INT16 | QS_FAM_FLOAT32)
#define DT_OTHER QS_FAM_OTHER /* none of the three (bool-only ops) */

#if QS_WITH_FLOAT
#define F32(fn) , fn
#else
#define F32(fn)
#endif

/* An entry without `dtypes` is valid C (the field reads 0: not declared), not a warning. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
static const op_entry_t k_ops[] = {
    {OP_ADD, "ADD", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", qs_prep_pool F32(qs_prep_pool_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_CONV_2D, "CONV_2D", qs_prep_conv F32(qs_prep_conv_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", qs_prep_dwconv F32(qs_prep_dwconv_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_DEQUANTIZE, "DEQUANTIZE", qs_prep_dequantize F32(NULL), DT_I8 | DT_I16 | DT_MOVE_F32},
    {OP_FULLY_CONNECTED, "FULLY_CONNECTED", qs_prep_fc F32(qs_prep_fc_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_LOGISTIC, "LOGISTIC", qs_prep_logistic F32(qs_prep_unary_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_MAX_POOL_2D, "MAX_POOL_2D", qs_prep_pool F32(qs_prep_pool_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_RESHAPE, "RESHAPE", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_SOFTMAX, "SOFTMAX", qs_prep_softmax F32(qs_prep_softmax_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_SQUEEZE, "SQUEEZE", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_EXPAND_DIMS, "EXPAND_DIMS", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_SUB, "SUB", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_QUANTIZE, "QUANTIZE", qs_prep_quantize F32(NULL), DT_I8 | DT_I16 | DT_MOVE_F32},
    {OP_MUL, "MUL", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_RELU, "RELU", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_RELU6, "RELU6", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_LEAKY_RELU, "LEAKY_RELU", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_TANH, "TANH", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_HARD_SWISH, "HARD_SWISH", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_PAD, "PAD", qs_prep_pad F32(NULL), DT_MOVE},
    {OP_PADV2, "PADV2", qs_prep_pad F32(NULL), DT_MOVE},
    {OP_CONCATENATION, "CONCATENATION", qs_prep_concat F32(NULL), DT_MOVE},
    {OP_PACK, "PACK", qs_prep_concat F32(NULL), DT_MOVE},
    {OP_TRANSPOSE, "TRANSPOSE", qs_prep_transpose F32(NULL), DT_MOVE},
    {OP_SHAPE, "SHAPE", qs_prep_shape F32(NULL), DT_MOVE},
    {OP_ARG_MAX, "ARG_MAX", qs_prep_argmax F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_MEAN, "MEAN", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_SUM, "SUM", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_REDUCE_MAX, "REDUCE_MAX", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_F32},
    {OP_REDUCE_MIN, "REDUCE_MIN", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_F32},
    {OP_RESIZE_BILINEAR, "RESIZE_BILINEAR", qs_prep_resize_bilinear F32(NULL), DT_I8 | DT_F32},
    {OP_BATCH_MATMUL, "BATCH_MATMUL", qs_prep_batch_matmul F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_DETECTION_POSTPROCESS, "TFLite_Detection_PostProcess", qs_prep_detection F32(NULL), DT_F32},
    /* TFLite Micro's signal library (k_signal*.c): integer kernels, in every build but QS_WITH_SIGNAL=0
     * (k_signal.h) (DT_MOVE_I16 for int16, DT_OTHER for uint32/uint64 sides) */
    {OP_SIGNAL_WINDOW, "SignalWindow", QS_SIG_ENTRY(qs_prep_sig_window, DT_MOVE_I16)},
    {OP_SIGNAL_FFT_AUTO_SCALE, "SignalFftAutoScale", QS_SIG_ENTRY(qs_prep_sig_fft_auto_scale, DT_MOVE_I16)},
    {OP_SIGNAL_RFFT, "SignalRfft", QS_SIG_ENTRY(qs_prep_sig_rfft, DT_MOVE_I16)},
    {OP_SIGNAL_IRFFT, "SignalIrfft", QS_SIG_ENTRY(qs_prep_sig_rfft, DT_MOVE_I16)},
    {OP_SIGNAL_ENERGY, "SignalEnergy", QS_SIG_ENTRY(qs_prep_sig_energy, DT_MOVE_I16 | DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK, "SignalFilterBank", QS_SIG_ENTRY(qs_prep_sig_filter_bank, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_SQUARE_ROOT, "SignalFilterBankSquareRoot", QS_SIG_ENTRY(qs_prep_sig_sqrt, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION, "SignalFilterBankSpectralSubtraction", QS_SIG_ENTRY(qs_prep_sig_spectral_sub, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_LOG, "SignalFilterBankLog", QS_SIG_ENTRY(qs_prep_sig_log, DT_OTHER | DT_MOVE_I16)},
    {OP_SIGNAL_PCAN, "SignalPCAN", QS_SIG_ENTRY(qs_prep_sig_pcan, DT_OTHER)},
    {OP_SIGNAL_FRAMER, "SignalFramer", QS_SIG_ENTRY(qs_prep_sig_framer, DT_MOVE_I16)},
    {OP_SIGNAL_DELAY, "SignalDelay", QS_SIG_ENTRY(qs_prep_sig_delay, DT_MOVE_I16)},
    {OP_SIGNAL_STACKER, "SignalStacker", QS_SIG_ENTRY(qs_prep_sig_stacker, DT_MOVE_I16)},
    {OP_SIGNAL_OVERLAP_ADD, "SignalOverlapAdd", QS_SIG_ENTRY(qs_prep_sig_overlap_add, DT_MOVE_I16 | DT_F32)},
    {OP_STRIDED_SLICE, "STRIDED_SLICE", qs_prep_strided_slice F32(NULL), DT_MOVE},
    {OP_RESIZE_NEAREST_NEIGHBOR, "RESIZE_NEAREST_NEIGHBOR", qs_prep_resize_nn F32(NULL), DT_MOVE},
    /* element-wise and math ops: one prepare per family handles every dtype */
    {OP_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_MAXIMUM, "MAXIMUM", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_MINIMUM, "MINIMUM", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_DIV, "DIV", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_PRELU, "PRELU", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_LESS, "LESS", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_LESS_EQUAL, "LESS_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_GREATER, "GREATER", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_GREATER_EQUAL, "GREATER_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_EQUAL, "EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_NOT_EQUAL, "NOT_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_LOGICAL_AND, "LOGICAL_AND", qs_prep_binary F32(NULL), DT_OTHER /* bool only */},
    {OP_LOGICAL_OR, "LOGICAL_OR", qs_prep_binary F32(NULL), DT_OTHER /* bool only */},
    {OP_SELECT_V2, "SELECT_V2", qs_prep_binary F32(NULL), DT_I8 | DT_MOVE_I16 | DT_F32},
    {OP_FLOOR_DIV, "FLOOR_DIV", qs_prep_binary F32(NULL), DT_F32},
    {OP_FLOOR_MOD, "FLOOR_MOD", qs_prep_binary F32(NULL), DT_F32},
    {OP_CAST, "CAST", qs_prep_unary F32(NULL), DT_I8 | DT_MOVE_I16 | DT_F32},
    {OP_ABS, "ABS", qs_prep_unary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_NEG, "NEG", qs_prep_unary F32(NULL), DT_F32},
    {OP_SQRT, "SQRT", qs_prep_unary F32(NULL), DT_F32},
    {OP_RSQRT, "RSQRT", qs_prep_unary F32(NULL), DT_I8 | DT_F32},
    {OP_EXP, "EXP", qs_prep_unary F32(NULL), DT_F32},
    {OP_LOG, "LOG", qs_prep_unary F32(NULL), DT_F32},
    {OP_SIN, "SIN", qs_prep_unary F32(NULL), DT_F32},
    {OP_COS, "COS", qs_prep_unary F32(NULL), DT_F32},
    {OP_SQUARE, "SQUARE", qs_prep_unary F32(NULL), DT_F32},
    {OP_FLOOR, "FLOOR", qs_prep_unary F32(NULL), DT_F32},
    {OP_CEIL, "CEIL", qs_prep_unary F32(NULL), DT_F32},
    {OP_ROUND, "ROUND", qs_prep_unary F32(NULL), DT_F32},
    {OP_ELU, "ELU", qs_prep_unary F32(NULL), DT_F32 | (QS_WITH_FLOAT ? DT_I8 : DT_I8 << 4) /* int8: a table of expf */},
    {OP_LOGICAL_NOT, "LOGICAL_NOT", qs_prep_unary F32(NULL), DT_OTHER /* bool only */},
    {OP_LOG_SOFTMAX, "LOG_SOFTMAX", qs_prep_rownorm F32(NULL), DT_I8 | DT_F32},
    {OP_L2_NORMALIZATION, "L2_NORMALIZATION", qs_prep_rownorm F32(NULL), DT_I8 | DT_F32},
    {OP_SPLIT, "SPLIT", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_SPLIT_V, "SPLIT_V", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_UNPACK, "UNPACK", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_GATHER, "GATHER", qs_prep_gather F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_GATHER_ND, "GATHER_ND", qs_prep_gather_nd F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SLICE, "SLICE", qs_prep_slice F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_ARG_MIN, "ARG_MIN", qs_prep_argmax F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_DEPTH_TO_SPACE, "DEPTH_TO_SPACE", qs_prep_depth_space F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SPACE_TO_DEPTH, "SPACE_TO_DEPTH", qs_prep_depth_space F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SPACE_TO_BATCH_ND, "SPACE_TO_BATCH_ND", qs_prep_space_batch F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_BATCH_TO_SPACE_ND, "BATCH_TO_SPACE_ND", qs_prep_space_batch F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_FILL, "FILL", qs_prep_fill F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_ZEROS_LIKE, "ZEROS_LIKE", qs_prep_fill F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_BROADCAST_TO, "BROADCAST_TO", qs_prep_broadcast_to F32(NULL), DT_MOVE},
    {OP_TRANSPOSE_CONV, "TRANSPOSE_CONV", qs_prep_transpose_conv F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_UNIDIRECTIONAL_SEQUENCE_LSTM, "UNIDIRECTIONAL_SEQUENCE_LSTM", qs_prep_lstm F32(NULL),
     (QS_WITH_INT16 ? DT_I8 : DT_I8 << 4) /* int8: an int16 cell state */ | DT_I16 | DT_F32},
    {OP_SVDF, "SVDF", qs_prep_svdf F32(NULL), DT_I8 | DT_F32},
    /* resource variables and the init subgraph (k_var.c): bytes moved as they are */
    {OP_VAR_HANDLE, "VAR_HANDLE", qs_prep_var_handle F32(NULL), DT_OTHER},
    {OP_READ_VARIABLE, "READ_VARIABLE", qs_prep_read_variable F32(NULL), DT_MOVE},
    {OP_ASSIGN_VARIABLE, "ASSIGN_VARIABLE", qs_prep_assign_variable F32(NULL), DT_MOVE},
    {OP_CALL_ONCE, "CALL_ONCE", qs_prep_call_once F32(NULL), DT_OTHER},
    /* control flow over subgraphs (k_flow.c): the loop variables and branch values copied as they are */
    {OP_WHILE, "WHILE", qs_prep_while F32(NULL), DT_MOVE | DT_OTHER},
    {OP_IF, "IF", qs_prep_if F32(NULL), DT_MOVE | DT_OTHER},
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#define N_OPS (sizeof(k_ops) / sizeof(k_ops[0]))

static const op_entry_t *find(int32_t code) {
  size_t i;
  for (i = 0; i < N_OPS; i++)
    if (k_ops[i].code == code) return &k_ops[i];
  return NULL;
}

int qs_op_supported(int32_t code) { return find(code) != NULL; }
const char *qs_op_name(int32_t code) {
  const op_entry_t *e = find(code);
  return e ? e->name : "UNKNOWN";
}

uint8_t qs_op_dtypes(int32_t code) {
  const op_entry_t *e = find(code);
  return e ? e->dtypes : 0;
}

int qs_registry_entry(size_t i, qs_op_entry_info_t *out) {
  if (i >= N_OPS || !out) return 0;
  out->code = k_ops[i].code;
  out->name = k_ops[i].name;
  out->dtypes = k_ops[i].dtypes;
  return 1;
}

uint8_t qs_build_families(void) {
  return (uint8_t)(QS_FAM_INT8 | (QS_WITH_INT16 ? QS_FAM_INT16 : 0) | (QS_WITH_FLOAT ? QS_FAM_FLOAT32 : 0));
}

static uint8_t family(uint8_t dtype) {
  return dtype == QS_DT_INT8 ? QS_FAM_INT8 : dtype == QS_DT_INT16 ? QS_FAM_INT16 : dtype == QS_DT_FLOAT32 ? QS_FAM_FLOAT32 : 0;
}

/* An op whose input 0 or output is of a family this build leaves out of the op (declared in the
 * high nibble of its entry) is refused naming the build option, before its prepare runs. */
static qs_status_t build_has(qs_model_t *m, int oi, const qs_op_t *op, const op_entry_t *e) {
  uint8_t off = (uint8_t)(e->dtypes >> 4);
  const qs_tensor_t *in0 = qs_in(m, op, 0);
  uint8_t fin = in0 ? family(in0->dtype) : 0, fout = family(qs_out(m)->dtype);
  uint8_t miss = (uint8_t)(off & (fin | fout));
  if (!miss) return QS_OK;
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, (off & fin) ? op->in[0] : op->out,
                 (miss & QS_FAM_FLOAT32) ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)"
                                         : "int16 kernels are not in this build (QS_WITH_INT16=0)");
}

size_t qs_supported_ops(int32_t *codes, size_t max) {
  size_t i;
  for (i = 0; i < N_OPS && codes && i < max; i++) codes[i] = k_ops[i].code;
  return N_OPS;
}

/* Ops without outputs (k_var.c). */
static int no_output(int32_t code) { return code == OP_CALL_ONCE || code == OP_ASSIGN_VARIABLE; }

/* Ops with several outputs; their prepare decodes outputs past the first with qs_out_k. */
static int multi_output(int32_t code) {
  return code == OP_SPLIT || code == OP_SPLIT_V || code == OP_UNPACK || code == OP_DETECTION_POSTPROCESS ||
         code == OP_SIGNAL_FFT_AUTO_SCALE || code == OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION ||
         code == OP_SIGNAL_FRAMER || code == OP_SIGNAL_STACKER || code == OP_WHILE || code == OP_IF;
}

qs_status_t qs_prepare_op(qs_model_t *m, int oi) {
  qs_op_t *op = &m->ops[oi];
  const op_entry_t *e = find(op->code);
  qs_prepare_fn prepare;
  qs_status_t s;
  qs_tensor_t cache[QS_MAX_IO + 1]; /* decoded once per op, on the stack, not in the arena */
  int i;
  if (!e) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator not supported");
#if !QS_WITH_SIGNAL
  if (e->prepare == qs_prep_no_signal) return qs_prep_no_signal(m, oi, op); /* the build, not a family, lacks it */
#endif
  if (op->n_out != 1 && !multi_output(op->code) && !(op->n_out == 0 && no_output(op->code)))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator must have exactly one output");
  for (i = 0; i < op->n_in && i < QS_MAX_IO; i++) /* more inputs: qs_in_k decodes them */
    if (op->in[i] >= 0 && (s = qs_get_tensor(m, op->in[i], &cache[i])) != QS_OK) return s;
  if (op->n_out == 0) { /* CALL_ONCE, ASSIGN_VARIABLE: an output of no family */
    memset(&cache[QS_MAX_IO], 0, sizeof(cache[QS_MAX_IO]));
    cache[QS_MAX_IO].dtype = 255;
  } else if ((s = qs_get_tensor(m, op->out, &cache[QS_MAX_IO])) != QS_OK) {
    return s;
  }
  m->tc = cache;
  if ((s = build_has(m, oi, op, e)) != QS_OK) {
    m->tc = NULL;
    return s;
  }
  prepare = e->prepare;
#if QS_WITH_FLOAT
  if (e->prepare_f32 && op->n_in > 0 && op->in[0] >= 0 && cache[0].dtype == QS_DT_FLOAT32) prepare = e->prepare_f32;
#endif
  s = prepare(m, oi, op);
  m->tc = NULL;
  if (s == QS_OK && !op->eval) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator variant not supported");
  return s;
}

const qs_tensor_t *qs_in(qs_model_t *m, const qs_op_t *op, int i) {
  if (i >= op->n_in || i >= QS_MAX_IO || op->in[i] < 0) return NULL;
  return &m->tc[i];
}

int qs_in_k(qs_model_t *m, const qs_op_t *op, int i, qs_tensor_t *t) {
  if (i < 0 || i >= op->n_in || op->in[i] < 0) return 0;
  if (i < QS_MAX_IO && m->tc) {
    *t = m->tc[i];
    return 1;
  }
  return qs_get_tensor(m, op->in[i], t) == QS_OK;
}

const qs_tensor_t *qs_out(qs_model_t *m) { return &m->tc[QS_MAX_IO]; }

qs_status_t qs_out_k(qs_model_t *m, const qs_op_t *op, int k, qs_tensor_t *t) {
  if (k == 0) {
    *t = m->tc[QS_MAX_IO];
    return QS_OK;
  }
  return qs_get_tensor(m, op->outs[k], t);
}

void qs_scratch(qs_model_t *m, size_t bytes) {
  if (bytes > m->scratch_need) m->scratch_need = bytes;
}

const int32_t *qs_const_i32(qs_model_t *m, const qs_tensor_t *t) {
  int32_t *copy;
  uint32_t i, n = t->bytes / 4;
  if (((uintptr_t)t->data & 3u) == 0) return (const int32_t *)(const void *)t->data;
  /* misaligned in the model file: keep an aligned copy (rare; converters align buffers) */
  if (!(copy = (int32_t *)qs_alloc(m, t->bytes))) return NULL;
  for (i = 0; i < n; i++) copy[i] = (int32_t)fb_load_u32(t->data + 4 * i);
  return copy;
}

qs_status_t qs_opts(qs_model_t *m, int oi, const qs_op_t *op, uint8_t type, int required) {
  if (op->opts.pos != 0 && op->opts_type != type)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "builtin options of the wrong type");
  if (required && op->opts.pos == 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "builtin options missing");
  return QS_OK;
}

qs_status_t qs_need_q8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT8) {
    /* without float kernels, a float32 op (input 0 float32) is unsupported rather than mistyped */
    int no_float = !QS_WITH_FLOAT && which == 0 && t->dtype == QS_DT_FLOAT32;
    if (!QS_WITH_INT16 && t->dtype == QS_DT_INT16) /* input or output: the family is left out */
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, ti, "int16 kernels are not in this build (QS_WITH_INT16=0)");
    return qs_fail(m, no_float ? QS_ERR_UNSUPPORTED : QS_ERR_TYPE, oi, ti,
                   no_float ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)" : "expected an int8 tensor");
  }
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int8 tensor without a positive scale");
  return QS_OK;
}

qs_status_t qs_need_q16(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what, int symmetric) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected an int16 tensor (an int16x8 op has int16 inputs and output)");
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int16 tensor without a positive scale");
  if (symmetric && t->zp != 0)
    return qs_fail(m, QS_ERR_QUANT, oi, ti, "int16 tensor with a nonzero zero point (16x8 quantization is symmetric)");
  return QS_OK;
}

qs_status_t qs_need_w8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = qs_in(m, op, which);
  int ti = which < op->n_in ? op->in[which] : -1;
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT8) return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected int8 weights");
  /* the loader refuses negative and non-finite scales; 0 is allowed (TFLM: a zero multiplier) */
  if (!t->quantized) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int8 weights without quantization parameters");
  return QS_OK;
}

static int32_t quantize_act(const qs_tensor_t *t, float f) {
  float q = qs_roundf(f / t->scale);
  if (q > 1.0e9f) return INT32_MAX / 2;
  if (q < -1.0e9f) return INT32_MIN / 2;
  return t->zp + (int32_t)q;
}

qs_status_t qs_act_range(qs_model_t *m, int oi, int act, const qs_tensor_t *out, int32_t *mn, int32_t *mx) {
  /* the activation's real bounds (RELU [0, inf), RELU6 [0, 6], RELU_N1_TO_1 [-1, 1]),
   * quantized and intersected with the output type's range ([-128, 127] or [-32768, 32767]) */
  int32_t lo = out->dtype == QS_DT_INT16 ? -32768 : -128, hi = out->dtype == QS_DT_INT16 ? 32767 : 127, z;
  if (act < ACT_NONE || act > ACT_RELU6) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
  if (act != ACT_NONE) {
    /* quantize(0) is the zero point: the callers checked that the scale is positive */
    z = act == ACT_RELU_N1_TO_1 ? quantize_act(out, -1.0f) : out->zp;
    lo = z > lo ? z : lo;
  }
  if (act == ACT_RELU6 || act == ACT_RELU_N1_TO_1) {
    z = quantize_act(out, act == ACT_RELU6 ? 6.0f : 1.0f);
    hi = z < hi ? z : hi;
  }
  *mn = lo;
  *mx = hi;
  return QS_OK;
}

qs_status_t qs_multiplier(qs_model_t *m, int oi, int ti, double real, int32_t *mult, int32_t *shift) {
  int sh;
  if (!(real >= 0.0 && real < 1.0e300)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "rescale factor is negative or not finite");
  qs_quantize_multiplier(real, mult, &sh);
  if (sh > 30 || sh < -31) return qs_fail(m, QS_ERR_QUANT, oi, ti, "rescale factor out of range (scale ratio above 2^30)");
  *shift = sh;
  return QS_OK;
}

int qs_out_size(int padding, int in, int filter, int stride, int dilation) {
  int eff = (filter - 1) * dilation + 1;
  if (padding == PAD_SAME) return (in + stride - 1) / stride;
  return (in + stride - eff) / stride;
}

int qs_padding(int stride, int dilation, int in, int filter, int out) {
  int eff = (filter - 1) * dilation + 1;
  int total = (out - 1) * stride + eff - in;
  return total > 0 ? total / 2 : 0;
}

#if QS_WITH_FLOAT
qs_status_t qs_need_f32(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected a float32 tensor (float32 and int8 do not mix in one op)");
  return QS_OK;
}

qs_status_t qs_act_range_f32(qs_model_t *m, int oi, int act, float *lo, float *hi) {
  switch (act) {
    case ACT_NONE: *lo = -INFINITY, *hi = INFINITY; break;
    case ACT_RELU: *lo = 0.0f, *hi = INFINITY; break;
    case ACT_RELU6: *lo = 0.0f, *hi = 6.0f; break;
    case ACT_RELU_N1_TO_1: *lo = -1.0f, *hi = 1.0f; break;
    default: return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
  }
  return QS_OK;
}

qs_status_t qs_const_f32(qs_model_t *m, const qs_op_t *op, int i, const float **out) {
  const qs_tensor_t *t = qs_in(m, op, i);
  float *copy;
  *out = NULL;
  if (!t || !t->data) return QS_OK;
  if (((uintptr_t)t->data & 3u) == 0) {
    *out = (const float *)(const void *)t->data;
    return QS_OK;
  }
  /* misaligned in the model file: keep an aligned copy (rare; converters align buffers) */
  if (!(copy = (float *)qs_alloc(m, t->bytes))) return QS_ERR_ARENA;
  memcpy(copy, t->data, t->bytes);
  *out = copy;
  return QS_OK;
}
#endif
