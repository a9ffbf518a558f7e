/* The input types TFLite Micro's binary / comparison / logical kernels accept, and the refusal
 * naming them (k_binary.c's prepare). */
#include "ops.h"

static int is_int(uint8_t t) { return t == QS_DT_INT8 || t == QS_DT_INT16 || t == QS_DT_INT32 || t == QS_DT_INT64; }

/* Which input types TFLite Micro's kernel for `code` accepts (input 0; `x` of SELECT_V2). */
int qs_binary_type_ok(int32_t code, uint8_t t) {
  switch (code) {
    case OP_SQUARED_DIFFERENCE: return t == QS_DT_FLOAT32 || t == QS_DT_INT32 || t == QS_DT_INT8 || t == QS_DT_INT16;
    case OP_MAXIMUM: case OP_MINIMUM: return t == QS_DT_FLOAT32 || is_int(t);
    case OP_DIV: return t == QS_DT_FLOAT32 || t == QS_DT_INT32 || t == QS_DT_INT8;
    case OP_PRELU: return t == QS_DT_FLOAT32 || t == QS_DT_INT8 || t == QS_DT_INT16;
    case OP_EQUAL: case OP_NOT_EQUAL:
      return t == QS_DT_BOOL || t == QS_DT_FLOAT32 || t == QS_DT_INT32 || t == QS_DT_INT64 || t == QS_DT_INT8;
    case OP_LESS: case OP_LESS_EQUAL: case OP_GREATER: case OP_GREATER_EQUAL:
      /* GREATER int16 is in TFLM's switch but its prepare never sets the int16 scaling: left out */
      return t == QS_DT_FLOAT32 || t == QS_DT_INT32 || t == QS_DT_INT64 || t == QS_DT_INT8;
    case OP_LOGICAL_AND: case OP_LOGICAL_OR: return t == QS_DT_BOOL;
    case OP_FLOOR_DIV: case OP_FLOOR_MOD: return t == QS_DT_FLOAT32;
    default: /* OP_SELECT_V2 */ return t == QS_DT_FLOAT32 || t == QS_DT_INT8 || t == QS_DT_INT16;
  }
}

/* The refusal names the input types TFLite Micro's kernel takes. */
const char *qs_binary_type_msg(int32_t code) {
  switch (code) {
    case OP_SQUARED_DIFFERENCE: return "input type not supported: SQUARED_DIFFERENCE takes float32, int32, int8 or int16 (as TFLite Micro)";
    case OP_MAXIMUM: case OP_MINIMUM: return "input type not supported: MAXIMUM / MINIMUM take float32, int8, int16, int32 or int64 (as TFLite Micro)";
    case OP_DIV: return "input type not supported: DIV takes float32, int32 or int8 (as TFLite Micro)";
    case OP_PRELU: return "input type not supported: PRELU takes float32, int8 or int16 (as TFLite Micro)";
    case OP_EQUAL: case OP_NOT_EQUAL: return "input type not supported: EQUAL / NOT_EQUAL take bool, float32, int32, int64 or int8 (as TFLite Micro)";
    case OP_LOGICAL_AND: case OP_LOGICAL_OR: return "input type not supported: LOGICAL_AND / LOGICAL_OR take bool";
    case OP_FLOOR_DIV: case OP_FLOOR_MOD: return "input type not supported: FLOOR_DIV / FLOOR_MOD take float32 only (as TFLite Micro)";
    case OP_SELECT_V2: return "input type not supported: SELECT_V2 takes float32, int8 or int16 values (as TFLite Micro)";
    default: return "input type not supported: LESS / LESS_EQUAL / GREATER / GREATER_EQUAL take float32, int32, int64 or int8 (as TFLite Micro)";
  }
}
