#include "qs_cobs.h"

#include <string.h>

void qs_cobs_enc_init(qs_cobs_enc_t *e, uint8_t *dst, size_t cap) {
  e->dst = dst;
  e->cap = cap;
  e->code_at = 0;
  e->out = 1; /* slot 0 holds the first block's code */
  e->code = 1;
  e->full = cap < 1;
}

/* Closes the current block (its code byte now known) and opens the next one. */
static void close_block(qs_cobs_enc_t *e) {
  e->dst[e->code_at] = e->code;
  e->code_at = e->out++;
  e->code = 1;
}

void qs_cobs_enc_put(qs_cobs_enc_t *e, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n && !e->full; i++) {
    /* A full block (254 data bytes, code 0xFF) was left open by the previous byte: it ends
     * without an implied zero, so it is closed only now that more data follows. */
    if (e->code == 0xFF) {
      if (e->out >= e->cap) { e->full = 1; break; }
      close_block(e);
    }
    if (src[i] == 0) {
      if (e->out >= e->cap) { e->full = 1; break; }
      close_block(e);
    } else {
      if (e->out >= e->cap) { e->full = 1; break; }
      e->dst[e->out++] = src[i];
      e->code++;
    }
  }
}

qs_cobs_result_t qs_cobs_enc_finish(qs_cobs_enc_t *e) {
  qs_cobs_result_t r = {QS_COBS_DST_FULL, 0};
  if (e->full || e->code_at >= e->cap) return r;
  e->dst[e->code_at] = e->code;
  r.status = QS_COBS_OK;
  r.len = e->out;
  return r;
}

qs_cobs_result_t qs_cobs_encode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap) {
  qs_cobs_enc_t e;
  qs_cobs_enc_init(&e, dst, dst_cap);
  qs_cobs_enc_put(&e, src, src_len);
  return qs_cobs_enc_finish(&e);
}

qs_cobs_result_t qs_cobs_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap) {
  qs_cobs_result_t r = {QS_COBS_BAD, 0};
  size_t in = 0, out = 0;
  while (in < src_len) {
    uint8_t code = src[in++];
    if (code == 0) return r;
    size_t n = (size_t)code - 1u;
    if (n > src_len - in) return r; /* block runs past the end */
    if (n > dst_cap - out) {
      r.status = QS_COBS_DST_FULL;
      return r;
    }
    if (memchr(src + in, 0, n)) return r; /* a delimiter can never be inside a block */
    memmove(dst + out, src + in, n);      /* memmove: dst may be src (in place) */
    in += n;
    out += n;
    /* A block shorter than 254 bytes stands for "data then 0x00", except at the very end. */
    if (code != 0xFF && in < src_len) {
      if (out >= dst_cap) {
        r.status = QS_COBS_DST_FULL;
        return r;
      }
      dst[out++] = 0;
    }
  }
  r.status = QS_COBS_OK;
  r.len = out;
  return r;
}
