/* Inputs, invoke with streamed per-op outputs, ticks and outputs (PROTOCOL.md §3). */
#include <string.h>

#include "qs_server.h"
#include "qs_wire.h"

#define OP_OUTPUT_HEAD 16u
#define OP_OUTPUT_DATA (QS_MAX_BODY - OP_OUTPUT_HEAD)

static void put_io(uint8_t **pp, const qs_interp_t *ip, int tensor) {
  qs_tensor_info_t t;
  memset(&t, 0, sizeof t);
  (void)qs_tensor_info(ip, tensor, &t);
  uint8_t *p = qs_put16(*pp, (uint32_t)tensor);
  p = qs_put8(p, (uint32_t)t.dtype);
  *pp = qs_put32(p, (uint32_t)t.bytes);
}

void qs_send_model_info(qs_server_t *s, const qs_request_t *r) {
  const qs_interp_t *ip = &s->ip;
  size_t nin = qs_input_count(ip), nout = qs_output_count(ip);
  uint8_t *p = s->body;
  p = qs_put16(p, (uint32_t)qs_op_count(ip));
  p = qs_put16(p, (uint32_t)qs_tensor_count(ip));
  p = qs_put32(p, (uint32_t)qs_arena_used(ip));
  p = qs_put32(p, (uint32_t)qs_arena_tensor_bytes(ip));
  p = qs_put8(p, (uint32_t)nin);
  p = qs_put8(p, (uint32_t)nout);
  for (size_t i = 0; i < nin; i++) put_io(&p, ip, qs_input_tensor(ip, (int)i));
  for (size_t i = 0; i < nout; i++) put_io(&p, ip, qs_output_tensor(ip, (int)i));
  qs_send(s, QS_REPLY(QS_CMD_LOAD_COMMIT), r->seq, s->body, (size_t)(p - s->body), 0, 0);
}

size_t qs_state_at(const qs_server_t *s) { return ((size_t)s->size + 3u) & ~(size_t)3u; }
size_t qs_stage_at(const qs_server_t *s) {
  size_t n = s->state == QS_LOAD_LOADED ? qs_state_bytes(&s->ip) : 0;
  return qs_state_at(s) + ((n + 3u) & ~(size_t)3u);
}

static size_t input_bytes(const qs_interp_t *ip, int i) {
  qs_tensor_info_t t;
  if (qs_tensor_info(ip, qs_input_tensor(ip, i), &t) != QS_OK) return 0;
  return t.bytes;
}

static void set_input(qs_server_t *s, const qs_request_t *r) {
  unsigned idx = r->body[0];
  uint32_t off = qs_get32(r->body + 1);
  size_t n = r->len - 5;
  if (idx >= qs_input_count(&s->ip)) {
    qs_send_error(s, r->seq, QS_E_BAD_ARG, r->cmd, -1, -1, 0, "no such input");
    return;
  }
  size_t total = input_bytes(&s->ip, (int)idx);
  uint8_t *dst = qs_input_data(&s->ip, (int)idx);
  if (!dst || off > total || n > total - off) {
    qs_send_error(s, r->seq, QS_E_BAD_OFFSET, r->cmd, -1, qs_input_tensor(&s->ip, (int)idx), 0,
                  "input data past the tensor end");
    return;
  }
  memcpy(dst + off, r->body + 5, n);
  uint8_t b[5];
  qs_put32(qs_put8(b, idx), (uint32_t)(off + n));
  qs_send(s, QS_REPLY(r->cmd), r->seq, b, sizeof b, 0, 0);
}

__attribute__((weak)) void qs_port_tick_sync(void) {}

#define HOLE_BYTES 10u /* op:u16 offset:u32 len:u32 */

typedef struct {
  qs_server_t *s;
  int stream;
  uint16_t seq;
  int first, last;
  size_t piece;  /* data bytes per OP_OUTPUT frame */
  unsigned sends; /* times each frame goes out (extended form: 1 + extra copies) */
  /* extended INVOKE with holes: stream only these byte ranges (sorted by op, then offset; they
   * stay in the request's receive buffer, which nothing overwrites while the model runs) */
  const uint8_t *holes;
  size_t n_holes, next_hole;
  int all; /* INVOKE_ALL_OUTPUTS: every output of an op, concatenated */
} stream_ctx_t;

/* Streams bytes [from, to) of op `op`'s output range (`len` bytes in all; this output's bytes
 * `data` start at `base` in it) in pieces: always at least one frame, so an empty output still
 * tells the host its size. */
