#include "qs_frame.h"

#include <string.h>

#include "qs_cobs.h"
#include "qs_crc32.h"
#include "qs_wire.h"

void qs_frame_rx_init(qs_frame_rx_t *rx) {
  rx->len = 0;
  rx->overflow = 0;
  rx->ready = 0;
}

qs_rx_event_t qs_frame_rx_push(qs_frame_rx_t *rx, const uint8_t *data, size_t n, size_t *used) {
  size_t i = 0;
  if (rx->ready) {
    rx->ready = 0;
    rx->len = 0;
  }
  while (i < n) {
    /* Copy the run up to the next delimiter in one go (memchr/memcpy, not byte by byte). */
    const uint8_t *z = (const uint8_t *)memchr(data + i, 0, n - i);
    size_t run = z ? (size_t)(z - (data + i)) : n - i;
    if (!rx->overflow) {
      if (run > sizeof rx->buf - rx->len) {
        rx->overflow = 1;
      } else {
        memcpy(rx->buf + rx->len, data + i, run);
        rx->len += run;
      }
    }
    i += run;
    if (!z) break;
    i++; /* the delimiter */
    int was_overflow = rx->overflow;
    size_t len = rx->len;
    rx->len = 0;
    rx->overflow = 0;
    if (was_overflow) {
      *used = i;
      return QS_RX_TOO_LARGE;
    }
    if (len == 0) continue; /* empty frame: a flush, ignored */
    rx->len = len;          /* hand the frame over; reset on the next push */
    rx->ready = 1;
    *used = i;
    return QS_RX_FRAME;
  }
  *used = i;
  return QS_RX_MORE;
}

qs_frame_t qs_frame_parse(uint8_t *buf, size_t len) {
  qs_frame_t f = {QS_E_BAD_FRAME, 0, QS_SEQ_UNKNOWN, 0, 0};
  qs_cobs_result_t d = qs_cobs_decode(buf, len, buf, len);
  if (d.status != QS_COBS_OK) return f;
  if (d.len < QS_FRAME_HEADER + QS_FRAME_CRC) return f;
  size_t covered = d.len - QS_FRAME_CRC;
  if (qs_crc32(0, buf, covered) != qs_get32(buf + covered)) {
    f.err = QS_E_BAD_CRC;
    return f;
  }
  f.type = buf[1];
  f.seq = qs_get16(buf + 2);
  f.body = buf + QS_FRAME_HEADER;
  f.body_len = covered - QS_FRAME_HEADER;
  f.err = buf[0] == QS_PROTO_VERSION ? QS_E_NONE : QS_E_BAD_VERSION;
  return f;
}

size_t qs_frame_encode(uint8_t type, uint16_t seq, const uint8_t *head, size_t head_len,
                       const uint8_t *data, size_t data_len, uint8_t *dst, size_t dst_cap) {
  if (head_len > QS_MAX_BODY || data_len > QS_MAX_BODY - head_len || dst_cap < 1) return 0;
  uint8_t hdr[QS_FRAME_HEADER], tail[QS_FRAME_CRC];
  hdr[0] = QS_PROTO_VERSION;
  hdr[1] = type;
  qs_put16(hdr + 2, seq);
  uint32_t crc = qs_crc32(0, hdr, sizeof hdr);
  if (head_len) crc = qs_crc32(crc, head, head_len);
  if (data_len) crc = qs_crc32(crc, data, data_len);
  qs_put32(tail, crc);

  qs_cobs_enc_t e;
  qs_cobs_enc_init(&e, dst, dst_cap - 1); /* keep room for the delimiter */
  qs_cobs_enc_put(&e, hdr, sizeof hdr);
  if (head_len) qs_cobs_enc_put(&e, head, head_len);
  if (data_len) qs_cobs_enc_put(&e, data, data_len);
  qs_cobs_enc_put(&e, tail, sizeof tail);
  qs_cobs_result_t r = qs_cobs_enc_finish(&e);
  if (r.status != QS_COBS_OK) return 0;
  dst[r.len] = 0;
  return r.len + 1;
}
