/* SL_PARAMSv1 reader tests on the real fixtures (run under ASan/UBSan).
 * Usage: params_test FIXTURES GENDIR   (GENDIR from params_gen.ts: all_types.bin, rescale_model.tflite) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fb.h"
#include "params_check.h"
#include "qs_normalize.h"
#include "qs_params.h"
#include "test_util.h"

int pc_failures = 0;

static uint8_t *load(const char *dir, const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  uint8_t *b = tu_read_file(path, len);
  if (!b) exit(2);
  return b;
}

/* Every parameter of rock_paper_scissors.tflite, as MLTK wrote them. */
static void test_rps(const char *fixtures) {
  size_t len;
  uint8_t *m = load(fixtures, "models/rock_paper_scissors.tflite", &len);
  qs_params_t p;
  qs_param_t v;
  const char *s;
  uint32_t n, i;
  int b, type;
  int32_t i32;
  double d;
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_OK);
  CHECK_EQ(p.n_entries, 12);
  for (i = 0; i < p.n_entries; i++) { /* every entry decodes through the generic getter */
    const char *key;
    CHECK_EQ(qs_params_entry(&p, i, &key, &n, &type), QS_PARAMS_OK);
    CHECK_EQ(qs_params_get(&p, key, &v), QS_PARAMS_OK);
    CHECK_EQ(v.type, type);
  }
  CHECK_EQ(qs_params_get_string(&p, "name", &s, &n), QS_PARAMS_OK);
  CHECK(n == 19 && strcmp(s, "rock_paper_scissors") == 0);
  CHECK_EQ(qs_params_get_int32(&p, "version", &i32), QS_PARAMS_OK);
  CHECK_EQ(i32, 1);
  CHECK_EQ(qs_params_get_list(&p, "classes", QS_PARAM_STR_LIST, &v), QS_PARAMS_OK);
  CHECK_EQ(v.count, 4);
  {
    static const char *want[] = {"rock", "paper", "scissor", "_unknown_"};
    for (i = 0; i < 4; i++) {
      CHECK_EQ(qs_param_str_at(&p, &v, i, &s, &n), QS_PARAMS_OK);
      CHECK(strcmp(s, want[i]) == 0 && n == strlen(want[i]));
    }
    CHECK_EQ(qs_param_str_at(&p, &v, 4, &s, &n), QS_PARAMS_ERR_ARG);
  }
  CHECK_EQ(qs_params_get_string(&p, "hash", &s, &n), QS_PARAMS_OK);
  CHECK(strcmp(s, "98d61f12a1193cae1cc479fea98bdf8d") == 0);
  CHECK_EQ(qs_params_get_string(&p, "date", &s, &n), QS_PARAMS_OK);
  CHECK(strcmp(s, "2022-05-03T15:55:13.369Z") == 0);
  CHECK_EQ(qs_params_get(&p, "runtime_memory_size", &v), QS_PARAMS_OK);
  CHECK(v.type == QS_PARAM_UINT32 && v.u == 137176);
  CHECK_EQ(qs_params_get_int32(&p, "detection_threshold", &i32), QS_PARAMS_OK);
  CHECK_EQ(i32, 175);
  CHECK_EQ(qs_params_get(&p, "average_window_duration_ms", &v), QS_PARAMS_OK);
  CHECK(v.type == QS_PARAM_UINT16 && v.u == 500);
  CHECK_EQ(qs_params_get_int32(&p, "minimum_count", &i32), QS_PARAMS_OK);
  CHECK_EQ(i32, 2);
  CHECK_EQ(qs_params_get_int32(&p, "suppression_count", &i32), QS_PARAMS_OK);
  CHECK_EQ(i32, 1);
  CHECK_EQ(qs_params_get(&p, "samplewise_norm.rescale", &v), QS_PARAMS_OK);
  CHECK(v.type == QS_PARAM_DOUBLE && v.f == 0.0);
  CHECK_EQ(qs_params_get_bool(&p, "samplewise_norm.mean_and_std", &b), QS_PARAMS_OK);
  CHECK_EQ(b, 1);
  /* errors: missing key, wrong type, bad arguments */
  CHECK_EQ(qs_params_get_bool(&p, "samplewise_norm.mean", &b), QS_PARAMS_ERR_MISSING_KEY);
  CHECK_EQ(qs_params_get_bool(&p, "name", &b), QS_PARAMS_ERR_TYPE);
  CHECK_EQ(qs_params_get_double(&p, "classes", &d), QS_PARAMS_ERR_TYPE);
  CHECK_EQ(qs_params_get_int32(&p, "samplewise_norm.rescale", &i32), QS_PARAMS_ERR_TYPE);
  CHECK_EQ(qs_params_get_string(&p, "version", &s, &n), QS_PARAMS_ERR_TYPE);
  CHECK_EQ(qs_params_get_list(&p, "classes", QS_PARAM_INT32_LIST, &v), QS_PARAMS_ERR_TYPE);
  CHECK_EQ(qs_params_get(&p, NULL, &v), QS_PARAMS_ERR_ARG);
  CHECK_EQ(qs_params_find(NULL, m, len), QS_PARAMS_ERR_ARG);
  {
    qs_norm_t nm;
    CHECK_EQ(qs_norm_from_params(&p, &nm), QS_NORM_OK);
    CHECK(nm.mean_and_std == 1 && nm.rescale == 0.0f);
  }
  free(m);
}