static void stream_bytes(const stream_ctx_t *c, int op, int tensor, const uint8_t *data, size_t base,
                         size_t len, uint32_t ticks, size_t from, size_t to) {
  size_t off = from;
  do {
    size_t n = to - off < c->piece ? to - off : c->piece;
    uint8_t h[OP_OUTPUT_HEAD];
    uint8_t *p = qs_put16(h, (uint32_t)op);
    p = qs_put16(p, (uint32_t)tensor);
    p = qs_put32(p, ticks);
    p = qs_put32(p, (uint32_t)len);
    qs_put32(p, (uint32_t)off);
    for (unsigned k = 0; k < c->sends; k++)
      qs_send(c->s, QS_MSG_OP_OUTPUT, c->seq, h, sizeof h, n ? data + (off - base) : data, n);
    off += n;
  } while (off < to);
}

static size_t tensor_bytes(const qs_interp_t *ip, int t) {
  qs_tensor_info_t i;
  return qs_tensor_info(ip, t, &i) == QS_OK ? i.bytes : 0;
}

/* Runs right after each op, once per output, while it is still in the arena: stream it in
 * pieces. Without INVOKE_ALL_OUTPUTS only the first output goes out; with it, an op's outputs
 * are one byte range, their concatenation in output order (§3), named by the first output. */
static void stream_hook(void *vctx, int op, int tensor, const uint8_t *data, size_t len,
                        uint32_t ticks) {
  stream_ctx_t *c = (stream_ctx_t *)vctx;
  const qs_interp_t *ip = &c->s->ip;
  int first = qs_op_output(ip, op, 0);
  size_t base = 0, total = len;
  if (c->all) {
    qs_op_info_t oi;
    int n = qs_op_info(ip, op, &oi) == QS_OK ? oi.output_count : 1, k;
    for (k = 0; k < n && qs_op_output(ip, op, k) != tensor; k++)
      base += tensor_bytes(ip, qs_op_output(ip, op, k));
    if (k == n) return;
    total = base;
    for (; k < n; k++) total += tensor_bytes(ip, qs_op_output(ip, op, k));
  } else if (tensor != first) {
    return; /* older hosts: the first output only */
  }
  if (c->stream && op >= c->first && op <= c->last) {
    size_t end = base + len;
    if (c->n_holes == 0) {
      /* an all-empty range still sends one (empty) frame, at the op's last output */
      if (len > 0 || (total == 0 && end == total))
        stream_bytes(c, op, first, data, base, total, ticks, base, end);
    } else {
      /* a hole may span several outputs: each sends its part of it; the cursor moves past the
       * op's holes at its last output */
      size_t i;
      for (i = c->next_hole; i < c->n_holes; i++) {
        const uint8_t *h = c->holes + HOLE_BYTES * i;
        if ((int)qs_get16(h) > op) break;
        if ((int)qs_get16(h) < op) continue;
        uint32_t off = qs_get32(h + 2), want = qs_get32(h + 6);
        size_t from = off < total ? off : total;
        size_t to = want < total - from ? from + want : total; /* clamped: no overflow */
        size_t lo = from > base ? from : base, hi = to < end ? to : end;
        if (lo < hi) stream_bytes(c, op, first, data, base, total, ticks, lo, hi);
        else if (from == to && end == total)
          stream_bytes(c, op, first, data, base, total, ticks, from, from);
      }
      if (end == total) c->next_hole = i;
    }
  }
  qs_port_tick_sync();
}

/* The inputs of all graph inputs, back to back, fit in the model buffer's free tail (after the
 * model, 4-byte aligned: where SET_INPUT_RAW stages raw samples)? Copies them there
 * (`save`) or back into the input tensors. Returns 0 if they do not fit. */
static int copy_inputs(qs_server_t *s, int save) {
  size_t at = qs_stage_at(s), end = at;
  size_t nin = qs_input_count(&s->ip);
  for (size_t i = 0; i < nin; i++) {
    size_t n = input_bytes(&s->ip, (int)i);
    if (!qs_input_data(&s->ip, (int)i) || end > s->model_cap || n > s->model_cap - end) return 0;
    end += n;
  }
  for (size_t i = 0; i < nin; i++) {
    size_t n = input_bytes(&s->ip, (int)i);
    uint8_t *t = qs_input_data(&s->ip, (int)i);
    if (save) memcpy(s->model + at, t, n);
    else memcpy(t, s->model + at, n);
    at += n;
  }
  return 1;
}

