/*
 * Shared by the test images that run on an emulated Cortex-M and report over the port's serial line
 * (golden_arm.c, bench_m3.c, params_bench_m3.c): text output without printf, the QSG1 golden reader
 * and the semihosting exit QEMU turns into its exit status.
 */
#ifndef QS_ARM_REPORT_H
#define QS_ARM_REPORT_H

#include <stdint.h>
#include <string.h>

#include "qs_port.h"

static inline void puts_(const char *s) { qs_port_write((const uint8_t *)s, strlen(s)); }

static inline void putu(uint64_t v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  do b[--i] = (char)('0' + v % 10); while ((v /= 10) && i > 0);
  puts_(b + i);
}

/* 0 - (uint64_t)v is |v| for every int64_t, INT64_MIN included */
static inline void puti(int64_t v) {
  if (v < 0) puts_("-");
  putu(v < 0 ? 0u - (uint64_t)v : (uint64_t)v);
}

static inline uint32_t rd32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }

/* A QSG1 golden (scripts/golden-to-bin.mjs), little-endian:
 *   "QSG1" | u32 len | model path | u32 n_in | record * n_in | u32 n_out | record * n_out
 * where a record is {i32 tensor, u32 n, n bytes}: the graph inputs, then every op output. */
typedef struct {
  const uint8_t *in, *out; /* first input record, first op-output record */
  uint32_t n_in, n_out;
} qsg_t;

static inline int32_t qsg_tensor(const uint8_t *rec) { return (int32_t)rd32(rec); }
static inline uint32_t qsg_len(const uint8_t *rec) { return rd32(rec + 4); }
static inline const uint8_t *qsg_data(const uint8_t *rec) { return rec + 8; }
static inline const uint8_t *qsg_next(const uint8_t *rec) { return rec + 8 + rd32(rec + 4); }

static inline void qsg_open(qsg_t *g, const uint8_t *bin) {
  const uint8_t *p = bin + 8 + rd32(bin + 4); /* past "QSG1" and the model path */
  uint32_t i;
  g->n_in = rd32(p);
  g->in = p + 4;
  for (p = g->in, i = 0; i < g->n_in; i++) p = qsg_next(p);
  g->n_out = rd32(p);
  g->out = p + 4;
}

/* The op-output record of tensor, or NULL when the golden has none (each tensor is one op's output,
 * so it has one record at most). */
static inline const uint8_t *qsg_find(const qsg_t *g, int32_t tensor) {
  const uint8_t *p = g->out;
  uint32_t i;
  for (i = 0; i < g->n_out; i++, p = qsg_next(p))
    if (qsg_tensor(p) == tensor) return p;
  return NULL;
}

static inline void semihost_exit(int ok) {
  /* SYS_EXIT with ADP_Stopped_ApplicationExit (0x20026) or RunTimeErrorUnknown (0x20023) */
  register uint32_t r0 __asm__("r0") = 0x18;
  register uint32_t r1 __asm__("r1") = ok ? 0x20026u : 0x20023u;
  __asm__ volatile("bkpt 0xAB" : : "r"(r0), "r"(r1) : "memory");
}

#endif
