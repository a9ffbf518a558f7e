/* SET_INPUT_RAW / READ_INPUT through the real server (frames in, frames out) with
 * rock_paper_scissors loaded: one exact check (a constant sample normalizes to 0.0f everywhere),
 * then bounded random requests — random dtypes, counts, offsets, NaN-laden samples — while the
 * model's SL_PARAMSv1 bytes in the board's buffer are corrupted now and then (ASan/UBSan).
 * Usage: params_server_fuzz FIXTURES ITERATIONS SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_crc32.h"
#include "qs_params.h"
#include "qs_server.h"
#include "qs_wire.h"

static qs_server_t g_srv;
static uint8_t g_model_buf[256 << 10], g_arena[256 << 10];
static qs_frame_rx_t g_host_rx;
static uint8_t g_last_type, g_last_body[QS_MAX_BODY];
static size_t g_last_len;
static long g_frames, g_errors;

static uint32_t g_rng = 1;
static uint32_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}

static int on_write(void *ctx, const uint8_t *buf, size_t len) {
  (void)ctx;
  while (len) {
    size_t used = 0;
    qs_rx_event_t ev = qs_frame_rx_push(&g_host_rx, buf, len, &used);
    buf += used;
    len -= used;
    if (ev == QS_RX_TOO_LARGE) abort();
    if (ev != QS_RX_FRAME) continue;
    qs_frame_t f = qs_frame_parse(g_host_rx.buf, g_host_rx.len);
    if (f.err != QS_E_NONE || f.body_len > QS_MAX_BODY) abort();
    g_frames++;
    g_errors += f.type == QS_MSG_ERROR;
    g_last_type = f.type;
    g_last_len = f.body_len;
    memcpy(g_last_body, f.body, f.body_len);
  }
  return 0;
}

static void send(uint8_t type, const uint8_t *body, size_t n) {
  static uint8_t wire[QS_MAX_ENCODED + 1];
  size_t w = qs_frame_encode(type, 7, body, n, 0, 0, wire, sizeof wire);
  if (w) qs_server_feed(&g_srv, wire, w);
}

static void upload(const uint8_t *m, size_t n) {
  static uint8_t b[9 + 2048];
  qs_put32(qs_put32(b, (uint32_t)n), qs_crc32(0, m, n));
  send(QS_CMD_LOAD_BEGIN, b, 8);
  for (size_t at = 0; at < n; at += 2048) {
    size_t k = n - at < 2048 ? n - at : 2048;
    qs_put8(qs_put32(qs_put32(b, (uint32_t)at), qs_crc32(0, m + at, k)), 1);
    memcpy(b + 9, m + at, k);
    send(QS_CMD_LOAD_CHUNK, b, 9 + k);
  }
  send(QS_CMD_LOAD_COMMIT, 0, 0);
}

static size_t raw_req(uint8_t *b, int dtype, uint32_t count, uint32_t off, const uint8_t *d, size_t n) {
  b[0] = 0;
  b[1] = (uint8_t)dtype;
  qs_put32(b + 2, count);
  qs_put32(b + 6, off);
  memcpy(b + 10, d, n);
  return 10 + n;
}

int main(int argc, char **argv) {
  static uint8_t body[QS_MAX_BODY], raw[7056 * 4];
  char path[1024];
  long iters = argc > 2 ? atol(argv[2]) : 5000, it;
  size_t mlen, at;
  int fails = 0;
  qs_params_t p;
  g_rng = argc > 3 ? (uint32_t)atol(argv[3]) : 1u;
  if (!g_rng) g_rng = 1;
  snprintf(path, sizeof path, "%s/models/rock_paper_scissors.tflite", argc > 1 ? argv[1] : ".");
  FILE *f = fopen(path, "rb");
  static uint8_t model[128 << 10];
  if (!f) return 2;
  mlen = fread(model, 1, sizeof model, f);
  fclose(f);
  qs_server_init(&g_srv, g_model_buf, sizeof g_model_buf, g_arena, sizeof g_arena, on_write, 0);
  upload(model, mlen);
  if (g_last_type != QS_REPLY(QS_CMD_LOAD_COMMIT) || qs_params_find(&p, g_srv.model, mlen) != QS_PARAMS_OK) {
    printf("params_server_fuzz: rps did not load\n");
    return 1;
  }
  size_t dict_at = (size_t)(p.dict - g_srv.model), dict_len = p.len;

  /* exact: a constant uint8 sample in 4 KB chunks -> input tensor all 0.0f */
  memset(raw, 200, 7056);
  for (at = 0; at < 7056; at += 4000) {
    size_t n = 7056 - at < 4000 ? 7056 - at : 4000;
    send(QS_CMD_SET_INPUT_RAW, body, raw_req(body, 3, 7056, (uint32_t)at, raw + at, n));
    if (g_last_type != QS_REPLY(QS_CMD_SET_INPUT_RAW) || g_last_body[5] != (at + n == 7056)) fails++;
  }
  for (at = 0; at < 7056 * 4; at += g_last_len - 5) {
    uint8_t q[7];
    qs_put16(qs_put32(qs_put8(q, 0), (uint32_t)at), 4000);
    send(QS_CMD_READ_INPUT, q, 7);
    if (g_last_type != QS_REPLY(QS_CMD_READ_INPUT) || g_last_len <= 5) { fails++; break; }
    for (size_t i = 5; i < g_last_len; i++) fails += g_last_body[i] != 0;
  }
  /* bounded random requests */
  for (it = 0; it < iters; it++) {
    static const int dtypes[] = {0, 3, 7, 9, 12, 1, 255};
    int dtype = rnd() % 4 ? dtypes[rnd() % 5] : dtypes[rnd() % 7];
    uint32_t count = rnd() % 4 ? 7056 : rnd() % 3 ? rnd() % 8000 : rnd();
    uint32_t total = count * (dtype == 0 ? 4u : dtype == 7 || dtype == 12 ? 2u : 1u);
    uint32_t off = rnd() % 3 == 0 ? 0 : rnd() % 3 ? (total > 4000 ? total - 4000 + rnd() % 8 : 0) : rnd();
    size_t n = rnd() % 3 ? (total > off ? total - off : 0) : rnd() % (QS_MAX_BODY - 9);
    if (n > QS_MAX_BODY - 10) n = QS_MAX_BODY - 10;
    for (size_t i = 0; i < n; i++) body[10 + i] = (uint8_t)(rnd() % 5 == 0 ? 0xFF : rnd());
    if (rnd() % 16 == 0) { /* corrupt the board's copy of the dictionary (or restore it) */
      if (rnd() % 2) g_srv.model[dict_at + rnd() % dict_len] ^= (uint8_t)(1u + rnd() % 255);
      else memcpy(g_srv.model + dict_at, model + dict_at, dict_len);
    }
    if (rnd() % 8 == 0) {
      qs_put16(qs_put32(qs_put8(body, rnd() % 3 ? 0 : (uint8_t)rnd()), rnd() % 40000), (uint16_t)rnd());
      send(QS_CMD_READ_INPUT, body, rnd() % 5 ? 7 : rnd() % 12);
    } else {
      body[0] = rnd() % 8 ? 0 : (uint8_t)rnd();
      body[1] = (uint8_t)dtype;
      qs_put32(body + 2, count);
      qs_put32(body + 6, off);
      send(QS_CMD_SET_INPUT_RAW, body, rnd() % 10 ? 10 + n : rnd() % 10);
    }
  }
  memcpy(g_srv.model + dict_at, model + dict_at, dict_len);
  send(QS_CMD_SET_INPUT_RAW, body, raw_req(body, 3, 7056, 0, raw, 4000)); /* still serves */
  if (g_last_type != QS_REPLY(QS_CMD_SET_INPUT_RAW)) fails++;
  printf("params_server_fuzz: %ld requests, %ld frames out (%ld errors), %d check failures\n", iters,
         g_frames, g_errors, fails);
  return fails ? 1 : 0;
}
