/*
 * The only hardware contract of the QuantScope firmware. A port (firmware/port/<board>/)
 * implements these functions; the core calls only qs_port_ticks(). Modelled on TFLite
 * Micro's micro_time.h / debug_log.h.
 */
#ifndef QS_PORT_H
#define QS_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *board;       /* e.g. "mps2-an385 (QEMU)" */
  const char *cpu;         /* e.g. "cortex-m3" */
  uint32_t cpu_hz;         /* core clock */
  const char *tick_source; /* e.g. "DWT_CYCCNT", "SysTick", "CLOCK_MONOTONIC" */
} qs_port_info_t;

/* Clocks, counters and the serial link ready. Called once at start-up. */
void qs_port_init(void);
const qs_port_info_t *qs_port_info(void);

/* Free-running counter; differences are taken modulo 2^32, so it may wrap. */
uint32_t qs_port_ticks(void);
uint32_t qs_port_tick_hz(void);

/* Debug text (NUL-terminated); may be a no-op. Never used for data. */
void qs_port_log(const char *msg);

/* Serial link. read blocks until at least one byte is available and returns how many were
 * read (1..max), or 0 if the link is closed. write blocks until all bytes are sent and
 * returns 0, or -1 on failure. */
size_t qs_port_read(uint8_t *buf, size_t max);
int qs_port_write(const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
