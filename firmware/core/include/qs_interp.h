/*
 * QuantScope firmware core: a portable C99 int8 (and float32) interpreter for .tflite models.
 *
 * The board receives the .tflite flatbuffer itself. qs_load() validates it completely
 * (every offset bounds-checked, every op's types/shapes/quantization checked) and lays out
 * all interpreter state plus the activation tensors in a caller-provided arena. No malloc.
 *
 * Lifetime: the model buffer must stay valid and unchanged while the interpreter is used
 * (weights are read from it in place). The arena belongs to the interpreter until the next
 * qs_load().
 *
 * Tensor memory is shared by lifetime: an input tensor's bytes may be overwritten by later
 * ops, so write the inputs again before every qs_invoke(). Output tensors stay valid after
 * qs_invoke() until the next one. Intermediate op outputs are only valid inside the hook.
 */
#ifndef QS_INTERP_H
#define QS_INTERP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QS_CORE_VERSION_MAJOR 1
#define QS_CORE_VERSION_MINOR 0

/* Compile-time limits (override with -D). Larger models are rejected with QS_ERR_LIMIT. */
#ifndef QS_MAX_TENSORS
#define QS_MAX_TENSORS 512
#endif
#ifndef QS_MAX_OPS
#define QS_MAX_OPS 256
#endif
#ifndef QS_MAX_IO
#define QS_MAX_IO 8 /* graph inputs, graph outputs, and inputs of one op */
#endif
#define QS_MAX_DIMS 6
#ifndef QS_MAX_OP_OUTPUTS
#ifndef QS_MAX_OP_INPUTS
#define QS_MAX_OP_INPUTS 24 /* inputs of one op (UNIDIRECTIONAL_SEQUENCE_LSTM has 24) */
#endif
#define QS_MAX_OP_OUTPUTS 64 /* outputs of one op (SPLIT, UNPACK) */
#endif

/* float32 kernels (CONV_2D, FULLY_CONNECTED, pools, element-wise, activations, SOFTMAX, MEAN)
 * beside the int8 ones. Integer-only targets build with -DQS_WITH_FLOAT=0: a float32 op is then
 * refused at load with QS_ERR_UNSUPPORTED (QUANTIZE float32 -> int8, DEQUANTIZE int8 -> float32
 * and the data-movement ops stay in every build). */
#ifndef QS_WITH_FLOAT
#define QS_WITH_FLOAT 1
#endif
/* int16x8 kernels (int16 activations, int8 weights, int64 or int32 bias: CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, TRANSPOSE_CONV, ADD, SUB). Boards short of flash build with -DQS_WITH_INT16=0: an
 * int16 op is then refused at load with QS_ERR_UNSUPPORTED. */
#ifndef QS_WITH_INT16
#define QS_WITH_INT16 1
#endif

typedef enum {
  QS_OK = 0,
  QS_ERR_ARG = 1,         /* NULL pointer, bad index, call in the wrong state */
  QS_ERR_FORMAT = 2,      /* malformed flatbuffer: offset/length out of bounds, bad vtable */
  QS_ERR_SCHEMA = 3,      /* well-formed flatbuffer but not a usable TFLite model */
  QS_ERR_UNSUPPORTED = 4, /* op, option or tensor type this core does not implement */
  QS_ERR_TYPE = 5,        /* tensor type not valid for the op */
  QS_ERR_SHAPE = 6,       /* tensor shapes inconsistent for the op */
  QS_ERR_QUANT = 7,       /* missing or invalid quantization parameters */
  QS_ERR_ARENA = 8,       /* arena too small (qs_error_t.needed says how much) */
  QS_ERR_LIMIT = 9,       /* exceeds a compile-time limit (QS_MAX_*) */
  QS_ERR_STATE = 10       /* qs_invoke before a successful qs_load */
} qs_status_t;

/* Values are TFLite's TensorType enum. */
typedef enum {
  QS_DT_FLOAT32 = 0,
  QS_DT_INT32 = 2,
  QS_DT_UINT8 = 3,
  QS_DT_INT64 = 4,
  QS_DT_BOOL = 6,
  QS_DT_INT16 = 7,
  QS_DT_INT8 = 9,
  QS_DT_UINT64 = 12, /* signal-library ops (SignalFilterBank) */
  QS_DT_UINT32 = 15  /* signal-library ops (SignalEnergy, SignalPCAN...) and CAST */
} qs_dtype_t;

typedef struct {
  qs_status_t status;
  int op;          /* operator index that failed, or -1 */
  int tensor;      /* tensor index that failed, or -1 */
  const char *msg; /* static English detail, never NULL */
  size_t needed;   /* for QS_ERR_ARENA: arena bytes required */
} qs_error_t;

typedef struct {
  qs_dtype_t dtype;
  int ndims;
  int32_t dims[QS_MAX_DIMS];
  float scale;        /* first scale if per-channel; 0 if not quantized */
  int32_t zero_point; /* first zero point */
  size_t bytes;       /* element count * element size */
  int is_constant;    /* 1 if the data comes from a model buffer */
} qs_tensor_info_t;

typedef struct {
  int32_t builtin_code; /* TFLite BuiltinOperator */
  const char *name;     /* e.g. "CONV_2D" */
  int output_tensor;    /* first output */
  int output_count;     /* outputs (several for SPLIT, SPLIT_V, UNPACK): see qs_op_output */
  int input_count;
  int inputs[QS_MAX_IO]; /* tensor indices, -1 for an omitted optional input (the first QS_MAX_IO
                         * of input_count: LSTM has 24) */
  uint64_t macs;         /* multiply-accumulates (0 for ops without MACs) */
} qs_op_info_t;

