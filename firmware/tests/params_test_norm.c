/* Normalization tests: hand-computed vectors, errors, and byte-for-byte agreement with the host's
 * src-main/core/normalize/ on every case of norm_cases.bin (written by params_gen.ts). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params_check.h"
#include "qs_normalize.h"
#include "test_util.h"

static uint32_t rd32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static void test_hand(void) {
  static uint8_t raw[84 * 84 * 2];
  static float outf[84 * 84];
  static int8_t outq[84 * 84];
  qs_norm_t mas = {0.0f, 1}, res = {1.0f / 255.0f, 0};
  qs_norm_target_t tf = {QS_RAW_FLOAT32, 0, 0}, tq = {QS_RAW_INT8, 0.05110617354512215f, -25};
  size_t i, at = 99;
  int zeros = 1, zps = 1;
  /* constant uint16 sample: 0/(0 + 1e-6) = 0 exactly, never NaN; int8 = the zero point */
  for (i = 0; i < 84 * 84; i++) raw[2 * i] = 0xE8, raw[2 * i + 1] = 0x03; /* 1000 */
  CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_UINT16, 84 * 84, &tf, outf, 0), QS_NORM_OK);
  CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_UINT16, 84 * 84, &tq, outq, 0), QS_NORM_OK);
  for (i = 0; i < 84 * 84; i++) zeros &= outf[i] == 0.0f, zps &= outq[i] == -25;
  CHECK(zeros && zps);
  /* rescale: 255 * float(1/255) rounds to exactly 1.0f */
  raw[0] = 0, raw[1] = 255;
  CHECK_EQ(qs_normalize(&res, raw, QS_RAW_UINT8, 2, &tf, outf, 0), QS_NORM_OK);
  CHECK(outf[0] == 0.0f && outf[1] == 1.0f);
  /* mean/std of {1,2,3}: population std sqrt(2/3); z = -1/(0.8164966 + 1e-6) */
  raw[0] = 1, raw[1] = 2, raw[2] = 3;
  CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_INT8, 3, &tf, outf, 0), QS_NORM_OK);
  CHECK(fabs(outf[0] + 1.2247433) < 1e-6 && outf[1] == 0.0f && outf[2] == -outf[0]);
  /* int8 extremes clamp: {-32768, 32767} -> z = -1, +1 -> with scale 1e-3: -128, 127 */
  raw[0] = 0x00, raw[1] = 0x80, raw[2] = 0xFF, raw[3] = 0x7F;
  {
    qs_norm_target_t tiny = {QS_RAW_INT8, 1e-3f, 0};
    CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_INT16, 2, &tiny, outq, 0), QS_NORM_OK);
    CHECK(outq[0] == -128 && outq[1] == 127);
  }
  /* errors */
  {
    float bad[3] = {1.0f, NAN, 2.0f}, big[2] = {3e38f, 1.0f};
    qs_norm_t up = {10.0f, 0}, none = {0.0f, 0};
    qs_norm_target_t t32 = {2, 1.0f, 0}, zero = {QS_RAW_INT8, 0.0f, 0};
    CHECK_EQ(qs_normalize(&mas, (const uint8_t *)bad, QS_RAW_FLOAT32, 3, &tf, outf, &at), QS_NORM_ERR_VALUE);
    CHECK_EQ(at, 1);
    bad[1] = INFINITY;
    CHECK_EQ(qs_normalize(&res, (const uint8_t *)bad, QS_RAW_FLOAT32, 3, &tf, outf, &at), QS_NORM_ERR_VALUE);
    CHECK_EQ(qs_normalize(&up, (const uint8_t *)big, QS_RAW_FLOAT32, 2, &tf, outf, &at), QS_NORM_ERR_VALUE);
    CHECK_EQ(at, 0);
    CHECK_EQ(qs_normalize(&none, raw, QS_RAW_UINT8, 2, &tf, outf, 0), QS_NORM_ERR_NO_PARAMS);
    CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_UINT8, 2, &t32, outf, 0), QS_NORM_ERR_TARGET);
    CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_UINT8, 2, &zero, outq, 0), QS_NORM_ERR_TARGET);
    CHECK_EQ(qs_normalize(&mas, raw, QS_RAW_UINT8, 0, &tf, outf, 0), QS_NORM_ERR_ARG);
    CHECK_EQ(qs_normalize(&mas, raw, 5, 2, &tf, outf, 0), QS_NORM_ERR_ARG);
    CHECK_EQ(qs_raw_size(QS_RAW_UINT16), 2);
  }
}

/* Byte-for-byte: C output == the host's output for the same raw bytes and parameters. */
static void test_host_cases(const char *gen) {
  char path[1024];
  size_t len, pos = 4, k, same = 0;
  snprintf(path, sizeof path, "%s/norm_cases.bin", gen);
  uint8_t *f = tu_read_file(path, &len);
  if (!f || len < 4) {
    CHECK(!"norm_cases.bin missing");
    return;
  }
  uint32_t count = rd32(f);
  for (k = 0; k < count; k++) {
    qs_norm_t nm;
    qs_norm_target_t t;
    uint32_t u, n;
    size_t rs, os;
    CHECK(pos + 20 <= len);
    if (pos + 20 > len) break;
    int dtype = f[pos];
    t.dtype = f[pos + 1];
    nm.mean_and_std = f[pos + 2];
    u = rd32(f + pos + 4);
    memcpy(&nm.rescale, &u, 4);
    u = rd32(f + pos + 8);
    memcpy(&t.scale, &u, 4);
    t.zero_point = (int32_t)rd32(f + pos + 12);
    n = rd32(f + pos + 16);
    rs = n * qs_raw_size(dtype);
    os = n * (t.dtype == QS_RAW_FLOAT32 ? 4u : 1u);
    pos += 20;
    if (pos + rs + os > len) {
      CHECK(!"norm_cases.bin truncated");
      break;
    }
    uint8_t *out = malloc(os);
    CHECK_EQ(qs_normalize(&nm, f + pos, dtype, n, &t, out, 0), QS_NORM_OK);
    if (memcmp(out, f + pos + rs, os) == 0) same++;
    else {
      size_t i = 0;
      while (out[i] == f[pos + rs + i]) i++;
      printf("norm case %zu (raw dtype %d, target %d, mas %d, n %u): byte %zu differs: C %u host %u\n",
             k, dtype, t.dtype, nm.mean_and_std, n, i, out[i], f[pos + rs + i]);
      pc_failures++;
    }
    free(out);
    pos += rs + os;
  }
  printf("params_test: %zu/%u normalization cases byte-identical to the host\n", same, count);
  free(f);
}

void params_test_normalize(const char *gen);
void params_test_normalize(const char *gen) {
  test_hand();
  test_host_cases(gen);
}
