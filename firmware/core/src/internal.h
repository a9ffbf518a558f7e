/* Internal interpreter state. Everything here lives in the caller's arena. */
#ifndef QS_INTERNAL_H
#define QS_INTERNAL_H

#include "../include/qs_interp.h"
#include "fb.h"

/* Prepare-time code runs once per load: GCC may optimize it for size (smaller Cortex-M images;
 * eval code is untouched). */
#if defined(__GNUC__) && !defined(__clang__)
#define QS_COLD __attribute__((cold))
#else
#define QS_COLD
#endif

/* TFLite BuiltinOperator codes this core knows. */
enum {
  OP_ADD = 0, OP_AVERAGE_POOL_2D = 1, OP_CONCATENATION = 2, OP_CONV_2D = 3,
  OP_DEPTHWISE_CONV_2D = 4, OP_DEQUANTIZE = 6, OP_FULLY_CONNECTED = 9, OP_LOGISTIC = 14,
  OP_MAX_POOL_2D = 17, OP_MUL = 18, OP_RELU = 19, OP_RELU6 = 21, OP_RESHAPE = 22,
  OP_SOFTMAX = 25, OP_TANH = 28, OP_PAD = 34, OP_SUB = 41, OP_SQUEEZE = 43,
  OP_PADV2 = 60, OP_EXPAND_DIMS = 70, OP_LEAKY_RELU = 98, OP_QUANTIZE = 114,
  OP_HARD_SWISH = 117, OP_TRANSPOSE = 39, OP_ARG_MAX = 56, OP_SHAPE = 77, OP_PACK = 83,
  OP_RESIZE_NEAREST_NEIGHBOR = 97, OP_MEAN = 40, OP_STRIDED_SLICE = 45, OP_TRANSPOSE_CONV = 67
};

/* Compute-heavy ops (k_reduce.c, k_resize.c, k_batch_matmul.c, k_detect.c). */
enum {
  OP_RESIZE_BILINEAR = 23, OP_CUSTOM = 32, OP_SUM = 74, OP_REDUCE_MAX = 82, OP_REDUCE_MIN = 89,
  OP_BATCH_MATMUL = 126,
  /* custom ops the core has get codes from 1000 up (builtin codes stay below): */
  OP_DETECTION_POSTPROCESS = 1000 /* TFLite_Detection_PostProcess */
};

/* TFLite Micro's signal library custom ops (k_signal*.c; names in k_signal.c). */
enum {
  OP_SIGNAL_WINDOW = 1001, OP_SIGNAL_FFT_AUTO_SCALE = 1002, OP_SIGNAL_RFFT = 1003, OP_SIGNAL_ENERGY = 1004,
  OP_SIGNAL_FILTER_BANK = 1005, OP_SIGNAL_FILTER_BANK_SQUARE_ROOT = 1006,
  OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION = 1007, OP_SIGNAL_FILTER_BANK_LOG = 1008, OP_SIGNAL_PCAN = 1009,
  OP_SIGNAL_FRAMER = 1010, OP_SIGNAL_DELAY = 1011, OP_SIGNAL_STACKER = 1012, OP_SIGNAL_OVERLAP_ADD = 1013,
  OP_SIGNAL_IRFFT = 1014
};

/* Data-movement ops (k_split.c, k_gather.c, k_space.c, k_fill.c). */
enum {
  OP_DEPTH_TO_SPACE = 5, OP_SPACE_TO_DEPTH = 26, OP_GATHER = 36, OP_BATCH_TO_SPACE_ND = 37,
  OP_SPACE_TO_BATCH_ND = 38, OP_SPLIT = 49, OP_SLICE = 65, OP_ARG_MIN = 79, OP_UNPACK = 88,
  OP_ZEROS_LIKE = 93, OP_FILL = 94, OP_SPLIT_V = 102, OP_GATHER_ND = 107, OP_BROADCAST_TO = 130
};

