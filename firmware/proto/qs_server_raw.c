/* SET_INPUT_RAW and READ_INPUT (PROTOCOL.md §3, §7): raw sensor samples normalized on the board
 * with the model's own SL_PARAMSv1 parameters (firmware/params), and the input tensor read back. */
#include <string.h>

#include "qs_normalize.h"
#include "qs_params.h"
#include "qs_server.h"
#include "qs_wire.h"

#define RAW_HEAD 10u /* input:u8 dtype:u8 count:u32 offset:u32 */

/* Raw samples are staged in the free tail of the model buffer (4-byte aligned after the model):
 * no RAM beyond what the port already gave for models. */
static uint8_t *stage(qs_server_t *s, size_t *cap) {
  size_t at = qs_stage_at(s);
  *cap = at < s->model_cap ? s->model_cap - at : 0;
  return s->model + at;
}

static void fail(qs_server_t *s, const qs_request_t *r, qs_proto_error_t code, int tensor,
                 const char *msg) {
  qs_send_error(s, r->seq, code, r->cmd, -1, tensor, 0, msg);
}

/* All raw bytes are in: normalize them into the input tensor. */
static int normalize(qs_server_t *s, const qs_request_t *r, int idx, int dtype, uint32_t count,
                     const uint8_t *raw) {
  int tensor = qs_input_tensor(&s->ip, idx);
  qs_tensor_info_t t;
  qs_params_t p;
  qs_norm_t nm;
  qs_norm_target_t target;
  qs_params_status_t ps;
  qs_norm_status_t ns;
  (void)qs_tensor_info(&s->ip, tensor, &t);
  ps = qs_params_find(&p, s->model, s->size);
  if (ps == QS_PARAMS_ERR_NO_PARAMS) {
    fail(s, r, QS_E_NO_PARAMS, tensor, qs_params_status_str(ps));
    return 0;
  }
  if (ps != QS_PARAMS_OK) {
    fail(s, r, QS_E_NORMALIZE_FAILED, tensor, qs_params_status_str(ps));
    return 0;
  }
  ns = qs_norm_from_params(&p, &nm);
  if (ns == QS_NORM_OK) {
    target.dtype = (int)t.dtype;
    target.scale = t.scale;
    target.zero_point = t.zero_point;
    ns = qs_normalize(&nm, raw, dtype, count, &target, qs_input_data(&s->ip, idx), 0);
  }
  if (ns != QS_NORM_OK) {
    fail(s, r, ns == QS_NORM_ERR_NO_PARAMS ? QS_E_NO_PARAMS : QS_E_NORMALIZE_FAILED, tensor,
         qs_norm_status_str(ns));
    return 0;
  }
  return 1;
}

static void set_input_raw(qs_server_t *s, const qs_request_t *r) {
  unsigned idx = r->body[0];
  int dtype = r->body[1];
  uint32_t count = qs_get32(r->body + 2), off = qs_get32(r->body + 6);
  size_t n = r->len - RAW_HEAD, size = qs_raw_size(dtype), cap, total, elems;
  qs_tensor_info_t t;
  uint8_t *raw = stage(s, &cap);
  uint8_t b[6];
  if (idx >= qs_input_count(&s->ip) ||
      qs_tensor_info(&s->ip, qs_input_tensor(&s->ip, (int)idx), &t) != QS_OK) {
    fail(s, r, QS_E_BAD_ARG, -1, "no such input");
    return;
  }
  elems = t.dtype == QS_DT_FLOAT32 ? t.bytes / 4 : t.bytes;
  if (size == 0 || (t.dtype != QS_DT_FLOAT32 && t.dtype != QS_DT_INT8) || count != elems) {
    fail(s, r, QS_E_BAD_ARG, qs_input_tensor(&s->ip, (int)idx),
         size == 0 ? "raw dtype must be float32/uint8/int16/int8/uint16"
         : (t.dtype != QS_DT_FLOAT32 && t.dtype != QS_DT_INT8)
             ? "raw input needs a float32 or int8 input tensor"
             : "raw sample count differs from the input tensor's elements");
    return;
  }
  total = (size_t)count * size;
  if (total > cap) {
    fail(s, r, QS_E_TOO_LARGE, -1, "raw samples do not fit beside the model");
    return;
  }
  /* Chunks append in order; offset 0 starts a new sample. A retry below raw_have is rewritten. */
  if (off > total || n > total - off || (off != 0 && off > s->raw_have)) {
    fail(s, r, QS_E_BAD_OFFSET, -1, "raw chunk past the sample end or after a gap");
    return;
  }
  if (off == 0) s->raw_have = 0;
  memcpy(raw + off, r->body + RAW_HEAD, n);
  if (off + n > s->raw_have) s->raw_have = (uint32_t)(off + n);
  if (s->raw_have == total && off + n == total &&
      !normalize(s, r, (int)idx, dtype, count, raw))
    return;
  b[0] = (uint8_t)idx;
  qs_put32(b + 1, (uint32_t)(off + n));
  b[5] = (uint8_t)(s->raw_have == total && off + n == total);
  qs_send(s, QS_REPLY(r->cmd), r->seq, b, sizeof b, 0, 0);
}

/* The input tensor as it is now: after SET_INPUT(_RAW), before INVOKE reuses its memory. */
static void read_input(qs_server_t *s, const qs_request_t *r) {
  unsigned idx = r->body[0];
  uint32_t off = qs_get32(r->body + 1);
  size_t want = qs_get16(r->body + 5), n;
  qs_tensor_info_t t;
  const uint8_t *src = qs_input_data(&s->ip, (int)idx);
  uint8_t h[5];
  if (idx >= qs_input_count(&s->ip) || !src ||
      qs_tensor_info(&s->ip, qs_input_tensor(&s->ip, (int)idx), &t) != QS_OK) {
    fail(s, r, QS_E_BAD_ARG, -1, "no such input");
    return;
  }
  if (off > t.bytes) {
    fail(s, r, QS_E_BAD_OFFSET, -1, "offset past the input end");
    return;
  }
  n = t.bytes - off;
  if (n > want) n = want;
  if (n > QS_MAX_BODY - 5u) n = QS_MAX_BODY - 5u;
  qs_put32(qs_put8(h, idx), off);
  qs_send(s, QS_REPLY(r->cmd), r->seq, h, sizeof h, src + off, n);
}

void qs_cmd_raw(qs_server_t *s, const qs_request_t *r) {
  int raw = r->cmd == QS_CMD_SET_INPUT_RAW;
  if (raw ? r->len < RAW_HEAD : r->len != 7) {
    fail(s, r, QS_E_BAD_LENGTH, -1, "body length wrong for command");
    return;
  }
  if (s->state != QS_LOAD_LOADED) {
    fail(s, r, QS_E_BAD_STATE, -1, "no model loaded");
    return;
  }
  if (raw) s->inputs_saved = 0; /* new inputs; and the staging area is where they were saved */
  if (raw) set_input_raw(s, r);
  else read_input(s, r);
}
