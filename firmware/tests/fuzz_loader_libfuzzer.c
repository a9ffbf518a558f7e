/* libFuzzer entry for the model loader (optional; needs clang). See Makefile core-fuzz-libfuzzer. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t arena[256 * 1024];
  fuzz_one(data, size, arena, sizeof(arena));
  return 0;
}
