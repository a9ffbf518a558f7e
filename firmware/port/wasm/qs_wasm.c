/*
 * The WebAssembly port: the interpreter core as the host simulator. One instance of the module
 * holds one loaded model (TypeScript instantiates the module once per prepared model, so nothing
 * leaks from one model to the next).
 *
 * Exports (all names prefixed qsw_): memory management for the model bytes, load (the core's
 * validation is the verdict), error details, I/O buffers and invoke. Imports: qs_port_ticks
 * (a microsecond clock from the host) and qs_host_tap, called after every op in tap mode with
 * the op's output bytes (a view into this memory, valid only during the call).
 *
 * Arena sizing: qs_load reports the bytes it needs when the arena is too small; we grow it
 * (at least doubling) and load again, so a few rounds even for a large model.
 */
#include <stdlib.h>
#include <string.h>

#include "qs_interp.h"
#include "qs_port.h"

#define QSW_EXPORT(name) __attribute__((export_name(#name)))
#define QSW_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

QSW_IMPORT(qs_host_tap)
void qs_host_tap(int op_index, int tensor_index, const uint8_t *data, size_t len, uint32_t ticks);
QSW_IMPORT(qs_host_ticks) uint32_t qs_host_ticks(void);

uint32_t qs_port_ticks(void) { return qs_host_ticks(); }

static qs_interp_t g_ip;
static uint8_t *g_arena;
static size_t g_arena_len;
/* Tap buffer: every op output copied here during a buffered invoke, at offsets the host sets. */
static uint8_t *g_taps;
static uint32_t *g_tap_off; /* one offset per op output, in op order then output order */
static uint32_t g_tap_next; /* the next op output's slot during a buffered invoke */

QSW_EXPORT(qsw_alloc) void *qsw_alloc(size_t n) { return malloc(n ? n : 1); }
QSW_EXPORT(qsw_free) void qsw_free(void *p) { free(p); }

/* Limit on the arena this host will try (the wasm32 address space is 4 GiB). */
#define QSW_ARENA_MAX ((size_t)1 << 31)

QSW_EXPORT(qsw_load) int qsw_load(const uint8_t *model, size_t len) {
  size_t want = 64 * 1024;
  int round;
  qs_status_t s = QS_ERR_ARENA;
  for (round = 0; round < 40; round++) {
    free(g_arena);
    g_arena = (uint8_t *)malloc(want);
    g_arena_len = g_arena ? want : 0;
    if (!g_arena) {
      g_ip.m = NULL;
      g_ip.err.status = QS_ERR_ARENA;
      g_ip.err.op = -1;
      g_ip.err.tensor = -1;
      g_ip.err.msg = "the host could not allocate the arena this model needs";
      g_ip.err.needed = want;
      return QS_ERR_ARENA;
    }
    s = qs_load(&g_ip, model, len, g_arena, g_arena_len);
    if (s != QS_ERR_ARENA || g_ip.err.needed <= want || g_ip.err.needed > QSW_ARENA_MAX) break;
    /* tables report the allocation that failed, not the total: at least double each round */
    want = g_ip.err.needed > 2 * want ? g_ip.err.needed + 64 : 2 * want;
  }
  return (int)s;
}

QSW_EXPORT(qsw_err_op) int qsw_err_op(void) { return g_ip.err.op; }
QSW_EXPORT(qsw_err_tensor) int qsw_err_tensor(void) { return g_ip.err.tensor; }
QSW_EXPORT(qsw_err_msg) const char *qsw_err_msg(void) { return g_ip.err.msg; }
QSW_EXPORT(qsw_err_needed) size_t qsw_err_needed(void) { return g_ip.err.needed; }
QSW_EXPORT(qsw_status_str) const char *qsw_status_str(int s) { return qs_status_str((qs_status_t)s); }

/* The core's kernel registry (docs/ops.md is generated from it): entry i's builtin code, name and
 * dtype families (qs_op_dtypes: low nibble built, high nibble left out of this build). */
QSW_EXPORT(qsw_registry_size) int qsw_registry_size(void) { return (int)qs_supported_ops(NULL, 0); }
QSW_EXPORT(qsw_registry_code) int qsw_registry_code(int i) {
  qs_op_entry_info_t e;
  return i >= 0 && qs_registry_entry((size_t)i, &e) ? (int)e.code : -1;
}
QSW_EXPORT(qsw_registry_name) const char *qsw_registry_name(int i) {
  qs_op_entry_info_t e;
  return i >= 0 && qs_registry_entry((size_t)i, &e) ? e.name : "";
}
QSW_EXPORT(qsw_registry_dtypes) int qsw_registry_dtypes(int i) {
  qs_op_entry_info_t e;
  return i >= 0 && qs_registry_entry((size_t)i, &e) ? (int)e.dtypes : 0;
}
QSW_EXPORT(qsw_build_families) int qsw_build_families(void) { return (int)qs_build_families(); }

