/*
 * Bounded random-mutation fuzzing of the model loader/validator (and of invoke on mutants
 * that still validate). Seeds are the real fixture models; each iteration applies 1-8
 * mutations (bit flips, random bytes, interesting 32-bit values, truncation, splices),
 * biased towards the flatbuffer tables at both ends of the file. Built with ASan/UBSan:
 * any out-of-bounds read, overflow or trap fails the run.
 * Extra seeds: every *.tflite in $QS_FUZZ_SEEDS (the kernel tests' one-op models, written by
 * `QS_DUMP_SEEDS=dir test_kernels/test_ops`), so kernels no fixture uses are fuzzed too.
 * Usage: fuzz_loader FIXTURES_DIR [MUTATIONS] [SEED]
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "test_util.h"

static const char *k_seeds[] = {
    "models/hello_world_int8.tflite",        "models/micro_speech_quantized.tflite",
    "models/simple_add_model.tflite",         "models/keyword_spotting_on_off.tflite",
    "models/image_example1.tflite",           "models/autoencoder_example.tflite",
    "models/rock_paper_scissors.tflite",      "models/person_detect.tflite",
};
#define N_FIXED (sizeof(k_seeds) / sizeof(k_seeds[0]))
#define MAX_SEEDS 128

static uint32_t rng_state = 1;
static uint32_t rnd(void) {
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static size_t pick_pos(size_t len) {
  switch (rnd() % 3) {
    case 0: return rnd() % len;
    case 1: return rnd() % (len < 4096 ? len : 4096);
    default: return len - 1 - rnd() % (len < 8192 ? len : 8192);
  }
}

static int32_t g_codes[64];
static size_t g_ncodes;

static size_t mutate(uint8_t *buf, size_t len, size_t cap) {
  static const uint32_t interesting[] = {0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x10000,
                                         0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFCu};
  size_t p = pick_pos(len), q;
  uint32_t v;
  switch (rnd() % 7) {
    case 6: /* a supported opcode value: retargets OperatorCode entries to other kernels */
      buf[p] = (uint8_t)g_codes[rnd() % g_ncodes];
      break;
    case 0: buf[p] ^= (uint8_t)(1u << (rnd() % 8)); break;
    case 1: buf[p] = (uint8_t)rnd(); break;
    case 2:
      if (p + 4 > len) break;
      v = rnd() % 4 ? interesting[rnd() % (sizeof(interesting) / 4)] : (uint32_t)(len - p + (rnd() % 9) - 4);
      memcpy(buf + p, &v, 4);
      break;
    case 3: buf[p] = (uint8_t)(buf[p] + (rnd() % 5) - 2); break;
    case 4: /* truncate */
      if (len > 16) return 16 + rnd() % (len - 16);
      break;
    default: /* copy a chunk within the file (duplicated tables, vectors) */
      q = pick_pos(len);
      v = rnd() % 64;
      if (p + v <= cap && q + v <= len) memmove(buf + p, buf + q, v);
      break;
  }
  return len;
}

int main(int argc, char **argv) {
  const char *fixtures = argc > 1 ? argv[1] : tu_fixtures();
  long iters = argc > 2 ? atol(argv[2]) : 20000;
  uint8_t *seeds[MAX_SEEDS], *buf, *arena;
  size_t lens[MAX_SEEDS], maxlen = 0, i, N_SEEDS = N_FIXED;
  const char *extra = getenv("QS_FUZZ_SEEDS");
  long it, loaded = 0, loaded_seed = 0;
  const size_t arena_cap = 256 * 1024;
  rng_state = argc > 3 ? (uint32_t)atol(argv[3]) : 1;
  g_ncodes = qs_supported_ops(g_codes, 64);
  if (g_ncodes > 64) g_ncodes = 64;
  if (rng_state == 0) rng_state = 1;
  for (i = 0; i < N_FIXED; i++) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", fixtures, k_seeds[i]);
    if (!(seeds[i] = tu_read_file(path, &lens[i]))) return 2;
    if (lens[i] > maxlen) maxlen = lens[i];
  }
  if (extra && *extra) {
    DIR *d = opendir(extra);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && N_SEEDS < MAX_SEEDS) {
      char path[1024];
      size_t nl = strlen(e->d_name);
      if (nl < 8 || strcmp(e->d_name + nl - 7, ".tflite") != 0) continue;
      snprintf(path, sizeof(path), "%s/%s", extra, e->d_name);
      if (!(seeds[N_SEEDS] = tu_read_file(path, &lens[N_SEEDS]))) return 2;
      if (lens[N_SEEDS] > maxlen) maxlen = lens[N_SEEDS];
      N_SEEDS++;
    }
    if (d) closedir(d);
  }
  buf = (uint8_t *)malloc(maxlen);
  arena = (uint8_t *)malloc(arena_cap);
  /* every unmutated seed must load */
  for (i = 0; i < N_SEEDS; i++) loaded_seed += fuzz_one(seeds[i], lens[i], arena, arena_cap);
  if (loaded_seed != (long)N_SEEDS) {
    printf("fuzz_loader: only %ld of %zu seed models load\n", loaded_seed, N_SEEDS);
    for (i = 0; i < N_SEEDS; i++) free(seeds[i]); /* so the message is not buried under a leak report */
    free(buf);
    free(arena);
    return 1;
  }
  for (it = 0; it < iters; it++) {
    size_t s = rnd() % N_SEEDS, len = lens[s], n = 1 + rnd() % 8, arena_len = arena_cap, k;
    uint8_t *model;
    memcpy(buf, seeds[s], len);
    for (k = 0; k < n; k++) len = mutate(buf, len, lens[s]);
    if (rnd() % 16 == 0) arena_len = rnd() % arena_cap; /* exercise arena exhaustion */
    /* exact-size heap copy so ASan catches any read past the end */
    model = (uint8_t *)malloc(len);
    memcpy(model, buf, len);
    loaded += fuzz_one(model, len, arena, arena_len);
    free(model);
  }
  printf("fuzz_loader: %zu seeds, %ld mutations, %ld still valid, no crash or sanitizer report\n", N_SEEDS, iters,
         loaded);
  for (i = 0; i < N_SEEDS; i++) free(seeds[i]);
  free(buf);
  free(arena);
  return 0;
}
