/*
 * Test-only .tflite writer: builds small, valid TFLite flatbuffers from a plain description
 * so kernel and loader tests can state exact shapes, quantization, weights and options.
 * Back-to-front like the FlatBuffers builder: children first, so every uoffset points forward.
 */
#ifndef QS_TFL_BUILD_H
#define QS_TFL_BUILD_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int ndims;
  int32_t dims[6];
  int type;           /* TFLite TensorType */
  int nscales;        /* 0 = not quantized */
  float scales[16];
  int64_t zps[16];
  int qdim;
  const void *data; /* constant data or NULL */
  size_t data_len;
  int is_variable; /* TFLite is_variable: state kept across invocations (LSTM/SVDF) */
} tb_tensor_t;

typedef struct {
  int field;
  int size; /* 1 (u8/bool) or 4 (i32/f32) */
  int32_t ival;
  float fval; /* used when is_float */
  int is_float;
  const char *sval; /* a string option (VAR_HANDLE's names) when not NULL */
} tb_opt_t;

typedef struct {
  int code;
  int nin;
  int in[24]; /* UNIDIRECTIONAL_SEQUENCE_LSTM has 24 inputs */
  int out;
  int nout;    /* 0: the single output `out`; else outs[0..nout) (SPLIT, UNPACK) */
  int outs[8];
  int opt_type; /* BuiltinOptions union type, 0 = none */
  int nopt;
  tb_opt_t opts[8];
  const char *custom_code;     /* a custom op (code 32): its name, and its FlexBuffers options */
  const uint8_t *custom_opts;  /* (tb_flex_map) or NULL */
  size_t custom_opts_len;
} tb_op_t;

typedef struct {
  int ntensors, nops, nin, nout;
  tb_tensor_t t[32];
  tb_op_t op[8];
  int inputs[4], outputs[4];
  const void *sub; /* NULL, or the next subgraph (a tb_model_t; its own sub the one after: 6 at most) */
} tb_model_t;

/* One entry of a FlexBuffers map of integers or bools (custom-op options). */
typedef struct {
  const char *key;
  int32_t val;
  int is_bool;
} tb_flex_kv_t;

/* A FlexBuffers map of n entries (4-byte widths, keys sorted as the FlexBuffers builder sorts
 * them) into out (cap bytes); returns its length, 0 if cap is too small. */
size_t tb_flex_map(const tb_flex_kv_t *kv, int n, uint8_t *out, size_t cap);

/* Writes the model into out (cap bytes); returns its length, 0 if cap is too small. */
size_t tb_write(const tb_model_t *m, uint8_t *out, size_t cap);
#endif
