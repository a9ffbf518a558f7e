/*
 * qs-verdict: the interpreter core's accept/refuse verdict for model files, built from the same
 * core sources and flags as the virtual board (port/ports.mk, target `verdict`). One line per
 * model on stdout:
 *   <file>\t<status>\t<op>\t<tensor>\t<message>
 * status is the qs_status_t name without QS_ERR_ (OK, FORMAT, SCHEMA, ...); op and tensor are
 * -1 when the core names none.
 *
 * Arena: grown like the WebAssembly host does (port/wasm/qs_wasm.c): start at 64 KiB and, while
 * the core answers QS_ERR_ARENA with a larger `needed`, at least double, up to 2 GiB. So the
 * verdict is the one of an unlimited host, not of a board's fixed arena.
 *
 * Usage: qs-verdict [--arena BYTES] FILE|DIR...   (a directory stands for its *.tflite files, in
 * name order). --arena: one fixed arena of that size, no growth: the verdict of a board with that
 * arena (the virtual board's --arena).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_interp.h"

#define ARENA_FIRST ((size_t)64 * 1024)
#define ARENA_MAX ((size_t)1 << 31)
#define ARENA_ROUNDS 40

static size_t g_fixed_arena; /* --arena: one load with this arena, no growth */

static const char *status_name(qs_status_t s) {
  static const char *const names[] = {"OK",    "ARG",   "FORMAT", "SCHEMA", "UNSUPPORTED", "TYPE",
                                      "SHAPE", "QUANT", "ARENA",  "LIMIT",  "STATE"};
  return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

/* Whole file into a malloc'd buffer (at least 1 byte allocated, so an empty file is a valid,
 * empty model). Returns NULL on an I/O error. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    buf = (uint8_t *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    }
    *len = (size_t)n;
  }
  fclose(f);
  return buf;
}

/* The model is copied into an exact-size buffer so ASan sees any read past its end. */
static void judge(const char *path) {
  size_t len = 0, want = g_fixed_arena ? g_fixed_arena : ARENA_FIRST;
  uint8_t *file = read_file(path, &len), *model, *arena = NULL;
  qs_interp_t ip;
  qs_status_t s = QS_ERR_ARENA;
  int round;
  if (!file) {
    fprintf(stderr, "qs-verdict: cannot read %s\n", path);
    exit(2);
  }
  model = (uint8_t *)malloc(len ? len : 1);
  if (!model) exit(2);
  memcpy(model, file, len);
  free(file);
  memset(&ip, 0, sizeof ip);
  for (round = 0; round < ARENA_ROUNDS; round++) {
    free(arena);
    arena = (uint8_t *)malloc(want);
    if (!arena) {
      printf("%s\tARENA\t-1\t-1\tthe host could not allocate the arena this model needs\n", path);
      free(model);
      return;
    }
    s = qs_load(&ip, model, len, arena, want);
    if (g_fixed_arena || s != QS_ERR_ARENA || ip.err.needed <= want || ip.err.needed > ARENA_MAX) break;
    /* tables report the allocation that failed, not the total: at least double each round */
    want = ip.err.needed > 2 * want ? ip.err.needed + 64 : 2 * want;
  }
  printf("%s\t%s\t%d\t%d\t%s\n", path, status_name(s), s == QS_OK ? -1 : ip.err.op,
         s == QS_OK ? -1 : ip.err.tensor, s == QS_OK ? "ok" : ip.err.msg);
  free(arena);
  free(model);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), t = strlen(tail);
  return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Judge every *.tflite of a directory in name order; returns 0 if path is not a directory. */
static int judge_dir(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0, i;
  if (!d) return 0;
  while ((e = readdir(d)) != NULL) {
    if (!ends_with(e->d_name, ".tflite")) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 256;
      names = (char **)realloc(names, cap * sizeof *names);
      if (!names) exit(2);
    }
    names[n] = (char *)malloc(strlen(path) + strlen(e->d_name) + 2);
    if (!names[n]) exit(2);
    sprintf(names[n], "%s/%s", path, e->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, by_name);
  for (i = 0; i < n; i++) {
    judge(names[i]);
    free(names[i]);
  }
  free(names);
  return 1;
}

int main(int argc, char **argv) {
  int i = 1;
  if (argc > 2 && strcmp(argv[1], "--arena") == 0) {
    g_fixed_arena = strtoul(argv[2], NULL, 0);
    i = 3;
  }
  if (i >= argc || (i == 3 && g_fixed_arena == 0)) {
    fprintf(stderr, "usage: qs-verdict [--arena BYTES] FILE|DIR...\n");
    return 2;
  }
  for (; i < argc; i++)
    if (!judge_dir(argv[i])) judge(argv[i]);
  return 0;
}
