/* Bounded mutation fuzzing of the SL_PARAMSv1 reader and the normalizer (run under ASan/UBSan).
 * Seeds: the dictionaries of rock_paper_scissors / keyword_spotting_on_off, all_types.bin, and the
 * whole rps model. Each mutant lives in an exact-size heap buffer, so any read past its end is an
 * ASan error. Usage: params_fuzz FIXTURES GENDIR ITERATIONS SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_normalize.h"
#include "qs_params.h"
#include "test_util.h"

static uint32_t rng_state;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

typedef struct {
  uint8_t *b;
  size_t n;
  int is_model;
} seed_t;

static void mutate(uint8_t *b, size_t n) {
  static const uint32_t words[] = {0, 1, 4, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFu, 64};
  int k, muts = 1 + (int)(rnd() % 4);
  for (k = 0; k < muts && n > 0; k++) {
    size_t at = rnd() % n;
    switch (rnd() % 5) {
      case 0: b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 1: b[at] = (uint8_t)rnd(); break;
      case 2: b[at] = (rnd() & 1) ? 0xFF : 0x00; break;
      case 3: { /* plausible-but-wrong offsets/lengths: sizes near the buffer's */
        uint32_t w = (rnd() & 1) ? words[rnd() % 8] : (uint32_t)(n - (rnd() % 8));
        size_t i;
        for (i = 0; i < 4 && at + i < n; i++) b[at + i] = (uint8_t)(w >> (8 * i));
        break;
      }
      default: b[at] = (uint8_t)(b[at] + 1 - 2 * (rnd() & 1)); break;
    }
  }
}

/* Reads everything a user could read; results are ignored, only memory safety matters. */
static unsigned exercise(const qs_params_t *p) {
  unsigned i, j, got = 0;
  for (i = 0; i < p->n_entries && i < 4096; i++) {
    const char *key, *s;
    uint32_t n;
    int type, b;
    qs_param_t v;
    int64_t i64;
    double d;
    if (qs_params_entry(p, i, &key, &n, &type) != QS_PARAMS_OK) continue;
    got += qs_params_get(p, key, &v) == QS_PARAMS_OK;
    (void)qs_params_get_bool(p, key, &b);
    (void)qs_params_get_int64(p, key, &i64);
    (void)qs_params_get_double(p, key, &d);
    (void)qs_params_get_string(p, key, &s, &n);
    if (qs_params_get(p, key, &v) == QS_PARAMS_OK) {
      for (j = 0; j < v.count && j < 256; j++) {
        volatile int32_t x = qs_param_i32_at(&v, j);
        volatile float f = qs_param_f32_at(&v, j);
        (void)x, (void)f;
        if (qs_param_str_at(p, &v, j, &s, &n) == QS_PARAMS_OK) got += s[n] == 0;
        if (v.type == QS_PARAM_BIN) got += v.data[j] & 1;
      }
    }
  }
  {
    qs_norm_t nm;
    static const uint8_t raw[6] = {1, 2, 3, 250, 0, 9};
    float out[6];
    qs_norm_target_t t = {QS_RAW_FLOAT32, 0, 0};
    if (qs_norm_from_params(p, &nm) == QS_NORM_OK)
      got += qs_normalize(&nm, raw, QS_RAW_UINT8, 6, &t, out, 0) == QS_NORM_OK;
  }
  return got;
}

int main(int argc, char **argv) {
  const char *fixtures = argc > 1 ? argv[1] : tu_fixtures();
  const char *gen = argc > 2 ? argv[2] : "build/params";
  long iters = argc > 3 ? atol(argv[3]) : 20000, it;
  char path[1024];
  static const char *models[] = {"rock_paper_scissors", "keyword_spotting_on_off"};
  seed_t seeds[5];
  int ns = 0, i;
  unsigned long ok = 0, reads = 0;
  rng_state = argc > 4 ? (uint32_t)atol(argv[4]) : 1u;
  if (!rng_state) rng_state = 1;
  for (i = 0; i < 2; i++) {
    size_t len;
    qs_params_t p;
    snprintf(path, sizeof path, "%s/models/%s.tflite", fixtures, models[i]);
    uint8_t *m = tu_read_file(path, &len);
    if (!m || qs_params_find(&p, m, len) != QS_PARAMS_OK) return 2;
    seeds[ns].b = malloc(p.len);
    memcpy(seeds[ns].b, p.dict, p.len);
    seeds[ns].n = p.len;
    seeds[ns++].is_model = 0;
    if (i == 0) {
      seeds[ns].b = m, seeds[ns].n = len, seeds[ns++].is_model = 1;
    } else
      free(m);
  }
  snprintf(path, sizeof path, "%s/all_types.bin", gen);
  seeds[ns].b = tu_read_file(path, &seeds[ns].n);
  if (!seeds[ns].b) return 2;
  seeds[ns++].is_model = 0;
  for (it = 0; it < iters; it++) {
    const seed_t *s = &seeds[rnd() % (unsigned)ns];
    size_t n = s->n;
    qs_params_t p;
    qs_params_status_t st;
    if (rnd() % 8 == 0) n = rnd() % (n + 1); /* truncation */
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, s->b, n);
    if (!s->is_model || rnd() % 2) mutate(b, n);
    else { /* mutate only inside the model's dictionary region, where the reader spends time */
      qs_params_t q;
      if (qs_params_find(&q, b, n) == QS_PARAMS_OK) mutate((uint8_t *)(uintptr_t)q.dict, q.len);
    }
    st = s->is_model ? qs_params_find(&p, b, n) : qs_params_open(&p, b, n);
    if (st == QS_PARAMS_OK) {
      ok++;
      reads += exercise(&p);
    }
    free(b);
  }
  printf("params_fuzz: %ld mutants, %lu accepted (%lu values read), no out-of-bounds read\n", iters,
         ok, reads);
  for (i = 0; i < ns; i++) free(seeds[i].b);
  return 0;
}