/* Every value type, written by the host's encodeParameters. */
static void test_all_types(const char *gen) {
  size_t len;
  uint8_t *d = load(gen, "all_types.bin", &len);
  qs_params_t p;
  qs_param_t v;
  int64_t i64;
  int32_t i32;
  float f;
  double dd;
  int b;
  const char *s;
  uint32_t n;
  CHECK_EQ(qs_params_open(&p, d, len), QS_PARAMS_OK);
  CHECK_EQ(qs_params_get_bool(&p, "b", &b), QS_PARAMS_OK);
  CHECK_EQ(b, 1);
  CHECK(qs_params_get_int64(&p, "i8", &i64) == QS_PARAMS_OK && i64 == -128);
  CHECK(qs_params_get_int64(&p, "u8", &i64) == QS_PARAMS_OK && i64 == 255);
  CHECK(qs_params_get_int64(&p, "i16", &i64) == QS_PARAMS_OK && i64 == -32768);
  CHECK(qs_params_get_int64(&p, "u16", &i64) == QS_PARAMS_OK && i64 == 65535);
  CHECK(qs_params_get_int32(&p, "i32", &i32) == QS_PARAMS_OK && i32 == INT32_MIN);
  CHECK_EQ(qs_params_get_int32(&p, "u32", &i32), QS_PARAMS_ERR_RANGE);
  CHECK(qs_params_get_int64(&p, "u32", &i64) == QS_PARAMS_OK && i64 == 4294967295LL);
  CHECK(qs_params_get_int64(&p, "i64", &i64) == QS_PARAMS_OK && i64 == -1234567890123LL);
  CHECK(qs_params_get_int64(&p, "u64", &i64) == QS_PARAMS_OK && i64 == (1LL << 40));
  CHECK(qs_params_get_float(&p, "f", &f) == QS_PARAMS_OK && f == 0.1f);
  CHECK(qs_params_get_double(&p, "d", &dd) == QS_PARAMS_OK && dd == 0.1);
  CHECK(qs_params_get_double(&p, "u16", &dd) == QS_PARAMS_OK && dd == 65535.0);
  CHECK_EQ(qs_params_get_int64(&p, "f", &i64), QS_PARAMS_ERR_TYPE);
  CHECK(qs_params_get_string(&p, "s", &s, &n) == QS_PARAMS_OK && n == 6 && strcmp(s, "h\xc3\xa9llo") == 0);
  CHECK(qs_params_get_string(&p, "empty_s", &s, &n) == QS_PARAMS_OK && n == 0 && s[0] == 0);
  CHECK_EQ(qs_params_get_list(&p, "sl", QS_PARAM_STR_LIST, &v), QS_PARAMS_OK);
  CHECK(v.count == 3 && qs_param_str_at(&p, &v, 1, &s, &n) == QS_PARAMS_OK && n == 0);
  CHECK(qs_param_str_at(&p, &v, 2, &s, &n) == QS_PARAMS_OK && strcmp(s, "ccc") == 0);
  CHECK_EQ(qs_params_get_list(&p, "il", QS_PARAM_INT32_LIST, &v), QS_PARAMS_OK);
  CHECK(v.count == 3 && qs_param_i32_at(&v, 0) == 1 && qs_param_i32_at(&v, 1) == -2 &&
        qs_param_i32_at(&v, 2) == INT32_MAX && qs_param_i32_at(&v, 3) == 0);
  CHECK_EQ(qs_params_get_list(&p, "fl", QS_PARAM_FLOAT_LIST, &v), QS_PARAMS_OK);
  CHECK(v.count == 3 && qs_param_f32_at(&v, 0) == 0.5f && qs_param_f32_at(&v, 1) == -1e30f &&
        qs_param_f32_at(&v, 2) == 3.0f);
  CHECK_EQ(qs_params_get_list(&p, "bin", QS_PARAM_BIN, &v), QS_PARAMS_OK);
  CHECK(v.count == 4 && v.data[0] == 0 && v.data[2] == 254 && v.data[3] == 255);
  CHECK_EQ(qs_params_get_list(&p, "bin", QS_PARAM_BOOL, &v), QS_PARAMS_ERR_ARG);
  {
    qs_norm_t nm;
    CHECK_EQ(qs_norm_from_params(&p, &nm), QS_NORM_ERR_NO_PARAMS); /* none of the keys present */
  }
  free(d);
}

