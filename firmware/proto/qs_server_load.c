/* Resumable chunked model upload and commit (PROTOCOL.md §4). */
#include <string.h>

#include "qs_crc32.h"
#include "qs_server.h"
#include "qs_wire.h"

/* LOAD_STATUS; with `ranges`, followed by n:u8 and the n ranges held beyond `have`. */
static void send_status(qs_server_t *s, const qs_request_t *r, int ranges) {
  uint8_t b[15 + 1 + 8 * QS_LOAD_RANGES];
  uint8_t *p = qs_put32(b, s->have);
  p = qs_put32(p, s->size);
  p = qs_put32(p, s->crc);
  p = qs_put8(p, s->state);
  p = qs_put16(p, s->last_error);
  if (ranges) {
    p = qs_put8(p, s->n_ranges);
    for (unsigned i = 0; i < s->n_ranges; i++) p = qs_put32(qs_put32(p, s->ranges[i][0]), s->ranges[i][1]);
  }
  qs_send(s, QS_REPLY(r->cmd), r->seq, b, (size_t)(p - b), 0, 0);
}

/* Records [a, b) (a > have) among the held ranges, merging any it overlaps or touches.
 * Returns 0, changing nothing, when it would need one range more than QS_LOAD_RANGES. */
static int add_range(qs_server_t *s, uint32_t a, uint32_t b) {
  uint32_t out[QS_LOAD_RANGES + 1][2];
  unsigned m = 0, placed = 0;
  for (unsigned i = 0; i < s->n_ranges; i++) {
    uint32_t lo = s->ranges[i][0], hi = s->ranges[i][1];
    if (hi < a || lo > b) {
      if (!placed && lo > b) {
        out[m][0] = a, out[m][1] = b, m++;
        placed = 1;
      }
      out[m][0] = lo, out[m][1] = hi, m++;
    } else {
      if (lo < a) a = lo;
      if (hi > b) b = hi;
    }
  }
  if (!placed) out[m][0] = a, out[m][1] = b, m++;
  if (m > QS_LOAD_RANGES) return 0;
  memcpy(s->ranges, out, m * sizeof out[0]);
  s->n_ranges = (uint8_t)m;
  return 1;
}

/* `have` grew: ranges it now reaches become part of the contiguous prefix. */
static void absorb_ranges(qs_server_t *s) {
  unsigned k = 0;
  while (k < s->n_ranges && s->ranges[k][0] <= s->have) {
    if (s->ranges[k][1] > s->have) s->have = s->ranges[k][1];
    k++;
  }
  if (k == 0) return;
  memmove(s->ranges, s->ranges + k, (s->n_ranges - k) * sizeof s->ranges[0]);
  s->n_ranges = (uint8_t)(s->n_ranges - k);
}

static void begin(qs_server_t *s, const qs_request_t *r) {
  uint32_t size = qs_get32(r->body), crc = qs_get32(r->body + 4);
  if (size == 0 || size > s->model_cap) {
    qs_send_error(s, r->seq, QS_E_TOO_LARGE, r->cmd, -1, -1, 0, "model larger than max_model_bytes");
    return;
  }
  /* Same model as the one held (partly or fully): keep it, so an interrupted upload resumes. */
  if (s->state != QS_LOAD_IDLE && size == s->size && crc == s->crc) {
    send_status(s, r, 0);
    return;
  }
  memset(&s->ip, 0, sizeof s->ip); /* the old model's bytes are about to be overwritten */
  s->size = size;
  s->crc = crc;
  s->have = 0;
  s->n_ranges = 0;
  s->last_error = 0;
  s->state = QS_LOAD_RECEIVING;
  send_status(s, r, 0);
}

/* Returns the error code for a chunk, or QS_E_NONE if it was appended, kept beyond a gap or is a
 * duplicate. A chunk is written only after its CRC checked; bytes it shares with ones already held
 * are the same model bytes (the whole-model CRC at commit would catch anything else). */