/* A stream frame (§8): a frame seen before (the same number as the last) is a retry or a re-run
 * for lost pieces, so it starts from the state snapshot taken when it first ran; a new frame
 * (reset first with RESET_STATE) snapshots the state it starts from. Returns 0 after an error. */
static int begin_frame(qs_server_t *s, const qs_request_t *r, uint8_t flags, uint32_t frame) {
  size_t at = qs_state_at(s), n = qs_state_bytes(&s->ip);
  if (at > s->model_cap || n > s->model_cap - at) {
    qs_send_error(s, r->seq, QS_E_TOO_LARGE, r->cmd, -1, -1, 0, "stream state does not fit beside the model");
    return 0;
  }
  if (s->frame_valid && frame == s->frame) {
    (void)qs_state_restore(&s->ip, s->model + at, n);
    return 1;
  }
  if (flags & QS_INVOKE_RESET_STATE) (void)qs_reset_state(&s->ip);
  (void)qs_state_save(&s->ip, s->model + at, n);
  s->frame = frame;
  s->frame_valid = 1;
  return 1;
}

static void invoke(qs_server_t *s, const qs_request_t *r) {
  uint8_t flags = r->body[0];
  int first = qs_get16(r->body + 1), last = qs_get16(r->body + 3);
  int ops = (int)qs_op_count(&s->ip);
  if (first > last || first >= ops) {
    qs_send_error(s, r->seq, QS_E_BAD_ARG, r->cmd, first, -1, 0, "op range outside the model");
    return;
  }
  /* Optional 7th/8th byte: smaller stream pieces, so a noisy line loses less per bad frame. */
  size_t piece = r->len >= 7 ? qs_get16(r->body + 5) : 0;
  if (piece == 0 || piece > OP_OUTPUT_DATA) piece = OP_OUTPUT_DATA;
  if (piece < 16) piece = 16;
  stream_ctx_t c = {s, (flags & QS_INVOKE_STREAM) != 0, r->seq, first, last, piece, 1, 0, 0, 0,
                    (flags & QS_INVOKE_ALL_OUTPUTS) != 0};
  /* Extended form (§3): n:u16 holes, each op:u16 offset:u32 len:u32, sorted by op then offset. */
  if (r->len >= 9) {
    c.sends = 1u + ((flags >> QS_INVOKE_COPIES_SHIFT) & 3u);
    c.n_holes = qs_get16(r->body + 7);
    c.holes = r->body + 9;
    if (r->len != 9 + HOLE_BYTES * c.n_holes + ((flags & QS_INVOKE_FRAME) ? 4u : 0u)) {
      qs_send_error(s, r->seq, QS_E_BAD_LENGTH, r->cmd, -1, -1, 0, "INVOKE hole count and length differ");
      return;
    }
    for (size_t i = 1; i < c.n_holes; i++) {
      const uint8_t *a = c.holes + HOLE_BYTES * (i - 1), *b = a + HOLE_BYTES;
      if (qs_get16(b) < qs_get16(a) || (qs_get16(b) == qs_get16(a) && qs_get32(b + 2) < qs_get32(a + 2))) {
        qs_send_error(s, r->seq, QS_E_BAD_ARG, r->cmd, (int)qs_get16(b), -1, 0, "INVOKE holes not sorted by op and offset");
        return;
      }
    }
  }
  /* The arena reuses input memory while the model runs: a plain run saves the inputs it starts
   * with where there is room (the raw staging area: raw bytes already normalized are dropped), a
   * REUSE_INPUTS run (extended form only: older boards refuse it by length) restores them. */
  if ((flags & QS_INVOKE_REUSE_INPUTS) && r->len >= 9) {
    if (!s->inputs_saved || !copy_inputs(s, 0)) {
      qs_send_error(s, r->seq, QS_E_BAD_STATE, r->cmd, -1, -1, 0, "no saved inputs: write the inputs");
      return;
    }
  } else {
    s->inputs_saved = (uint8_t)copy_inputs(s, 1);
    if (s->inputs_saved) s->raw_have = 0;
  }
  if ((flags & QS_INVOKE_FRAME) && r->len >= 9) {
    if (!begin_frame(s, r, flags, qs_get32(r->body + 9 + HOLE_BYTES * c.n_holes))) return;
  } else {
    s->frame_valid = 0; /* a run outside a stream moves the state on: no frame repeats it */
  }
#ifdef QS_TEST_DROP_STATE
  (void)qs_reset_state(&s->ip); /* test build (make host-dropstate): a board that forgets its state */
#endif
  qs_port_tick_sync();
  qs_status_t st = qs_invoke(&s->ip, stream_hook, &c);
  if (st != QS_OK) {
    const qs_error_t *e = qs_last_error(&s->ip);
    qs_send_error(s, r->seq, QS_E_INVOKE_FAILED, r->cmd, e->op, e->tensor, (int)e->status, e->msg);
    return;
  }
  uint32_t total = 0;
  for (int i = 0; i < ops; i++) total += qs_op_ticks(&s->ip, i);
  uint8_t b[7];
  qs_put32(qs_put16(qs_put8(b, QS_OK), (uint32_t)ops), total);
  qs_send(s, QS_REPLY(r->cmd), r->seq, b, sizeof b, 0, 0);
}

