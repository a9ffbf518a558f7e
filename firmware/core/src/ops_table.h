/* The kernel registry's entry (code -> name, prepare, dtype families): the table is in
 * ops_table.c, the lookups and qs_prepare_op's dispatch in ops.c. */
#ifndef QS_OPS_TABLE_H
#define QS_OPS_TABLE_H
#include "ops.h"

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

extern const op_entry_t qs_k_ops[];
extern const size_t qs_n_ops;

#endif