/* An entry with a value type newer than this reader (tag 42) is skipped, never fatal; a future
 * schema_version is refused with its own code. */
static void test_unknown_type(const char *gen) {
  size_t len;
  uint8_t *d = load(gen, "all_types.bin", &len);
  fb_t fb;
  fb_table_t root, e;
  fb_vec_t entries;
  uint32_t i, n, pos = 0;
  qs_params_t p;
  qs_param_t v;
  int32_t i32;
  fb_init(&fb, d, len);
  root = fb_root(&fb);
  entries = fb_vector(&fb, &root, 1, 4);
  for (i = 0; i < entries.n; i++) { /* locate the value_type byte of entry "u8" */
    e = fb_vec_table(&fb, &entries, i);
    uint32_t k = fb_field(&fb, &e, 0, 4);
    uint32_t at = k + fb_load_u32(d + k);
    n = fb_load_u32(d + at);
    if (n == 2 && memcmp(d + at + 4, "u8", 2) == 0) pos = fb_field(&fb, &e, 1, 1);
  }
  CHECK(pos != 0 && fb.err == 0);
  d[pos] = 42;
  CHECK_EQ(qs_params_open(&p, d, len), QS_PARAMS_OK);
  CHECK_EQ(qs_params_get(&p, "u8", &v), QS_PARAMS_ERR_MISSING_KEY);
  CHECK(qs_params_get_int32(&p, "u16", &i32) == QS_PARAMS_OK && i32 == 65535);
  pos = fb_field(&fb, &root, 0, 1); /* schema_version */
  CHECK(pos != 0);
  d[pos] = 2;
  CHECK_EQ(qs_params_open(&p, d, len), QS_PARAMS_ERR_VERSION);
  free(d);
}

