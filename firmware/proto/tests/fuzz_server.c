/*
 * Bounded random fuzzer for the command dispatcher (runs in CI under ASan/UBSan).
 * A real model (hello_world_int8 from the fixtures) is uploaded through frames, then random
 * commands with random or mutated bodies, random chunk offsets, truncated and corrupted frames,
 * and extended INVOKEs (saved inputs, holes, stream frames) with hole counts matching their length are fed in.
 * Oracle: no sanitizer report, every byte the board sends parses as a valid frame with a body
 * within QS_MAX_BODY, and the board still answers HELLO at the end.
 * usage: fuzz_server FIXTURES_DIR [iterations=20000] [seed=1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_crc32.h"
#include "qs_server.h"
#include "qs_wire.h"

static qs_server_t g_srv;
static uint8_t g_model_buf[1 << 16], g_arena[1 << 16];
static qs_frame_rx_t g_host_rx;
static long g_frames_out, g_errors_out;
static uint8_t g_last_type;
static uint16_t g_last_seq;

static uint32_t g_rng = 1;
static uint32_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}

/* The "host": checks every frame the board emits. */
static int on_write(void *ctx, const uint8_t *buf, size_t len) {
  (void)ctx;
  while (len) {
    size_t used = 0;
    qs_rx_event_t ev = qs_frame_rx_push(&g_host_rx, buf, len, &used);
    buf += used;
    len -= used;
    if (ev == QS_RX_TOO_LARGE) { fprintf(stderr, "board sent an oversize frame\n"); abort(); }
    if (ev != QS_RX_FRAME) continue;
    qs_frame_t f = qs_frame_parse(g_host_rx.buf, g_host_rx.len);
    if (f.err != QS_E_NONE || f.body_len > QS_MAX_BODY) { fprintf(stderr, "board sent a bad frame\n"); abort(); }
    g_frames_out++;
    if (f.type == QS_MSG_ERROR) g_errors_out++;
    g_last_type = f.type;
    g_last_seq = f.seq;
  }
  return 0;
}

static void send(uint8_t type, uint16_t seq, const uint8_t *body, size_t n) {
  static uint8_t wire[QS_MAX_ENCODED + 1];
  size_t w = qs_frame_encode(type, seq, body, n, 0, 0, wire, sizeof wire);
  if (w) qs_server_feed(&g_srv, wire, w);
}

static void upload(const uint8_t *m, size_t n) {
  uint8_t b[9 + 1024];
  qs_put32(qs_put32(b, (uint32_t)n), qs_crc32(0, m, n));
  send(QS_CMD_LOAD_BEGIN, 1, b, 8);
  for (size_t at = 0; at < n; at += 1024) {
    size_t k = n - at < 1024 ? n - at : 1024;
    qs_put8(qs_put32(qs_put32(b, (uint32_t)at), qs_crc32(0, m + at, k)), 1);
    memcpy(b + 9, m + at, k);
    send(QS_CMD_LOAD_CHUNK, 2, b, 9 + k);
  }
  send(QS_CMD_LOAD_COMMIT, 3, 0, 0);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: fuzz_server FIXTURES_DIR [iters] [seed]\n"); return 2; }
  long iters = argc > 2 ? atol(argv[2]) : 20000;
  g_rng = argc > 3 ? (uint32_t)atol(argv[3]) : 1u;
  if (!g_rng) g_rng = 1;
  char path[1024];
  snprintf(path, sizeof path, "%s/models/hello_world_int8.tflite", argv[1]);
  FILE *fp = fopen(path, "rb");
  if (!fp) { perror(path); return 2; }
  static uint8_t model[1 << 16];
  size_t mlen = fread(model, 1, sizeof model, fp);
  fclose(fp);

  qs_frame_rx_init(&g_host_rx);
  qs_server_init(&g_srv, g_model_buf, sizeof g_model_buf, g_arena, sizeof g_arena, on_write, 0);
  upload(model, mlen);
  if (g_srv.state != QS_LOAD_LOADED) { fprintf(stderr, "could not load the seed model\n"); return 1; }

  static uint8_t body[QS_MAX_BODY + 64], wire[QS_MAX_ENCODED + 64];
  for (long it = 0; it < iters; it++) {
    if (rnd() % 500 == 0) upload(model, mlen); /* get back to the loaded state now and then */
    uint8_t cmd = (uint8_t)(rnd() % 8 == 0 ? rnd() : 1 + rnd() % 15);
    size_t n = rnd() % 4 == 0 ? rnd() % (QS_MAX_BODY + 1) : rnd() % 24;
    for (size_t i = 0; i < n; i++) body[i] = (uint8_t)(rnd() % 4 == 0 ? 0 : rnd() % 3 == 0 ? 0xFF : rnd());
    if (cmd == QS_CMD_LOAD_CHUNK && n >= 9 && rnd() % 2) /* make the chunk CRC right so offsets get tested */
      qs_put32(body + 4, qs_crc32(0, body + 9, n - 9));
    if (cmd == QS_CMD_INVOKE && rnd() % 2) { /* extended form, hole count matching its length */
      size_t holes = rnd() % 24;
      uint8_t flags = (uint8_t)(rnd() % 64); /* STREAM, REUSE_INPUTS, copies, FRAME, RESET_STATE */
      qs_put16(qs_put16(qs_put16(qs_put16(qs_put8(body, flags), rnd() % 5), rnd() % 5), rnd() % 600), holes);
      for (size_t i = 0, op = 0, off = 0; i < holes; i++) {
        if (rnd() % 8) op += rnd() % 2, off = rnd() % 3 ? off + rnd() % 64 : rnd(); /* mostly sorted */
        qs_put32(qs_put32(qs_put16(body + 9 + 10 * i, (uint32_t)op), (uint32_t)off), rnd() % 4 ? rnd() % 300 : rnd());
      }
      n = 9 + 10 * holes;
      if (flags & QS_INVOKE_FRAME) qs_put32(body + n, rnd() % 3), n += 4; /* few numbers: repeats */
    }
    if (cmd == QS_CMD_RESET && rnd() % 4) cmd = QS_CMD_HELLO;
    size_t w = qs_frame_encode(cmd, (uint16_t)rnd(), body, n, 0, 0, wire, sizeof wire - 1);
    if (!w) continue;
    if (rnd() % 6 == 0) { /* corrupt or truncate the encoded frame */
      size_t at = rnd() % w;
      if (rnd() % 2) wire[at] ^= (uint8_t)(1u + rnd() % 255);
      else { w = at; wire[w++] = 0; }
    }
    size_t pos = 0;
    while (pos < w) {
      size_t piece = 1 + rnd() % 512;
      if (piece > w - pos) piece = w - pos;
      qs_server_feed(&g_srv, wire + pos, piece);
      pos += piece;
    }
  }
  send(QS_CMD_HELLO, 4242, 0, 0);
  if (g_last_type != QS_REPLY(QS_CMD_HELLO) || g_last_seq != 4242) {
    fprintf(stderr, "board did not answer HELLO after fuzzing\n");
    return 1;
  }
  printf("fuzz_server: %ld commands, %ld frames out (%ld errors), board still answers\n", iters,
         g_frames_out, g_errors_out);
  return 0;
}