/* Element-wise and math ops (k_binary.c, k_unary.c, k_rownorm.c). */
enum {
  OP_FLOOR = 8, OP_L2_NORMALIZATION = 11, OP_DIV = 42, OP_EXP = 47, OP_LOG_SOFTMAX = 50, OP_CAST = 53,
  OP_PRELU = 54, OP_MAXIMUM = 55, OP_MINIMUM = 57, OP_LESS = 58, OP_NEG = 59, OP_GREATER = 61,
  OP_GREATER_EQUAL = 62, OP_LESS_EQUAL = 63, OP_SIN = 66, OP_EQUAL = 71, OP_NOT_EQUAL = 72, OP_LOG = 73,
  OP_SQRT = 75, OP_RSQRT = 76, OP_LOGICAL_OR = 84, OP_LOGICAL_AND = 86, OP_LOGICAL_NOT = 87, OP_SQUARE = 92,
  OP_SQUARED_DIFFERENCE = 99, OP_ABS = 101, OP_CEIL = 104, OP_COS = 108, OP_ELU = 111, OP_ROUND = 116,
  OP_SELECT_V2 = 123, OP_FLOOR_DIV = 90, OP_FLOOR_MOD = 95
};

/* Stateful ops and resource variables (k_svdf.c, k_var.c). */
enum {
  OP_SVDF = 27, OP_IF = 118, OP_WHILE = 119, OP_CALL_ONCE = 129, OP_VAR_HANDLE = 142, OP_READ_VARIABLE = 143,
  OP_ASSIGN_VARIABLE = 144
};

/* Recurrent ops (k_lstm.c, k_lstm_float.c). */
enum { OP_UNIDIRECTIONAL_SEQUENCE_LSTM = 44 };

/* TFLite ActivationFunctionType. */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };

/* Full description of one tensor, decoded from the flatbuffer on demand (on the stack during
 * load); only qs_slot_t is kept in the arena. */
typedef struct {
  const uint8_t *data; /* constant data in the model, or NULL for an activation */
  uint32_t bytes;
  int32_t dims[QS_MAX_DIMS];
  uint8_t ndims;
  uint8_t dtype;
  uint8_t quantized;
  float scale;
  int32_t zp;
  uint32_t nscales;    /* per-channel count (1 = per-tensor) */
  int32_t qdim;        /* quantized_dimension */
  uint32_t scales_pos; /* model offset of the float scale vector (read with memcpy) */
  uint8_t is_variable; /* TFLite variable tensor: state kept across invocations (never constant) */
} qs_tensor_t;

/* Runtime record per tensor (12 bytes). An activation is live from first_op to last_op;
 * first_op == -2 means no op writes it (unused, or a constant). */
typedef struct {
  uint32_t off : 31;     /* activation: offset in the tensor area; constant: offset in the model */
  uint32_t is_const : 1;
  uint32_t bytes;
  int16_t first_op, last_op;
} qs_slot_t;

struct qs_op;
/* Persistent op state (qs_state_alloc): a list in the arena, zeroed at load and by qs_reset_state. */
typedef struct qs_state {
  struct qs_state *next;
  void *data;
  size_t bytes;
} qs_state_t;
typedef void (*qs_eval_fn)(struct qs_model *m, const struct qs_op *op);

/* One record per op (48 bytes on a 32-bit core, 64 on a 64-bit host): widest fields first, so
 * nothing pads (the arena holds one per op). */
typedef struct qs_op {
  uint64_t macs;
  int16_t *in;         /* n_in input tensors (-1: omitted optional input), in the arena */
  int16_t *outs;       /* all n_out outputs (outs[0] == out); multi-output ops (SPLIT, UNPACK) */
  void *params;        /* prepare-time data in the arena */
  qs_eval_fn eval;
  fb_table_t opts;     /* builtin options table (pos 0 if absent) */
  uint32_t ticks;
  int16_t code;        /* builtin code, or the core's code of a custom op (model.c keeps it < 2^15) */
  int16_t out;         /* the first output */
  uint8_t n_in, n_out;
  uint8_t opts_type;
  uint8_t lean; /* 1: run the kernel's lean variant, set by qs_plan where the usual scratch would raise
                 * the arena (QS_LEAN_CAN before: qs_scratch_lean); the record's last padding byte */
} qs_op_t;