/* Models without parameters, with other parameters, and the model written with rescale. */
static void test_other_models(const char *fixtures, const char *gen) {
  size_t len;
  qs_params_t p;
  qs_norm_t nm;
  float f;
  int b;
  uint8_t *m = load(fixtures, "models/hello_world_int8.tflite", &len);
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_ERR_NO_PARAMS);
  free(m);
  m = load(fixtures, "models/keyword_spotting_on_off.tflite", &len);
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_OK);
  CHECK_EQ(p.n_entries, 34);
  CHECK(qs_params_get_float(&p, "fe.pcan_strength", &f) == QS_PARAMS_OK && f == 0.95f);
  CHECK(qs_params_get_bool(&p, "verbose_model_output_logs", &b) == QS_PARAMS_OK && b == 0);
  CHECK_EQ(qs_norm_from_params(&p, &nm), QS_NORM_ERR_NO_PARAMS); /* rescale 0, mean_and_std false */
  free(m);
  m = load(fixtures, "models/image_example1.tflite", &len);
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_OK);
  CHECK_EQ(qs_norm_from_params(&p, &nm), QS_NORM_ERR_NO_PARAMS); /* legacy keys mean/std only */
  free(m);
  m = load(gen, "rescale_model.tflite", &len);
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_OK);
  CHECK_EQ(qs_norm_from_params(&p, &nm), QS_NORM_OK);
  CHECK(nm.rescale == (float)(1.0 / 255.0) && nm.mean_and_std == 0);
  free(m);
}

/* 1 if dictionary q decodes to exactly the same entries as p (same keys, types, values, bytes). */
static int same_params(const qs_params_t *p, const qs_params_t *q) {
  uint32_t i;
  if (p->n_entries != q->n_entries) return 0;
  for (i = 0; i < p->n_entries; i++) {
    const char *k;
    uint32_t n;
    int type;
    qs_param_t a, b;
    if (qs_params_entry(p, i, &k, &n, &type) != QS_PARAMS_OK) return 0;
    if (qs_params_get(p, k, &a) != QS_PARAMS_OK || qs_params_get(q, k, &b) != QS_PARAMS_OK) return 0;
    if (a.type != b.type || a.i != b.i || a.u != b.u || memcmp(&a.f, &b.f, sizeof a.f) != 0 ||
        a.count != b.count || !a.data != !b.data ||
        (a.data && memcmp(a.data, b.data, a.count) != 0))
      return 0;
  }
  return 1;
}

/* Every truncation of the rps dictionary is rejected unless it only drops trailing padding (then
 * it must decode to the very same parameters); every truncation of the model is handled. Copies
 * are exact-size heap buffers: ASan reports any read past the end. */
static void test_truncation(const char *fixtures) {
  size_t len, l, rejected = 0, cut = 0;
  uint8_t *m = load(fixtures, "models/rock_paper_scissors.tflite", &len);
  qs_params_t p;
  CHECK_EQ(qs_params_find(&p, m, len), QS_PARAMS_OK);
  for (l = 0; l < p.len; l++) {
    uint8_t *c = malloc(l ? l : 1);
    memcpy(c, p.dict, l);
    qs_params_t q;
    qs_params_status_t s = qs_params_open(&q, c, l);
    CHECK(s != QS_PARAMS_OK || (l + 4 > p.len && same_params(&p, &q)));
    rejected += s != QS_PARAMS_OK;
    free(c);
  }
  for (l = 0; l < len; l += 1 + l / 64) {
    uint8_t *c = malloc(l ? l : 1);
    qs_params_t q;
    memcpy(c, m, l);
    if (qs_params_find(&q, c, l) != QS_PARAMS_OK) cut++;
    free(c);
  }
  printf("params_test: %zu/%u dictionary truncations rejected, %zu model truncations rejected\n",
         rejected, p.len, cut);
  free(m);
}

void params_test_normalize(const char *gen); /* params_test_norm.c */

int main(int argc, char **argv) {
  const char *fixtures = argc > 1 ? argv[1] : tu_fixtures();
  const char *gen = argc > 2 ? argv[2] : "build/params";
  test_rps(fixtures);
  test_all_types(gen);
  test_unknown_type(gen);
  test_other_models(fixtures, gen);
  test_truncation(fixtures);
  params_test_normalize(gen);
  if (pc_failures) {
    printf("params_test: %d FAILED\n", pc_failures);
    return 1;
  }
  printf("params_test: all passed\n");
  return 0;
}
