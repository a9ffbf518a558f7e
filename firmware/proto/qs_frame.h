/*
 * Protocol v1 frames: COBS( ver type seq:u16 body crc32 ) 0x00. See firmware/PROTOCOL.md §1.
 * Pure code over explicit buffers: no I/O, no globals.
 */
#ifndef QS_FRAME_H
#define QS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "qs_proto.h"

/* ---- receiving (all input bytes are UNTRUSTED) ---- */

typedef struct {
  uint8_t buf[QS_MAX_ENCODED]; /* encoded bytes of the frame being received */
  size_t len;
  int overflow; /* the current frame outgrew buf: discard until the next 0x00 */
  int ready;    /* buf holds a handed-over frame; cleared by the next push */
} qs_frame_rx_t;

typedef enum {
  QS_RX_MORE = 0,     /* need more bytes */
  QS_RX_FRAME = 1,    /* rx->buf[0..rx->len) holds one encoded frame (no delimiter) */
  QS_RX_TOO_LARGE = 2 /* a frame longer than QS_MAX_ENCODED ended; it was discarded */
} qs_rx_event_t;

void qs_frame_rx_init(qs_frame_rx_t *rx);

/* Consumes bytes from data[0..n) until an event; *used says how many. Call again with the rest.
 * After QS_RX_FRAME the frame stays in rx->buf until the next call. */
qs_rx_event_t qs_frame_rx_push(qs_frame_rx_t *rx, const uint8_t *data, size_t n, size_t *used);

typedef struct {
  qs_proto_error_t err; /* QS_E_NONE, BAD_FRAME, BAD_CRC or BAD_VERSION */
  uint8_t type;
  uint16_t seq;        /* trustworthy unless err is BAD_FRAME or BAD_CRC */
  const uint8_t *body; /* points into the decoded buffer */
  size_t body_len;
} qs_frame_t;

/* Decodes an encoded frame IN PLACE (buf is overwritten with the raw frame) and checks it.
 * Empty input (two delimiters in a row) gives err = BAD_FRAME and body_len 0; callers drop it. */
qs_frame_t qs_frame_parse(uint8_t *buf, size_t len);

/* ---- sending (trusted data) ---- */

/* Encodes one frame with a body made of two pieces (head then data; either may be empty) into
 * dst, including the trailing 0x00. Returns the byte count, or 0 if dst is too small or the
 * body exceeds QS_MAX_BODY. */
size_t qs_frame_encode(uint8_t type, uint16_t seq, const uint8_t *head, size_t head_len,
                       const uint8_t *data, size_t data_len, uint8_t *dst, size_t dst_cap);

#endif