static qs_proto_error_t chunk(qs_server_t *s, const qs_request_t *r) {
  if (s->state != QS_LOAD_RECEIVING) return QS_E_BAD_STATE;
  uint32_t off = qs_get32(r->body), crc = qs_get32(r->body + 4);
  const uint8_t *data = r->body + 9;
  size_t n = r->len - 9;
  if (qs_crc32(0, data, n) != crc) return QS_E_CHUNK_CRC;
  if (off > s->size || n > s->size - off) return QS_E_BAD_OFFSET;
  uint32_t end = off + (uint32_t)n;
  if (end <= s->have) return QS_E_NONE; /* a retried chunk we already hold */
  if (off <= s->have) {
    memcpy(s->model + s->have, data + (s->have - off), end - s->have);
    s->have = end;
    absorb_ranges(s);
    return QS_E_NONE;
  }
  if (n == 0 || !add_range(s, off, end)) return QS_E_BAD_OFFSET; /* a gap, and no room to note it */
  memcpy(s->model + off, data, n);
  return QS_E_NONE;
}

static void commit(qs_server_t *s, const qs_request_t *r) {
  if (s->state == QS_LOAD_LOADED) {
    qs_send_model_info(s, r);
    return;
  }
  if (s->state != QS_LOAD_RECEIVING || s->have != s->size) {
    qs_send_error(s, r->seq, QS_E_BAD_STATE, r->cmd, -1, -1, 0, "upload incomplete");
    return;
  }
  if (qs_crc32(0, s->model, s->size) != s->crc) {
    s->have = 0;
    s->n_ranges = 0;
    qs_send_error(s, r->seq, QS_E_MODEL_CRC, r->cmd, -1, -1, 0, "whole-model CRC mismatch");
    return;
  }
  qs_status_t st = qs_load(&s->ip, s->model, s->size, s->arena, s->arena_cap);
  if (st != QS_OK) {
    const qs_error_t *e = qs_last_error(&s->ip);
    qs_send_error(s, r->seq, QS_E_MODEL_INVALID, r->cmd, e->op, e->tensor, (int)e->status, e->msg);
    memset(&s->ip, 0, sizeof s->ip);
    s->state = QS_LOAD_IDLE;
    s->have = s->size = s->crc = 0;
    s->n_ranges = 0;
    return;
  }
  s->state = QS_LOAD_LOADED;
  qs_send_model_info(s, r);
}

void qs_cmd_load(qs_server_t *s, const qs_request_t *r) {
  /* Inputs saved for INVOKE REUSE_INPUTS live after the model: any upload step may change it
   * (a board reset or started afresh reaches a runnable model only through here). */
  if (r->cmd != QS_CMD_LOAD_STATUS) s->inputs_saved = s->frame_valid = 0;
  switch (r->cmd) {
    case QS_CMD_LOAD_BEGIN:
      if (r->len != 8) break;
      begin(s, r);
      return;
    case QS_CMD_LOAD_CHUNK: {
      if (r->len < 9) break;
      qs_proto_error_t e = chunk(s, r);
      if (e != QS_E_NONE) s->last_error = (uint16_t)e;
      if (r->body[8] & QS_CHUNK_ACK) {
        if (e == QS_E_BAD_STATE)
          qs_send_error(s, r->seq, e, r->cmd, -1, -1, 0, "no upload in progress");
        else
          send_status(s, r, (r->body[8] & QS_CHUNK_RANGES) != 0);
      }
      return;
    }
    case QS_CMD_LOAD_STATUS:
      if (r->len != 0) break;
      send_status(s, r, 0);
      return;
    case QS_CMD_LOAD_COMMIT:
      if (r->len != 0) break;
      commit(s, r);
      return;
    default:
      break;
  }
  qs_send_error(s, r->seq, QS_E_BAD_LENGTH, r->cmd, -1, -1, 0, "body length wrong for command");
}
