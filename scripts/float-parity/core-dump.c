/*
 * One-off driver for scripts/float-parity/parity.mts: run a model through the native core and
 * dump every op output.
 *   core-dump MODEL.tflite INPUTS.bin OUT.bin
 * INPUTS.bin holds each graph input's raw bytes in order. OUT.bin gets, per op in execution
 * order: i32 op index, i32 tensor index, u32 byte count, bytes (little-endian host).
 * Exit 3 (message on stdout) when the core refuses the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_interp.h"

#define ARENA_BYTES (256u << 20)

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (uint8_t *)malloc(n > 0 ? (size_t)n : 1u);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void hook(void *ctx, int op, int tensor, const uint8_t *data, size_t len, uint32_t ticks) {
  FILE *f = (FILE *)ctx;
  int32_t hdr[3];
  (void)ticks;
  hdr[0] = op, hdr[1] = tensor, hdr[2] = (int32_t)len;
  fwrite(hdr, 4, 3, f);
  fwrite(data, 1, len, f);
}

int main(int argc, char **argv) {
  size_t model_len, in_len, off = 0, i;
  uint8_t *model, *inputs, *arena;
  qs_interp_t ip;
  qs_status_t s;
  FILE *out;
  if (argc != 4) {
    fprintf(stderr, "usage: core-dump MODEL INPUTS.bin OUT.bin\n");
    return 2;
  }
  model = read_all(argv[1], &model_len);
  inputs = read_all(argv[2], &in_len);
  arena = (uint8_t *)malloc(ARENA_BYTES);
  if (!model || !inputs || !arena) {
    fprintf(stderr, "cannot read %s or %s\n", argv[1], argv[2]);
    return 2;
  }
  s = qs_load(&ip, model, model_len, arena, ARENA_BYTES);
  if (s != QS_OK) {
    const qs_error_t *e = qs_last_error(&ip);
    printf("%s (op %d, tensor %d): %s\n", qs_status_str(s), e->op, e->tensor, e->msg);
    return 3;
  }
  for (i = 0; i < qs_input_count(&ip); i++) {
    qs_tensor_info_t ti;
    qs_tensor_info(&ip, qs_input_tensor(&ip, (int)i), &ti);
    if (off + ti.bytes > in_len) {
      fprintf(stderr, "INPUTS.bin too short\n");
      return 2;
    }
    memcpy(qs_input_data(&ip, (int)i), inputs + off, ti.bytes);
    off += ti.bytes;
  }
  if (!(out = fopen(argv[3], "wb"))) return 2;
  qs_invoke(&ip, hook, out);
  fclose(out);
  free(model);
  free(inputs);
  free(arena);
  return 0;
}
