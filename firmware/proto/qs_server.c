#include "qs_server.h"

#include <string.h>

#include "qs_port.h"
#include "qs_wire.h"

void qs_server_init(qs_server_t *s, uint8_t *model, size_t model_cap, uint8_t *arena,
                    size_t arena_cap, qs_write_fn write, void *write_ctx) {
  memset(s, 0, sizeof *s);
  qs_frame_rx_init(&s->rx);
  s->model = model;
  s->model_cap = model_cap;
  s->arena = arena;
  s->arena_cap = arena_cap;
  s->write = write;
  s->write_ctx = write_ctx;
  s->state = QS_LOAD_IDLE;
}

void qs_send(qs_server_t *s, uint8_t type, uint16_t seq, const uint8_t *head, size_t head_len,
             const uint8_t *data, size_t data_len) {
  size_t n = qs_frame_encode(type, seq, head, head_len, data, data_len, s->tx, sizeof s->tx);
  if (n) (void)s->write(s->write_ctx, s->tx, n);
}

void qs_send_error(qs_server_t *s, uint16_t seq, qs_proto_error_t code, uint8_t cmd, int op,
                   int tensor, int core_status, const char *msg) {
  uint8_t b[12 + 200];
  size_t mlen = msg ? strlen(msg) : 0;
  if (mlen > 200) mlen = 200;
  uint8_t *p = qs_put16(b, code);
  p = qs_put8(p, cmd);
  p = qs_put16(p, (uint16_t)(int16_t)op);
  p = qs_put16(p, (uint16_t)(int16_t)tensor);
  p = qs_put8(p, (uint32_t)core_status);
  p = qs_put8(p, (uint32_t)mlen);
  if (mlen) memcpy(p, msg, mlen);
  qs_send(s, QS_MSG_ERROR, seq, b, (size_t)(p - b) + mlen, 0, 0);
}

static uint8_t *put_str(uint8_t *p, const char *str) {
  size_t n = str ? strlen(str) : 0;
  if (n > 64) n = 64;
  p = qs_put8(p, (uint32_t)n);
  memcpy(p, str, n);
  return p + n;
}

static void cmd_hello(qs_server_t *s, const qs_request_t *r) {
  const qs_port_info_t *info = qs_port_info();
  uint8_t *p = s->body;
  p = qs_put8(p, QS_PROTO_VERSION);
  p = qs_put16(p, QS_MAX_BODY);
  p = qs_put32(p, info->cpu_hz);
  p = qs_put32(p, qs_port_tick_hz());
  p = qs_put32(p, (uint32_t)s->arena_cap);
  p = qs_put32(p, (uint32_t)s->model_cap);
  p = qs_put16(p, QS_MAX_OPS);
  p = put_str(p, info->board);
  p = put_str(p, QS_FW_VERSION);
  p = put_str(p, info->cpu);
  p = put_str(p, info->tick_source);
  int32_t codes[256];
  size_t n = qs_supported_ops(codes, 256);
  if (n > 256) n = 256;
  p = qs_put16(p, (uint32_t)n);
  for (size_t i = 0; i < n; i++) p = qs_put32(p, (uint32_t)codes[i]);
  /* the build's dtype families, then each op's (PROTOCOL.md §3): the host names what a build lacks
   * before uploading */
  p = qs_put8(p, qs_build_families());
  for (size_t i = 0; i < n; i++) p = qs_put8(p, qs_op_dtypes(codes[i]));
  /* features (§3): stream frames keep the state and re-run a repeated frame from the same state;
   * INVOKE_ALL_OUTPUTS streams every output of an op */
  p = qs_put8(p, QS_FEATURE_STREAM_STATE | QS_FEATURE_ALL_OUTPUTS);
  qs_send(s, QS_REPLY(r->cmd), r->seq, s->body, (size_t)(p - s->body), 0, 0);
}

static void cmd_simple(qs_server_t *s, const qs_request_t *r) {
  uint8_t b[20];
  uint8_t *p = b;
  if (r->cmd == QS_CMD_LINK_STATS) {
    p = qs_put32(p, s->stats.rx_bytes);
    p = qs_put32(p, s->stats.rx_frames);
    p = qs_put32(p, s->stats.dropped);
    p = qs_put32(p, s->stats.bad_crc);
    p = qs_put32(p, s->stats.too_large);
  } else { /* ARENA_STATS */
    int loaded = s->state == QS_LOAD_LOADED;
    p = qs_put32(p, (uint32_t)s->arena_cap);
    p = qs_put32(p, loaded ? (uint32_t)qs_arena_used(&s->ip) : 0);
    p = qs_put32(p, loaded ? (uint32_t)qs_arena_tensor_bytes(&s->ip) : 0);
    p = qs_put32(p, loaded ? s->size : 0);
    p = qs_put32(p, (uint32_t)s->model_cap);
  }
  qs_send(s, QS_REPLY(r->cmd), r->seq, b, (size_t)(p - b), 0, 0);
}