struct qs_model;
/* Caller-allocated handle. All other state lives in the arena. */
typedef struct {
  struct qs_model *m;
  qs_error_t err;
} qs_interp_t;

/* Parse + validate + plan. On failure interp->err (see qs_last_error) names op/tensor. */
qs_status_t qs_load(qs_interp_t *ip, const uint8_t *model, size_t model_len, uint8_t *arena,
                    size_t arena_len);

size_t qs_input_count(const qs_interp_t *ip);
size_t qs_output_count(const qs_interp_t *ip);
size_t qs_op_count(const qs_interp_t *ip);
size_t qs_tensor_count(const qs_interp_t *ip);
int qs_input_tensor(const qs_interp_t *ip, int i);  /* tensor index of graph input i, -1 if bad */
int qs_output_tensor(const qs_interp_t *ip, int i); /* tensor index of graph output i */

qs_status_t qs_tensor_info(const qs_interp_t *ip, int tensor, qs_tensor_info_t *out);
qs_status_t qs_op_info(const qs_interp_t *ip, int op, qs_op_info_t *out);
/* Tensor index of output k of op `op` (-1 if either index is bad). */
int qs_op_output(const qs_interp_t *ip, int op, int k);

/* Buffers of graph input i / output i (NULL if the index is bad or nothing is loaded). */
uint8_t *qs_input_data(qs_interp_t *ip, int i);
const uint8_t *qs_output_data(const qs_interp_t *ip, int i);

/* Called after each op once per output (in output order; most ops have one) with the output
 * tensor's bytes and the ticks the op took. */
typedef void (*qs_op_hook)(void *ctx, int op_index, int tensor_index, const uint8_t *data,
                           size_t len, uint32_t ticks);

/* Gate taps of the recurrent ops (the host simulator's per-gate view): after each time step of each
 * batch row of a UNIDIRECTIONAL_SEQUENCE_LSTM, the hook gets its four gate activations (forget,
 * input, cell, output gate: n values each, in that order) and the updated cell state (n values).
 * dtype QS_DT_INT16: gates in steps of 2^-15, the cell state in its tensor's scale; QS_DT_FLOAT32:
 * real values. Valid only during the call. NULL (the default after qs_load) turns it off. */
typedef void (*qs_gate_hook)(void *ctx, int op_index, int step, int batch, const void *gates, const void *cell, int n,
                             qs_dtype_t dtype);
qs_status_t qs_set_gate_hook(qs_interp_t *ip, qs_gate_hook hook, void *ctx);

/* Variable tensors (LSTM/SVDF state) and op state keep their values from one qs_invoke to the
 * next, as TFLite Micro's do: a stream of invocations sees the state the previous left. qs_load
 * sets them as TFLM's ResetVariableTensors does (int8: the zero point; other types: 0), and so does
 * qs_reset_state (TFLM: MicroInterpreter::Reset). */
qs_status_t qs_reset_state(qs_interp_t *ip);

/* All of that state as bytes (variable tensors, then op state blocks; 0 for a stateless model), so a
 * board can snapshot it before a stream frame and put it back when the same frame is asked again
 * (a retried INVOKE must not advance the state twice). save: cap >= qs_state_bytes, else
 * QS_ERR_ARG; restore: len == qs_state_bytes, else QS_ERR_ARG. */
size_t qs_state_bytes(const qs_interp_t *ip);
qs_status_t qs_state_save(const qs_interp_t *ip, uint8_t *dst, size_t cap);
qs_status_t qs_state_restore(qs_interp_t *ip, const uint8_t *src, size_t len);

/* Run all ops. hook may be NULL. Ticks come from qs_port_ticks(). */
qs_status_t qs_invoke(qs_interp_t *ip, qs_op_hook hook, void *ctx);
/* Ticks of op i in the last qs_invoke (0 before the first). */
uint32_t qs_op_ticks(const qs_interp_t *ip, int op);

const char *qs_status_str(qs_status_t s);
const qs_error_t *qs_last_error(const qs_interp_t *ip);

size_t qs_arena_used(const qs_interp_t *ip);       /* total: tables + tensors */
size_t qs_arena_tensor_bytes(const qs_interp_t *ip); /* activation part of it */

/* Builtin codes this core implements (for the handshake). Returns count; fills up to max. */
size_t qs_supported_ops(int32_t *codes, size_t max);

/* Activation dtype families (of an op's input 0 and output; the board's HELLO, docs/ops.md). */
#define QS_FAM_INT8 0x01u
#define QS_FAM_INT16 0x02u
#define QS_FAM_FLOAT32 0x04u
#define QS_FAM_OTHER 0x08u /* declared, for other types only (bool, int32): none of the three */
/* The families builtin op `code` has kernels for in this build (low nibble), and those its entry
 * declares but this build leaves out (the same bits << 4). 0: the core lacks the op, or its entry
 * declares nothing. */
uint8_t qs_op_dtypes(int32_t code);
/* QS_FAM_* whose kernels this build compiles in (QS_WITH_FLOAT, QS_WITH_INT16; int8 always). */
uint8_t qs_build_families(void);
/* Entry i of the kernel registry (0 <= i < qs_supported_ops(NULL, 0)); 0 past the end. */
typedef struct {
  int32_t code;     /* TFLite BuiltinOperator (32: a custom op, named by `name`) */
  const char *name; /* e.g. "CONV_2D" */
  uint8_t dtypes;   /* as qs_op_dtypes */
} qs_op_entry_info_t;
int qs_registry_entry(size_t i, qs_op_entry_info_t *out);

#ifdef __cplusplus
}
#endif
#endif
