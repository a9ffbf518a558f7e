/* Small helpers shared by the host tests (file loading, golden reader). Tests may malloc;
 * the core never does. */
#ifndef QS_TEST_UTIL_H
#define QS_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

uint8_t *tu_read_file(const char *path, size_t *len); /* NULL + message on failure */

typedef struct {
  int32_t tensor;
  uint32_t len;
  const uint8_t *data;
} tu_tensor_t;

#define TU_MAX_GOLDEN 256
typedef struct {
  char model[256];
  uint32_t n_in, n_out;
  tu_tensor_t in[16];
  tu_tensor_t out[TU_MAX_GOLDEN];
  uint8_t *raw;
} tu_golden_t;

int tu_read_golden(const char *path, tu_golden_t *g); /* 0 ok */
const char *tu_fixtures(void);                        /* $QS_FIXTURES or ../../shared/fixtures */
#endif
