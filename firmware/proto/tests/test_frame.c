/* Table-driven tests of COBS, CRC-32 and frame encode/parse/receive. Run under ASan/UBSan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_cobs.h"
#include "qs_crc32.h"
#include "qs_frame.h"

static int failures = 0;
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond)) {                                        \
      failures++;                                         \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                       \
      fprintf(stderr, "\n");                              \
    }                                                     \
  } while (0)

/* Published COBS examples (Cheshire & Baker; the Wikipedia table). */
typedef struct {
  const char *name;
  size_t raw_len;
  const uint8_t raw[8];
  size_t enc_len;
  const uint8_t enc[8];
} cobs_vec_t;

static const cobs_vec_t k_cobs[] = {
    {"empty", 0, {0}, 1, {0x01}},
    {"one zero", 1, {0x00}, 2, {0x01, 0x01}},
    {"two zeros", 2, {0x00, 0x00}, 3, {0x01, 0x01, 0x01}},
    {"zero in middle", 4, {0x11, 0x22, 0x00, 0x33}, 5, {0x03, 0x11, 0x22, 0x02, 0x33}},
    {"no zero", 4, {0x11, 0x22, 0x33, 0x44}, 5, {0x05, 0x11, 0x22, 0x33, 0x44}},
    {"trailing zeros", 4, {0x11, 0x00, 0x00, 0x00}, 5, {0x02, 0x11, 0x01, 0x01, 0x01}},
};

static void test_cobs_vectors(void) {
  for (size_t i = 0; i < sizeof k_cobs / sizeof k_cobs[0]; i++) {
    const cobs_vec_t *v = &k_cobs[i];
    uint8_t enc[16], dec[16];
    qs_cobs_result_t e = qs_cobs_encode(v->raw, v->raw_len, enc, sizeof enc);
    CHECK(e.status == QS_COBS_OK && e.len == v->enc_len && !memcmp(enc, v->enc, e.len),
          "cobs encode %s", v->name);
    qs_cobs_result_t d = qs_cobs_decode(v->enc, v->enc_len, dec, sizeof dec);
    CHECK(d.status == QS_COBS_OK && d.len == v->raw_len && !memcmp(dec, v->raw, d.len),
          "cobs decode %s", v->name);
  }
}

/* Long runs: the 254-byte block boundary and its neighbours, with and without zeros. */
static void test_cobs_sizes(void) {
  static const size_t sizes[] = {0, 1, 2, 253, 254, 255, 256, 507, 508, 509, 762, 1000, 4136};
  static uint8_t raw[5000], enc[5100], dec[5000];
  for (int pattern = 0; pattern < 3; pattern++) {
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      size_t n = sizes[k];
      for (size_t i = 0; i < n; i++)
        raw[i] = pattern == 0 ? (uint8_t)(i % 255 + 1) : pattern == 1 ? (uint8_t)i : 0;
      qs_cobs_result_t e = qs_cobs_encode(raw, n, enc, sizeof enc);
      CHECK(e.status == QS_COBS_OK && e.len <= QS_COBS_MAX_ENCODED(n), "encode n=%zu", n);
      CHECK(memchr(enc, 0, e.len) == NULL, "zero in encoding n=%zu", n);
      qs_cobs_result_t d = qs_cobs_decode(enc, e.len, dec, sizeof dec);
      CHECK(d.status == QS_COBS_OK && d.len == n && !memcmp(dec, raw, n), "roundtrip n=%zu p=%d",
            n, pattern);
      /* in place */
      memcpy(dec, enc, e.len);
      d = qs_cobs_decode(dec, e.len, dec, e.len);
      CHECK(d.status == QS_COBS_OK && d.len == n && !memcmp(dec, raw, n), "in-place n=%zu", n);
      /* too-small destinations must fail cleanly, never overflow (ASan watches) */
      if (e.len > 1) {
        uint8_t *small = malloc(e.len - 1);
        CHECK(qs_cobs_encode(raw, n, small, e.len - 1).status == QS_COBS_DST_FULL, "enc cap n=%zu",
              n);
        free(small);
      }
      if (n > 0) {
        uint8_t *small = malloc(n - 1 ? n - 1 : 1);
        CHECK(qs_cobs_decode(enc, e.len, small, n - 1).status != QS_COBS_OK, "dec cap n=%zu", n);
        free(small);
      }
    }
  }
}

static void test_cobs_bad(void) {
  uint8_t out[16];
  const uint8_t past_end[] = {0x05, 0x11, 0x22};
  const uint8_t has_zero[] = {0x03, 0x11, 0x00};
  CHECK(qs_cobs_decode(past_end, 3, out, 16).status == QS_COBS_BAD, "block past end");
  CHECK(qs_cobs_decode(has_zero, 3, out, 16).status == QS_COBS_BAD, "zero inside");
}

static void test_crc(void) {
  const uint8_t check[] = "123456789";
  CHECK(qs_crc32(0, check, 9) == 0xCBF43926u, "crc32 check value");
  CHECK(qs_crc32(qs_crc32(0, check, 4), check + 4, 5) == 0xCBF43926u, "crc32 incremental");
  CHECK(qs_crc32(0, check, 0) == 0, "crc32 empty");
}