struct qs_model {
  const uint8_t *model;
  uint32_t model_len;
  uint8_t *arena;
  size_t arena_len;
  size_t table_used;   /* bytes of arena used by tables + params (bottom) */
  size_t scratch_need; /* largest per-op scratch request */
  uint8_t *scratch;    /* the running op's scratch, in the activation area (set before each eval:
                        * qs_run_op) */
  uint32_t *scratch_at; /* per op (n_ops_all): its scratch's offset in the activation area (qs_plan:
                         * clear of every tensor alive while it runs); NULL when no op has scratch */
  size_t tensor_base;  /* arena offset where activations start */
  size_t tensor_bytes; /* activation area size */
  size_t plan_peak;    /* arena bytes the planner's temporary lists needed */
  qs_slot_t *slots;
  qs_op_t *ops;
  const qs_tensor_t *tc; /* during prepare: the op's first inputs [0..QS_MAX_IO) and output [QS_MAX_IO] */
  fb_vec_t tensor_vec, buffer_vec;
  uint32_t n_tensors, n_ops, n_in, n_out;
  int16_t inputs[QS_MAX_IO];
  int16_t outputs[QS_MAX_IO];
  qs_error_t *err;
  fb_t fb;
  /* Variable tensors (state across invocations): planned as activations alive over the whole
   * invocation, so no other tensor shares their bytes; reset by qs_reset_vars. */
  int16_t *vars;
  uint32_t n_vars;
  qs_state_t *states; /* qs_state_alloc blocks */
  /* Subgraphs after the first, run only by CALL_ONCE (k_var.c): their tensors and ops follow subgraph
   * 0's in slots and ops (n_tensors, n_ops stay subgraph 0's: the API's and the invoke loop's). */
  uint32_t n_tensors_all, n_ops_all, n_subs;
  struct qs_sub *subs; /* [n_subs]; entry 0 describes subgraph 0 */
  struct qs_res *res;  /* resource variables (VAR_HANDLE), in id order */
  const char *halt; /* set by an eval that must stop the invoke (WHILE's iteration bound: k_flow.c) */
  qs_gate_hook gate_hook; /* qs_set_gate_hook (k_lstm.c calls it per step) */
  void *gate_ctx;
};
typedef struct qs_model qs_model_t;

/* TFLite TensorType RESOURCE (13, schema.fbs; VAR_HANDLE's output): 4 bytes here, the resource id as int32. */
#define QS_DT_RESOURCE 13
/* One subgraph: its tensors are slots [tensor_base, tensor_base + n_tensors), its ops
 * ops[op_begin, op_end). */
typedef struct qs_sub {
  fb_vec_t tensor_vec;
  uint32_t tensor_base, n_tensors, op_begin, op_end, n_inputs;
  fb_vec_t in_vec, out_vec; /* its input / output tensor indices (subgraph-local; WHILE, IF: k_flow.c) */
} qs_sub_t;
/* Resource variables after load: every READ_VARIABLE reads one some ASSIGN_VARIABLE sizes (k_var.c). */
QS_COLD qs_status_t qs_var_check(qs_model_t *m);
/* lifetimes.c: first/last op of every tensor, refusing a graph that reads before writing */
qs_status_t qs_lifetimes(qs_model_t *m);
/* k_binary_types.c: input 0's types TFLite Micro's kernel for a binary op `code` accepts */
QS_COLD int qs_binary_type_ok(int32_t code, uint8_t t);
QS_COLD const char *qs_binary_type_msg(int32_t code);
/* Control flow after prepare (k_flow.c): refuses subgraphs that call themselves or nest too deep,
 * and gives each called subgraph's tensors the lifetime of the main-graph ops that run it. */