/* Variable tensors and op state back to their load-time values (streaming: a new stream). */
QSW_EXPORT(qsw_reset_state) int qsw_reset_state(void) { return (int)qs_reset_state(&g_ip); }
QSW_EXPORT(qsw_op_count) int qsw_op_count(void) { return (int)qs_op_count(&g_ip); }
QSW_EXPORT(qsw_input_count) int qsw_input_count(void) { return (int)qs_input_count(&g_ip); }
QSW_EXPORT(qsw_output_count) int qsw_output_count(void) { return (int)qs_output_count(&g_ip); }
QSW_EXPORT(qsw_input_tensor) int qsw_input_tensor(int i) { return qs_input_tensor(&g_ip, i); }
QSW_EXPORT(qsw_output_tensor) int qsw_output_tensor(int i) { return qs_output_tensor(&g_ip, i); }
QSW_EXPORT(qsw_input_data) uint8_t *qsw_input_data(int i) { return qs_input_data(&g_ip, i); }
QSW_EXPORT(qsw_output_data) const uint8_t *qsw_output_data(int i) { return qs_output_data(&g_ip, i); }

/* Byte size of tensor t as the core sees it (-1 if t is not a tensor of the loaded model). */
QSW_EXPORT(qsw_tensor_bytes) int qsw_tensor_bytes(int t) {
  qs_tensor_info_t info;
  return qs_tensor_info(&g_ip, t, &info) == QS_OK ? (int)info.bytes : -1;
}

/* Output tensor of op i (-1 if bad). */
QSW_EXPORT(qsw_op_output) int qsw_op_output(int i) {
  qs_op_info_t info;
  return qs_op_info(&g_ip, i, &info) == QS_OK ? info.output_tensor : -1;
}
/* Outputs of op i (several for SPLIT, SPLIT_V, UNPACK), and the tensor of output k. */
QSW_EXPORT(qsw_op_output_count) int qsw_op_output_count(int i) {
  qs_op_info_t info;
  return qs_op_info(&g_ip, i, &info) == QS_OK ? info.output_count : 0;
}
QSW_EXPORT(qsw_op_output_at) int qsw_op_output_at(int i, int k) { return qs_op_output(&g_ip, i, k); }
QSW_EXPORT(qsw_op_code) int qsw_op_code(int i) {
  qs_op_info_t info;
  return qs_op_info(&g_ip, i, &info) == QS_OK ? (int)info.builtin_code : -1;
}
QSW_EXPORT(qsw_op_macs) double qsw_op_macs(int i) {
  qs_op_info_t info;
  return qs_op_info(&g_ip, i, &info) == QS_OK ? (double)info.macs : 0.0;
}
QSW_EXPORT(qsw_op_ticks) uint32_t qsw_op_ticks(int i) { return qs_op_ticks(&g_ip, i); }
QSW_EXPORT(qsw_arena_used) size_t qsw_arena_used(void) { return qs_arena_used(&g_ip); }
QSW_EXPORT(qsw_arena_tensor_bytes) size_t qsw_arena_tensor_bytes(void) { return qs_arena_tensor_bytes(&g_ip); }

static void tap(void *ctx, int op_index, int tensor_index, const uint8_t *data, size_t len, uint32_t ticks) {
  (void)ctx;
  qs_host_tap(op_index, tensor_index, data, len, ticks);
}

static void tap_copy(void *ctx, int op_index, int tensor_index, const uint8_t *data, size_t len, uint32_t ticks) {
  (void)ctx, (void)op_index, (void)tensor_index, (void)ticks;
  /* the core calls the hook once per output, op by op, in the order the host laid out */
  memcpy(g_taps + g_tap_off[g_tap_next++], data, len);
}

/* Buffered taps: a buffer of `bytes` and one offset per op output (the host lays them out, in
 * op order and each op's output order; each output's bytes must fit). Returns the buffer, or 0
 * if it cannot be allocated; the offsets are written by the host into qsw_tap_offsets(). */