static void test_frames(void) {
  static const size_t sizes[] = {0, 1, 245, 246, 247, 248, 249, 250, 500, 4096, QS_MAX_BODY - 1,
                                 QS_MAX_BODY};
  static uint8_t body[QS_MAX_BODY + 1], wire[QS_MAX_ENCODED + 2];
  static qs_frame_rx_t rx;
  for (size_t i = 0; i < sizeof body; i++) body[i] = (uint8_t)(i * 7);
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t n = sizes[k];
    size_t split = n / 3;
    size_t w = qs_frame_encode(0x42, (uint16_t)(0x1234 + k), body, split, body + split, n - split,
                               wire, sizeof wire);
    CHECK(w > 0 && w <= QS_MAX_ENCODED + 1 && wire[w - 1] == 0, "encode frame n=%zu", n);
    /* feed byte by byte after some garbage and a stray delimiter */
    qs_frame_rx_init(&rx);
    const uint8_t junk[] = {0x13, 0x37, 0x00};
    size_t used;
    CHECK(qs_frame_rx_push(&rx, junk, 3, &used) == QS_RX_FRAME && used == 3, "junk frame");
    qs_frame_t jf = qs_frame_parse(rx.buf, rx.len);
    CHECK(jf.err == QS_E_BAD_FRAME, "junk rejected");
    qs_rx_event_t ev = QS_RX_MORE;
    for (size_t i = 0; i < w; i++) {
      ev = qs_frame_rx_push(&rx, wire + i, 1, &used);
      if (ev != QS_RX_MORE) { CHECK(i == w - 1, "early event at %zu", i); break; }
    }
    CHECK(ev == QS_RX_FRAME, "frame complete n=%zu", n);
    qs_frame_t f = qs_frame_parse(rx.buf, rx.len);
    CHECK(f.err == QS_E_NONE && f.type == 0x42 && f.seq == 0x1234 + k && f.body_len == n &&
              !memcmp(f.body, body, n),
          "parse frame n=%zu", n);
    /* every single-bit flip is caught (CRC or COBS) */
    for (size_t bit = 0; bit < (w - 1) * 8; bit += (w > 64 ? 37 : 1)) {
      uint8_t save = wire[bit / 8];
      wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      qs_frame_rx_init(&rx);
      ev = qs_frame_rx_push(&rx, wire, w, &used);
      if (ev == QS_RX_FRAME) {
        qs_frame_t g = qs_frame_parse(rx.buf, rx.len);
        CHECK(g.err != QS_E_NONE, "bit flip %zu accepted n=%zu", bit, n);
      }
      wire[bit / 8] = save;
    }
  }
  CHECK(qs_frame_encode(1, 1, body, QS_MAX_BODY, body, 1, wire, sizeof wire) == 0, "oversize body");
  CHECK(qs_frame_encode(1, 1, body, 10, 0, 0, wire, 8) == 0, "small dst");
}

static void test_overflow(void) {
  static uint8_t junk[QS_MAX_ENCODED + 100];
  static qs_frame_rx_t rx;
  memset(junk, 0x55, sizeof junk);
  qs_frame_rx_init(&rx);
  size_t used;
  CHECK(qs_frame_rx_push(&rx, junk, sizeof junk, &used) == QS_RX_MORE, "overflow waits");
  const uint8_t z = 0;
  CHECK(qs_frame_rx_push(&rx, &z, 1, &used) == QS_RX_TOO_LARGE, "overflow reported");
  uint8_t wire[32];
  size_t w = qs_frame_encode(5, 9, (const uint8_t *)"ok", 2, 0, 0, wire, sizeof wire);
  CHECK(qs_frame_rx_push(&rx, wire, w, &used) == QS_RX_FRAME, "resync after overflow");
  qs_frame_t f = qs_frame_parse(rx.buf, rx.len);
  CHECK(f.err == QS_E_NONE && f.seq == 9 && f.body_len == 2, "frame after overflow");
}

static void test_version(void) {
  uint8_t wire[32];
  size_t w = qs_frame_encode(5, 9, 0, 0, 0, 0, wire, sizeof wire);
  static qs_frame_rx_t rx;
  /* rebuild with version 2: decode, patch, re-encode with a valid CRC */
  uint8_t raw[8] = {2, 5, 9, 0, 0, 0, 0, 0};
  uint32_t c = qs_crc32(0, raw, 4);
  raw[4] = (uint8_t)c; raw[5] = (uint8_t)(c >> 8); raw[6] = (uint8_t)(c >> 16); raw[7] = (uint8_t)(c >> 24);
  qs_cobs_result_t e = qs_cobs_encode(raw, 8, wire, sizeof wire);
  wire[e.len] = 0;
  (void)w;
  size_t used;
  qs_frame_rx_init(&rx);
  CHECK(qs_frame_rx_push(&rx, wire, e.len + 1, &used) == QS_RX_FRAME, "v2 frame");
  qs_frame_t f = qs_frame_parse(rx.buf, rx.len);
  CHECK(f.err == QS_E_BAD_VERSION && f.seq == 9, "version rejected, seq kept");
}

int main(void) {
  test_cobs_vectors();
  test_cobs_sizes();
  test_cobs_bad();
  test_crc();
  test_frames();
  test_overflow();
  test_version();
  if (failures) {
    fprintf(stderr, "test_frame: %d failure(s)\n", failures);
    return 1;
  }
  printf("test_frame: all passed\n");
  return 0;
}
