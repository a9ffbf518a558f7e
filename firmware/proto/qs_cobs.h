/*
 * Consistent Overhead Byte Stuffing. Pure functions over explicit buffers.
 * Encoded data never contains 0x00; the caller appends the 0x00 frame delimiter.
 */
#ifndef QS_COBS_H
#define QS_COBS_H

#include <stddef.h>
#include <stdint.h>

typedef enum { QS_COBS_OK = 0, QS_COBS_DST_FULL = 1, QS_COBS_BAD = 2 } qs_cobs_status_t;

typedef struct {
  qs_cobs_status_t status;
  size_t len; /* bytes written to dst (valid only when status == QS_COBS_OK) */
} qs_cobs_result_t;

/* Worst-case encoded size of n raw bytes (no delimiter). */
#define QS_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/* Streaming encoder: lets a frame be encoded from several pieces (header, data still in the
 * arena, CRC) without first copying them into one raw buffer. */
typedef struct {
  uint8_t *dst;
  size_t cap, out, code_at;
  uint8_t code;
  int full; /* set once dst overflowed; everything after is ignored */
} qs_cobs_enc_t;

void qs_cobs_enc_init(qs_cobs_enc_t *e, uint8_t *dst, size_t cap);
void qs_cobs_enc_put(qs_cobs_enc_t *e, const uint8_t *src, size_t n);
qs_cobs_result_t qs_cobs_enc_finish(qs_cobs_enc_t *e);

/* src is trusted (our own data). */
qs_cobs_result_t qs_cobs_encode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap);

/* src is UNTRUSTED (bytes from the wire, without the 0x00 delimiter). Never reads past
 * src_len or writes past dst_cap; a 0x00 inside src or a block running past the end is BAD.
 * dst may equal src (decoding in place is safe: the write index never passes the read index). */
qs_cobs_result_t qs_cobs_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap);

#endif