QSW_EXPORT(qsw_tap_buffer) uint8_t *qsw_tap_buffer(size_t bytes) {
  size_t slots = 0, i, n = qs_op_count(&g_ip);
  qs_op_info_t info;
  for (i = 0; i < n; i++) slots += qs_op_info(&g_ip, (int)i, &info) == QS_OK ? (size_t)info.output_count : 0;
  free(g_taps);
  free(g_tap_off);
  g_taps = (uint8_t *)malloc(bytes ? bytes : 1);
  g_tap_off = (uint32_t *)calloc(slots + 1, sizeof(uint32_t));
  return g_taps && g_tap_off ? g_taps : 0;
}
QSW_EXPORT(qsw_tap_offsets) uint32_t *qsw_tap_offsets(void) { return g_tap_off; }

/* Gate taps (qs_set_gate_hook): every LSTM step's gates and cell state appended to one buffer,
 * sized when they are turned on (so an invoke never grows memory under the host's views). A record:
 * five int32 (op, step, batch, units n, dtype) then 4n gate values and n cell values (int16 or
 * float32), padded to 4 bytes. */
static uint8_t *g_gates;
static size_t g_gates_len, g_gates_cap;

static void gate_copy(void *ctx, int op, int step, int batch, const void *gates, const void *cell, int n, qs_dtype_t dt) {
  size_t es = dt == QS_DT_FLOAT32 ? 4 : 2, vals = 4 * (size_t)n * es, rec = 20 + ((vals + (size_t)n * es + 3) & ~(size_t)3);
  int32_t head[5];
  (void)ctx;
  if (g_gates_len + rec > g_gates_cap) return; /* cannot happen: sized from the op outputs */
  head[0] = op, head[1] = step, head[2] = batch, head[3] = n, head[4] = (int32_t)dt;
  memcpy(g_gates + g_gates_len, head, sizeof(head));
  memcpy(g_gates + g_gates_len + 20, gates, vals);
  memcpy(g_gates + g_gates_len + 20 + vals, cell, (size_t)n * es);
  g_gates_len += rec;
}

/* on: gate taps from the next invoke on (the buffer holds one invoke's records); returns the
 * buffer's byte size, or -1 if it cannot be allocated. off: returns 0. */
QSW_EXPORT(qsw_gate_taps) int qsw_gate_taps(int on) {
  size_t need = 0, i, n = qs_op_count(&g_ip);
  qs_op_info_t info;
  qs_tensor_info_t out, in;
  g_gates_len = 0;
  if (!on) return qs_set_gate_hook(&g_ip, NULL, NULL) == QS_OK ? 0 : -1;
  for (i = 0; i < n; i++) {
    size_t es, units, rows;
    if (qs_op_info(&g_ip, (int)i, &info) != QS_OK || info.builtin_code != 44 /* UNIDIRECTIONAL_SEQUENCE_LSTM */) continue;
    if (qs_tensor_info(&g_ip, info.output_tensor, &out) != QS_OK || out.ndims != 3 || out.dims[2] < 1) continue;
    if (qs_tensor_info(&g_ip, info.inputs[0], &in) != QS_OK) continue;
    es = in.dtype == QS_DT_FLOAT32 ? 4 : 2;
    units = (size_t)out.dims[2];
    rows = (size_t)out.dims[0] * (size_t)out.dims[1]; /* steps x batch rows: one record each */
    need += rows * (20 + ((5 * units * es + 3) & ~(size_t)3));
  }
  if (need > g_gates_cap) {
    free(g_gates);
    g_gates_cap = 0;
    if (!(g_gates = (uint8_t *)malloc(need))) return -1;
    g_gates_cap = need;
  }
  return qs_set_gate_hook(&g_ip, gate_copy, NULL) == QS_OK ? (int)need : -1;
}
QSW_EXPORT(qsw_gate_taps_ptr) const uint8_t *qsw_gate_taps_ptr(void) { return g_gates; }
QSW_EXPORT(qsw_gate_taps_len) size_t qsw_gate_taps_len(void) { return g_gates_len; }

/* Run every op. mode 0: outputs only; 1: each op output is handed to the host as soon as the op
 * ran (the arena reuses activation memory, so later ops may overwrite it); 2: each op's output is
 * copied into the tap buffer (one host call for the whole run instead of one per op). */
QSW_EXPORT(qsw_invoke) int qsw_invoke(int mode) {
  if (mode == 2 && (!g_taps || !g_tap_off)) return (int)QS_ERR_STATE;
  g_tap_next = 0;
  g_gates_len = 0;
  return (int)qs_invoke(&g_ip, mode == 1 ? tap : mode == 2 ? tap_copy : NULL, NULL);
}
