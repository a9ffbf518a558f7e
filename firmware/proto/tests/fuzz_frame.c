/*
 * Bounded random-mutation fuzzer for the frame receiver + decoder (runs in CI under ASan/UBSan).
 * Valid frames are mutated (bit flips, byte sets, inserts, deletes, truncation, splices, random
 * garbage) and streamed through qs_frame_rx_push/qs_frame_parse in random-sized pieces.
 * Oracle: no sanitizer report, and every frame the decoder accepts re-encodes to the very bytes
 * it was decoded from (so nothing is accepted that the sender could not have produced).
 * usage: fuzz_frame [iterations=200000] [seed=1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_frame.h"

static uint32_t g_rng = 1;
static uint32_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}

static uint8_t g_stream[3 * QS_MAX_ENCODED];
static qs_frame_rx_t g_rx;

static size_t make_frame(uint8_t *dst, size_t cap) {
  static uint8_t body[QS_MAX_BODY];
  size_t n = rnd() % 4 == 0 ? rnd() % (QS_MAX_BODY + 1) : rnd() % 64;
  for (size_t i = 0; i < n; i++) body[i] = rnd() % 3 == 0 ? 0 : (uint8_t)rnd();
  return qs_frame_encode((uint8_t)rnd(), (uint16_t)rnd(), body, n / 2, body + n / 2, n - n / 2,
                         dst, cap);
}

static size_t mutate(uint8_t *b, size_t len, size_t cap) {
  int rounds = 1 + (int)(rnd() % 4);
  for (int k = 0; k < rounds && len > 0; k++) {
    size_t at = rnd() % len;
    switch (rnd() % 7) {
      case 0: b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 1: b[at] = (uint8_t)rnd(); break;
      case 2: b[at] = 0; break;
      case 3:
        if (len < cap) { memmove(b + at + 1, b + at, len - at); b[at] = (uint8_t)rnd(); len++; }
        break;
      case 4: memmove(b + at, b + at + 1, len - at - 1); len--; break;
      case 5: len = at + 1; break;
      default: {
        size_t n = rnd() % 300;
        if (len + n > cap) n = cap - len;
        for (size_t i = 0; i < n; i++) b[len + i] = (uint8_t)rnd();
        len += n;
      }
    }
  }
  return len;
}

static void check_accepted(const qs_frame_t *f, const uint8_t *enc, size_t enc_len) {
  static uint8_t again[QS_MAX_ENCODED + 1];
  size_t w = qs_frame_encode(f->type, f->seq, f->body, f->body_len, 0, 0, again, sizeof again);
  /* Two COBS encodings of one raw frame exist only for a trailing full block; compare raw. */
  int same = w > 0 && w - 1 == enc_len && !memcmp(again, enc, enc_len);
  /* the only other valid encoding: a final full block closed by an extra empty block (0x01) */
  int alt = w > 0 && enc_len == w && !memcmp(again, enc, w - 1) && enc[enc_len - 1] == 1;
  if (!same && !alt) {
    fprintf(stderr, "accepted frame does not re-encode (len %zu vs %zu)\n", w, enc_len);
    abort();
  }
}

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : 200000;
  g_rng = argc > 2 ? (uint32_t)atol(argv[2]) : 1u;
  if (!g_rng) g_rng = 1;
  static uint8_t enc_copy[QS_MAX_ENCODED];
  long accepted = 0, rejected = 0, too_large = 0;
  qs_frame_rx_init(&g_rx);
  for (long it = 0; it < iters; it++) {
    size_t len = 0;
    int frames = 1 + (int)(rnd() % 3);
    for (int k = 0; k < frames; k++) {
      size_t n = make_frame(g_stream + len, sizeof g_stream - len);
      if (rnd() % 2) n = mutate(g_stream + len, n, sizeof g_stream - len);
      len += n;
    }
    if (rnd() % 50 == 0) { /* pure garbage, sometimes longer than any frame */
      len = rnd() % sizeof g_stream;
      for (size_t i = 0; i < len; i++) g_stream[i] = (uint8_t)rnd();
    }
    size_t pos = 0;
    while (pos < len) {
      size_t piece = 1 + rnd() % 700, used = 0;
      if (piece > len - pos) piece = len - pos;
      size_t off = 0;
      while (off < piece) {
        qs_rx_event_t ev = qs_frame_rx_push(&g_rx, g_stream + pos + off, piece - off, &used);
        off += used;
        if (ev == QS_RX_TOO_LARGE) too_large++;
        if (ev != QS_RX_FRAME) continue;
        memcpy(enc_copy, g_rx.buf, g_rx.len);
        size_t enc_len = g_rx.len;
        qs_frame_t f = qs_frame_parse(g_rx.buf, g_rx.len);
        if (f.err == QS_E_NONE) {
          accepted++;
          if (f.body_len > QS_MAX_BODY) abort();
          check_accepted(&f, enc_copy, enc_len);
        } else {
          rejected++;
        }
      }
      pos += piece;
    }
  }
  printf("fuzz_frame: %ld iterations, %ld frames accepted, %ld rejected, %ld too large\n", iters,
         accepted, rejected, too_large);
  return 0;
}
