#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *tu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (uint8_t *)malloc(n > 0 ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static int rd32(const uint8_t *raw, size_t len, size_t *pos, uint32_t *v) {
  if (*pos + 4 > len) return -1;
  *v = (uint32_t)raw[*pos] | ((uint32_t)raw[*pos + 1] << 8) | ((uint32_t)raw[*pos + 2] << 16) |
       ((uint32_t)raw[*pos + 3] << 24);
  *pos += 4;
  return 0;
}

static int rd_tensors(const uint8_t *raw, size_t len, size_t *pos, tu_tensor_t *t, uint32_t *n, uint32_t max) {
  uint32_t i, v;
  if (rd32(raw, len, pos, n) || *n > max) return -1;
  for (i = 0; i < *n; i++) {
    if (rd32(raw, len, pos, &v)) return -1;
    t[i].tensor = (int32_t)v;
    if (rd32(raw, len, pos, &t[i].len) || *pos + t[i].len > len) return -1;
    t[i].data = raw + *pos;
    *pos += t[i].len;
  }
  return 0;
}

int tu_read_golden(const char *path, tu_golden_t *g) {
  size_t len, pos = 4;
  uint32_t n;
  memset(g, 0, sizeof(*g));
  if (!(g->raw = tu_read_file(path, &len))) return -1;
  if (len < 8 || memcmp(g->raw, "QSG1", 4) != 0 || rd32(g->raw, len, &pos, &n) || n >= sizeof(g->model) ||
      pos + n > len) {
    fprintf(stderr, "%s: not a QSG1 golden file\n", path);
    return -1;
  }
  memcpy(g->model, g->raw + pos, n);
  pos += n;
  if (rd_tensors(g->raw, len, &pos, g->in, &g->n_in, 16) ||
      rd_tensors(g->raw, len, &pos, g->out, &g->n_out, TU_MAX_GOLDEN)) {
    fprintf(stderr, "%s: truncated golden file\n", path);
    return -1;
  }
  return 0;
}

const char *tu_fixtures(void) {
  const char *e = getenv("QS_FIXTURES");
  return e && *e ? e : "../../shared/fixtures";
}