QS_COLD qs_status_t qs_flow_plan(qs_model_t *m);


/* Error helpers: record and return the status. */
QS_COLD qs_status_t qs_fail(qs_model_t *m, qs_status_t s, int op, int tensor, const char *msg);

/* Bump allocation of prepare-time data (8-byte aligned); NULL + QS_ERR_ARENA on exhaustion. */
QS_COLD void *qs_alloc(qs_model_t *m, size_t bytes);

static inline uint8_t *qs_tdata(qs_model_t *m, int t) {
  const qs_slot_t *x = &m->slots[t];
  return x->is_const ? (uint8_t *)(uintptr_t)(m->model + x->off) : m->arena + m->tensor_base + x->off;
}
static inline uint32_t qs_elems(const qs_tensor_t *t) {
  uint32_t n = 1, i;
  for (i = 0; i < t->ndims; i++) n *= (uint32_t)t->dims[i];
  return n;
}
QS_COLD float qs_scale_at(const qs_model_t *m, const qs_tensor_t *t, uint32_t i);
/* Decode tensor ti from the (already validated) flatbuffer. */
QS_COLD qs_status_t qs_get_tensor(qs_model_t *m, int ti, qs_tensor_t *out);
/* Prepare-time persistent op state (zeroed at load and by qs_reset_state; NULL + QS_ERR_ARENA on
 * exhaustion): for ops that keep state outside tensors. */
QS_COLD void *qs_state_alloc(qs_model_t *m, size_t bytes);
/* Variable tensors back to TFLM's ResetVariableTensor values (int8: zero point; else 0), state
 * blocks to zero. */
void qs_reset_vars(qs_model_t *m);
/* Per-op scratch: ops record their need at prepare (op->ticks holds each op's until qs_plan); qs_plan
 * gives each op its own place in the activation area, like a tensor alive only during that op. */
void qs_scratch(qs_model_t *m, size_t bytes);
/* The op's kernel also has a lean variant that needs no scratch (k_conv_lean.c): qs_plan sets
 * op->lean to 1 where the usual scratch would raise the arena, and the eval then runs it. */
#define QS_LEAN_CAN 2
static inline void qs_scratch_lean(qs_op_t *op) { op->lean = QS_LEAN_CAN; }
/* Every eval runs through here (qs_invoke, WHILE/IF, CALL_ONCE): the op's own scratch first. */
static inline void qs_run_op(qs_model_t *m, const qs_op_t *op) {
  m->scratch = m->scratch_at ? m->arena + m->tensor_base + m->scratch_at[op - m->ops] : NULL;
  op->eval(m, op);
}

/* Per-op prepare: validate, precompute params, set op->eval and op->macs. */
QS_COLD qs_status_t qs_prepare_op(qs_model_t *m, int op_index);
int qs_op_supported(int32_t code);
/* A custom op the core has (k_detect.c): sets op->code (and keeps its options); others stay CUSTOM. */
QS_COLD qs_status_t qs_custom_op(qs_model_t *m, int oi, const fb_table_t *opcode, const fb_table_t *ot, qs_op_t *op);
const char *qs_op_name(int32_t code);

/* Models TFLite Micro itself cannot run (tflm_gaps.c): an op code the core lacks, named (vendor-
 * compiled and other custom ops); and, before the kernels' prepare, the dtype combinations TFLM
 * refuses (legacy uint8, hybrid, uint8 CONCATENATION/CAST/SPLIT/PACK/UNPACK), in TFLM's order. */
/* QS_OK for a builtin code (refused later, in op order); a named refusal for a custom op. */
QS_COLD qs_status_t qs_refuse_unknown_op(qs_model_t *m, int oi, const fb_table_t *opcode, int32_t code);
QS_COLD qs_status_t qs_tflm_gaps(qs_model_t *m);

/* Model parsing and memory planning. */
QS_COLD qs_status_t qs_parse(qs_model_t *m);
QS_COLD qs_status_t qs_plan(qs_model_t *m);
#endif