static void dispatch(qs_server_t *s, const qs_request_t *r) {
  switch (r->cmd) {
    case QS_CMD_HELLO:
      cmd_hello(s, r);
      return;
    case QS_CMD_ECHO:
      qs_send(s, QS_REPLY(r->cmd), r->seq, r->body, r->len, 0, 0);
      return;
    case QS_CMD_LINK_STATS:
    case QS_CMD_ARENA_STATS:
      if (r->len != 0) break;
      cmd_simple(s, r);
      return;
    case QS_CMD_RESET:
      qs_send(s, QS_REPLY(r->cmd), r->seq, 0, 0, 0, 0);
      s->state = QS_LOAD_IDLE;
      s->have = s->size = s->crc = 0;
      s->n_ranges = 0;
      s->last_error = 0;
      s->raw_have = 0;
      s->frame_valid = 0;
      memset(&s->ip, 0, sizeof s->ip);
      return;
    case QS_CMD_LOAD_BEGIN:
    case QS_CMD_LOAD_CHUNK:
    case QS_CMD_LOAD_STATUS:
    case QS_CMD_LOAD_COMMIT:
      qs_cmd_load(s, r);
      return;
    case QS_CMD_SET_INPUT:
    case QS_CMD_INVOKE:
    case QS_CMD_READ_TICKS:
    case QS_CMD_READ_OUTPUT:
      qs_cmd_run(s, r);
      return;
    case QS_CMD_SET_INPUT_RAW:
    case QS_CMD_READ_INPUT:
      qs_cmd_raw(s, r);
      return;
    default:
      qs_send_error(s, r->seq, QS_E_UNKNOWN_CMD, r->cmd, -1, -1, 0, "unknown command");
      return;
  }
  qs_send_error(s, r->seq, QS_E_BAD_LENGTH, r->cmd, -1, -1, 0, "body length wrong for command");
}

static void handle_frame(qs_server_t *s) {
  qs_frame_t f = qs_frame_parse(s->rx.buf, s->rx.len);
  s->stats.rx_frames++;
  if (f.err != QS_E_NONE) {
    if (f.err == QS_E_BAD_CRC) s->stats.bad_crc++;
    else s->stats.dropped++;
    qs_send_error(s, f.seq, f.err, 0, -1, -1, 0,
                  f.err == QS_E_BAD_CRC ? "frame CRC mismatch"
                  : f.err == QS_E_BAD_VERSION ? "unsupported protocol version"
                                              : "malformed frame");
    return;
  }
  qs_request_t r = {f.type, f.seq, f.body, f.body_len};
  dispatch(s, &r);
}

void qs_server_feed(qs_server_t *s, const uint8_t *data, size_t n) {
  s->stats.rx_bytes += (uint32_t)n;
  while (n > 0) {
    size_t used = 0;
    qs_rx_event_t ev = qs_frame_rx_push(&s->rx, data, n, &used);
    data += used;
    n -= used;
    if (ev == QS_RX_FRAME) {
      handle_frame(s);
    } else if (ev == QS_RX_TOO_LARGE) {
      s->stats.too_large++;
      qs_send_error(s, QS_SEQ_UNKNOWN, QS_E_TOO_LARGE, 0, -1, -1, 0, "frame too large");
    }
  }
}

static int port_write(void *ctx, const uint8_t *buf, size_t len) {
  (void)ctx;
  return qs_port_write(buf, len);
}

/* Bytes taken from the port per read: small on MCUs (stack), large on the host (fewer syscalls). */
#ifndef QS_READ_CHUNK
#define QS_READ_CHUNK 256
#endif

void qs_server_run(qs_server_t *s) {
  static uint8_t buf[QS_READ_CHUNK];
  if (!s->write) s->write = port_write;
  for (;;) {
    size_t n = qs_port_read(buf, sizeof buf);
    if (n == 0) return;
    qs_server_feed(s, buf, n);
  }
}