static void read_ticks(qs_server_t *s, const qs_request_t *r) {
  unsigned first = qs_get16(r->body), count = qs_get16(r->body + 2);
  unsigned ops = (unsigned)qs_op_count(&s->ip);
  if (first > ops || count > ops - first || count > (QS_MAX_BODY - 4u) / 4u) {
    qs_send_error(s, r->seq, QS_E_BAD_ARG, r->cmd, (int)first, -1, 0, "op range outside the model");
    return;
  }
  uint8_t *p = qs_put16(qs_put16(s->body, first), count);
  for (unsigned i = 0; i < count; i++) p = qs_put32(p, qs_op_ticks(&s->ip, (int)(first + i)));
  qs_send(s, QS_REPLY(r->cmd), r->seq, s->body, (size_t)(p - s->body), 0, 0);
}

static void read_output(qs_server_t *s, const qs_request_t *r) {
  unsigned idx = r->body[0];
  uint32_t off = qs_get32(r->body + 1);
  size_t want = qs_get16(r->body + 5);
  qs_tensor_info_t t;
  const uint8_t *src = qs_output_data(&s->ip, (int)idx);
  if (idx >= qs_output_count(&s->ip) || !src ||
      qs_tensor_info(&s->ip, qs_output_tensor(&s->ip, (int)idx), &t) != QS_OK) {
    qs_send_error(s, r->seq, QS_E_BAD_ARG, r->cmd, -1, -1, 0, "no such output");
    return;
  }
  if (off > t.bytes) {
    qs_send_error(s, r->seq, QS_E_BAD_OFFSET, r->cmd, -1, -1, 0, "offset past the output end");
    return;
  }
  size_t n = t.bytes - off;
  if (n > want) n = want;
  if (n > QS_MAX_BODY - 5u) n = QS_MAX_BODY - 5u;
  uint8_t h[5];
  qs_put32(qs_put8(h, idx), off);
  qs_send(s, QS_REPLY(r->cmd), r->seq, h, sizeof h, src + off, n);
}

void qs_cmd_run(qs_server_t *s, const qs_request_t *r) {
  static const size_t min_len[] = {5, 5, 4, 7}; /* SET_INPUT, INVOKE, READ_TICKS, READ_OUTPUT */
  size_t need = min_len[r->cmd - QS_CMD_SET_INPUT];
  int exact = r->cmd != QS_CMD_SET_INPUT;
  int invoke_long = r->cmd == QS_CMD_INVOKE && (r->len == 7 || r->len >= 9);
  if (r->len < need || (exact && r->len != need && !invoke_long)) {
    qs_send_error(s, r->seq, QS_E_BAD_LENGTH, r->cmd, -1, -1, 0, "body length wrong for command");
    return;
  }
  if (s->state != QS_LOAD_LOADED) {
    qs_send_error(s, r->seq, QS_E_BAD_STATE, r->cmd, -1, -1, 0, "no model loaded");
    return;
  }
  if (r->cmd == QS_CMD_SET_INPUT) s->inputs_saved = 0; /* saved inputs (REUSE_INPUTS) are stale now */
  switch (r->cmd) {
    case QS_CMD_SET_INPUT: set_input(s, r); break;
    case QS_CMD_INVOKE: invoke(s, r); break;
    case QS_CMD_READ_TICKS: read_ticks(s, r); break;
    default: read_output(s, r); break;
  }
}
