/* Run one candidate model through the loader and, if it validates and is small, through
 * invoke: a validated model must never fault in the kernels either. Shared by the bounded
 * mutation harness and the libFuzzer entry. Returns 1 if the model loaded. */
#ifndef QS_FUZZ_COMMON_H
#define QS_FUZZ_COMMON_H

#include <string.h>

#include "qs_interp.h"

#define FUZZ_MAX_MACS 300000u

static int fuzz_one(const uint8_t *model, size_t len, uint8_t *arena, size_t arena_len) {
  qs_interp_t ip;
  uint64_t macs = 0;
  size_t i;
  qs_status_t s = qs_load(&ip, model, len, arena, arena_len);
  const qs_error_t *e = qs_last_error(&ip);
  if (!e || !e->msg) __builtin_trap(); /* every outcome must carry a message */
  if (s != QS_OK) {
    if (qs_invoke(&ip, NULL, NULL) != QS_ERR_STATE) __builtin_trap(); /* failed load stays unusable */
    return 0;
  }
  for (i = 0; i < qs_op_count(&ip); i++) {
    qs_op_info_t info;
    qs_op_info(&ip, (int)i, &info);
    macs += info.macs;
  }
  if (macs <= FUZZ_MAX_MACS) {
    for (i = 0; i < qs_input_count(&ip); i++) {
      qs_tensor_info_t ti;
      qs_tensor_info(&ip, qs_input_tensor(&ip, (int)i), &ti);
      memset(qs_input_data(&ip, (int)i), (int)(i * 37 + 11), ti.bytes);
    }
    qs_invoke(&ip, NULL, NULL);
  }
  return 1;
}
#endif
